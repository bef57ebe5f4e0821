import datetime as dt

from PySide6.QtCore import QDate

from refuge_desk.domain.deadlines import mvdac_end
from refuge_desk.services import immigration, orders
from refuge_desk.ui.casework.immigration_tab import ApplicationDialog, ImmigrationTab
from refuge_desk.ui.casework.orders_tab import OrderDialog, OrdersTab
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from tests.services.test_tasks import add_resident


def test_orders_tab_add_and_edit(qtbot, manager_session) -> None:
    s, today = manager_session, manager_session.today()
    rid = add_resident(s)
    tab = OrdersTab(s, ScriptedDialogs())
    qtbot.addWidget(tab)
    tab.load(rid)
    assert tab.empty.isVisibleTo(tab)

    def fill_new(dialog: OrderDialog) -> None:
        dialog.kind.setCurrentIndex(dialog.kind.findData("dvpo"))
        dialog.protected.setText("Her and Sami")
        dialog.expires.set_box.setChecked(True)
        end = today + dt.timedelta(days=10)
        dialog.expires.edit.setDate(QDate(end.year, end.month, end.day))
        dialog.save()

    tab.dialogs.answers.append(fill_new)
    with qtbot.waitSignal(tab.changed):
        tab.add()
    assert tab.model.rowCount() == 1
    assert tab.model.display(tab.model.rows[0], 0).startswith("Domestic violence protection")
    assert tab.model.display(tab.model.rows[0], 4).startswith("Ends in 10 days")

    def fill_edit(dialog: OrderDialog) -> None:
        dialog.expires.set_box.setChecked(False)  # until further order
        dialog.court.setText("Larkfield Family Court")
        dialog.save()

    tab.view.setCurrentIndex(tab.model.index(0, 0))
    tab.dialogs.answers.append(fill_edit)
    with qtbot.waitSignal(tab.changed):
        tab.edit_selected()
    (order,) = orders.list_orders(s, rid)
    assert order.expires_on is None and order.court == "Larkfield Family Court"
    assert tab.model.display(tab.model.rows[0], 3) == "Until further order"


def test_order_dialog_shows_problems_inline(qtbot, manager_session) -> None:
    s, today = manager_session, manager_session.today()
    rid = add_resident(s)
    dialog = OrderDialog(s, orders.CourtOrder(resident_id=rid, starts_on=today))
    qtbot.addWidget(dialog)
    dialog.expires.set_value(today - dt.timedelta(days=1))
    dialog.save()
    assert "cannot end before it starts" in dialog.error.text()
    assert orders.list_orders(s, rid) == []


def test_immigration_tab_saves_and_counts_down(qtbot, manager_session) -> None:
    s, today = manager_session, manager_session.today()
    rid = add_resident(s)
    tab = ImmigrationTab(s, ScriptedDialogs())
    qtbot.addWidget(tab)
    tab.load(rid)
    assert "NRPF:</b> No" in tab.status.text()
    assert tab.countdown.text() == "No MVDAC grant recorded."
    granted = today - dt.timedelta(days=60)
    tab.visa_type.setText("Spouse visa")
    tab.mvdac_granted.set_value(granted)
    tab.mvdac_granted.changed.emit()
    end = mvdac_end(granted)
    days = (end - today).days
    assert tab.countdown.text().startswith(f"MVDAC leave ends in {days} days (")
    tab.rent.setText("Hardship fund")
    with qtbot.waitSignal(tab.changed):
        tab.save()
    stored = immigration.get(s, rid).record
    assert stored.mvdac_granted_on == granted and stored.rent_paid_by == "Hardship fund"
    assert tab.saved.text().startswith("Last saved")
    # an invalid date is refused inline, nothing changes
    tab.mvdac_applied.set_value(today)
    tab.save()
    assert "cannot be granted before" in tab.error.text()
    assert immigration.get(s, rid).record.mvdac_applied_on is None
    tab.clear()
    assert tab.visa_type.text() == "" and tab.apps.rowCount() == 0


def test_immigration_tab_add_and_edit_application(qtbot, manager_session) -> None:
    s, today = manager_session, manager_session.today()
    rid = add_resident(s)
    tab = ImmigrationTab(s, ScriptedDialogs())
    qtbot.addWidget(tab)
    tab.load(rid)

    def fill(dialog: ApplicationDialog) -> None:
        dialog.deadline.set_value(today + dt.timedelta(days=20))
        dialog.save()

    tab.dialogs.answers.append(fill)
    with qtbot.waitSignal(tab.changed):
        tab.add_application()
    assert "due in 20 days" in tab.apps.display(tab.apps.rows[0], 1)

    def decide(dialog: ApplicationDialog) -> None:
        dialog.submitted.set_value(today)
        dialog.decision.setText("Waiting")
        dialog.save()

    tab.dialogs.answers.append(decide)
    with qtbot.waitSignal(tab.changed):
        tab.edit_application()
    (app,) = immigration.get(s, rid).applications
    assert app.submitted_on == today and app.decision == "Waiting"
