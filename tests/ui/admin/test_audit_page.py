"""The manager's audit screen: filters, lazy paging, the chain check and CSV export."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from refuge_desk.domain.residents import Resident
from refuge_desk.services import residents
from refuge_desk.services.session import Session
from refuge_desk.ui.admin.audit_page import PAGE, AuditPage
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from tests.conftest import VOLUNTEER, WORKER, FakeClock, sign_in_as
from tests.raw import raw_connection


def _page(qtbot: QtBot, session: Session, dialogs: ScriptedDialogs) -> AuditPage:
    page = AuditPage(session, dialogs)
    qtbot.addWidget(page)
    page.refresh()
    return page


def _texts(page: AuditPage, column: int) -> list[str]:
    m = page.model
    return [m.data(m.index(r, column)) for r in range(m.rowCount())]


def test_filters_by_resident_person_and_action(
    qtbot: QtBot, manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    her = residents.save(manager_session, Resident(full_name="Page Person"))
    other = residents.save(manager_session, Resident(full_name="Other Person"))
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        residents.get(worker, her.id)
    finally:
        worker.close()
    page = _page(qtbot, manager_session, ScriptedDialogs())
    assert page.model.rowCount() == page.model.total > 0
    assert _texts(page, 2)[:2] == ["Opened a resident's record", "Signed in"]  # newest first

    page.reference.setText(her.reference)
    page.apply_filters()
    assert _texts(page, 3) == [her.reference, her.reference]
    assert other.reference not in _texts(page, 3)

    page.person.setCurrentIndex(page.person.findText(WORKER[1]))
    page.apply_filters()
    assert [(w, a) for w, a in zip(_texts(page, 1), _texts(page, 2), strict=True)] == [
        (WORKER[1], "Opened a resident's record")
    ]

    page.reference.clear()
    page.action.setCurrentIndex(page.action.findData("signin"))
    page.apply_filters()
    assert _texts(page, 2) == ["Signed in"]
    assert page.shown.text() == "1 entry"


def test_the_table_pages_lazily(qtbot: QtBot, manager_session: Session) -> None:
    for i in range(PAGE + 50):
        manager_session.audit("test.entry", f"R-{i:04d}")
    page = _page(qtbot, manager_session, ScriptedDialogs())
    assert page.model.rowCount() == PAGE
    assert page.model.canFetchMore()
    page.model.fetchMore()
    assert page.model.rowCount() == page.model.total
    assert not page.model.canFetchMore()


def test_check_the_chain_shows_the_first_broken_link(
    qtbot: QtBot, manager_session: Session
) -> None:
    page = _page(qtbot, manager_session, ScriptedDialogs())
    page.check_button.click()
    assert page.result.text().startswith("All ") and "intact" in page.result.text()
    conn = raw_connection(
        manager_session.folder.db_path, manager_session.data_key, isolation_level=None
    )
    try:
        conn.execute("UPDATE audit_log SET ref = 'edited' WHERE id = 2")
    finally:
        conn.close()
    page.check_button.click()
    assert page.result.text().startswith("Entry 2 (")
    assert "was changed after it was written" in page.result.text()
    assert "#b3261e" in page.result.styleSheet()


def test_export_csv_uses_the_filters(
    qtbot: QtBot, manager_session: Session, tmp_path: Path
) -> None:
    her = residents.save(manager_session, Resident(full_name="Export Secretname"))
    out = tmp_path / "chosen"
    dialogs = ScriptedDialogs(str(out))
    page = _page(qtbot, manager_session, dialogs)
    page.reference.setText(her.reference)
    assert page.export_csv()
    text = (tmp_path / "chosen.csv").read_text(encoding="utf-8-sig")
    assert her.reference in text and "Secretname" not in text
    assert len(text.splitlines()) == 2
    assert dialogs.asked[-1][0] == "info"


def test_clear_forgets_everything_and_workers_see_a_refusal(
    qtbot: QtBot, manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    page = _page(qtbot, manager_session, ScriptedDialogs())
    page.reference.setText("R-0001")
    page.clear()
    assert page.model.rowCount() == 0 and page.reference.text() == ""
    assert page.person.count() == 0
    for who in (WORKER, VOLUNTEER):
        s = sign_in_as(vault_dir, who, clock)
        try:
            other = _page(qtbot, s, ScriptedDialogs())
            assert other.model.rowCount() == 0
            assert "does not allow you" in other.shown.text()
        finally:
            s.close()
