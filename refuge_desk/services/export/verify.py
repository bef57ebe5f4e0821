"""Check a backup with the secret backup key: decrypts, hashes, counts, parses every row."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from pyrage import x25519

from refuge_desk.domain.errors import UserError
from refuge_desk.services.export import keys
from refuge_desk.services.export.format import (
    FORMAT_VERSION,
    MANIFEST,
    TABLES_DIR,
    BackupUnreadable,
    Manifest,
    decode_row,
    member_path,
    open_members,
    read_manifest,
)
from refuge_desk.store import migrations
from refuge_desk.store.keyfile import AuditHead

NEWER = (
    "This backup was made by a newer version of Refuge Desk ({what} {found}; this version "
    "reads up to {ours}). Install the newer version to verify or restore it."
)


@dataclass(slots=True)
class _Seen:
    sha256: str
    lines: int
    bad_lines: int


@dataclass(slots=True)
class Checked:
    manifest: Manifest | None
    problems: list[str] = field(default_factory=list)


def _scan(stream: IO[bytes]) -> _Seen:
    sha = hashlib.sha256()
    lines = bad = 0
    for line in stream:
        sha.update(line)
        lines += 1
        try:
            if not line.endswith(b"\n"):
                raise ValueError("unterminated line")
            decode_row(line)
        except ValueError:  # includes JSON and base64 errors
            bad += 1
    return _Seen(sha.hexdigest(), lines, bad)


def _compare(manifest: Manifest, seen: dict[str, _Seen], extra: list[str]) -> list[str]:
    if manifest.format_version > FORMAT_VERSION:
        ours = FORMAT_VERSION
        return [NEWER.format(what="format", found=manifest.format_version, ours=ours)]
    if manifest.format_version < 1:
        return ["The backup's manifest has an unknown format version."]
    if manifest.kind != "backup":
        return [f"This file is a Refuge Desk {manifest.kind or 'export'}, not a backup."]
    if manifest.schema_version > migrations.LATEST:
        ours = migrations.LATEST
        return [NEWER.format(what="vault format", found=manifest.schema_version, ours=ours)]
    problems = []
    if manifest.schema_version < 1:
        problems.append("The backup's manifest has an unknown vault format.")
    problems += [f"The backup holds an unexpected file, {path}." for path in extra]
    for path in sorted(set(manifest.members) | set(seen)):
        if path not in manifest.members:
            problems.append(f"The backup holds {path}, which its manifest does not list.")
        elif path not in seen:
            problems.append(f"The backup is missing {path}.")
        elif seen[path].sha256 != manifest.members[path]:
            problems.append(f"{path} does not match its checksum (SHA-256) in the manifest.")
        elif seen[path].bad_lines:
            problems.append(f"{path} has {seen[path].bad_lines} line(s) that are not a row.")
    for table, count in sorted(manifest.tables.items()):
        path = member_path(table)
        if path not in manifest.members:
            problems.append(f"The manifest counts table {table} but lists no file for it.")
        elif path in seen and seen[path].lines != count:
            problems.append(
                f"Table {table} has {seen[path].lines} rows, but the manifest says {count}."
            )
    for path in manifest.members:
        table = path[len(TABLES_DIR) : -len(".jsonl")]
        if path.startswith(TABLES_DIR) and path.endswith(".jsonl") and table not in manifest.tables:
            problems.append(f"The manifest lists {path} but gives no row count for it.")
    return problems


def check_backup(path: Path, identity: x25519.Identity) -> Checked:
    """Read the whole file once. The manifest is returned only when it could be read."""
    seen: dict[str, _Seen] = {}
    extra: list[str] = []
    manifest: Manifest | None = None
    manifest_count = 0
    try:
        with open_members(path, identity) as members:
            for name, stream in members:
                if name == MANIFEST:
                    manifest_count += 1
                    manifest = read_manifest(stream)
                elif name.startswith(TABLES_DIR) and name.endswith(".jsonl") and name not in seen:
                    seen[name] = _scan(stream)
                else:
                    extra.append(name)
    except BackupUnreadable as exc:
        return Checked(None, [str(exc)])
    if manifest is None or manifest_count != 1:
        what = "no readable manifest" if manifest_count <= 1 else "more than one manifest"
        return Checked(None, [f"The backup has {what}, so it cannot be checked or restored."])
    return Checked(manifest, _compare(manifest, seen, extra))


def verify_backup(path: Path, identity: str | x25519.Identity) -> list[str]:
    """Plain sentences, one per problem; an empty list means the backup is whole."""
    try:
        ident = keys.parse_identity(identity) if isinstance(identity, str) else identity
    except UserError as exc:
        return [str(exc)]
    return check_backup(Path(path), ident).problems


@dataclass(frozen=True, slots=True)
class BackupHead:
    """What a backup says about the audit log it copied."""

    vault_ids: frozenset[str]  # the vault it is a backup of
    created_at: str
    head: AuditHead | None  # None: made before backups recorded the log's head


def audit_head(path: Path, identity: x25519.Identity) -> BackupHead:
    """The audit log's head recorded in a backup's manifest, once the whole backup has been
    checked (a damaged or changed backup says nothing reliable): UserError if it is not whole."""
    checked = check_backup(Path(path), identity)
    if checked.manifest is None or checked.problems:
        problem = checked.problems[0] if checked.problems else "It cannot be read."
        raise UserError(
            f"{problem} So the backup {Path(path).name} cannot be compared with the audit log."
        )
    manifest = checked.manifest
    ids = {manifest.vault_id, str((manifest.keys or {}).get("vault_id") or "")} - {""}
    head = manifest.audit_head
    return BackupHead(
        frozenset(ids),
        manifest.created_at,
        None if head is None else AuditHead(int(head[0]), str(head[1])),
    )
