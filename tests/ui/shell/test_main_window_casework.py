"""Case work inside the main window: home first, one click to the right tab, and typing in a
case note or a risk checklist kept across a lock and a crash."""

from __future__ import annotations

from refuge_desk.domain.deadlines import Target
from refuge_desk.domain.residents import Resident, Status
from refuge_desk.domain.risk import Answer
from refuge_desk.services import drafts, notes, residents
from tests.conftest import MANAGER, FakeClock
from tests.ui.shell.test_main_window import make_window, unlock


def _resident(session) -> int:
    stored = residents.save(
        session,
        Resident(full_name="Amina Hassan", status=Status.RESIDENT, arrival_date=session.today()),
    )
    assert stored.id is not None
    return stored.id


def test_home_first_then_one_click_to_a_residents_tab(qtbot, manager_session, vault_dir, clock):
    rid = _resident(manager_session)
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    assert window.workspace.currentWidget() is window.page("home")
    assert window.acts.home.isChecked()
    for tab in ("risk", "notes", "support", "orders", "immigration"):
        window.open_target(Target(rid, tab))
        editor = window.editor
        assert window.workspace.currentWidget() is editor
        assert editor.tabs.currentWidget() is editor.casework.widgets[tab]
        assert editor.casework.widgets[tab].resident_id == rid
    window.open_target(Target(rid, "tasks"))
    assert window.workspace.currentWidget() is window.page("tasks")
    window.open_target(Target(None, "rooms"))
    assert window.workspace.currentWidget() is window.page("rooms")
    window.open_resident(None)  # a new record has no case work yet
    assert not window.editor.tabs.isTabVisible(window.editor.casework.index_of("notes"))
    window.shutdown()


def test_a_case_note_being_typed_survives_a_lock_and_a_crash(
    qtbot, manager_session, vault_dir, clock: FakeClock
):
    rid = _resident(manager_session)
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    window.open_target(Target(rid, "notes"))
    tab = window.editor.casework.notes
    tab.text.setPlainText("She called from a friend's phone; the school has been told.")
    window.autosave_draft()  # what the 3-second timer does: a crash now loses nothing
    kept = [r for r in drafts.mine(manager_session) if r.kind == drafts.CASE_NOTE]
    assert [r.record_id for r in kept] == [rid]
    window.lock("manual")
    assert tab.text.toPlainText() == ""  # nothing on screen while locked
    unlock(qtbot, window, MANAGER[2])
    assert window.workspace.currentWidget() is window.editor
    tab = window.editor.casework.notes
    assert tab.text.toPlainText().startswith("She called from a friend's phone")
    tab.save()
    assert notes.count(window.session, rid) == 1
    assert [r for r in drafts.mine(window.session) if r.kind == drafts.CASE_NOTE] == []
    window.shutdown()


def test_a_risk_checklist_half_done_comes_back_after_a_lock(
    qtbot, manager_session, vault_dir, clock: FakeClock
):
    rid = _resident(manager_session)
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    window.open_target(Target(rid, "risk"))
    risk_tab = window.editor.casework.risk

    def answer_then_lock(dialog: object) -> None:
        assert dialog is risk_tab.open_dialog and dialog is not None
        for row in dialog.rows[:3]:
            row.set_answer(Answer.YES)
        dialog.rows[0].comment.setText("bruises on her arm")
        window.lock("idle")

    window.dialogs.answers.append(answer_then_lock)
    risk_tab.new_checklist()  # modal until the lock closes it
    assert not manager_session.is_open
    unlock(qtbot, window, MANAGER[2])
    dialog = window.editor.casework.risk.open_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.score() == 3 and dialog.rows[0].comment.text() == "bruises on her arm"
    dialog.discard()
    window.shutdown()


def test_transfer_out_sends_only_the_case_notes_she_ticks(
    qtbot, manager_session, vault_dir, clock: FakeClock, tmp_path
):
    import re

    from PySide6.QtCore import Qt

    from refuge_desk.services import auth
    from refuge_desk.services.export import transfer
    from refuge_desk.store.vault import VaultFolder

    rid = _resident(manager_session)
    notes.add(manager_session, rid, "Send this: GP registration done.")
    notes.add(manager_session, rid, "Keep this one here.")
    package = tmp_path / "out.age"

    def tick_first(dialog: object) -> None:
        assert dialog is window.workflows.transfer_notes_dialog and dialog is not None
        assert dialog.list.count() == 2
        for i in range(dialog.list.count()):
            item = dialog.list.item(i)
            if "GP registration" in item.text():
                item.setCheckState(Qt.CheckState.Checked)
        dialog.accept()

    window = make_window(qtbot, vault_dir, clock, "with", tick_first, str(package), None)
    window.start_session(manager_session)
    window.open_resident(rid)
    window.editor.transfer_button.click()
    kind, _title, text = window.dialogs.asked[-1]
    assert kind == "info" and package.exists()
    words = re.search(r"phone \(never send it with the file\):\n\n {4}(.+)\n", text).group(1)
    window.shutdown()
    other, _ = auth.setup_vault(
        VaultFolder(tmp_path / "other"),
        auth.Organisation("North Aid", "Elm House", ""),
        "nadia",
        "Nadia North",
        "walnut canyon lantern violet",
        clock=clock,
    )
    arrived = transfer.receive(other, package.read_bytes(), words)
    texts = [n.text for n in notes.list_notes(other, arrived.resident_id).notes]
    assert len(texts) == 1 and "GP registration" in texts[0]
    other.close()


def test_switching_between_records_keeps_each_note_being_typed(
    qtbot, manager_session, vault_dir, clock: FakeClock
):
    """Review finding: A → B → A showed A's composer empty although her text was parked."""
    a = _resident(manager_session)
    b = _resident(manager_session)
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    window.open_target(Target(a, "notes"))
    window.editor.casework.notes.text.setPlainText("Note for A: long key-work session")
    window.open_target(Target(b, "notes"))
    tab = window.editor.casework.notes
    assert tab.resident_id == b and tab.text.toPlainText() == ""
    tab.text.setPlainText("Note for B")
    window.open_target(Target(a, "notes"))
    tab = window.editor.casework.notes
    assert tab.resident_id == a
    assert tab.text.toPlainText() == "Note for A: long key-work session"
    window.open_target(Target(b, "notes"))
    assert window.editor.casework.notes.text.toPlainText() == "Note for B"
    window.shutdown()


def test_a_note_kept_at_sign_out_is_offered_at_the_next_sign_in(
    qtbot, manager_session, vault_dir, clock: FakeClock
):
    from tests.conftest import sign_in_as

    rid = _resident(manager_session)
    window = make_window(qtbot, vault_dir, clock, "open")
    window.start_session(manager_session)
    window.open_target(Target(rid, "notes"))
    window.editor.casework.notes.text.setPlainText("Typed before signing out")
    window.autosave_draft()
    window.shutdown()
    again = sign_in_as(vault_dir, MANAGER, clock)
    window = make_window(qtbot, vault_dir, clock, "open")
    window.start_session(again)
    kind, _title, text = window.dialogs.asked[-1]
    assert kind == "choose" and "a case note" in text and "R-0001" in text
    assert window.editor.casework.notes.text.toPlainText() == "Typed before signing out"
    window.shutdown()


def test_history_dialog_puts_an_old_value_back(qtbot, manager_session, vault_dir, clock):
    import dataclasses

    rid = _resident(manager_session)
    her = residents.get(manager_session, rid)
    residents.save(manager_session, dataclasses.replace(her, languages="Tigrinya"))
    window = make_window(qtbot, vault_dir, clock, True)  # "Put back?" -> yes
    window.start_session(manager_session)
    window.open_resident(rid)
    editor = window.editor
    assert editor.history_button.isVisible()

    def choose_and_restore(dialog: object) -> None:
        from refuge_desk.ui.residents.history_dialog import HistoryDialog

        assert isinstance(dialog, HistoryDialog)
        row = next(i for i, c in enumerate(dialog.changes) if c.field == "languages")
        dialog.table.selectRow(row)
        assert dialog.restore_button.isEnabled()
        assert dialog.restore_selected() is True
        dialog.reject()

    window.dialogs.answers.appendleft(choose_and_restore)  # then "Put back?" -> yes
    editor.open_history()
    assert residents.get(manager_session, rid).languages == ""
    window.shutdown()


def test_the_audit_log_is_a_managers_page(qtbot, manager_session, vault_dir, clock):
    from tests.conftest import WORKER, sign_in_as

    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    assert window.acts.audit.isVisible()
    window.acts.audit.trigger()
    assert window.workspace.currentWidget() is window.page("audit")
    window.shutdown()
    worker = sign_in_as(vault_dir, WORKER, clock)
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(worker)
    assert not window.acts.audit.isVisible() and "audit" not in window.pages
    window.shutdown()


def test_a_purge_in_the_app_drops_her_everywhere_and_compacts_when_idle(
    qtbot, manager_session, vault_dir, clock, monkeypatch
):
    import datetime as dt

    from refuge_desk.services import retention
    from refuge_desk.ui.shell import main_window as main_window_module

    old = residents.save(
        manager_session,
        Resident(full_name="Asha Old", status=Status.MOVED_ON, move_on_date=dt.date(2019, 2, 3)),
    )
    monkeypatch.setattr(main_window_module, "COMPACT_DELAY_MS", 10)
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    window.acts.retention.trigger()
    page = window.page("retention")
    assert window.workspace.currentWidget() is page
    page.due.selectRow(0)
    window.dialogs.answers.extend([old.reference, None])
    page.purge_button.click()
    assert residents.reference_of(manager_session, old.id) == ""
    assert retention.compact_pending(manager_session) is True
    qtbot.waitUntil(lambda: not retention.compact_pending(manager_session), timeout=5000)
    window.show_section("residents")
    assert old.id not in [r.id for r in window.page("residents").model.rows]
    window.shutdown()
