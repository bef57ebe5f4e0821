import datetime as dt

import pytest

from refuge_desk.domain.deadlines import Application, Immigration
from refuge_desk.domain.errors import PermissionDenied, ValidationError
from refuge_desk.services import immigration, residents
from refuge_desk.services.session import Session
from tests.conftest import VOLUNTEER, sign_in_as
from tests.services.test_tasks import add_resident


def test_save_and_read_back_with_status_from_the_record(manager_session: Session) -> None:
    s, today = manager_session, manager_session.today()
    rid = add_resident(s)
    res = residents.get(s, rid)
    res.nrpf, res.immigration_status = True, "Spouse visa, abuser is sponsor"
    residents.save(s, res)
    empty = immigration.get(s, rid)
    assert empty.record.updated_at == "" and empty.nrpf and empty.applications == ()
    assert empty.immigration_status == "Spouse visa, abuser is sponsor"
    granted = dt.date(2026, 8, 31)
    view = immigration.save(
        s,
        Immigration(
            resident_id=rid,
            visa_type="Spouse visa",
            visa_expires_on=today + dt.timedelta(100),
            documents_with_abuser="Passport",
            mvdac_applied_on=granted - dt.timedelta(7),
            mvdac_granted_on=granted,
            solicitor="Ms Okonkwo",
            rent_paid_by="Hardship fund",
        ),
    )
    assert view.record.mvdac_ends_on == dt.date(2026, 11, 30)
    assert view.record.rent_paid_by == "Hardship fund" and view.record.updated_by
    view.record.solicitor = "Mr Varga"
    assert immigration.save(s, view.record).record.solicitor == "Mr Varga"  # upsert
    with pytest.raises(ValidationError):
        immigration.save(s, Immigration(resident_id=rid, mvdac_granted_on=today + dt.timedelta(1)))


def test_applications_add_and_edit(manager_session: Session) -> None:
    s, today = manager_session, manager_session.today()
    rid = add_resident(s)
    app = immigration.save_application(
        s, Application(resident_id=rid, deadline_on=today + dt.timedelta(20))
    )
    assert app.open and app.kind_label.startswith("Settlement")
    app.submitted_on, app.decision = today, "Waiting"
    stored = immigration.save_application(s, app)
    assert not stored.open and stored.submitted_on == today
    assert [a.id for a in immigration.get(s, rid).applications] == [app.id]
    with pytest.raises(ValidationError):
        immigration.save_application(s, Application(resident_id=rid, kind="nope"))


def test_volunteer_sees_no_immigration(manager_session: Session, vault_dir, clock) -> None:
    rid = add_resident(manager_session)
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)
    try:
        with pytest.raises(PermissionDenied):
            immigration.get(volunteer, rid)
        with pytest.raises(PermissionDenied):
            immigration.save(volunteer, Immigration(resident_id=rid))
    finally:
        volunteer.close()
