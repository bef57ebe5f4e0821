"""Encrypted backups to a folder (a USB stick, a network share), atomically, keeping the last N.

A backup is written to a hidden ".<name>.partial" file in the destination, fsynced, read back
and compared (SHA-256), then renamed to its real name. A full disk, a pulled drive or a kill
part-way leaves the older backups as they were and nothing named like a backup.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyrage

from refuge_desk import __version__
from refuge_desk.domain.errors import UserError, ValidationError
from refuge_desk.services import history
from refuge_desk.services.export import keys
from refuge_desk.services.export.format import (
    FORMAT_VERSION,
    Manifest,
    Progress,
    TarGzStream,
    archive_members,
)
from refuge_desk.services.session import Session
from refuge_desk.store import audit_repo, fs, meta_repo
from refuge_desk.store.crypto import b64
from refuge_desk.store.db import Database, DatabaseError
from refuge_desk.store.keyfile import BACKUP, MANAGERS

KIND = "backup"
FOLDER_KEY = "backup_folder"
INTERVAL_KEY = "backup_interval_days"
KEEP_KEY = "backup_keep"
LAST_SUCCESS_KEY = "backup_last_success"
LAST_FILE_KEY = "backup_last_file"
LAST_FAILURE_KEY = "backup_last_failure"
LAST_REASON_KEY = "backup_last_failure_reason"
INTERVAL_DEFAULT, KEEP_DEFAULT = 1, 14
INTERVAL_RANGE, KEEP_RANGE = (1, 90), (1, 365)
# A daily backup made on close at about the same time each day is due again the next day.
DUE_SLACK = dt.timedelta(hours=2)
READ_CHUNK = 1 << 20
NAME = re.compile(
    r"^refuge-desk-(?P<vault>[0-9a-f]{8})-(?P<stamp>\d{8}-\d{6})(?:-(?P<n>[1-9]\d{0,3}))?\.age$"
)
NO_KEY = (
    "This vault has no backup key yet, so no backup was made. A manager can make one in "
    "the backup settings (or with `refuge-desk backup-key`)."
)
NO_FOLDER = "No backup folder is set. Choose one in the backup settings."

_os_write = os.write  # the one place bytes reach the backup drive (fault tests patch it)


class Cancelled(Exception):
    """Raised by a progress callback to stop a backup: the partial file is removed."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    size: int
    sha256: str
    rows: dict[str, int]


@dataclass(frozen=True, slots=True)
class BackupSettings:
    folder: str
    interval_days: int
    keep: int


@dataclass(frozen=True, slots=True)
class BackupStatus:
    configured: bool  # a folder and a backup key are set
    last_success: dt.datetime | None
    last_file: str
    last_failure: dt.datetime | None
    failure_reason: str  # of the last failure, if it came after the last success
    overdue: bool  # never made, or the last good one is older than the interval


# -- settings ---------------------------------------------------------------------------------
def _int(db: Database, key: str, default: int, bounds: tuple[int, int]) -> int:
    try:
        value = int(meta_repo.get(db, key, str(default)))
    except ValueError:
        return default
    return min(bounds[1], max(bounds[0], value))


def settings(session: Session) -> BackupSettings:
    db = session.db
    return BackupSettings(
        meta_repo.get(db, FOLDER_KEY),
        _int(db, INTERVAL_KEY, INTERVAL_DEFAULT, INTERVAL_RANGE),
        _int(db, KEEP_KEY, KEEP_DEFAULT, KEEP_RANGE),
    )


def save_settings(session: Session, folder: Path, interval_days: int, keep: int) -> None:
    session.require(session.role.manages_settings, "change the backup settings")
    problems = []
    if not folder.expanduser().is_dir():
        problems.append(f"The backup folder {folder} does not exist (is the drive plugged in?).")
    if not INTERVAL_RANGE[0] <= interval_days <= INTERVAL_RANGE[1]:
        problems.append(
            f"Back up every {INTERVAL_RANGE[0]} to {INTERVAL_RANGE[1]} days, not {interval_days}."
        )
    if not KEEP_RANGE[0] <= keep <= KEEP_RANGE[1]:
        problems.append(f"Keep {KEEP_RANGE[0]} to {KEEP_RANGE[1]} backups, not {keep}.")
    if problems:
        raise ValidationError(problems)
    with session.db.transaction():
        history.put_setting(session, FOLDER_KEY, str(folder.expanduser().absolute()))
        history.put_setting(session, INTERVAL_KEY, str(interval_days))
        history.put_setting(session, KEEP_KEY, str(keep))
        session.audit("backup.settings")


def _when(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def status(session: Session, now: dt.datetime | None = None) -> BackupStatus:
    db = session.db
    now = now or session.now()
    conf = settings(session)
    last = _when(meta_repo.get(db, LAST_SUCCESS_KEY))
    failure = _when(meta_repo.get(db, LAST_FAILURE_KEY))
    reason = meta_repo.get(db, LAST_REASON_KEY)
    if failure is not None and last is not None and failure < last:
        failure, reason = None, ""
    return BackupStatus(
        configured=bool(conf.folder and keys.recipient(session)),
        last_success=last,
        last_file=meta_repo.get(db, LAST_FILE_KEY),
        last_failure=failure,
        failure_reason=reason,
        overdue=last is None or now - last >= dt.timedelta(days=conf.interval_days) - DUE_SLACK,
    )


def backup_due(session: Session, now: dt.datetime) -> bool:
    """Whether a backup should run now (on lock, sign-out or close): set up and overdue."""
    if not session.role.sees_case_detail:
        return False
    st = status(session, now)
    return st.configured and st.overdue


# -- names and pruning ------------------------------------------------------------------------
def vault_tag(vault_id: str) -> str:
    return vault_id.replace("-", "").lower()[:8]


def backup_name(vault_id: str, when: dt.datetime, n: int = 0) -> str:
    stamp = when.astimezone(dt.UTC).strftime("%Y%m%d-%H%M%S")
    return f"refuge-desk-{vault_tag(vault_id)}-{stamp}{f'-{n}' if n else ''}.age"


def backups_of(folder: Path, vault_id: str) -> list[Path]:
    """This vault's backups in ``folder``, oldest first (other files are never listed)."""
    tag = vault_tag(vault_id)
    found: list[tuple[str, int, Path]] = []
    for entry in folder.iterdir():
        m = NAME.match(entry.name)
        if m and m["vault"] == tag and entry.is_file():
            found.append((m["stamp"], int(m["n"] or 0), entry))
    return [p for _, _, p in sorted(found)]


def prune(folder: Path, vault_id: str, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups of this vault; returns what was deleted."""
    old = backups_of(folder, vault_id)[: -max(1, keep)]
    removed = []
    for path in old:
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed


# -- making one -------------------------------------------------------------------------------
class _FileSink(io.RawIOBase):
    """pyrage writes the encrypted bytes here; they are hashed on their way to the drive."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.sha = hashlib.sha256()
        self.size = 0
        self.error: OSError | None = None

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        view = memoryview(b).cast("B")
        try:
            rest = view
            while rest:
                rest = rest[_os_write(self.fd, rest) :]
        except OSError as exc:
            self.error = exc
            raise
        self.sha.update(view)
        self.size += len(view)
        return len(view)


def _plain_os_error(exc: OSError, folder: Path) -> str:
    kept = "Older backups there were left as they were."
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        why = "the drive is full"
    elif exc.errno in (errno.ENOENT, errno.ENODEV, errno.EIO, errno.ENXIO, errno.ESTALE):
        why = "the drive was removed or stopped working"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "Refuge Desk is not allowed to write there (read-only, or no permission)"
    else:
        why = (exc.strerror or "the drive refused it").rstrip(".").lower()
    return f"The backup could not be written to {folder}: {why}. {kept}"


def _read_back(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        # Drop the cached pages, so the comparison reads what the drive really holds.
        with contextlib.suppress(AttributeError, OSError):
            os.posix_fadvise(fh.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        while chunk := fh.read(READ_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def _remove_stale_partials(folder: Path, vault_id: str) -> None:
    """Hidden leftovers of this vault's killed backups (never anything else)."""
    tag = vault_tag(vault_id)
    for entry in folder.iterdir():
        name = entry.name
        if name.startswith(".") and name.endswith(".partial"):
            m = NAME.match(name[1 : -len(".partial")])
            if m and m["vault"] == tag:
                with contextlib.suppress(OSError):
                    entry.unlink()


def write_backup(
    db: Database,
    folder: Path,
    recipient: pyrage.x25519.Recipient,
    vault_id: str,
    when: dt.datetime,
    progress: Progress | None = None,
    keys_info: dict[str, Any] | None = None,
) -> BackupResult:
    """The file itself: one consistent snapshot of the vault, all or nothing."""
    _remove_stale_partials(folder, vault_id)
    name = backup_name(vault_id, when)
    partial = folder / f".{name}.partial"
    head = Manifest(
        FORMAT_VERSION,
        db.user_version,
        __version__,
        when.astimezone(dt.UTC).isoformat(timespec="seconds"),
        vault_id,
        KIND,
        keys=keys_info,
    )
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            sink = _FileSink(fd)
            stream = TarGzStream(archive_members(db, head, progress), when.timestamp())
            with db.transaction():  # one snapshot: nobody writes while we read
                with contextlib.suppress(DatabaseError):  # a vault older than the chain
                    head.audit_head = list(audit_repo.head(db))
                try:
                    pyrage.encrypt_io(stream, sink, [recipient])
                except pyrage.EncryptError as exc:
                    raise (sink.error or stream.error or exc) from exc
            os.fsync(fd)
        finally:
            os.close(fd)
        if _read_back(partial) != sink.sha.hexdigest():
            raise UserError(
                f"The backup read back from {folder} was not what was written, so it was "
                "deleted: the drive may be failing. Older backups there were left as they were."
            )
        n = 0
        while (folder / backup_name(vault_id, when, n)).exists():
            n += 1
        final = folder / backup_name(vault_id, when, n)
        os.replace(partial, final)
        fs.fsync_dir(folder)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        if isinstance(exc, OSError):
            raise UserError(_plain_os_error(exc, folder)) from exc
        raise
    return BackupResult(final, sink.size, sink.sha.hexdigest(), dict(head.tables))


def _destination(session: Session, folder: Path | None) -> Path:
    chosen = folder if folder is not None else Path(settings(session).folder or "")
    if not str(chosen) or str(chosen) == ".":
        raise UserError(NO_FOLDER)
    chosen = chosen.expanduser().absolute()
    if not chosen.is_dir():
        raise UserError(
            f"The backup folder {chosen} is not there (is the USB stick or network drive "
            "connected?). No backup was made."
        )
    return chosen


def _record_failure(session: Session, reason: str) -> None:
    # Recording must never hide the real failure (the vault's own disk may be the full one).
    with contextlib.suppress(Exception), session.db.transaction():
        meta_repo.put(session.db, LAST_FAILURE_KEY, session.stamp())
        meta_repo.put(session.db, LAST_REASON_KEY, reason)
        session.audit("backup.failed")


def _keys_info(session: Session) -> dict[str, Any] | None:
    """The statements and the managers' key for the backup key, from the key file as it is."""
    kf = session.keyfile
    if not kf.statements:
        return None  # a 0.1 vault before its move: nothing is sealed yet
    env = kf.envelope(BACKUP, MANAGERS)
    return {
        "vault_id": kf.vault_id,
        "root": kf.root_fpr,
        "statements": [st.to_json() for st in kf.statements],
        "managers_key": b64(env.sealed) if env is not None else "",
    }


def make_backup(
    session: Session, folder: Path | None = None, progress: Progress | None = None
) -> BackupResult:
    """Back the whole vault up to ``folder`` (default: the folder in the settings).

    ``progress(rows_done, rows_total)`` is called as tables are read (from this thread); it
    may raise ``Cancelled`` to stop: nothing is left behind and no failure is recorded.

    Managers and support workers only: a backup is every case record, and volunteers do not
    see case detail. Raises UserError with a plain sentence, also recorded for the home screen.
    """
    session.require(session.role.sees_case_detail, "make a backup of every record")
    db = session.db
    try:
        target = _destination(session, folder)
        public = keys.recipient(session)
        if not public:
            raise UserError(NO_KEY)
        recipient = keys.parse_recipient(public)
        vault_id = meta_repo.get(db, "vault_id") or session.keyslots.vault_id
        result = write_backup(
            db, target, recipient, vault_id, session.now(), progress, _keys_info(session)
        )
    except Cancelled:
        raise
    except UserError as exc:
        _record_failure(session, str(exc))
        raise
    except Exception:
        _record_failure(session, "The backup stopped because of an unexpected error.")
        raise
    prune(target, vault_id, settings(session).keep)
    with contextlib.suppress(Exception), db.transaction():
        meta_repo.put(db, LAST_SUCCESS_KEY, session.stamp())
        meta_repo.put(db, LAST_FILE_KEY, str(result.path))
        session.audit("backup.made", result.path.name)
    return result
