"""Residents and their children: read and write with the role's permissions enforced here."""

from __future__ import annotations

from refuge_desk.domain.errors import NotFound, ValidationError
from refuge_desk.domain.residents import Resident, RotaView, Status, validate_resident
from refuge_desk.services.session import Session
from refuge_desk.store import residents_repo, rooms_repo, staff_repo
from refuge_desk.store.residents_repo import ResidentRow

CURRENT = (Status.REFERRAL, Status.RESIDENT)


def list_residents(
    session: Session,
    *,
    search: str = "",
    statuses: tuple[Status, ...] = (),
    sort: str = "reference",
    descending: bool = False,
) -> list[ResidentRow]:
    """The residents list, searched, filtered and sorted in SQL.

    A volunteer's rows carry no full name and her search covers only preferred names and
    references (an alias she types must not reveal that someone is here).
    """
    return residents_repo.list_rows(
        session.db,
        search=search,
        statuses=statuses,
        sort=sort,
        descending=descending,
        names_visible=session.role.sees_case_detail,
    )


def list_ids(
    session: Session,
    *,
    search: str = "",
    statuses: tuple[Status, ...] = (),
    sort: str = "reference",
    descending: bool = False,
) -> list[int]:
    """The ids of the residents list in order (same rules as ``list_residents``)."""
    return residents_repo.list_ids(
        session.db,
        search=search,
        statuses=statuses,
        sort=sort,
        descending=descending,
        names_visible=session.role.sees_case_detail,
    )


def rows_for(session: Session, ids: list[int]) -> list[ResidentRow]:
    """List rows for a screenful of ids from ``list_ids``."""
    return residents_repo.rows_for(session.db, ids, names_visible=session.role.sees_case_detail)


def get(session: Session, resident_id: int) -> Resident:
    session.require(session.role.sees_case_detail, "open full resident records")
    res = residents_repo.get(session.db, resident_id)
    if res is None:
        raise NotFound("That resident's record no longer exists.")
    session.audit("resident.view", res.reference)
    return res


def rota_view(session: Session, resident_id: int) -> RotaView:
    """What everyone, volunteers included, may see: preferred name, room, alerts."""
    view = residents_repo.rota(session.db, resident_id)
    if view is None:
        raise NotFound("That resident's record no longer exists.")
    return view


def save(session: Session, resident: Resident) -> Resident:
    """Validate and save (insert when ``id`` is None). Returns the stored record."""
    session.require(session.role.edits_residents, "change resident records")
    problems = validate_resident(resident, session.today())
    db = session.db
    if resident.room_id is not None and rooms_repo.by_id(db, resident.room_id) is None:
        problems.append("The chosen room no longer exists.")
    if resident.key_worker_id is not None:
        kw = staff_repo.by_id(db, resident.key_worker_id)
        if kw is None or not kw.active:
            problems.append("The chosen key worker is not an active staff member.")
    if problems:
        raise ValidationError(problems)
    now = session.stamp()
    with db.transaction():
        if resident.id is None:
            rid, ref = residents_repo.insert(db, resident, now, session.user.id)
            session.audit("resident.create", ref)
        else:
            if residents_repo.get(db, resident.id) is None:
                raise NotFound("That resident's record no longer exists.")
            residents_repo.update(db, resident, now, session.user.id)
            rid = resident.id
            session.audit("resident.update", resident.reference)
    stored = residents_repo.get(db, rid)
    assert stored is not None
    return stored


def count(session: Session) -> int:
    return residents_repo.count(session.db)
