"""Residents and their children: read and write with the role's permissions enforced here."""

from __future__ import annotations

import dataclasses

from refuge_desk.domain.dates import stamp_text
from refuge_desk.domain.errors import NotFound, StaleRecord, ValidationError
from refuge_desk.domain.residents import Resident, RotaView, Status, validate_resident
from refuge_desk.domain.text import clean, clean_record
from refuge_desk.services import history, risk
from refuge_desk.services.session import Session
from refuge_desk.store import residents_repo, rooms_repo, staff_repo
from refuge_desk.store.residents_repo import ResidentRow as ResidentRow  # for the screens

CURRENT = (Status.REFERRAL, Status.RESIDENT)


def _statuses_for(session: Session, statuses: tuple[Status, ...]) -> tuple[Status, ...]:
    """A volunteer's list is the rota: current residents only, whatever she asks for."""
    return statuses if session.role.sees_case_detail else CURRENT


def list_residents(
    session: Session,
    *,
    search: str = "",
    statuses: tuple[Status, ...] = (),
    sort: str = "reference",
    descending: bool = False,
) -> list[ResidentRow]:
    """The residents list, searched, filtered and sorted in SQL.

    A volunteer's rows carry no full name, key worker or arrival date, only current residents
    are listed, and her search covers only preferred names and references (an alias she
    types must not reveal that someone is here).
    """
    return residents_repo.list_rows(
        session.db,
        search=clean(search),  # a pasted name with invisible characters still finds her
        statuses=_statuses_for(session, statuses),
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
        search=clean(search),
        statuses=_statuses_for(session, statuses),
        sort=sort,
        descending=descending,
        names_visible=session.role.sees_case_detail,
    )


def rows_for(session: Session, ids: list[int]) -> list[ResidentRow]:
    """List rows for a screenful of ids from ``list_ids``."""
    visible = session.role.sees_case_detail
    rows = residents_repo.rows_for(
        session.db, ids, names_visible=visible, statuses=() if visible else CURRENT
    )
    if not visible:
        return rows  # no risk for a volunteer
    found = risk.summaries(session, [r.id for r in rows])
    out = []
    for row in rows:
        s = found.get(row.id)
        if s is None or s.level is None:
            out.append(row)
            continue
        text = s.label + (" · MARAC" if s.flags else "") + (" · review" if s.review_due else "")
        out.append(row._replace(risk=text))
    return out


def get(session: Session, resident_id: int) -> Resident:
    session.require(session.role.sees_case_detail, "open full resident records")
    res = residents_repo.get(session.db, resident_id)
    if res is None:
        raise NotFound("That resident's record no longer exists.")
    version = f"v{res.version}"
    session.audit("resident.view", res.reference, version)
    return res


def rota_view(session: Session, resident_id: int) -> RotaView:
    """What everyone, volunteers included, may see: preferred name, room, alerts.

    A volunteer sees only current residents (referral or resident), as on the rota.
    """
    view = residents_repo.rota(session.db, resident_id)
    if view is None and not session.has_case:
        # The rota holds current residents only: whoever is not there has left or never was.
        raise NotFound("That resident is not on the current list.")
    if view is None:
        raise NotFound("That resident's record no longer exists.")
    if not session.role.sees_case_detail and view.status not in CURRENT:
        raise NotFound("That resident is not on the current list.")
    return view


def _stale(session: Session, resident_id: int) -> StaleRecord:
    change = residents_repo.last_change(session.db, resident_id)
    when = stamp_text(change.at) if change else "an unknown time"
    if change is not None and change.user_id == session.user.id:
        who = "You changed this record in another window or session"
    else:
        name = change.user_name if change and change.user_name else "unknown"
        who = f"Someone else ({name}) changed this record"
    return StaleRecord(
        f"{who} at {when} (local time) after you opened it. Your changes are still here: "
        "copy what you need, then press Cancel to see the new version."
    )


def save(session: Session, resident: Resident) -> Resident:
    """Clean every text field (domain/text.py), validate and save (insert when ``id`` is
    None). Returns the stored record.

    An update must start from the stored version (``version`` and ``updated_at`` as read):
    if a colleague saved in between, StaleRecord is raised and nothing is written.
    """
    session.require(session.role.edits_residents, "change resident records")
    resident = clean_record(resident)
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
        before = None
        if resident.id is None:
            rid, ref = residents_repo.insert(db, resident, now, session.user.id)
            session.audit("resident.create", ref, "v0")
        else:
            before = residents_repo.get(db, resident.id)
            if before is None:
                raise NotFound("That resident's record no longer exists.")
            if not residents_repo.update(db, resident, now, session.user.id):
                raise _stale(session, resident.id)
            rid = resident.id
            version = f"v{resident.version + 1}"
            session.audit("resident.update", resident.reference, version)
        stored = residents_repo.get(db, rid)
        assert stored is not None
        history.record_resident(session, before, stored)  # old and new value of each field
    return stored


def count(session: Session) -> int:
    return residents_repo.count(session.db)


def id_for_reference(session: Session, reference: str) -> int:
    """The resident with this reference (e.g. "R-0007"); NotFound says so plainly."""
    session.require(session.role.sees_case_detail, "open full resident records")
    rid = residents_repo.id_for_reference(session.db, reference)
    if rid is None:
        raise NotFound(f"There is no resident with the reference {reference.strip()}.")
    return rid


def reference_of(session: Session, resident_id: int) -> str:
    """Her reference (R-0007) — no name — or "" when the record no longer exists."""
    return residents_repo.reference_of(session.db, resident_id)


def restore_value(session: Session, change_id: int) -> Resident:
    """Put the value from before a change back (managers): a new change, recorded."""
    change, value = history.old_value(session, change_id)
    current = residents_repo.get(session.db, change.entity_id)
    if current is None:
        raise NotFound("That resident's record no longer exists.")
    return save(session, dataclasses.replace(current, **{change.field: value}))
