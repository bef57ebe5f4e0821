"""Make the README's screenshots from a throw-away demo vault (fictional people only).

QT_QPA_PLATFORM=offscreen python scripts/screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QWidget

from refuge_desk.services import auth, demo, plan_print, plans
from refuge_desk.services.plan_print import Variant
from refuge_desk.services.session import Session
from refuge_desk.store.vault import VaultFolder
from refuge_desk.ui.common import fonts
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from refuge_desk.ui.common.style import APP_STYLE
from refuge_desk.ui.plans.plan_print_dialog import PlanPrintDialog
from refuge_desk.ui.shell.main_window import MainWindow

SIZE = (1180, 760)


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def wait(app: QApplication, seconds: float) -> None:
    """QPdfView renders pages in a worker thread: give it time before the grab."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def shot(app: QApplication, widget: QWidget, out: Path, name: str) -> None:
    settle(app)
    widget.grab().save(str(out / f"{name}.png"))
    print(out / f"{name}.png")


def plan_shots(app: QApplication, window: MainWindow, session: Session, out: Path) -> None:
    """Plan reviews, a plan in her language with two versions, compare, and print preview."""
    window.show_section("reviews")
    shot(app, window, out, "plan-reviews")
    chosen = None
    for row in window.page("residents").model.rows:
        state = plans.get(session, row.id) if row.id else None
        if state and state.latest_version >= 2:
            chosen = row.id
            if plans.version(session, row.id, 2)[1].content["worries"].count("\n"):
                break  # her own words in her language too
    assert chosen is not None
    window.open_plan(chosen)
    page = window.plan_page
    assert page is not None
    shot(app, window, out, "plan-section")
    page.set_current_section(5)
    shot(app, window, out, "plan-documents")
    page.set_current_section(11)
    shot(app, window, out, "plan-staff-only")
    page.set_current_section(0)
    dialog = page.compare()
    assert dialog is not None
    dialog.older.setCurrentIndex(dialog.older.findData(1))
    dialog.newer.setCurrentIndex(dialog.newer.findData(2))
    shot(app, dialog, out, "plan-compare")
    dialog.reject()
    preview = PlanPrintDialog(session, ScriptedDialogs(), chosen, plan_print.LATEST, window)
    preview.resize(900, 980)
    preview.show()
    wait(app, 1.5)
    shot(app, preview, out, "plan-print-resident")
    preview.bar.set_variant(Variant.DISCREET)
    wait(app, 1.5)
    shot(app, preview, out, "plan-print-discreet")
    preview.reject()
    from PySide6.QtCore import QDate

    from refuge_desk.ui.admin.stats_dialog import StatsDialog
    from refuge_desk.ui.exports.sar_dialog import SarDialog

    sar_dialog = SarDialog(session, ScriptedDialogs(), chosen, window)
    sar_dialog.resize(900, 980)
    sar_dialog.withhold["abusers"].setChecked(True)
    sar_dialog.show()
    wait(app, 1.5)
    shot(app, sar_dialog, out, "sar")
    sar_dialog.reject()
    stats_dialog = StatsDialog(session, ScriptedDialogs(), window)
    stats_dialog.start.setDate(QDate(2022, 1, 1))
    stats_dialog.show()
    shot(app, stats_dialog, out, "statistics")
    stats_dialog.reject()


def casework_shots(app: QApplication, window: MainWindow, session: Session, out: Path) -> None:
    """Her record's case-work tabs, the checklist, tasks and note search."""
    from refuge_desk.services import risk

    rows = window.page("residents").model.rows
    assessed = [r.id for r in rows if r.risk.startswith("High")] or [r.id for r in rows if r.risk]
    rid = assessed[0]
    names = {
        "risk": "case-risk",
        "notes": "case-notes",
        "support": "case-support",
        "orders": "case-orders",
        "immigration": "case-immigration",
    }
    immigration_ids = [
        int(r[0]) for r in session.db.query("SELECT resident_id FROM immigration LIMIT 20")
    ]
    for tab, name in names.items():
        target = rid
        if tab == "immigration" and immigration_ids:
            target = immigration_ids[0]
        window.open_resident(target)
        editor = window.editor
        assert editor is not None
        editor.casework.show_tab(tab)
        wait(app, 0.3)
        shot(app, window, out, name)
    assert risk.summaries(session, [rid])
    window.open_resident(rid)
    risk_tab = window.editor.casework.risk  # type: ignore[union-attr]
    from refuge_desk.ui.casework.risk_dialogs import ChecklistDialog

    dialog = ChecklistDialog(session, ScriptedDialogs(), rid, parent=risk_tab)
    from refuge_desk.domain.risk import Answer

    for i, row in enumerate(dialog.rows[:12]):
        row.set_answer(Answer.YES if i % 3 else Answer.NO)
    dialog.resize(900, 760)
    dialog.show()
    shot(app, dialog, out, "risk-checklist")
    dialog.discard()
    window.show_section("tasks")
    shot(app, window, out, "tasks")
    window.show_section("notes")
    search = window.page("notes")
    search.search.setText("housing")  # type: ignore[attr-defined]
    wait(app, 0.6)
    shot(app, window, out, "note-search")


def trust_shots(app: QApplication, window: MainWindow, session: Session, out: Path) -> None:
    """The audit log (chain checked), retention and deletion, a record's change history."""
    import dataclasses

    from refuge_desk.services import residents
    from refuge_desk.ui.admin.settings_dialog import SettingsDialog
    from refuge_desk.ui.residents.history_dialog import HistoryDialog

    window.show_section("audit")
    audit_page = window.page("audit")
    for button in audit_page.findChildren(__import__("PySide6.QtWidgets").QtWidgets.QPushButton):
        if "chain" in button.text().lower():
            button.click()
            break
    shot(app, window, out, "audit-log")
    window.show_section("retention")
    shot(app, window, out, "retention")
    rid = next(
        r.id
        for r in window.page("residents").model.rows[1:]
        if r.id is not None and residents.get(session, r.id).children
    )
    her = residents.get(session, rid)
    her = residents.save(session, dataclasses.replace(her, languages=her.languages + ", English"))
    child = dataclasses.replace(her.children[0], school="Riverside Primary (moved in March)")
    residents.save(session, dataclasses.replace(her, children=[child, *her.children[1:]]))
    state = plans.get(session, rid)
    if state.draft is None:
        state = plans.start_draft(session, rid)
    assert state.draft is not None
    content = dict(state.draft.content)
    content["reach_me"] = (content.get("reach_me") or "") + "\nWork mobile only after 6 pm."
    plans.save_draft(session, rid, content, state.draft.revision)
    dialog = HistoryDialog(session, ScriptedDialogs(), rid, window)
    dialog.show()
    shot(app, dialog, out, "change-history")
    dialog.reject()
    dialog = HistoryDialog(session, ScriptedDialogs(), rid, window, field="languages")
    dialog.show()
    shot(app, dialog, out, "change-history-field")
    dialog.reject()
    from refuge_desk.services import settings as vault_settings

    vault_settings.set_auto_lock_minutes(session, 10)
    settings_dialog = SettingsDialog(session, window)
    settings_dialog.show()
    shot(app, settings_dialog, out, "settings")
    history = settings_dialog.open_history()
    shot(app, history, out, "settings-history")
    history.reject()
    settings_dialog.reject()


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    fonts.install(app)  # as the app does: names in every script, not boxes
    app.setStyleSheet(APP_STYLE)
    with tempfile.TemporaryDirectory() as tmp:
        # Set-up wizard on an empty folder.
        window = MainWindow(VaultFolder(Path(tmp) / "new"), ScriptedDialogs())
        window.resize(*SIZE)
        window.show()
        wizard = window.wizard
        assert wizard is not None
        wizard.org_page.org.setText("Lighthouse Women's Aid")
        wizard.org_page.refuge.setText("Harbour House")
        wizard.org_page.address.setPlainText("1 Imaginary Lane, Nowhereton")
        shot(app, window, out, "setup-1-organisation")
        wizard.next()
        wizard.manager_page.username.setText("amira")
        wizard.manager_page.full_name.setText("Amira Haddad")
        wizard.manager_page.fields.first.setText("lantern orbit mango")
        shot(app, window, out, "setup-2-manager")
        wizard.manager_page.fields.first.setText("lantern orbit mango kettle")
        wizard.manager_page.fields.second.setText("lantern orbit mango kettle")
        wizard.next()
        while wizard.session is None:  # the vault is made off the UI thread
            app.processEvents()
        shot(app, window, out, "setup-3-recovery-key")
        window.close()

        folder = demo.demo_folder(Path(tmp))
        demo.create_demo_vault(folder).close()
        window = MainWindow(
            folder, ScriptedDialogs(), demo_hint=(demo.DEMO_USER, demo.DEMO_PASSPHRASE)
        )
        window.resize(*SIZE)
        window.show()
        shot(app, window, out, "sign-in")
        session = auth.sign_in(folder, demo.DEMO_USER, demo.DEMO_PASSPHRASE)
        window.start_session(session)
        wait(app, 0.3)
        shot(app, window, out, "home")
        window.show_section("residents")
        shot(app, window, out, "residents-privacy-mode")
        page = window.page("residents")
        page.show_names.setChecked(True)
        shot(app, window, out, "residents")
        rows = page.model.rows
        window.open_resident(rows[0].id)
        shot(app, window, out, "resident-record")
        editor = window.editor
        assert editor is not None
        children = next(
            i for i in range(editor.tabs.count()) if editor.tabs.tabText(i) == "Children"
        )
        editor.tabs.setCurrentIndex(children)
        shot(app, window, out, "resident-children")
        editor.tabs.setCurrentIndex(0)
        window.show_section("rooms")
        shot(app, window, out, "rooms")
        window.show_section("staff")
        shot(app, window, out, "staff")
        plan_shots(app, window, session, out)
        casework_shots(app, window, session, out)
        trust_shots(app, window, session, out)
        window.show_section("residents")
        window.lock("manual")
        shot(app, window, out, "locked")
        window.sign_out()
        volunteer = auth.sign_in(folder, "relief.jo", "cobalt meadow drift anchor")
        window.start_session(volunteer)
        shot(app, window, out, "volunteer-home")
        window.show_section("residents")
        rota_page = window.page("residents")
        rota_page.view.selectRow(0)
        shot(app, window, out, "volunteer-rota")
        window.shutdown()
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
