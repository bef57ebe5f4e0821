import datetime as dt

from refuge_desk.domain.deadlines import CourtOrder, Immigration, Target
from refuge_desk.services import immigration, orders
from refuge_desk.services.session import Session
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from refuge_desk.ui.home.home_page import Card, HomePage
from tests.conftest import VOLUNTEER, sign_in_as
from tests.services.test_tasks import add_assessment, add_resident


def _vault(s: Session) -> dict[str, int]:
    today = s.today()
    rid = add_resident(s, "Amira Haddad", key_worker_id=s.user.id)
    add_assessment(s, rid, today - dt.timedelta(weeks=7), "high")
    orders.save(s, CourtOrder(resident_id=rid, expires_on=today + dt.timedelta(days=3)))
    immigration.save(
        s, Immigration(resident_id=rid, mvdac_granted_on=today - dt.timedelta(days=80))
    )
    return {"rid": rid}


def test_home_page_shows_sections_and_clicks_open_targets(qtbot, manager_session) -> None:
    ids = _vault(manager_session)
    page = HomePage(manager_session, ScriptedDialogs())
    qtbot.addWidget(page)
    page.refresh()
    rid = ids["rid"]
    headings = [c.heading.text() for c in page.findChildren(Card)]
    assert any(h.startswith("Tasks overdue and due this week (1)") for h in headings)
    assert any(h.startswith("Court orders ending within 14 days (1)") for h in headings)
    assert any(h.startswith("Rooms") for h in headings) and "Backups" in headings
    assert page.scope.isVisibleTo(page)
    expected = {
        "tasks": Target(rid, "risk"),
        "high_risk": Target(rid, "plan"),
        "orders": Target(rid, "orders"),
        "immigration": Target(rid, "immigration"),
    }
    for key, target in expected.items():
        (button,) = page.item_buttons(key)
        with qtbot.waitSignal(page.open_target) as blocker:
            button.click()
        assert blocker.args == [target], key
    (imm,) = page.item_buttons("immigration")
    assert "MVDAC leave ends" in imm.text() and "ends in 1" in imm.text()
    backup = next(b for b, _t in page.buttons if b.objectName() == "home_backup")
    assert "NOT set up" in backup.text()
    with qtbot.waitSignal(page.open_target) as blocker:
        backup.click()
    assert blocker.args == [Target(None, "backups")]
    page.clear()
    assert not page.buttons and page.grid.count() == 0


def test_empty_states_in_plain_words(qtbot, manager_session) -> None:
    page = HomePage(manager_session, ScriptedDialogs())
    qtbot.addWidget(page)
    page.refresh()
    texts = [w.text() for w in page.findChildren(type(page.greeting)) if w.objectName() == "muted"]
    assert "Nothing overdue or due this week (yours)." in texts
    assert "No court order ends in the next 14 days." in texts


def test_volunteer_home_page_shows_rota_only(qtbot, manager_session, vault_dir, clock) -> None:
    ids = _vault(manager_session)
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)
    page = HomePage(volunteer, ScriptedDialogs())
    qtbot.addWidget(page)
    try:
        page.refresh()
        (line,) = page.item_buttons("rota")
        assert line.text().strip("\u2068").startswith("Amira") and "Haddad" not in line.text()
        assert not page.item_buttons("orders") and not page.scope.isVisibleTo(page)
        assert all(b.objectName() != "home_backup" for b, _t in page.buttons)
        with qtbot.waitSignal(page.open_target) as blocker:
            line.click()
        assert blocker.args == [Target(ids["rid"], "record")]
    finally:
        page.clear()
        volunteer.close()
