from __future__ import annotations

from refuge_desk.domain.roles import Role
from refuge_desk.domain.staff import StaffUser
from refuge_desk.store.db import Database, Row

_COLS = "id, username, full_name, role, active"


def _user(row: Row) -> StaffUser:
    return StaffUser(
        int(row["id"]),
        str(row["username"]),
        str(row["full_name"]),
        Role(row["role"]),
        bool(row["active"]),
    )


def by_id(db: Database, user_id: int) -> StaffUser | None:
    row = db.query_one(f"SELECT {_COLS} FROM staff WHERE id = ?", (user_id,))
    return None if row is None else _user(row)


def by_username(db: Database, username: str) -> StaffUser | None:
    row = db.query_one(f"SELECT {_COLS} FROM staff WHERE username = ?", (username.strip(),))
    return None if row is None else _user(row)


def all_staff(db: Database) -> list[StaffUser]:
    rows = db.query(f"SELECT {_COLS} FROM staff ORDER BY active DESC, full_name COLLATE NOCASE")
    return [_user(r) for r in rows]


def insert(
    db: Database, username: str, full_name: str, role: Role, now: str, by: int | None
) -> int:
    return db.execute(
        "INSERT INTO staff (username, full_name, role, active, created_at, created_by, "
        "updated_at, updated_by) VALUES (?, ?, ?, 1, ?, ?, ?, ?)",
        (username.strip(), full_name.strip(), role.value, now, by, now, by),
    )


def update(
    db: Database,
    user_id: int,
    now: str,
    by: int,
    *,
    role: Role | None = None,
    active: bool | None = None,
    full_name: str | None = None,
) -> None:
    sets, params = ["updated_at = ?", "updated_by = ?"], [now, by]
    if role is not None:
        sets.append("role = ?")
        params.append(role.value)
    if active is not None:
        sets.append("active = ?")
        params.append(int(active))
    if full_name is not None:
        sets.append("full_name = ?")
        params.append(full_name.strip())
    db.execute(f"UPDATE staff SET {', '.join(sets)} WHERE id = ?", (*params, user_id))


def active_managers(db: Database) -> int:
    return int(db.scalar("SELECT count(*) FROM staff WHERE role = 'manager' AND active = 1"))
