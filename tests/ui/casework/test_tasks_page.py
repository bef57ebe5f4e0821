import datetime as dt

from refuge_desk.domain.deadlines import CourtOrder, Target
from refuge_desk.services import orders, tasks
from refuge_desk.ui.casework.tasks_page import TaskDialog, TasksPage
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from tests.services.test_tasks import add_assessment, add_resident


def test_tasks_page_add_done_reopen_and_open(qtbot, manager_session) -> None:
    s, today = manager_session, manager_session.today()
    rid = add_resident(s, key_worker_id=s.user.id)
    add_assessment(s, rid, today)
    orders.save(s, CourtOrder(resident_id=rid, expires_on=today + dt.timedelta(days=5)))
    page = TasksPage(s, ScriptedDialogs())
    qtbot.addWidget(page)
    page.refresh()
    assert [r.title for r in page.model.rows] == ["Non-molestation order ends"]

    def fill(dialog: TaskDialog) -> None:
        assert isinstance(dialog, TaskDialog)
        dialog.title.setText("Ring the school")
        dialog.due.set_value(today - dt.timedelta(days=1))
        dialog.resident.setCurrentIndex(dialog.resident.findData(rid))
        dialog.save()

    page.dialogs.answers.append(fill)
    with qtbot.waitSignal(page.changed):
        page.add()
    assert [r.title for r in page.model.rows] == ["Ring the school", "Non-molestation order ends"]
    first = page.model.rows[0]
    assert page.model.display(first, page.model.COL_WHEN) == "1 day overdue"
    assert first.assignee == s.user.full_name  # new tasks are hers unless she chooses

    page.view.setCurrentIndex(page.model.index(1, 0))
    with qtbot.waitSignal(page.open_target) as blocker:
        page.open_button.click()
    assert blocker.args == [Target(rid, "orders")]
    with qtbot.waitSignal(page.changed):
        page.done_button.click()
    assert [r.title for r in page.model.rows] == ["Ring the school"]

    page.show_done.setChecked(True)
    done = [r for r in page.model.rows if r.done]
    assert [r.title for r in done] == ["Non-molestation order ends"]
    page.view.setCurrentIndex(page.model.index(page.model.rows.index(done[0]), 0))
    assert page.done_button.text() == "&Reopen"
    page.done_button.click()
    assert not any(r.done for r in tasks.list_tasks(s, include_done=True))
    page.clear()
    assert page.model.rowCount() == 0
