"""The one SQL wrapper: a keyed SQLCipher connection with explicit transactions."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, cast

import sqlcipher3

from refuge_desk.domain.errors import VaultCorrupt, VaultError, VaultInUse
from refuge_desk.store.sqlkey import key_connection

DatabaseError = sqlcipher3.DatabaseError
log = logging.getLogger(__name__)

# Pages are decrypted once into this cache (64 MiB), so warm queries cost what plain SQLite does.
CACHE_KIB = 65536


class Row(Protocol):
    """A result row (sqlcipher3.Row): by position or by column name."""

    def __getitem__(self, key: int | str) -> Any: ...
    def __iter__(self) -> Iterator[Any]: ...
    def __len__(self) -> int: ...
    def keys(self) -> list[str]: ...


class Database:
    """A keyed connection. Autocommit mode; writes go through ``transaction()``.

    One connection per vault, used by one thread at a time (the sign-in worker opens it,
    then hands it to the UI thread), hence ``check_same_thread=False`` plus a lock.
    """

    def __init__(self, path: Path, key: bytes | bytearray) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._in_tx = False
        # Called after each COMMIT (e.g. to bring the rota file up to date); its failure is
        # logged and never undoes the commit.
        self.after_commit: Callable[[], None] | None = None
        self._in_after_commit = False
        self._frozen = ""  # while a rekey copies the file, a write is refused, never lost
        try:
            conn = sqlcipher3.connect(
                str(path), isolation_level=None, check_same_thread=False, timeout=5.0
            )
        except sqlcipher3.Error as exc:
            raise VaultError(f"The vault file {path} could not be opened.") from exc
        try:
            key_connection(conn, key, path=str(path))  # from bytes: no str holds the key
            conn.execute("PRAGMA cipher_log_level = NONE")
            # A wrong key or a damaged header only shows on first real read.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.execute("PRAGMA temp_store = MEMORY")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA secure_delete = ON")
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            conn.execute("PRAGMA busy_timeout = 5000")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise VaultError(f"The vault file {path} could not be opened for writing.")
            conn.execute("PRAGMA synchronous = FULL")
            _owner_only(path)
        except sqlcipher3.DatabaseError as exc:
            conn.close()
            msg = str(exc).lower()
            if "locked" in msg or "busy" in msg:
                raise VaultInUse("The vault is in use by another program.") from exc
            raise VaultCorrupt(
                f"The vault file {path} cannot be read: it is damaged, was changed outside "
                "Refuge Desk, or does not match its key."
            ) from exc
        conn.row_factory = sqlcipher3.Row
        self._conn: Any = conn

    # -- queries -------------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Row]:
        with self._lock:
            return cast(list[Row], self._conn.execute(sql, params).fetchall())

    def query_one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Row | None:
        with self._lock:
            return cast(Row | None, self._conn.execute(sql, params).fetchone())

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = self.query_one(sql, params)
        return None if row is None else row[0]

    @contextlib.contextmanager
    def frozen(self, why: str) -> Iterator[None]:
        """No writes while this lasts: each raises VaultBusy(``why``) instead."""
        with self._lock:
            self._frozen = why
        try:
            yield
        finally:
            with self._lock:
                self._frozen = ""

    def _check_writable(self) -> None:
        with self._lock:
            if self._frozen:
                raise VaultBusy(self._frozen)
            if self._conn is None:
                raise VaultError("The vault is locked. Unlock it to go on.")

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run one statement; returns lastrowid. Outside a transaction it autocommits."""
        with self._lock:
            self._check_writable()
            row_id = int(self._conn.execute(sql, params).lastrowid or 0)
            autocommitted = not self._in_tx
        if autocommitted:
            self._committed()
        return row_id

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self._lock:
            self._check_writable()
            self._conn.executemany(sql, rows)
            autocommitted = not self._in_tx
        if autocommitted:
            self._committed()

    def executescript(self, sql: str) -> None:
        """Statements separated by ';' run one by one inside the caller's transaction."""
        with self._lock:
            self._check_writable()
            for stmt in _split_sql(sql):
                self._conn.execute(stmt)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """BEGIN IMMEDIATE ... COMMIT; ROLLBACK on any exception. Nested calls join."""
        with self._lock:
            if self._in_tx:
                yield self
                return
            self._check_writable()
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlcipher3.OperationalError as exc:
                raise VaultInUse(
                    "The vault is busy in another program; try again in a moment."
                ) from exc
            self._in_tx = True
            try:
                yield self
            except BaseException as exc:
                # SQLite may already have rolled back (a full disk does): never let the
                # ROLLBACK's own error hide the real one.
                with contextlib.suppress(sqlcipher3.Error):
                    self._conn.execute("ROLLBACK")
                if _disk_full(exc):
                    raise VaultFull(VAULT_FULL) from exc
                raise
            else:
                try:
                    self._conn.execute("COMMIT")
                except sqlcipher3.OperationalError as exc:
                    with contextlib.suppress(sqlcipher3.Error):
                        self._conn.execute("ROLLBACK")
                    if _disk_full(exc):
                        raise VaultFull(VAULT_FULL) from exc
                    raise
            finally:
                self._in_tx = False
        self._committed()

    def _committed(self) -> None:
        hook = self.after_commit
        if hook is None or self._in_after_commit:
            return
        self._in_after_commit = True
        try:
            hook()
        except Exception as exc:  # the commit stands; the next sign-in repairs what is left
            log.warning("after-commit work failed: %s", type(exc).__name__)
        finally:
            self._in_after_commit = False

    def export_to(
        self,
        target: Path,
        key: bytes | bytearray,
        progress: Callable[[], None] | None = None,
    ) -> None:
        """Write the whole database (schema, rows, version) into a new file under ``key``.

        ``sqlcipher_export`` reads one consistent snapshot and writes only live rows, so the
        new file holds no page the old key ever encrypted. ``progress`` is called now and
        then while it runs."""
        if target.exists():
            raise VaultError(f"{target} already exists.")
        with self._lock:
            conn = self._conn
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            conn.execute("ATTACH DATABASE ? AS rekeyed", (str(target),))
            try:
                key_connection(conn, key, schema="rekeyed")
                if progress is not None:
                    conn.set_progress_handler(lambda: progress() or 0, 20000)
                conn.execute("SELECT sqlcipher_export('rekeyed')")
                conn.execute(f"PRAGMA rekeyed.user_version = {version}")
            finally:
                conn.set_progress_handler(None, 0)
                conn.execute("DETACH DATABASE rekeyed")
        _owner_only(target)
        with open(target, "rb") as fh:
            os.fsync(fh.fileno())

    @property
    def total_changes(self) -> int:
        """Rows changed through this connection since it opened (a rekey checks that none
        changed while it copied)."""
        with self._lock:
            return int(self._conn.total_changes)

    @property
    def user_version(self) -> int:
        return int(self.scalar("PRAGMA user_version"))

    def checkpoint(self) -> None:
        with self._lock:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        with self._lock:
            if self._conn is None:
                return
            with contextlib.suppress(sqlcipher3.Error):
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._conn.close()
            self._conn = None

    @property
    def closed(self) -> bool:
        return self._conn is None

    def integrity_problems(self, read_rows: bool = False) -> list[str]:
        """Empty when the file is whole. Each problem is a short technical phrase."""
        problems: list[str] = []
        with self._lock:
            try:
                for (msg,) in self._conn.execute("PRAGMA cipher_integrity_check"):
                    problems.append(str(msg))
                rows = self._conn.execute("PRAGMA quick_check").fetchall()
                problems.extend(str(r[0]) for r in rows if str(r[0]).lower() != "ok")
                if read_rows and not problems:
                    tables = [
                        r["name"]
                        for r in self._conn.execute(
                            "SELECT name FROM sqlite_master WHERE type='table' "
                            "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%'"
                        )
                    ]
                    for t in tables:
                        for _ in self._conn.execute(f'SELECT * FROM "{t}"'):
                            pass
            except sqlcipher3.DatabaseError as exc:
                problems.append(type(exc).__name__ + ": " + str(exc))
        return problems


VAULT_FULL = (
    "The disk holding the vault is full, so this was not saved. Nothing already saved was "
    "lost; free some space (or ask for help) and save again — your typing is still here."
)


class VaultFull(VaultError):
    """The vault's disk is full: a plain sentence; the transaction was rolled back."""


class VaultBusy(VaultError):
    """A write while the vault's keys are being changed: refused, nothing written."""


def _disk_full(exc: BaseException) -> bool:
    return isinstance(exc, sqlcipher3.OperationalError) and (
        "full" in str(exc).lower() or getattr(exc, "sqlite_errorcode", 0) == 13
    )


def _owner_only(path: Path) -> None:
    """vault.db and its -wal/-shm readable by this user only (POSIX).

    SQLite gives later -wal/-shm files the database file's mode, so this holds after reopening.
    """
    if os.name != "posix":
        return
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        with contextlib.suppress(OSError):  # missing, or a file system without modes
            os.chmod(path.with_name(name), 0o600)


def _split_sql(script: str) -> list[str]:
    out: list[str] = []
    buf: list[str] = []
    depth = 0  # inside CREATE TRIGGER ... BEGIN ... END
    for line in script.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("--"):
            continue
        buf.append(line)
        upper = stripped.upper()
        if upper.startswith("CREATE TRIGGER"):
            depth = 1
        if depth and upper.startswith("END;"):
            depth = 0
            out.append("\n".join(buf))
            buf = []
        elif not depth and stripped.endswith(";"):
            out.append("\n".join(buf))
            buf = []
    if buf:
        out.append("\n".join(buf))
    return out


def create_empty(path: Path, key: bytes | bytearray) -> Database:
    if path.exists():
        raise VaultError(f"{path} already exists.")
    return Database(path, key)
