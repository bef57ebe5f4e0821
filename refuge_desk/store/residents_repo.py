"""Residents with their phones, abusers and children; list, search and sort in SQL."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from refuge_desk.domain.residents import (
    Abuser,
    Child,
    ContactSafety,
    Phone,
    Resident,
    RotaView,
    Status,
)
from refuge_desk.store.db import Database, Row
from refuge_desk.store.values import opt_date, opt_iso


class ResidentRow(NamedTuple):
    """One line of the residents list. ``full_name`` is '' for a volunteer's session."""

    id: int
    reference: str
    full_name: str
    preferred_name: str
    room: str
    status: str
    key_worker: str
    arrival_date: str
    children: int
    alerts: str
    risk: str = ""  # "High (16) · MARAC", filled in by the service for case-detail roles


SORT_KEYS: dict[str, str] = {
    "reference": "r.ref_no",
    "name": "r.full_name COLLATE NOCASE",
    "preferred_name": "r.preferred_name COLLATE NOCASE",
    "room": "rm.name COLLATE NOCASE",
    "status": (
        "CASE r.status WHEN 'referral' THEN 0 WHEN 'resident' THEN 1 "
        "WHEN 'moved_on' THEN 2 ELSE 3 END"
    ),
    "key_worker": "s.full_name COLLATE NOCASE",
    "arrived": "r.arrival_date",
    "children": "r.child_count",
    # Her latest checklist's level (the same "latest" as the risk service), unassessed first.
    "risk": (
        "(SELECT CASE x.level WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END "
        "FROM risk_assessments x WHERE x.resident_id = r.id "
        "ORDER BY x.assessed_on DESC, x.id DESC LIMIT 1)"
    ),
}


def fts_query(text: str, columns: tuple[str, ...] = ()) -> str:
    """Each typed word becomes a quoted prefix term; every term must match."""
    terms = []
    for word in text.replace("\x00", " ").split():
        if not any(ch.isalnum() for ch in word):
            continue  # a lone "-" or "&" yields no token and would match nothing
        cleaned = word.replace('"', '""')
        terms.append(f'"{cleaned}"*')
    if not terms:
        return ""
    body = " AND ".join(terms)
    if columns:
        return "{" + " ".join(columns) + "} : (" + body + ")"
    return body


_JOINS = (
    "FROM residents r LEFT JOIN rooms rm ON rm.id = r.room_id "
    "LEFT JOIN staff s ON s.id = r.key_worker_id"
)


# What a volunteer sees as a name: her preferred name, else her first name (as on the rota).
_ROTA_NAME = (
    "CASE WHEN trim(r.preferred_name) != '' THEN r.preferred_name "
    "ELSE substr(trim(r.full_name), 1, instr(trim(r.full_name) || ' ', ' ') - 1) END"
)


def _row_columns(names_visible: bool) -> str:
    """A volunteer's rows (names_visible False) hold only the rota: no full name, no key
    worker, no arrival date."""
    if names_visible:
        name, preferred = "r.full_name", "r.preferred_name"
        key_worker, arrival = "COALESCE(s.full_name, '')", "COALESCE(r.arrival_date, '')"
    else:
        name, preferred, key_worker, arrival = "''", _ROTA_NAME, "''", "''"
    return (
        f"r.id, r.reference, {name} AS full_name, {preferred} AS preferred_name, "
        f"COALESCE(rm.name, '') AS room, r.status, {key_worker} AS key_worker, "
        f"{arrival} AS arrival_date, r.child_count AS children, r.alerts"
    )


def _list_row(r: Row) -> ResidentRow:
    return ResidentRow(
        r["id"],
        r["reference"],
        r["full_name"],
        r["preferred_name"],
        r["room"],
        r["status"],
        r["key_worker"],
        r["arrival_date"],
        r["children"],
        r["alerts"],
    )


# Columns a volunteer may not see are not sort keys for her either: the order would tell.
_HIDDEN_SORTS = {
    "name": "preferred_name",
    "key_worker": "reference",
    "arrived": "reference",
    "risk": "reference",
}


def _filtered(
    select: str,
    *,
    search: str,
    statuses: tuple[Status, ...],
    sort: str,
    descending: bool,
    names_visible: bool,
) -> tuple[str, list[object]]:
    if sort not in SORT_KEYS:
        raise ValueError(f"unknown sort key {sort!r}")
    if not names_visible:
        sort = _HIDDEN_SORTS.get(sort, sort)  # never order by what the reader may not see
    where: list[str] = []
    params: list[object] = []
    cols = () if names_visible else ("reference", "preferred_name")
    query = fts_query(search, cols)
    if query:
        where.append("r.id IN (SELECT rowid FROM residents_fts WHERE residents_fts MATCH ?)")
        params.append(query)
    if statuses:
        where.append(f"r.status IN ({', '.join('?' * len(statuses))})")
        params.extend(s.value for s in statuses)
    direction = "DESC" if descending else "ASC"
    sql = f"SELECT {select} {_JOINS}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY {SORT_KEYS[sort]} {direction}, r.ref_no {direction}"
    return sql, params


def list_rows(
    db: Database,
    *,
    search: str = "",
    statuses: tuple[Status, ...] = (),
    sort: str = "reference",
    descending: bool = False,
    names_visible: bool = True,
) -> list[ResidentRow]:
    """Every matching row, built in Python (for small lists, exports and tests)."""
    sql, params = _filtered(
        _row_columns(names_visible),
        search=search,
        statuses=statuses,
        sort=sort,
        descending=descending,
        names_visible=names_visible,
    )
    return [_list_row(r) for r in db.query(sql, params)]


def list_ids(
    db: Database,
    *,
    search: str = "",
    statuses: tuple[Status, ...] = (),
    sort: str = "reference",
    descending: bool = False,
    names_visible: bool = True,
) -> list[int]:
    """Only the ids, in list order: what the residents list asks on every keystroke or sort.

    Building 20,000 full rows in Python costs ~30 ms; the ids alone cost a few. The view then
    fetches the rows it shows with ``rows_for``.
    """
    sql, params = _filtered(
        "r.id",
        search=search,
        statuses=statuses,
        sort=sort,
        descending=descending,
        names_visible=names_visible,
    )
    return [r["id"] for r in db.query(sql, params)]


def rows_for(
    db: Database,
    ids: list[int],
    names_visible: bool = True,
    statuses: tuple[Status, ...] = (),
) -> list[ResidentRow]:
    """The list rows for these ids, in the order given (missing ids, and ids whose status is
    not in ``statuses`` when it is given, are skipped)."""
    if not ids:
        return []
    marks = ", ".join("?" * len(ids))
    sql = f"SELECT {_row_columns(names_visible)} {_JOINS} WHERE r.id IN ({marks})"
    params: list[object] = list(ids)
    if statuses:
        sql += f" AND r.status IN ({', '.join('?' * len(statuses))})"
        params.extend(s.value for s in statuses)
    found = {int(r["id"]): _list_row(r) for r in db.query(sql, params)}
    return [found[i] for i in ids if i in found]


def _staff_name(db: Database, user_id: object) -> str:
    if user_id is None:
        return ""
    return str(db.scalar("SELECT full_name FROM staff WHERE id = ?", (user_id,)) or "")


def get(db: Database, resident_id: int) -> Resident | None:
    r = db.query_one("SELECT * FROM residents WHERE id = ?", (resident_id,))
    if r is None:
        return None
    res = _from_row(r)
    res.created_by = _staff_name(db, r["created_by"])
    res.updated_by = _staff_name(db, r["updated_by"])
    res.phones = [
        Phone(str(p["number"]), str(p["label"]), ContactSafety(p["safety"]), str(p["safe_times"]))
        for p in db.query(
            "SELECT * FROM resident_phones WHERE resident_id = ? ORDER BY position",
            (resident_id,),
        )
    ]
    res.abusers = [
        Abuser(
            str(a["name"]),
            str(a["aliases"]),
            str(a["relationship"]),
            str(a["description"]),
            str(a["vehicle"]),
            str(a["known_areas"]),
        )
        for a in db.query(
            "SELECT * FROM abusers WHERE resident_id = ? ORDER BY position", (resident_id,)
        )
    ]
    res.children = [
        Child(
            int(c["id"]),
            str(c["full_name"]),
            opt_date(c["date_of_birth"]),
            str(c["school"]),
            str(c["may_collect"]),
            str(c["notes"]),
        )
        for c in db.query(
            "SELECT * FROM children WHERE resident_id = ? ORDER BY date_of_birth, id",
            (resident_id,),
        )
    ]
    return res


def _from_row(r: Row) -> Resident:
    return Resident(
        id=int(r["id"]),
        reference=str(r["reference"]),
        full_name=str(r["full_name"]),
        preferred_name=str(r["preferred_name"]),
        aliases=str(r["aliases"]),
        date_of_birth=opt_date(r["date_of_birth"]),
        pronouns=str(r["pronouns"]),
        languages=str(r["languages"]),
        interpreter_needed=bool(r["interpreter_needed"]),
        interpreter_language=str(r["interpreter_language"]),
        nationality=str(r["nationality"]),
        immigration_status=str(r["immigration_status"]),
        nrpf=bool(r["nrpf"]),
        email=str(r["email"]),
        email_safety=ContactSafety(r["email_safety"]),
        email_safe_times=str(r["email_safe_times"]),
        alerts=str(r["alerts"]),
        referral_date=opt_date(r["referral_date"]),
        referral_source=str(r["referral_source"]),
        arrival_date=opt_date(r["arrival_date"]),
        room_id=None if r["room_id"] is None else int(r["room_id"]),
        key_worker_id=None if r["key_worker_id"] is None else int(r["key_worker_id"]),
        status=Status(r["status"]),
        move_on_date=opt_date(r["move_on_date"]),
        move_on_destination=str(r["move_on_destination"]),
        referral_outcome=str(r["referral_outcome"]),
        decline_reason=str(r["decline_reason"]),
        move_on_type=str(r["move_on_type"]),
        notes=str(r["notes"]),
        created_at=str(r["created_at"]),
        updated_at=str(r["updated_at"]),
        version=int(r["version"]),
    )


def rota(db: Database, resident_id: int) -> RotaView | None:
    r = db.query_one(
        "SELECT r.id, r.reference, r.preferred_name, r.full_name, COALESCE(rm.name, '') AS room, "
        "r.alerts, r.status, r.child_count FROM residents r "
        "LEFT JOIN rooms rm ON rm.id = r.room_id WHERE r.id = ?",
        (resident_id,),
    )
    if r is None:
        return None
    preferred = str(r["preferred_name"]).strip() or (str(r["full_name"]).split() or [""])[0]
    return RotaView(
        int(r["id"]),
        str(r["reference"]),
        preferred,
        str(r["room"]),
        str(r["alerts"]),
        Status(r["status"]),
        int(r["child_count"]),
    )


_FIELDS = (
    "full_name",
    "preferred_name",
    "aliases",
    "date_of_birth",
    "pronouns",
    "languages",
    "interpreter_needed",
    "interpreter_language",
    "nationality",
    "immigration_status",
    "nrpf",
    "email",
    "email_safety",
    "email_safe_times",
    "alerts",
    "referral_date",
    "referral_source",
    "arrival_date",
    "room_id",
    "key_worker_id",
    "status",
    "move_on_date",
    "move_on_destination",
    "referral_outcome",
    "decline_reason",
    "move_on_type",
    "notes",
)


def _values(res: Resident) -> list[object]:
    out: list[object] = []
    for name in _FIELDS:
        v = getattr(res, name)
        if isinstance(v, dt.date):
            v = v.isoformat()
        elif isinstance(v, bool):
            v = int(v)
        elif hasattr(v, "value"):
            v = v.value
        out.append(v)
    return out


def next_reference(db: Database) -> tuple[int, str]:
    # A purged resident's reference is never given again (the audit log still names it):
    # the purge keeps the highest reference number it deleted in meta.
    n = int(
        db.scalar(
            "SELECT max(COALESCE((SELECT MAX(ref_no) FROM residents), 0), "
            "COALESCE((SELECT CAST(value AS INTEGER) FROM meta "
            "WHERE key = 'purged_ref_no_max'), 0)) + 1"
        )
    )
    return n, f"R-{n:04d}"


def insert(db: Database, res: Resident, now: str, by: int) -> tuple[int, str]:
    """Within the caller's transaction. Returns (id, reference)."""
    ref_no, reference = next_reference(db)
    cols = ", ".join(_FIELDS)
    marks = ", ".join("?" * len(_FIELDS))
    rid = db.execute(
        f"INSERT INTO residents (ref_no, reference, {cols}, created_at, created_by, updated_at, "
        f"updated_by) VALUES (?, ?, {marks}, ?, ?, ?, ?)",
        (ref_no, reference, *_values(res), now, by, now, by),
    )
    _write_parts(db, rid, res, now, by)
    return rid, reference


def update(db: Database, res: Resident, now: str, by: int) -> bool:
    """Within the caller's transaction. Writes only when the stored record is still the one
    ``res`` was read from (same version and updated_at); False, writing nothing, otherwise."""
    assert res.id is not None
    sets = ", ".join(f"{c} = ?" for c in _FIELDS)
    db.execute(
        f"UPDATE residents SET {sets}, updated_at = ?, updated_by = ?, version = version + 1 "
        "WHERE id = ? AND version = ? AND updated_at = ?",
        (*_values(res), now, by, res.id, res.version, res.updated_at),
    )
    # changes() counts rows of the last statement only, not those its triggers touched.
    if int(db.scalar("SELECT changes()")) != 1:
        return False
    _write_parts(db, res.id, res, now, by)
    return True


class LastChange(NamedTuple):
    user_id: int | None
    user_name: str
    at: str  # UTC ISO stamp


def last_change(db: Database, resident_id: int) -> LastChange | None:
    """Who saved the stored record last, and when."""
    r = db.query_one("SELECT updated_by, updated_at FROM residents WHERE id = ?", (resident_id,))
    if r is None:
        return None
    by = r["updated_by"]
    return LastChange(None if by is None else int(by), _staff_name(db, by), str(r["updated_at"]))


def _write_parts(db: Database, rid: int, res: Resident, now: str, by: int) -> None:
    db.execute("DELETE FROM resident_phones WHERE resident_id = ?", (rid,))
    db.executemany(
        "INSERT INTO resident_phones (resident_id, position, number, label, safety, safe_times) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (rid, i, p.number.strip(), p.label, p.safety.value, p.safe_times)
            for i, p in enumerate(res.phones)
        ],
    )
    db.execute("DELETE FROM abusers WHERE resident_id = ?", (rid,))
    db.executemany(
        "INSERT INTO abusers (resident_id, position, name, aliases, relationship, description, "
        "vehicle, known_areas) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (rid, i, a.name, a.aliases, a.relationship, a.description, a.vehicle, a.known_areas)
            for i, a in enumerate(res.abusers)
        ],
    )
    keep = [c.id for c in res.children if c.id is not None]
    existing = {
        int(r["id"]) for r in db.query("SELECT id FROM children WHERE resident_id = ?", (rid,))
    }
    for cid in existing - set(keep):
        db.execute("DELETE FROM children WHERE id = ?", (cid,))
    for c in res.children:
        values = (c.full_name.strip(), opt_iso(c.date_of_birth), c.school, c.may_collect, c.notes)
        if c.id is not None and c.id in existing:
            db.execute(
                "UPDATE children SET full_name = ?, date_of_birth = ?, school = ?, "
                "may_collect = ?, notes = ?, updated_at = ?, updated_by = ? "
                "WHERE id = ? AND resident_id = ?",
                (*values, now, by, c.id, rid),
            )
        else:
            c.id = db.execute(
                "INSERT INTO children (resident_id, full_name, date_of_birth, school, "
                "may_collect, notes, created_at, created_by, updated_at, updated_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (rid, *values, now, by, now, by),
            )


def count(db: Database) -> int:
    return int(db.scalar("SELECT count(*) FROM residents"))


def id_for_reference(db: Database, reference: str) -> int | None:
    value = db.scalar(
        "SELECT id FROM residents WHERE reference = ? COLLATE NOCASE", (reference.strip(),)
    )
    return None if value is None else int(value)


def reference_of(db: Database, resident_id: int) -> str:
    """Her reference (R-0007), or "" when the record no longer exists."""
    value = db.scalar("SELECT reference FROM residents WHERE id = ?", (resident_id,))
    return str(value) if value is not None else ""
