"""A prototype of the proposed lazy residents list, measured next to the real one.

Not app code. Today ``residents_repo.list_rows`` builds every matching row in Python (about
30-40 ms for 20,000 rows on a slow core, whatever the SQL does). A lazy table model would
ask SQL only for the sorted ids, then fetch full rows for the window on screen. This module
does exactly that with the same ORDER BY and search SQL, so the figures are comparable.
"""

from __future__ import annotations

from typing import Any

from refuge_desk.store.residents_repo import SORT_KEYS, ResidentRow, fts_query

JOINS = (
    "FROM residents r LEFT JOIN rooms rm ON rm.id = r.room_id "
    "LEFT JOIN staff s ON s.id = r.key_worker_id"
)
COLUMNS = (
    "r.id, r.reference, r.full_name, r.preferred_name, COALESCE(rm.name, ''), r.status, "
    "COALESCE(s.full_name, ''), COALESCE(r.arrival_date, ''), r.child_count, r.alerts"
)


def sorted_ids(
    db: Any, *, search: str = "", sort: str = "reference", descending: bool = False
) -> list[int]:
    direction = "DESC" if descending else "ASC"
    sql = f"SELECT r.id {JOINS}"
    params: list[str] = []
    query = fts_query(search)
    if query:
        sql += " WHERE r.id IN (SELECT rowid FROM residents_fts WHERE residents_fts MATCH ?)"
        params.append(query)
    sql += f" ORDER BY {SORT_KEYS[sort]} {direction}, r.ref_no {direction}"
    return [int(r[0]) for r in db.query(sql, params)]


def rows_for(db: Any, ids: list[int]) -> list[ResidentRow]:
    """Full list rows for one screenful of ids, in the order given."""
    if not ids:
        return []
    marks = ", ".join("?" * len(ids))
    found = {
        int(r[0]): ResidentRow._make(r)
        for r in db.query(f"SELECT {COLUMNS} {JOINS} WHERE r.id IN ({marks})", ids)
    }
    return [found[i] for i in ids if i in found]


def first_screen(db: Any, window: int, **kwargs: Any) -> tuple[int, list[ResidentRow]]:
    """What a lazy model does on a new sort or keystroke: all ids, then the first window."""
    ids = sorted_ids(db, **kwargs)
    return len(ids), rows_for(db, ids[:window])
