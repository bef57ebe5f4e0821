"""A screen reader can name every control: a walk over every page and dialog.

Signed in as a manager on demo data, every page of the main window (her record with all its
tabs, the plan, the admin pages, the sign-in page) and every dialog of ours (built directly,
shown without a modal) is walked; every widget she can focus or work is asked for its
accessible name as a screen reader would (QAccessible's interface, not Qt's property), and
drop-downs must announce their label, not their current value.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QStackedWidget,
    QWidget,
)

from refuge_desk.domain.deadlines import Application, CourtOrder, TaskDraft
from refuge_desk.domain.residents import Child, Room
from refuge_desk.services import demo, notes, plans, residents, risk, staff
from refuge_desk.services.demo.plans import seed_plans
from refuge_desk.services.session import Session
from refuge_desk.store.vault import VaultFolder
from refuge_desk.ui.admin.settings_dialog import SettingsDialog
from refuge_desk.ui.admin.staff_page import (
    AddStaffDialog,
    ChangeOwnPassphraseDialog,
    ChangeRoleDialog,
    PassphraseSeenDialog,
    ResetPassphraseDialog,
)
from refuge_desk.ui.admin.stats_dialog import StatsDialog
from refuge_desk.ui.casework.immigration_tab import ApplicationDialog
from refuge_desk.ui.casework.orders_tab import OrderDialog
from refuge_desk.ui.casework.risk_dialogs import (
    AssessmentViewDialog,
    ChecklistDialog,
    IncidentDialog,
    ReferralDialog,
)
from refuge_desk.ui.casework.support_tab import SupportReviewDialog
from refuge_desk.ui.casework.tasks_page import TaskDialog
from refuge_desk.ui.common.accessible import INTERACTIVE, inner_part
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from refuge_desk.ui.exports.backup_dialog import BackupDialog, NewBackupKeyDialog
from refuge_desk.ui.exports.recovery_sheet_dialog import NewRecoverySheetDialog
from refuge_desk.ui.exports.restore_dialog import RestoreDialog
from refuge_desk.ui.exports.sar_dialog import SarDialog
from refuge_desk.ui.exports.transfer_notes_dialog import TransferNotesDialog
from refuge_desk.ui.plans.plan_dialogs import CompareDialog, FinaliseDialog, ReviewDialog
from refuge_desk.ui.plans.plan_kept_dialog import KeptTypingDialog
from refuge_desk.ui.plans.plan_print_dialog import PlanPrintDialog
from refuge_desk.ui.residents.history_dialog import HistoryDialog
from refuge_desk.ui.residents.import_dialog import ImportResidentsDialog
from refuge_desk.ui.residents.resident_widgets import ChildDialog
from refuge_desk.ui.residents.rooms_page import RoomDialog
from refuge_desk.ui.shell.main_window import MainWindow
from refuge_desk.ui.shell.recovery_dialog import NewRecoveryKeyDialog, RecoveryDialog
from tests.conftest import FakeClock


def _shown(widget: QWidget, root: QWidget) -> bool:
    """Shown when its screen is: a hidden page of a stack or a tab still counts, a widget
    hidden on purpose does not."""
    w: QWidget | None = widget
    while w is not None and w is not root:
        parent = w.parentWidget()
        if w.isHidden() and not isinstance(parent, QStackedWidget):
            return False
        w = parent
    return True


def interactive_widgets(root: QWidget) -> Iterator[QWidget]:
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, INTERACTIVE) and not inner_part(widget) and _shown(widget, root):
            yield widget


def name_of(widget: QWidget) -> str:
    face = QAccessible.queryAccessibleInterface(widget)
    assert face is not None, type(widget).__name__
    return face.text(QAccessible.Text.Name).strip()


def unnamed(screen: str, root: QWidget) -> tuple[int, list[str]]:
    """How many controls the screen has, and those a screen reader could not name."""
    found = list(interactive_widgets(root))
    missing = []
    for widget in found:
        name = name_of(widget)
        if isinstance(widget, QComboBox) and not widget.accessibleName():
            name = ""  # it would announce its current value, not what it asks
        if not name:
            where = widget.objectName() or widget.toolTip() or type(widget.parentWidget()).__name__
            missing.append(f"{screen}: {type(widget).__name__} ({where})")
    return len(found), missing


@pytest.fixture
def demo_window(qtbot, manager_session: Session, vault_dir: Path, clock: FakeClock) -> MainWindow:
    demo.seed(manager_session, 8, notes_per_resident=2, seed_value=11)
    seed_plans(manager_session, random.Random(12), count=3)
    demo.seed_casework(manager_session, random.Random(13))
    window = MainWindow(
        VaultFolder(vault_dir),
        ScriptedDialogs(),
        clock=clock,
        idle_clock=clock.seconds,
        signin_seconds=clock.seconds,
    )
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.start_session(manager_session)
    return window


def _planned(session: Session) -> int:
    for (rid,) in session.db.query("SELECT id FROM residents ORDER BY id"):
        if plans.get(session, int(rid)).latest_version:
            return int(rid)
    raise AssertionError("the demo data has no agreed plan")


def _dialogs(
    session: Session,
    window: MainWindow,
    rid: int,
    vault: Path,
    walk: Callable[[str, QWidget], None],
) -> Iterator[QDialog]:
    """Every dialog of ours, built as the app builds it."""
    d = ScriptedDialogs()

    def new_key(key_dialog: QDialog) -> None:  # the Backups dialog's first opening shows it
        assert isinstance(key_dialog, NewBackupKeyDialog)
        walk(type(key_dialog).__name__, key_dialog)
        key_dialog.confirm.setChecked(True)
        key_dialog.done_button.click()

    me = session.user
    other = next(u for u in staff.list_staff(session) if u.id != me.id)
    today = session.today()
    state = plans.get(session, rid)
    draft = state.draft or plans.start_draft(session, rid)
    draft = plans.get(session, rid).draft
    assert draft is not None
    note_page = notes.list_notes(session, rid)
    her = residents.get(session, rid)
    makers: list[Callable[[], QDialog]] = [
        lambda: SettingsDialog(session, window, d),
        lambda: AddStaffDialog(session, window),
        lambda: ChangeRoleDialog(session, other, window),
        lambda: ResetPassphraseDialog(session, other, window),
        lambda: ChangeOwnPassphraseDialog(session, window),
        lambda: PassphraseSeenDialog(session, other, window),
        lambda: StatsDialog(session, d, window),
        lambda: ApplicationDialog(session, Application(resident_id=rid), window),
        lambda: OrderDialog(session, CourtOrder(resident_id=rid, starts_on=today), window),
        lambda: ChecklistDialog(session, d, rid, parent=window),
        lambda: IncidentDialog(session, rid, window),
        lambda: ReferralDialog(session, rid, None, (), window),
        lambda: SupportReviewDialog(session, rid, None, window),
        lambda: TaskDialog(session, TaskDraft(resident_id=rid), "", window),
        lambda: BackupDialog(session, ScriptedDialogs(new_key), window),
        lambda: NewRecoverySheetDialog(session, d, window),
        lambda: RestoreDialog(VaultFolder(vault), FakeClock(), d, window),
        lambda: SarDialog(session, d, rid, window, printer=lambda _p, _b: True),
        lambda: TransferNotesDialog(note_page.notes, window),
        lambda: FinaliseDialog(
            session, rid, draft.revision, draft.template, draft.content, 2, None, window
        ),
        lambda: ReviewDialog(session, rid, 1, [me.id], window),
        lambda: CompareDialog(
            session, rid, [("Draft", plans.DRAFT), ("Version 1", 1)], 1, plans.DRAFT, window
        ),
        lambda: KeptTypingDialog("typed words", "24 Nov 2026 10:00", window),
        lambda: PlanPrintDialog(session, d, rid, plans.DRAFT, window, printer=lambda _p, _b: True),
        lambda: HistoryDialog(session, d, rid, window),
        lambda: ImportResidentsDialog(session, d, window),
        lambda: ChildDialog(her.children[0] if her.children else Child(full_name="A"), window),
        lambda: RoomDialog(session, Room(name="Room 1", beds=2), window),
        lambda: RecoveryDialog(VaultFolder(vault), FakeClock(), window),
        lambda: NewRecoveryKeyDialog(session, window),
    ]
    assessed = risk.assessments(session, rid)
    if assessed:
        makers.append(lambda: AssessmentViewDialog(session, assessed[0].id, window))
    for make in makers:
        yield make()


def test_every_control_on_every_screen_has_a_name(qtbot, demo_window, manager_session, vault_dir):
    window = demo_window
    session = manager_session
    rid = _planned(session)
    counted: list[int] = []
    missing: list[str] = []

    def walk(screen: str, root: QWidget) -> None:
        n, names = unnamed(screen, root)
        counted.append(n)
        missing.extend(names)

    for section in ("home", "residents", "rooms", "staff", "audit", "retention"):
        window.show_section(section)
        walk(section, window.page(section))
    for section in ("reviews", "tasks", "notes"):
        window.show_section(section)
        walk(section, window.page(section))
    window.open_resident(rid)
    editor = window.editor
    assert editor is not None
    for i in range(editor.tabs.count()):  # each tab loads as she opens it
        editor.set_current_tab(i)
        for name in editor.casework.widgets:
            editor.casework.show_tab(name)
    walk("record", editor)
    window.open_plan(rid)
    plan_page = window.plan_page
    assert plan_page is not None
    for i in range(plan_page.sections.count()):  # each section is built as it is opened
        plan_page.set_current_section(i)
    walk("plan", plan_page)
    walk("window", window.toolbar)
    walk("sign-in", window.signin)
    for dialog in _dialogs(session, window, rid, vault_dir, walk):
        qtbot.addWidget(dialog)
        dialog.show()
        walk(type(dialog).__name__, dialog)
        dialog.reject()

    print(f"\n{len(missing)} of {sum(counted)} controls on {len(counted)} screens have no name")
    assert not missing, "\n".join(missing)


def test_the_set_up_wizard_names_every_control(qtbot, tmp_path: Path):
    clock = FakeClock(dt.datetime(2026, 11, 24, 10, 0))
    window = MainWindow(VaultFolder(tmp_path / "new"), ScriptedDialogs(), clock=clock)
    qtbot.addWidget(window)
    window.show()
    assert window.wizard is not None
    _n, missing = unnamed("set-up", window.wizard)
    window.wizard.next()
    _n2, missing2 = unnamed("set-up 2", window.wizard)
    assert missing + missing2 == []
