"""The plan reviews list: due and overdue plans, overdue first in red, opening a plan."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from refuge_desk.domain.residents import Resident
from refuge_desk.services import plans, residents
from refuge_desk.services.session import Session
from refuge_desk.store import staff_repo
from refuge_desk.ui.common import style
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from refuge_desk.ui.plans.plan_reviews_page import EMPTY_TEXT, DueReviewsModel, PlanReviewsPage
from tests.conftest import VOLUNTEER, WORKER, FakeClock, sign_in_as

DAY = 86400


def agreed_plan(session: Session, name: str, **kw: object) -> int:
    res = residents.save(session, Resident(full_name=name, **kw))  # type: ignore[arg-type]
    assert res.id is not None
    state = plans.start_draft(session, res.id)
    assert state.draft is not None
    rev = plans.save_draft(
        session, res.id, dict(state.draft.content, worries="w"), state.draft.revision
    )
    plans.finalise(session, res.id, rev)
    return res.id


def make_page(qtbot, session: Session) -> PlanReviewsPage:
    page = PlanReviewsPage(session, ScriptedDialogs())
    qtbot.addWidget(page)
    page.resize(900, 500)
    page.show()
    return page


def test_empty_state_is_a_plain_sentence(qtbot, manager_session):
    page = make_page(qtbot, manager_session)
    page.refresh()
    assert page.model.rowCount() == 0
    assert page.empty.isVisible() and page.empty.text() == EMPTY_TEXT
    assert EMPTY_TEXT == "No safety-plan reviews are due in the next 7 days."
    assert not page.view.isVisible()


def test_overdue_first_in_red_then_due_soon(qtbot, manager_session, clock: FakeClock):
    first = agreed_plan(manager_session, "Olga Overdue")
    clock.advance(DAY * 10)
    second = agreed_plan(manager_session, "Sana Soon")
    clock.advance(DAY * (42 - 10 + 3))  # Olga's review was 3 days ago; Sana's is in 7
    page = make_page(qtbot, manager_session)
    page.refresh()
    model = page.model
    assert [model.id_at(r) for r in range(model.rowCount())] == [first, second]

    def cell(row: int, col: int, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        return model.data(model.index(row, col), role)

    assert cell(0, DueReviewsModel.COL_WHEN) == "3 days overdue"
    assert cell(1, DueReviewsModel.COL_WHEN) == "in 7 days"
    assert cell(0, DueReviewsModel.COL_NAME) == "O. O."  # initials until names are shown
    assert cell(0, DueReviewsModel.COL_REVIEWER) == "No one named"
    assert cell(0, DueReviewsModel.COL_KEY_WORKER) == "Not assigned"
    red = cell(0, DueReviewsModel.COL_REFERENCE, Qt.ItemDataRole.ForegroundRole)
    assert red is not None and red.color().name() == style.DANGER
    assert cell(1, DueReviewsModel.COL_REFERENCE, Qt.ItemDataRole.ForegroundRole) is None
    page.show_names.setChecked(True)
    assert cell(1, DueReviewsModel.COL_NAME) == "Sana Soon"
    assert "Every safety plan" in page.scope.text()
    # Not selected (the red stays visible) but current, so Enter opens it.
    assert not page.view.selectionModel().hasSelection()
    page.view.setFocus()
    with qtbot.waitSignal(page.open_plan) as opened:
        qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert opened.args == [first]
    with qtbot.waitSignal(page.open_plan) as clicked:
        page.view.doubleClicked.emit(model.index(1, 0))
    assert clicked.args == [second]

    page.clear()
    assert model.rowCount() == 0 and not page.show_names.isChecked()


def test_worker_sees_her_own_and_volunteer_is_told(
    qtbot, manager_session, vault_dir: Path, clock: FakeClock
):
    worker_user = staff_repo.by_username(manager_session.db, WORKER[0])
    assert worker_user is not None
    mine = agreed_plan(manager_session, "Mina Mine", key_worker_id=worker_user.id)
    agreed_plan(manager_session, "Nora Notmine")
    clock.advance(DAY * 40)
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        page = make_page(qtbot, worker)
        page.refresh()
        assert [page.model.id_at(r) for r in range(page.model.rowCount())] == [mine]
        assert "key worker for" in page.scope.text()
    finally:
        worker.close()
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)
    try:
        page = make_page(qtbot, volunteer)
        page.refresh()
        assert page.message.isVisible()
        assert "does not allow you to work on safety plans" in page.message.text()
        assert page.model.rowCount() == 0 and not page.view.isVisible()
    finally:
        volunteer.close()
