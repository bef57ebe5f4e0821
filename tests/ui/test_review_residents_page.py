"""Review fixes on the residents list: a volunteer sees the rota only (P2-5); the search text
does not survive a lock in the undo history (P3)."""

from __future__ import annotations

from pathlib import Path

from refuge_desk.domain.residents import Status
from refuge_desk.services.session import Session
from refuge_desk.ui.dialogs import ScriptedDialogs
from refuge_desk.ui.residents_page import ResidentsPage
from refuge_desk.ui.table_models import RecordRole, ResidentsModel
from tests.conftest import VOLUNTEER, FakeClock, sign_in_as
from tests.ui.test_residents_page import PEOPLE, add_people, type_into

CURRENT = (Status.REFERRAL, Status.RESIDENT)


def test_search_text_is_gone_from_the_undo_history_after_clear(qtbot, manager_session: Session):
    add_people(manager_session)
    page = ResidentsPage(manager_session, ScriptedDialogs())
    qtbot.addWidget(page)
    type_into(qtbot, page.search, "Amira Haddad")
    assert page.model.rowCount() == 1
    page.clear()
    assert page.search.text() == ""
    assert not page.search.isUndoAvailable() and not page.search.isRedoAvailable()
    page.search.undo()
    assert page.search.text() == ""
    page.refresh()
    assert page.model.rowCount() == len([p for p in PEOPLE if p[3] in CURRENT])


def test_volunteer_page_lists_current_residents_without_filter_or_arrival(
    qtbot, manager_session: Session, vault_dir: Path, clock: FakeClock
):
    ids = add_people(manager_session)
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)
    try:
        page = ResidentsPage(volunteer, ScriptedDialogs())
        qtbot.addWidget(page)
        assert page.status_filter.isHidden()
        assert page.view.isColumnHidden(ResidentsModel.COL_ARRIVED)
        assert page.view.isColumnHidden(ResidentsModel.COL_KEY_WORKER)
        assert page.statuses() == CURRENT
        shown = {page.model.index(r, 0).data(RecordRole) for r in range(page.model.rowCount())}
        assert shown == {ids[p[0]] for p in PEOPLE if p[3] in CURRENT}
        for r in range(page.model.rowCount()):
            row = page.model.row_at(r)
            assert row is not None and row.arrival_date == "" and row.key_worker == ""
    finally:
        volunteer.close()


def test_manager_page_still_offers_every_filter(qtbot, manager_session: Session):
    ids = add_people(manager_session)
    page = ResidentsPage(manager_session, ScriptedDialogs())
    qtbot.addWidget(page)
    assert not page.status_filter.isHidden()
    page.status_filter.setCurrentIndex(1)  # All
    assert page.model.rowCount() == len(ids)
    assert not page.view.isColumnHidden(ResidentsModel.COL_ARRIVED)
