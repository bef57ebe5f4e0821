"""rota.db: the rota, kept in its own SQLCipher file under the rota key.

Every account holds the rota key; a relief worker holds nothing else, so her session opens
this file only. It holds what the rota view shows and no more: each current resident's rota
name (preferred name, else first name), reference, room, children count and alerts; the
rooms; the staff list; the few settings every session needs. Its tables have the names and
the columns of the case database's, so the same queries serve a volunteer's session.

It is a projection of the case database, written only by sessions that hold the case key:
triggers in the case database note each changed row in ``rota_outbox`` inside the change's
own transaction, ``apply_outbox`` copies those rows across after the commit, and
``ensure_current`` (at each sign-in of a manager or support worker) applies anything left
by a crash and rebuilds the file if it differs from the case database in any way.

``audit_inbox`` holds the volunteers' own audit entries (signed by them) until a session
with the case key moves them into the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable

from refuge_desk.store.db import Database

SCHEMA_VERSION = 1
CURRENT = ("referral", "resident")
# Settings every session reads (auto-lock, screen and clipboard protection) and the names
# shown on every screen; nothing else of the case database's meta table.
META_KEYS = (
    "vault_id",
    "org_name",
    "refuge_name",
    "auto_lock_minutes",
    "clipboard_clear_seconds",
    "allow_screen_capture",
    "lock_on_minimise",
)

SCHEMA = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE staff (
    id         INTEGER PRIMARY KEY,
    username   TEXT NOT NULL UNIQUE COLLATE NOCASE,
    full_name  TEXT NOT NULL,
    role       TEXT NOT NULL,
    active     INTEGER NOT NULL
);

CREATE TABLE rooms (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    beds       INTEGER NOT NULL,
    accessible INTEGER NOT NULL DEFAULT 0,
    notes      TEXT NOT NULL DEFAULT ''
);

-- A resident as the rota shows her. The columns a volunteer may not see exist (empty) so
-- that the list's queries read this table as they read the case database's.
CREATE TABLE residents (
    id             INTEGER PRIMARY KEY,
    ref_no         INTEGER NOT NULL UNIQUE,
    reference      TEXT NOT NULL UNIQUE,
    full_name      TEXT NOT NULL DEFAULT '',
    preferred_name TEXT NOT NULL DEFAULT '',
    aliases        TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL,
    room_id        INTEGER,
    key_worker_id  INTEGER,
    arrival_date   TEXT,
    child_count    INTEGER NOT NULL DEFAULT 0,
    alerts         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX residents_preferred_sort ON residents (preferred_name COLLATE NOCASE, ref_no);
CREATE INDEX residents_status_sort ON residents (status, ref_no);
CREATE INDEX residents_room ON residents (room_id, id);
CREATE INDEX residents_children_sort ON residents (child_count, ref_no);

CREATE VIRTUAL TABLE residents_fts USING fts5 (
    reference, full_name, preferred_name, aliases,
    content = 'residents', content_rowid = 'id',
    tokenize = "unicode61 remove_diacritics 2",
    prefix = '1 2 3'
);
CREATE TRIGGER residents_fts_ai AFTER INSERT ON residents BEGIN
    INSERT INTO residents_fts (rowid, reference, full_name, preferred_name, aliases)
    VALUES (new.id, new.reference, new.full_name, new.preferred_name, new.aliases);
END;
CREATE TRIGGER residents_fts_ad AFTER DELETE ON residents BEGIN
    INSERT INTO residents_fts (residents_fts, rowid, reference, full_name, preferred_name, aliases)
    VALUES ('delete', old.id, old.reference, old.full_name, old.preferred_name, old.aliases);
END;
CREATE TRIGGER residents_fts_au AFTER UPDATE ON residents BEGIN
    INSERT INTO residents_fts (residents_fts, rowid, reference, full_name, preferred_name, aliases)
    VALUES ('delete', old.id, old.reference, old.full_name, old.preferred_name, old.aliases);
    INSERT INTO residents_fts (rowid, reference, full_name, preferred_name, aliases)
    VALUES (new.id, new.reference, new.full_name, new.preferred_name, new.aliases);
END;

CREATE TABLE audit_inbox (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    action  TEXT NOT NULL,
    ref     TEXT NOT NULL DEFAULT '',
    detail  TEXT NOT NULL DEFAULT '',
    sig     TEXT NOT NULL
);
"""

# Triggers in the CASE database (migration 10) that note what the rota must copy. (Not
# INSERT OR IGNORE: inside a trigger the outer statement's conflict rule wins, and an upsert
# of ``meta`` would turn the IGNORE into an error.)
OUTBOX_SCHEMA = """
CREATE TABLE rota_outbox (
    kind TEXT NOT NULL,
    id   INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE TRIGGER rota_residents_ai AFTER INSERT ON residents BEGIN
    INSERT INTO rota_outbox (kind, id) SELECT 'resident', new.id
        WHERE NOT EXISTS (SELECT 1 FROM rota_outbox WHERE kind = 'resident' AND id = new.id);
END;
CREATE TRIGGER rota_residents_au AFTER UPDATE OF
    ref_no, reference, full_name, preferred_name, status, room_id, child_count, alerts
ON residents BEGIN
    INSERT INTO rota_outbox (kind, id) SELECT 'resident', new.id
        WHERE NOT EXISTS (SELECT 1 FROM rota_outbox WHERE kind = 'resident' AND id = new.id);
END;
CREATE TRIGGER rota_residents_ad AFTER DELETE ON residents BEGIN
    INSERT INTO rota_outbox (kind, id) SELECT 'resident', old.id
        WHERE NOT EXISTS (SELECT 1 FROM rota_outbox WHERE kind = 'resident' AND id = old.id);
END;
CREATE TRIGGER rota_rooms_ai AFTER INSERT ON rooms BEGIN
    INSERT INTO rota_outbox (kind, id) SELECT 'room', new.id
        WHERE NOT EXISTS (SELECT 1 FROM rota_outbox WHERE kind = 'room' AND id = new.id);
END;
CREATE TRIGGER rota_rooms_au AFTER UPDATE ON rooms BEGIN
    INSERT INTO rota_outbox (kind, id) SELECT 'room', new.id
        WHERE NOT EXISTS (SELECT 1 FROM rota_outbox WHERE kind = 'room' AND id = new.id);
END;
CREATE TRIGGER rota_rooms_ad AFTER DELETE ON rooms BEGIN
    INSERT INTO rota_outbox (kind, id) SELECT 'room', old.id
        WHERE NOT EXISTS (SELECT 1 FROM rota_outbox WHERE kind = 'room' AND id = old.id);
END;
CREATE TRIGGER rota_staff_ai AFTER INSERT ON staff BEGIN
    INSERT INTO rota_outbox (kind, id) SELECT 'staff', new.id
        WHERE NOT EXISTS (SELECT 1 FROM rota_outbox WHERE kind = 'staff' AND id = new.id);
END;
CREATE TRIGGER rota_staff_au AFTER UPDATE ON staff BEGIN
    INSERT INTO rota_outbox (kind, id) SELECT 'staff', new.id
        WHERE NOT EXISTS (SELECT 1 FROM rota_outbox WHERE kind = 'staff' AND id = new.id);
END;
CREATE TRIGGER rota_meta_ai AFTER INSERT ON meta BEGIN
    INSERT INTO rota_outbox (kind, id) SELECT 'meta', 0
        WHERE NOT EXISTS (SELECT 1 FROM rota_outbox WHERE kind = 'meta' AND id = 0);
END;
CREATE TRIGGER rota_meta_au AFTER UPDATE ON meta BEGIN
    INSERT INTO rota_outbox (kind, id) SELECT 'meta', 0
        WHERE NOT EXISTS (SELECT 1 FROM rota_outbox WHERE kind = 'meta' AND id = 0);
END;
"""

_ROTA_NAME = (
    "CASE WHEN trim(r.preferred_name) != '' THEN r.preferred_name "
    "ELSE substr(trim(r.full_name), 1, instr(trim(r.full_name) || ' ', ' ') - 1) END"
)
_RESIDENT_COLS = "id, ref_no, reference, preferred_name, status, room_id, child_count, alerts"
_RESIDENT_SELECT = (
    f"SELECT r.id, r.ref_no, r.reference, {_ROTA_NAME}, r.status, r.room_id, r.child_count, "
    "r.alerts FROM residents r WHERE r.status IN ('referral', 'resident')"
)
_ROOM_COLS = "id, name, beds, accessible, notes"
_STAFF_COLS = "id, username, full_name, role, active"


def create_schema(rota: Database) -> None:
    with rota.transaction():
        rota.executescript(SCHEMA)
        rota.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _copy_residents(case: Database, rota: Database, ids: list[int] | None) -> None:
    if ids is None:
        rows = case.query(_RESIDENT_SELECT)
        rota.execute("DELETE FROM residents")
    else:
        if not ids:
            return
        rows = case.query(_RESIDENT_SELECT + f" AND r.id IN ({_marks(len(ids))})", ids)
        rota.execute(f"DELETE FROM residents WHERE id IN ({_marks(len(ids))})", ids)
    rota.executemany(
        f"INSERT INTO residents ({_RESIDENT_COLS}) VALUES ({_marks(8)})", [tuple(r) for r in rows]
    )


def _copy_table(
    case: Database, rota: Database, table: str, cols: str, ids: list[int] | None
) -> None:
    n = cols.count(",") + 1
    if ids is None:
        rows = case.query(f"SELECT {cols} FROM {table}")
        rota.execute(f"DELETE FROM {table}")
    else:
        if not ids:
            return
        rows = case.query(f"SELECT {cols} FROM {table} WHERE id IN ({_marks(len(ids))})", ids)
        rota.execute(f"DELETE FROM {table} WHERE id IN ({_marks(len(ids))})", ids)
    rota.executemany(f"INSERT INTO {table} ({cols}) VALUES ({_marks(n)})", [tuple(r) for r in rows])


def _copy_meta(case: Database, rota: Database, extra: dict[str, str]) -> None:
    rows = case.query(
        f"SELECT key, value FROM meta WHERE key IN ({_marks(len(META_KEYS))})", META_KEYS
    )
    rota.execute("DELETE FROM meta WHERE key NOT LIKE 'rota.%'")
    rota.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", [tuple(r) for r in rows])
    for key, value in extra.items():
        rota.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


def rebuild(case: Database, rota: Database, extra_meta: dict[str, str] | None = None) -> None:
    """Write the whole rota again from the case database (one transaction)."""
    with rota.transaction():
        _copy_table(case, rota, "rooms", _ROOM_COLS, None)
        _copy_table(case, rota, "staff", _STAFF_COLS, None)
        _copy_residents(case, rota, None)
        _copy_meta(case, rota, extra_meta or {})
    with case.transaction():
        case.execute("DELETE FROM rota_outbox")


def pending(case: Database) -> bool:
    return case.scalar("SELECT 1 FROM rota_outbox LIMIT 1") is not None


def apply_outbox(case: Database, rota: Database) -> int:
    """Copy the rows noted since the last time; returns how many were noted."""
    rows = case.query("SELECT kind, id FROM rota_outbox")
    noted = [(str(r["kind"]), int(r["id"])) for r in rows]
    if not noted:
        return 0
    by_kind: dict[str, list[int]] = {}
    for kind, row_id in noted:
        by_kind.setdefault(kind, []).append(row_id)
    with rota.transaction():
        _copy_table(case, rota, "rooms", _ROOM_COLS, by_kind.get("room", []))
        _copy_table(case, rota, "staff", _STAFF_COLS, by_kind.get("staff", []))
        _copy_residents(case, rota, by_kind.get("resident", []))
        if "meta" in by_kind:
            _copy_meta(case, rota, {})
    with case.transaction():
        case.executemany("DELETE FROM rota_outbox WHERE kind = ? AND id = ?", noted)
    return len(noted)


def _rows(db: Database, sql: str) -> list[tuple[object, ...]]:  # sorted, to compare
    return sorted(tuple(r) for r in db.query(sql))


def differences(case: Database, rota: Database) -> list[str]:
    """Which parts of the rota differ from what the case database says (empty when none)."""
    out = []
    checks: Iterable[tuple[str, str, str]] = (
        ("residents", _RESIDENT_SELECT, f"SELECT {_RESIDENT_COLS} FROM residents"),
        ("rooms", f"SELECT {_ROOM_COLS} FROM rooms", f"SELECT {_ROOM_COLS} FROM rooms"),
        ("staff", f"SELECT {_STAFF_COLS} FROM staff", f"SELECT {_STAFF_COLS} FROM staff"),
    )
    for name, case_sql, rota_sql in checks:
        if _rows(case, case_sql) != _rows(rota, rota_sql):
            out.append(name)
    meta_sql = f"SELECT key, value FROM meta WHERE key IN ({_marks(len(META_KEYS))})"
    case_meta = sorted(tuple(r) for r in case.query(meta_sql, META_KEYS))
    if case_meta != sorted(tuple(r) for r in rota.query(meta_sql, META_KEYS)):
        out.append("settings")
    return out


def _recreate(rota: Database) -> None:
    """A rota file of another layout: drop everything in it and make ours."""
    with rota.transaction():
        objects = rota.query(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
            "AND type IN ('table', 'view') AND sql NOT LIKE 'CREATE TABLE ''%'"
        )
        for kind, name in objects:
            rota.execute(f'DROP {"VIEW" if kind == "view" else "TABLE"} IF EXISTS "{name}"')
        rota.executescript(SCHEMA)
        rota.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def ensure_current(case: Database, rota: Database) -> list[str]:
    """At a case-key sign-in: apply what a crash left, then rebuild if anything differs.
    Returns what had to be rebuilt (empty when the rota was right)."""
    if rota.user_version != SCHEMA_VERSION:
        _recreate(rota)
        rebuild(case, rota)
        return ["layout"]
    apply_outbox(case, rota)
    wrong = differences(case, rota)
    if wrong:
        rebuild(case, rota)
    return wrong


def inbox(rota: Database) -> list[tuple[int, str, int, str, str, str, str]]:
    rows = rota.query(
        "SELECT id, at, user_id, action, ref, detail, sig FROM audit_inbox ORDER BY id"
    )
    return [
        (
            int(r["id"]),
            str(r["at"]),
            int(r["user_id"]),
            str(r["action"]),
            str(r["ref"]),
            str(r["detail"]),
            str(r["sig"]),
        )
        for r in rows
    ]


def clear_inbox(rota: Database, ids: list[int]) -> None:
    if ids:
        with rota.transaction():
            rota.executemany("DELETE FROM audit_inbox WHERE id = ?", [(i,) for i in ids])
