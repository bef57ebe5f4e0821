"""Change history on screen: per-field history from a label's menu, the field filter, and the
settings' history."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QMenu

from refuge_desk.domain.residents import Resident, Status
from refuge_desk.services import residents, settings
from refuge_desk.ui.admin.settings_dialog import SettingsDialog
from refuge_desk.ui.residents.history_dialog import ALL, HistoryDialog
from tests.ui.shell.test_main_window import make_window


def _her(session) -> int:
    her = residents.save(
        session, Resident(full_name="Nadia Rahman", status=Status.REFERRAL, languages="Bengali")
    )
    assert her.id is not None
    changed = residents.save(session, dataclasses.replace(her, languages="Bengali, English"))
    residents.save(session, dataclasses.replace(changed, pronouns="she/her"))
    return her.id


def test_a_fields_label_opens_the_history_of_that_field(qtbot, manager_session, vault_dir, clock):
    rid = _her(manager_session)
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    window.open_resident(rid)
    editor = window.editor
    label = editor.field_labels["languages"]
    assert label.text().startswith("Languages") and "history" in label.toolTip()
    assert {"full_name", "date_of_birth", "status", "alerts", "email"} <= set(editor.field_labels)
    seen: dict[str, object] = {}

    def inspect_dialog(dialog: HistoryDialog) -> None:
        assert isinstance(dialog, HistoryDialog)
        seen["filter"] = dialog.field_filter.currentText()
        seen["rows"] = [(c.field, c.old_value, c.new_value) for c in dialog.changes]
        dialog.field_filter.setCurrentText(ALL)
        seen["all"] = {c.field for c in dialog.changes}
        dialog.reject()

    [menu] = label.findChildren(QMenu, "field_history_menu")
    [action] = menu.actions()
    assert action.text() == "History of “Languages”…"
    window.dialogs.answers.append(inspect_dialog)
    action.trigger()  # what the label's right-click menu does; the dialog is modal
    assert seen["filter"] == "Languages"
    assert seen["rows"] == [
        ("languages", "Bengali", "Bengali, English"),
        ("languages", None, "Bengali"),
    ]
    assert {"languages", "pronouns", "full_name"} <= seen["all"]  # type: ignore[operator]
    window.shutdown()


def test_a_field_never_changed_says_so(qtbot, manager_session):
    rid = _her(manager_session)
    from refuge_desk.ui.common.dialogs import ScriptedDialogs

    dialog = HistoryDialog(manager_session, ScriptedDialogs(), rid, field="nationality")
    qtbot.addWidget(dialog)
    assert dialog.field_filter.currentText() == "Nationality"
    assert dialog.table.rowCount() == 0 and dialog.count.text() == "No changes recorded"


def test_settings_show_their_own_history_without_put_back(qtbot, manager_session):
    settings.set_auto_lock_minutes(manager_session, 12)
    dialog = SettingsDialog(manager_session)
    qtbot.addWidget(dialog)
    dialog.auto_lock.setValue(20)
    dialog.save()
    dialog = SettingsDialog(manager_session)
    qtbot.addWidget(dialog)
    history = dialog.open_history()
    labels = [(c.old_value, c.new_value) for c in history.changes]
    assert labels[:2] == [("12", "20"), (None, "12")]
    assert history.table.item(0, 2).text() == "Lock after no use (minutes)"
    assert history.table.item(0, 1).text() == manager_session.user.full_name
    assert not history.restore_button.isVisible()
    history.table.selectRow(0)
    assert not history.restore_button.isEnabled()
    history.reject()


def test_her_childrens_tab_opens_the_childrens_history(qtbot, manager_session, vault_dir, clock):
    from refuge_desk.domain.residents import Child

    rid = _her(manager_session)
    her = residents.get(manager_session, rid)
    residents.save(manager_session, dataclasses.replace(her, children=[Child(full_name="Rumi")]))
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    window.open_resident(rid)
    seen: dict[str, object] = {}

    def inspect_dialog(dialog: HistoryDialog) -> None:
        assert isinstance(dialog, HistoryDialog)
        seen["filter"] = dialog.field_filter.currentText()
        seen["fields"] = {c.field for c in dialog.changes}
        dialog.reject()

    window.dialogs.answers.append(inspect_dialog)
    window.editor.children_history.click()
    assert seen == {"filter": "Children", "fields": {"children · Rumi · full_name"}}
    window.shutdown()
