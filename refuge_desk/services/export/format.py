"""The export format: an age file holding a gzip-compressed tar of JSON Lines and a manifest.

Written and read as streams, so no plaintext ever reaches the disk and memory stays bounded
(one table's JSON Lines at a time while writing, one line at a time while reading).
See docs/export-format.md.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import os
import tarfile
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyrage

from refuge_desk.domain.errors import UserError
from refuge_desk.store.db import Database, DatabaseError

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TABLES_DIR = "tables/"
BLOB = "$base64"  # a BLOB value is written as {"$base64": "..."}
PAGE = 2000  # rows read per query while dumping
GZIP_LEVEL = 3  # measured: level 6 is 15% slower for a 17% smaller file
MAX_MANIFEST = 4 * 1024 * 1024

Value = None | int | float | str | bytes


class BackupUnreadable(UserError):
    """The file could not be decrypted or unpacked; the message says why, plainly."""


def member_path(table: str) -> str:
    return f"{TABLES_DIR}{table}.jsonl"


# -- rows <-> JSON Lines ----------------------------------------------------------------------
def _blob(value: object) -> dict[str, str]:
    if isinstance(value, bytes):
        return {BLOB: base64.b64encode(value).decode("ascii")}
    raise TypeError(f"cannot store {type(value).__name__}")


# One encoder for every row (json.dumps would build a new one per call); only BLOBs reach
# the ``default`` hook, so text and numbers stay on the C fast path.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_blob)


def encode_row(row: dict[str, Value]) -> bytes:
    return _ENCODER.encode(row).encode("utf-8") + b"\n"


def decode_row(line: bytes) -> dict[str, Value]:
    """One JSON Lines row back to column -> value. Raises ValueError on anything else."""
    obj = json.loads(line)
    if not isinstance(obj, dict):
        raise ValueError("a row is not an object")
    row: dict[str, Value] = {}
    for key, value in obj.items():
        if isinstance(value, dict):
            if set(value) != {BLOB} or not isinstance(value[BLOB], str):
                raise ValueError("unknown value object")
            row[key] = base64.b64decode(value[BLOB], validate=True)
        elif value is None or isinstance(value, int | float | str):
            row[key] = value
        else:
            raise ValueError("a value is not a number, text, null or blob")
    return row


# -- reading the vault ------------------------------------------------------------------------
def dump_tables(db: Database) -> list[str]:
    """Every ordinary table, in name order; FTS tables and their shadow tables are rebuilt."""
    rows = db.query("PRAGMA main.table_list")
    names = []
    for r in rows:
        name = str(r["name"])
        if r["type"] == "virtual":
            sql = str(db.scalar("SELECT sql FROM sqlite_master WHERE name = ?", (name,)) or "")
            # Only external-content FTS5 can be rebuilt from the tables we dump.
            if "fts5" not in sql.lower() or "content" not in sql.lower():
                raise RuntimeError(f"virtual table {name} cannot be rebuilt on restore")
        elif r["type"] == "table" and not name.startswith("sqlite_"):
            names.append(name)
    return sorted(names)


def table_columns(db: Database, table: str) -> list[str]:
    """Stored columns (not hidden or generated ones), in table order."""
    return [str(r["name"]) for r in db.query(f'PRAGMA table_xinfo("{table}")') if r["hidden"] == 0]


def table_rows(db: Database, table: str) -> Iterator[dict[str, Value]]:
    cols = table_columns(db, table)
    listed = ", ".join(f'"{c}"' for c in cols)
    without_rowid = bool(
        db.scalar("SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?", (table,))
    )
    if without_rowid:  # small key/value tables (meta)
        for r in db.query(f'SELECT {listed} FROM "{table}"'):
            yield dict(zip(cols, tuple(r), strict=True))
        return
    last: int | None = None
    while True:
        where = "" if last is None else "WHERE rowid > ?"
        params = () if last is None else (last,)
        page = db.query(
            f'SELECT rowid, {listed} FROM "{table}" {where} ORDER BY rowid LIMIT {PAGE}', params
        )
        for r in page:
            yield dict(zip(cols, tuple(r)[1:], strict=True))
        if len(page) < PAGE:
            return
        last = int(page[-1][0])


# -- the manifest -----------------------------------------------------------------------------
@dataclass(slots=True)
class Manifest:
    format_version: int
    schema_version: int
    app_version: str
    created_at: str
    vault_id: str
    kind: str
    tables: dict[str, int] = field(default_factory=dict)
    members: dict[str, str] = field(default_factory=dict)
    # The audit log's head when the backup was taken ([count, hash]): ``audit verify`` checks
    # the vault still holds it. None in backups made before keys per account.
    audit_head: list[Any] | None = None
    # What a restore needs to open restricted notes: the vault's statements (to check the
    # log's signatures) and the managers' key sealed for the backup key (age, base64).
    keys: dict[str, Any] | None = None

    def to_bytes(self) -> bytes:
        data: dict[str, Any] = {
            "format_version": self.format_version,
            "schema_version": self.schema_version,
            "app_version": self.app_version,
            "created_at": self.created_at,
            "vault_id": self.vault_id,
            "kind": self.kind,
            "tables": self.tables,
            "members": self.members,
        }
        if self.audit_head is not None:
            data["audit_head"] = self.audit_head
        if self.keys is not None:
            data["keys"] = self.keys
        return json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"

    @classmethod
    def from_bytes(cls, raw: bytes) -> Manifest:
        """Raises ValueError when a field is missing or of the wrong type."""
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("not an object")
        version = data.get("format_version")
        if not isinstance(version, int):
            raise ValueError("format_version")
        tables, members = data.get("tables"), data.get("members")
        if not isinstance(tables, dict) or not all(
            isinstance(k, str) and isinstance(v, int) and v >= 0 for k, v in tables.items()
        ):
            raise ValueError("tables")
        if not isinstance(members, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in members.items()
        ):
            raise ValueError("members")
        texts = [data.get(k) for k in ("app_version", "created_at", "vault_id", "kind")]
        if not all(isinstance(t, str) for t in texts) or not isinstance(
            data.get("schema_version"), int
        ):
            raise ValueError("header fields")
        head = data.get("audit_head")
        if head is not None and not (
            isinstance(head, list)
            and len(head) == 2
            and isinstance(head[0], int)
            and isinstance(head[1], str)
        ):
            raise ValueError("audit_head")
        keys = data.get("keys")
        if keys is not None and not isinstance(keys, dict):
            raise ValueError("keys")
        app_version, created_at, vault_id, kind = (str(t) for t in texts)
        return cls(
            version,
            int(data["schema_version"]),
            app_version,
            created_at,
            vault_id,
            kind,
            tables,
            members,
            head,
            keys,
        )


def _jsonl_in_sqlite(db: Database, table: str) -> tuple[bytearray, int] | None:
    """The table's JSON Lines built by SQLite's json_object (C speed, same JSON), page by
    page in rowid order; None when a value is a BLOB, which JSON cannot hold natively."""
    cols = table_columns(db, table)
    pairs = ", ".join(f"'{c}', \"{c}\"" for c in cols)
    without_rowid = bool(
        db.scalar("SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?", (table,))
    )
    buf = bytearray()
    count = 0
    try:
        if without_rowid:
            for r in db.query(f'SELECT json_object({pairs}) AS j FROM "{table}"'):
                buf += str(r["j"]).encode("utf-8") + b"\n"
                count += 1
            return buf, count
        # One string per page of rows (group_concat in rowid order): almost no Python per row.
        last = -(2**63)
        while True:
            row = db.query_one(
                f"SELECT count(*) AS n, max(rowid) AS last_rowid, "
                f"group_concat(j, char(10)) AS lines FROM ("
                f'SELECT rowid, json_object({pairs}) AS j FROM "{table}" '
                f"WHERE rowid > ? ORDER BY rowid LIMIT {PAGE})",
                (last,),
            )
            n = int(row["n"]) if row is not None else 0
            if row is not None and n:
                buf += str(row["lines"]).encode("utf-8") + b"\n"
                count += n
                last = int(row["last_rowid"])
            if n < PAGE:
                return buf, count
    except DatabaseError:
        return None  # a BLOB somewhere: the Python encoder below handles it


def table_jsonl(db: Database, table: str) -> tuple[bytearray, int]:
    fast = _jsonl_in_sqlite(db, table)
    if fast is not None:
        return fast
    buf = bytearray()
    count = 0
    for row in table_rows(db, table):
        buf += encode_row(row)
        count += 1
    return buf, count


Progress = Callable[[int, int], None]  # (rows done, rows in all): may raise to stop


def archive_members(
    db: Database, head: Manifest, progress: Progress | None = None
) -> Iterator[tuple[str, bytes]]:
    """Each table's JSON Lines, then the manifest (hashes and counts filled in as we go)."""
    tables = dump_tables(db)
    total = done = 0
    if progress is not None:
        total = sum(int(db.scalar(f'SELECT count(*) FROM "{t}"')) for t in tables)
        progress(0, total)
    for table in tables:
        buf, count = table_jsonl(db, table)
        done += count
        if progress is not None:
            progress(min(done, total), total)
        path = member_path(table)
        head.tables[table] = count
        head.members[path] = hashlib.sha256(buf).hexdigest()
        yield path, bytes(buf)
        del buf
    yield MANIFEST, head.to_bytes()


# -- writing: a pull stream of tar.gz bytes for pyrage ----------------------------------------
class _Collect(io.RawIOBase):
    """Where tarfile writes: compresses into the producer's buffer."""

    def __init__(self, into: bytearray) -> None:
        self.into = into
        self.gz = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)  # 31: gzip header

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        self.into += self.gz.compress(b)
        return len(b)

    def finish(self) -> None:
        self.into += self.gz.flush()


class TarGzStream(io.RawIOBase):
    """A readable stream of the archive, built member by member as pyrage asks for bytes.

    An exception while building (a database error) is kept in ``error`` and re-raised by the
    caller: pyrage wraps it into its own error type.
    """

    def __init__(self, members: Iterator[tuple[str, bytes]], mtime: float) -> None:
        self._members = members
        self._mtime = mtime
        self._buf = bytearray()
        self._sink = _Collect(self._buf)
        self._tar: tarfile.TarFile | None = tarfile.open(  # noqa: SIM115 - closed at the end
            fileobj=self._sink, mode="w|", format=tarfile.PAX_FORMAT
        )
        self.error: BaseException | None = None
        self.plain_bytes = 0

    def readable(self) -> bool:
        return True

    def _advance(self) -> None:
        assert self._tar is not None
        try:
            path, data = next(self._members)
        except StopIteration:
            self._tar.close()
            self._sink.finish()
            self._tar = None
            return
        info = tarfile.TarInfo(path)
        info.size = len(data)
        info.mtime = int(self._mtime)
        info.mode = 0o600
        self._tar.addfile(info, io.BytesIO(data))
        self.plain_bytes += len(data)

    def readinto(self, b: Any) -> int:
        try:
            while len(self._buf) < len(b) and self._tar is not None:
                self._advance()
        except BaseException as exc:
            self.error = exc
            raise
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        del self._buf[:n]
        return n


# -- reading: decrypt in a thread into a pipe, unpack on this thread --------------------------
def decrypt_error_message(exc: BaseException) -> str:
    text = str(exc).lower()
    if isinstance(exc, pyrage.DecryptError) and "no matching keys" in text:
        return (
            "This backup cannot be opened with that backup key: it was made for a different "
            "key (check you have the right recovery sheet)."
        )
    if isinstance(exc, pyrage.DecryptError) and "header" in text:
        return "This file is not a Refuge Desk backup (it is not an encrypted age file)."
    return (
        "The backup file is damaged: it is cut short or was changed after it was made, "
        "so it cannot be trusted."
    )


@contextlib.contextmanager
def open_members(
    path: Path, identity: pyrage.x25519.Identity
) -> Iterator[Iterator[tuple[str, IO[bytes]]]]:
    """Yield an iterator of (member path, stream); read each stream before the next member.

    Raises BackupUnreadable (a plain sentence) for a missing, wrong-key, cut-short or
    changed file; the decryption error wins over any unpacking error it caused.
    """
    try:
        src = open(path, "rb")  # noqa: SIM115 - closed by the worker below
    except OSError as exc:
        raise BackupUnreadable(f"The backup file {path} cannot be read ({exc.strerror}).") from exc
    read_fd, write_fd = os.pipe()
    failed: list[BaseException] = []

    def decrypt() -> None:
        try:
            with src, open(write_fd, "wb", buffering=0) as out:
                pyrage.decrypt_io(src, out, [identity])
        except BaseException as exc:  # reported on the reading thread
            failed.append(exc)

    worker = threading.Thread(target=decrypt, name="backup-decrypt", daemon=True)
    worker.start()
    reader = open(read_fd, "rb")  # noqa: SIM115 - closed in finally

    def members() -> Iterator[tuple[str, IO[bytes]]]:
        with tarfile.open(fileobj=reader, mode="r|gz") as tar:
            for info in tar:
                if not info.isfile():
                    raise BackupUnreadable("The backup holds something that is not a file.")
                stream = tar.extractfile(info)
                assert stream is not None
                yield info.name, stream

    try:
        try:
            yield members()
        except (tarfile.TarError, EOFError, zlib.error) as exc:
            reader.close()
            worker.join()
            if failed:
                raise BackupUnreadable(decrypt_error_message(failed[0])) from failed[0]
            raise BackupUnreadable(
                "The backup file is damaged: its contents cannot be unpacked."
            ) from exc
        # Drain what is left, so a file cut short after the last member is still noticed.
        while reader.read(1 << 16):
            pass
        reader.close()
        worker.join()
        if failed:
            raise BackupUnreadable(decrypt_error_message(failed[0])) from failed[0]
    finally:
        reader.close()
        worker.join()


def read_manifest(stream: IO[bytes]) -> Manifest | None:
    raw = stream.read(MAX_MANIFEST + 1)
    if len(raw) > MAX_MANIFEST:
        return None
    try:
        return Manifest.from_bytes(raw)
    except ValueError:
        return None
