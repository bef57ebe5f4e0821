"""The one main window: set-up, sign-in/unlock, and the workspace, with the lock sequence.

Lock (KeePassXC's order): park unsaved edits as an encrypted draft, close dialogs, clear the
clipboard if it holds our text, clear every model and widget, close the connection and zero
the key. Unlock brings her back to the same screen and the same unsaved edit.

Slow vault work (a backup, changing the vault's keys) runs on one job runner's worker thread
(ui/common/job_runner.py); meanwhile the draft autosave and the compaction leave the vault alone. A
rekey cannot stop halfway: a lock, sign-out or close asked for during one (idle, Ctrl+L, F12,
the screen locking) is done as soon as it ends.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QWidget,
)

from refuge_desk import APP_NAME
from refuge_desk.diagnostics.logging_setup import log_unexpected
from refuge_desk.domain import plans as plan_domain
from refuge_desk.domain.deadlines import Target
from refuge_desk.domain.errors import UserError, ValidationError
from refuge_desk.services import (
    auth,
    drafts,
    plan_print,
    plan_templates,
    plans,
    recovery,
    retention,
    risk,
    settings,
)
from refuge_desk.services import residents as residents_service
from refuge_desk.services.export import backup, transfer
from refuge_desk.services.session import Clock, Session, system_clock
from refuge_desk.store.vault import VaultFolder
from refuge_desk.ui.admin.audit_page import AuditPage
from refuge_desk.ui.admin.retention_page import RetentionPage
from refuge_desk.ui.admin.settings_dialog import SettingsDialog
from refuge_desk.ui.admin.staff_page import ChangeOwnPassphraseDialog, StaffPage
from refuge_desk.ui.casework.note_search_page import NoteSearchPage
from refuge_desk.ui.casework.tasks_page import TasksPage
from refuge_desk.ui.common import style
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import wait_cursor
from refuge_desk.ui.common.job_runner import JobRunner
from refuge_desk.ui.exports.backup_dialog import BackupDialog, due_now, status_text
from refuge_desk.ui.exports.backup_runner import BackupRunner
from refuge_desk.ui.exports.restore_dialog import RestoreDialog
from refuge_desk.ui.exports.sar_dialog import SarDialog
from refuge_desk.ui.exports.transfer_notes_dialog import TransferNotesDialog
from refuge_desk.ui.home.home_page import HomePage
from refuge_desk.ui.plans.plan_kept_dialog import KeptTypingDialog, kept_text
from refuge_desk.ui.plans.plan_page import PlanPage
from refuge_desk.ui.plans.plan_print_dialog import PlanPrintDialog
from refuge_desk.ui.plans.plan_reviews_page import PlanReviewsPage
from refuge_desk.ui.residents.import_dialog import ImportResidentsDialog
from refuge_desk.ui.residents.resident_editor import ResidentEditor
from refuge_desk.ui.residents.residents_page import ResidentsPage
from refuge_desk.ui.residents.rooms_page import RoomsPage
from refuge_desk.ui.shell.capture_guard import CaptureGuard
from refuge_desk.ui.shell.clipboard import ClipboardGuard
from refuge_desk.ui.shell.idle import IdleWatcher
from refuge_desk.ui.shell.panic_keys import PanicKeys
from refuge_desk.ui.shell.recovery_dialog import NewRecoveryKeyDialog, RecoveryDialog
from refuge_desk.ui.shell.screen_lock import ScreenLockMonitor
from refuge_desk.ui.shell.setup_wizard import SetupWizard
from refuge_desk.ui.shell.signin_page import SignInPage

log = logging.getLogger(__name__)


def _local_time(stamp: str) -> str:
    try:
        return dt.datetime.fromisoformat(stamp).astimezone().strftime("%d %b %Y %H:%M")
    except ValueError:
        return stamp


LOCK_SHORTCUT = "Ctrl+L"
HIDE_SHORTCUT = "F12"
DRAFT_AUTOSAVE_MS = 3000
COMPACT_DELAY_MS = 5000  # after a purge, VACUUM once she has not been busy for a moment
ALARM_TITLE = "The audit log was changed"
# What a job that cannot stop halfway is followed by, when several were asked for meanwhile.
_AFTER_JOB_RANK = {"close": 4, "sign out": 3, "quick hide": 2}
_AFTER_JOB_TEXT = {
    "close": "Refuge Desk closes as soon as this is done.",
    "sign out": "You are signed out as soon as this is done.",
}


@dataclass(slots=True)
class Whereabouts:
    """Where she was when the vault locked, to bring her back there."""

    section: str = "residents"
    editing: bool = False
    record_id: int | None = None
    tab: int = 0


class MainWindow(QMainWindow):
    def __init__(
        self,
        folder: VaultFolder,
        dialogs: Dialogs | None = None,
        *,
        clock: Clock = system_clock,
        idle_clock: Callable[[], float] = time.monotonic,
        signin_seconds: Callable[[], float] = time.time,
        demo_hint: tuple[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.folder = folder
        self.dialogs = dialogs or Dialogs()
        self.clock = clock
        self.session: Session | None = None
        self.where = Whereabouts()
        self._pages: dict[str, QWidget] = {}
        self.editor: ResidentEditor | None = None
        self.plan_page: PlanPage | None = None
        self.recovery_prompt: NewRecoveryKeyDialog | None = None
        self.backup_runner = BackupRunner(self)
        # One runner for every slow vault job (backups and rekeys): never two at once, and the
        # timers and the lock look in one place.
        self.jobs: JobRunner = self.backup_runner
        self.jobs.finished.connect(self._after_job)
        self._after_job_do = ""  # a lock reason, "sign out" or "close" asked for during a rekey
        self._locking = False
        self.transfer_notes_dialog: TransferNotesDialog | None = None
        self.setWindowTitle(APP_NAME + (" — demo" if demo_hint else ""))
        self.resize(1180, 760)

        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.signin = SignInPage(folder, clock, signin_seconds, demo_hint=demo_hint)
        self.stack.addWidget(self.signin)
        self.signin.signed_in.connect(self.start_session)
        self.signin.unlocked.connect(self._after_unlock)
        self.signin.switch_user.connect(self.sign_out)
        self.signin.forgot_passphrase.connect(self.open_recovery)
        self.wizard: SetupWizard | None = None
        self.workspace = QStackedWidget()
        self.stack.addWidget(self.workspace)

        self.idle = IdleWatcher(settings.AUTO_LOCK_DEFAULT * 60, idle_clock, parent=self)
        self.idle.idle.connect(lambda: self.lock("idle"))
        self.panic = PanicKeys(self.quick_hide, lambda: self.lock("manual"), self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle)
            app.installEventFilter(self.panic)
        self.screen_lock = ScreenLockMonitor(self)
        self.screen_lock.screen_locked.connect(lambda: self.lock("screen"))

        self.clipboard = ClipboardGuard(self)
        # Windows: every window of ours kept out of screen captures (a setting allows it).
        self.capture_guard = CaptureGuard(self)
        if app is not None:
            app.installEventFilter(self.capture_guard)
        self.lock_on_minimise = True
        self.draft_timer = QTimer(self)
        self.draft_timer.setInterval(DRAFT_AUTOSAVE_MS)
        self.draft_timer.timeout.connect(self.autosave_draft)

        self._build_toolbar()
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)

        if folder.exists():
            self.show_sign_in()
        else:
            self.show_setup()

    # -- toolbar ---------------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        tb = QToolBar("Main")
        tb.setObjectName("main_toolbar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(tb)
        self.toolbar = tb
        self.nav = QActionGroup(self)
        self.nav.setExclusive(True)
        # Optional: pages reached from "More" (audit, retention) check no toolbar button.
        self.nav.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
        self.act_home = self._nav_action("Home", "home", "Ctrl+0")
        self.act_home.setToolTip("Today and this week: tasks, deadlines, who is here, backups")
        self.act_residents = self._nav_action("Residents", "residents", "Ctrl+1")
        self.act_tasks = self._nav_action("Tasks", "tasks", "Ctrl+5")
        self.act_reviews = self._nav_action("Plan reviews", "reviews", "Ctrl+4")
        self.act_reviews.setToolTip("Safety plans overdue or due for review in the next 7 days")
        self.act_notes = self._nav_action("Search notes", "notes", "Ctrl+Shift+F")
        self.act_notes.setToolTip("Search every case note you may see (Ctrl+Shift+F)")
        self.act_rooms = self._nav_action("Rooms", "rooms", "Ctrl+2")
        self.act_staff = self._nav_action("Staff", "staff", "Ctrl+3")
        self.act_find = QAction("Find a resident", self)
        self.act_find.setShortcut(QKeySequence("Ctrl+F"))
        self.act_find.triggered.connect(self.focus_search)
        self.addAction(self.act_find)
        tb.addSeparator()
        self.act_backups = QAction("Backups…", self)
        self.act_backups.triggered.connect(self.open_backups)
        tb.addAction(self.act_backups)
        # Less frequent work, in one menu so the toolbar stays calm.
        more = QMenu("More", self)
        more.setObjectName("more_menu")
        self.more_menu = more
        self.act_import = QAction("Import residents…", self)
        self.act_import.triggered.connect(self.open_import)
        self.act_transfer_in = QAction("Import a transfer…", self)
        self.act_transfer_in.setToolTip("A resident moving here from another refuge")
        self.act_transfer_in.triggered.connect(self.transfer_in)
        self.act_import_template = QAction("Import plan template…", self)
        self.act_import_template.triggered.connect(self.import_template)
        self.act_import_checklist = QAction("Import risk checklist…", self)
        self.act_import_checklist.triggered.connect(self.import_checklist)
        self.act_stats = QAction("Statistics…", self)
        self.act_stats.setToolTip("Funder statistics: counts only, small numbers hidden")
        self.act_stats.triggered.connect(self.open_stats)
        self.act_settings = QAction("Settings…", self)
        self.act_settings.triggered.connect(self.open_settings)
        self.act_passphrase = QAction("My passphrase…", self)
        self.act_passphrase.triggered.connect(self.open_change_passphrase)
        for act in (
            self.act_import,
            self.act_transfer_in,
            self.act_import_template,
            self.act_import_checklist,
        ):
            more.addAction(act)
        more.addSeparator()
        self.act_retention = QAction("Retention and deletion…", self)
        self.act_retention.setToolTip("Records due for deletion, legal holds, delete for good")
        self.act_retention.triggered.connect(lambda: self.show_section("retention"))
        self.act_audit = QAction("Audit log…", self)
        self.act_audit.setToolTip("Who saw and changed what; check that nobody edited the log")
        self.act_audit.triggered.connect(lambda: self.show_section("audit"))
        for act in (
            self.act_stats,
            self.act_audit,
            self.act_retention,
            self.act_settings,
            self.act_passphrase,
        ):
            more.addAction(act)
        more_button = QToolButton()
        more_button.setObjectName("more_button")
        more_button.setText("More ▾")
        more_button.setMenu(more)
        more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        tb.addWidget(more_button)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        tb.addWidget(spacer)
        self.act_sign_out = QAction("Sign out", self)
        self.act_sign_out.triggered.connect(self.sign_out)
        tb.addAction(self.act_sign_out)
        # The keys themselves are caught by PanicKeys (they must work inside modal dialogs).
        self.act_lock = QAction(f"Lock ({LOCK_SHORTCUT})", self)
        self.act_lock.triggered.connect(lambda: self.lock("manual"))
        tb.addAction(self.act_lock)
        # Window-independent so it works even with a dialog open.
        self.act_hide = QAction(f"Quick hide ({HIDE_SHORTCUT})", self)
        self.act_hide.setObjectName("quick_hide")
        self.act_hide.setToolTip("Hide every Refuge Desk window and lock it at once")
        self.act_hide.triggered.connect(self.quick_hide)
        tb.addAction(self.act_hide)
        tb.hide()

    def _nav_action(self, text: str, section: str, shortcut: str) -> QAction:
        act = QAction(text, self)
        act.setCheckable(True)
        act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(lambda: self.show_section(section))
        self.nav.addAction(act)
        self.toolbar.addAction(act)
        return act

    # -- screens before sign-in ------------------------------------------------------------
    def show_setup(self) -> None:
        wizard = SetupWizard(self.folder, self.clock, dialogs=self.dialogs)
        wizard.finished_setup.connect(self._setup_done)
        wizard.rejected.connect(self._setup_cancelled)
        wizard.restore_requested.connect(self.open_restore)
        self.wizard = wizard
        self.stack.addWidget(wizard)
        self.stack.setCurrentWidget(wizard)
        self.toolbar.hide()

    def open_restore(self) -> None:
        """From the set-up wizard: a backup becomes this laptop's vault, then she signs in."""
        dialog = RestoreDialog(self.folder, self.clock, self.dialogs, self)
        if self.dialogs.run(dialog) != QDialog.DialogCode.Accepted or dialog.result is None:
            return
        try:
            session = auth.sign_in(
                self.folder, dialog.username, dialog.passphrase, clock=self.clock
            )
        except UserError as err:
            self.dialogs.error(self, "Restore from a backup", str(err))
            return
        finally:
            dialog.passphrase = ""
        self._setup_done(session)

    def _setup_done(self, session: Session) -> None:
        if not self.folder.claimed:  # set-up and restore claim it already; never work without
            try:
                self.folder.acquire()
            except UserError as err:
                session.close()
                self.dialogs.error(self, APP_NAME, str(err))
                self.close()
                return
        wizard, self.wizard = self.wizard, None
        if wizard is not None:
            self.stack.removeWidget(wizard)
            wizard.deleteLater()
        self.start_session(session)

    def _setup_cancelled(self) -> None:
        if self.wizard is not None and self.wizard.session is not None:
            self._setup_done(self.wizard.session)
            return
        self.close()

    def show_sign_in(self, message: str = "") -> None:
        self.toolbar.hide()
        self.statusBar().clearMessage()
        self.status_label.setText(f"Quick hide: {HIDE_SHORTCUT}")
        self.signin.show_sign_in(message)
        self.stack.setCurrentWidget(self.signin)

    def open_recovery(self) -> None:
        dialog = RecoveryDialog(self.folder, self.clock, self)
        if self.dialogs.run(dialog) == QDialog.DialogCode.Accepted and dialog.session is not None:
            self.dialogs.info(
                self, "New passphrase set", "Your new passphrase is set. You are signed in."
            )
            self.start_session(dialog.session)

    # -- the workspace ---------------------------------------------------------------------
    def _apply_protections(self, session: Session) -> None:
        prot = settings.protections(session)
        self.clipboard.clear_after = prot.clipboard_clear_seconds
        self.lock_on_minimise = prot.lock_on_minimise
        self.capture_guard.set_allowed(prot.allow_screen_capture, QApplication.topLevelWidgets())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if (
            event.type() == QEvent.Type.WindowStateChange
            and self.isMinimized()
            and self.lock_on_minimise
            and self.session is not None
            and self.session.is_open
        ):
            self.lock("minimise")

    def start_session(self, session: Session) -> None:
        self.session = session
        self.where = Whereabouts()
        self._apply_protections(session)
        self._build_pages(session)
        self._apply_role(session)
        self.idle.timeout = settings.auto_lock_minutes(session) * 60
        self.idle.start()
        self.draft_timer.start()
        self.toolbar.show()
        self.stack.setCurrentWidget(self.workspace)
        self.show_section("home")
        self._update_status()
        self._show_sign_in_messages(session)
        if session.role.manages_settings and not recovery.is_confirmed(session):
            self.recovery_prompt = NewRecoveryKeyDialog(session, self)
            self.recovery_prompt.finished.connect(lambda _r: self._offer_drafts())
            self.recovery_prompt.open()
        else:
            self._offer_drafts()

    def _build_pages(self, session: Session) -> None:
        self._drop_pages()
        home = HomePage(session, self.dialogs)
        home.open_target.connect(self.open_target)
        self._pages["home"] = home
        residents = ResidentsPage(session, self.dialogs)
        residents.open_resident.connect(self.open_resident)
        residents.new_resident.connect(lambda: self.open_resident(None))
        self._pages["residents"] = residents
        self._pages["rooms"] = RoomsPage(session, self.dialogs)
        if session.role.manages_staff:
            self._pages["staff"] = StaffPage(session, self.dialogs, runner=self.jobs)
            self._pages["audit"] = AuditPage(session, self.dialogs)
            retention_page = RetentionPage(session, self.dialogs)
            retention_page.purged.connect(lambda _rid: self._after_purge())
            self._pages["retention"] = retention_page
        if session.role.sees_case_detail:
            editor = ResidentEditor(session, self.dialogs)
            editor.saved.connect(self._editor_saved)
            editor.closed.connect(self._editor_closed)
            editor.plan_requested.connect(self.open_plan)
            editor.sar_requested.connect(self.open_sar)
            editor.transfer_requested.connect(self.transfer_out)
            self.editor = editor
            self._pages["editor"] = editor
            plan_page = PlanPage(session, self.dialogs)
            plan_page.back_to_record.connect(self.open_resident)
            plan_page.closed.connect(lambda: self.show_section("residents"))
            plan_page.print_requested.connect(self.print_plan)
            self.plan_page = plan_page
            self._pages["plan"] = plan_page
            reviews = PlanReviewsPage(session, self.dialogs)
            reviews.open_plan.connect(self.open_plan)
            self._pages["reviews"] = reviews
            tasks_page = TasksPage(session, self.dialogs)
            tasks_page.open_target.connect(self.open_target)
            self._pages["tasks"] = tasks_page
            search = NoteSearchPage(session, self.dialogs)
            search.open_resident.connect(lambda rid: self.open_target(Target(rid, "notes")))
            self._pages["notes"] = search
        # A volunteer has no editor: the residents page shows her the rota card instead.
        for page in self._pages.values():
            self.workspace.addWidget(page)

    def _drop_pages(self) -> None:
        for page in self._pages.values():
            self.workspace.removeWidget(page)
            page.deleteLater()
        self._pages.clear()
        self.editor = None
        self.plan_page = None

    def _apply_role(self, session: Session) -> None:
        role = session.role
        self.act_staff.setVisible(role.manages_staff)
        self.act_settings.setVisible(role.manages_settings)
        self.act_import.setVisible(role.edits_residents)
        self.act_reviews.setVisible(role.sees_case_detail)
        self.act_tasks.setVisible(role.sees_case_detail)
        self.act_notes.setVisible(role.sees_case_detail)
        self.act_import_checklist.setVisible(role.manages_settings)
        self.act_audit.setVisible(role.manages_staff)
        self.act_retention.setVisible(role.manages_staff)
        self.act_import_template.setVisible(role.manages_settings)
        self.act_stats.setVisible(role.manages_staff)
        self.act_backups.setVisible(role.sees_case_detail)
        self.act_transfer_in.setVisible(role.edits_residents)

    def _update_status(self) -> None:
        s = self.session
        if s is None or not s.is_open:
            return
        minutes = settings.auto_lock_minutes(s)
        text = (
            f"Signed in as {s.user.full_name} ({s.role.label}) · locks after {minutes} min "
            f"without use · {HIDE_SHORTCUT} hides at once"
        )
        warn = False
        if s.role.sees_case_detail:
            backup_line, warn = status_text(s)
            text = f"{backup_line} · {text}"
        self.status_label.setText(text)
        self.status_label.setStyleSheet(
            f"color: {style.DANGER}; font-weight: bold;" if warn else ""
        )

    def show_section(self, section: str) -> None:
        editor = self.editor
        if (
            editor is not None
            and self.workspace.currentWidget() is editor
            and editor.has_unsaved_changes()
            and not editor.request_close()
        ):
            self._check_nav("residents")
            return
        if self.plan_page is not None and self.workspace.currentWidget() is self.plan_page:
            self._settle_plan()
        page = self._pages.get(section)
        if page is None:
            return
        self.where = Whereabouts(section=section)
        self._check_nav(section)
        page.refresh()  # type: ignore[attr-defined]
        self.workspace.setCurrentWidget(page)

    def _check_nav(self, section: str) -> None:
        act = {
            "home": self.act_home,
            "tasks": self.act_tasks,
            "notes": self.act_notes,
            "residents": self.act_residents,
            "rooms": self.act_rooms,
            "staff": self.act_staff,
            "reviews": self.act_reviews,
        }.get(section)
        if act is not None:
            act.setChecked(True)
        elif (checked := self.nav.checkedAction()) is not None:
            checked.setChecked(False)

    def focus_search(self) -> None:
        page = self._pages.get("residents")
        if page is None or self.stack.currentWidget() is not self.workspace:
            return
        self.show_section("residents")
        if self.workspace.currentWidget() is page:
            page.search.setFocus()
            page.search.selectAll()

    def open_resident(self, resident_id: int | None) -> None:
        if self.session is None:
            return
        if self.editor is None:
            return
        if self.plan_page is not None and self.workspace.currentWidget() is self.plan_page:
            self._settle_plan()
        self.editor.load(resident_id)  # shows any problem inline
        self.workspace.setCurrentWidget(self.editor)
        self.where = Whereabouts("residents", True, resident_id)

    def _after_purge(self) -> None:
        """Her record is gone: drop it from every page, and compact the vault once it is idle
        (VACUUM rewrites the file without the freed pages)."""
        for name in ("residents", "home", "tasks"):
            page = self._pages.get(name)
            if page is not None:
                page.refresh()  # type: ignore[attr-defined]
        QTimer.singleShot(COMPACT_DELAY_MS, self._compact_if_idle)

    def _compact_if_idle(self) -> None:
        session = self.session
        if session is None or not session.is_open:
            return
        if self._vault_busy() or QApplication.activeModalWidget() is not None:
            QTimer.singleShot(COMPACT_DELAY_MS, self._compact_if_idle)  # she is busy: later
            return
        try:
            with wait_cursor():
                retention.compact(session)
        except UserError as exc:
            log.info("compact after purge failed: %s", type(exc).__name__)

    def open_target(self, target: Target) -> None:
        """One click from the home screen or the task list to the right place."""
        if self.session is None or not self.session.is_open:
            return
        if target.resident_id is None:
            if target.tab == "backups":
                self.open_backups()
            elif target.tab in self._pages:
                self.show_section(target.tab)
            return
        if target.tab == "plan":
            self.open_plan(target.resident_id)
            return
        if target.tab == "tasks" and "tasks" in self._pages:
            page = self._pages["tasks"]
            self.show_section("tasks")
            page.set_resident(target.resident_id)  # type: ignore[attr-defined]
            return
        if self.editor is None:
            self.show_section("residents")
            return
        if (
            self.workspace.currentWidget() is self.editor
            and self.editor.has_unsaved_changes()
            and self.editor.resident_id != target.resident_id
            and not self.editor.request_close()
        ):
            return
        self.open_resident(target.resident_id)
        self._check_nav("residents")
        self.editor.casework.show_tab(target.tab)

    def _editor_saved(self, resident_id: int) -> None:
        if self.session is not None and self.session.is_open:
            drafts.discard(self.session, drafts.RESIDENT, self.where.record_id)
            drafts.discard(self.session, drafts.RESIDENT, resident_id)
        self.where = Whereabouts("residents", True, resident_id)

    def _editor_closed(self) -> None:
        if self.session is not None and self.session.is_open:
            drafts.discard(self.session, drafts.RESIDENT, self.where.record_id)
        self.show_section("residents")

    # -- safety plans ----------------------------------------------------------------------
    def open_plan(self, resident_id: int) -> None:
        page = self.plan_page
        if self.session is None or page is None:
            return
        self._settle_plan()
        page.load(resident_id)  # shows any problem on the page
        self.workspace.setCurrentWidget(page)
        self.where = Whereabouts("plan", False, resident_id)
        self._check_nav("residents")
        self._offer_kept_plan_typing(resident_id)

    def _settle_plan(self) -> bool:
        """Unsaved plan typing goes into the plan, or (refused) is kept as a draft: never lost.

        The plan's own autosave writes every few seconds; this runs on leaving it and on lock.
        """
        page, session = self.plan_page, self.session
        if page is None or session is None or not session.is_open:
            return True
        if not page.has_unsaved_changes() or page.save_now():
            return True
        if page.resident_id is None:
            return False
        drafts.park(
            session,
            drafts.PLAN,
            page.resident_id,
            {"content": page.typed_content(), "kept_at": session.stamp()},
        )
        page.forget_typing()
        log.info("plan typing kept as a draft after a refused save")
        return False

    def _offer_kept_plan_typing(self, resident_id: int) -> None:
        session = self.session
        if session is None or not session.is_open:
            return
        kept = [
            r for r in drafts.mine(session) if r.kind == drafts.PLAN and r.record_id == resident_id
        ]
        if not kept:
            return
        payload = drafts.load(kept[0])
        try:
            state = plans.get(session, resident_id)
            if state.draft is not None:
                template, current = state.draft.template, state.draft.content
            else:
                template = plan_print.template_for(session, resident_id, plan_print.LATEST)
                current = {}
        except UserError as err:
            self.dialogs.error(self, "Safety plan", str(err))
            return
        text = kept_text(template, current, plan_domain.normalise(template, payload.get("content")))
        dialog = KeptTypingDialog(text, _local_time(str(payload.get("kept_at", ""))), self)
        if self.dialogs.run(dialog) == QDialog.DialogCode.Accepted and self.dialogs.confirm(
            self, "Throw away kept typing?", "Throw this kept typing away for good?"
        ):
            drafts.discard(session, drafts.PLAN, resident_id)

    def print_plan(self, resident_id: int, which: object) -> None:
        if self.session is None or not self.session.is_open:
            return
        try:
            dialog = PlanPrintDialog(self.session, self.dialogs, resident_id, which, self)  # type: ignore[arg-type]
        except UserError as err:
            self.dialogs.error(self, "Print or save a plan", str(err))
            return
        self.dialogs.run(dialog)

    def transfer_out(self, resident_id: int) -> None:
        session = self.session
        if session is None or not session.is_open:
            return
        title = "Transfer to another refuge"
        notes = self.dialogs.choose(
            self,
            title,
            "Her record, her children and every version of her safety plan go in an encrypted "
            "file for the receiving refuge. Include her notes (the free-text notes on her "
            "record, and the case notes you choose next)?",
            [("with", "Include notes…"), ("without", "Leave notes out"), ("cancel", "Cancel")],
            default="without",
        )
        if notes not in ("with", "without"):
            return
        note_ids: list[int] = []
        if notes == "with":
            picked = self._pick_transfer_notes(session, resident_id)
            if picked is None:
                return
            note_ids = picked
        path = self.dialogs.save_file(self, title, "Transfer files (*.age)", "transfer.age")
        if path is None:
            return
        try:
            with wait_cursor():
                made = transfer.write(
                    session, resident_id, path, include_notes=notes == "with", note_ids=note_ids
                )
        except UserError as err:
            self.dialogs.error(self, title, str(err))
            return
        self.dialogs.info(
            self,
            title,
            f"Saved {path.name}. Read this one-time passphrase to the receiving refuge by "
            f"phone (never send it with the file):\n\n    {made.passphrase}\n\nDelete the "
            "file once they have it.",
        )

    def _pick_transfer_notes(self, session: Session, resident_id: int) -> list[int] | None:
        try:
            choices = transfer.note_choices(session, resident_id)
        except UserError as err:
            self.dialogs.error(self, "Transfer to another refuge", str(err))
            return None
        if not choices:
            return []
        dialog = TransferNotesDialog(choices, self)
        self.transfer_notes_dialog = dialog  # tests tick notes through it
        try:
            return dialog.chosen() if self.dialogs.run(dialog) else None
        finally:
            self.transfer_notes_dialog = None

    def transfer_in(self) -> None:
        session = self.session
        if session is None or not session.is_open:
            return
        title = "Import a transfer"
        path = self.dialogs.open_file(self, title, "Transfer files (*.age)")
        if path is None:
            return
        words = self.dialogs.ask_text(
            self, title, "The one-time passphrase the other refuge read to you:"
        )
        if not words:
            return
        try:
            data = path.read_bytes()
            with wait_cursor():
                arrived = transfer.receive(session, data, words)
        except OSError as exc:
            self.dialogs.error(self, title, f"The file could not be read ({exc.strerror}).")
            return
        except UserError as err:
            problems = getattr(err, "problems", None) or [str(err)]
            self.dialogs.error(self, title, "\n".join(problems))
            return
        self.dialogs.info(
            self,
            title,
            f"She is now {arrived.reference} (a referral; their {arrived.from_reference}), with "
            f"{arrived.versions} safety-plan version(s).",
        )
        self.open_resident(arrived.resident_id)

    def open_sar(self, resident_id: int) -> None:
        if self.session is None or not self.session.is_open:
            return
        try:
            dialog = SarDialog(self.session, self.dialogs, resident_id, self)
        except UserError as err:
            self.dialogs.error(self, "Subject access request", str(err))
            return
        self.dialogs.run(dialog)

    def open_backups(self) -> None:
        if self.session is None or not self.session.is_open:
            return
        self.dialogs.run(BackupDialog(self.session, self.dialogs, self, self.backup_runner))
        self._update_status()

    def _backup_if_due(self, reason: str) -> None:
        """On lock, sign-out or close (never on quick hide): the vault is still open here."""
        session = self.session
        if reason == "quick hide" or session is None or not session.is_open:
            return
        if not due_now(session):
            return
        words = {"close": "before Refuge Desk closes", "sign out": "before signing out"}
        try:
            self.backup_runner.run(
                session, self, f"Making the backup that is due {words.get(reason, 'now')}…"
            )
        except backup.Cancelled:
            log.info("backup on %s skipped", reason)
        except UserError as exc:  # recorded, and shown after the next sign-in
            log.info("backup on %s failed: %s", reason, type(exc).__name__)

    def open_stats(self) -> None:
        if self.session is None or not self.session.is_open:
            return
        # QtCharts loads only when a manager asks for statistics.
        from refuge_desk.ui.admin.stats_dialog import StatsDialog

        self.dialogs.run(StatsDialog(self.session, self.dialogs, self))

    def import_template(self) -> None:
        session = self.session
        if session is None or not session.is_open:
            return
        path = self.dialogs.open_file(self, "Import plan template", "Plan templates (*.json)")
        if path is None:
            return
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.dialogs.error(
                self, "Import plan template", f"The file could not be read: {exc.strerror}."
            )
            return
        try:
            info = plan_templates.import_template(session, data)
        except ValidationError as err:
            self.dialogs.error(
                self,
                "Import plan template",
                "This template was not added. Please fix:\n\n• " + "\n• ".join(err.problems),
            )
            return
        except UserError as err:
            self.dialogs.error(self, "Import plan template", str(err))
            return
        self.dialogs.info(
            self,
            "Import plan template",
            f'"{info.name}" (version {info.version}, {info.sections} sections) was added. '
            "New plans can use it from now on; agreed plans keep the template they were "
            "agreed with.",
        )

    def import_checklist(self) -> None:
        session = self.session
        if session is None or not session.is_open:
            return
        title = "Import risk checklist"
        path = self.dialogs.open_file(self, title, "Risk checklists (*.json)")
        if path is None:
            return
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.dialogs.error(self, title, f"The file could not be read: {exc.strerror}.")
            return
        try:
            info = risk.import_checklist(session, data)
        except ValidationError as err:
            self.dialogs.error(
                self,
                title,
                "This checklist was not added. Please fix:\n\n• " + "\n• ".join(err.problems),
            )
            return
        except UserError as err:
            self.dialogs.error(self, title, str(err))
            return
        self.dialogs.info(
            self,
            title,
            f'"{info.name}" (version {info.version}) was added. New checklists use it from '
            "now on; earlier ones keep the wording they were asked with.",
        )

    # -- drafts ----------------------------------------------------------------------------
    def _editing_dirty(self) -> bool:
        return self.editor is not None and self.where.editing and self.editor.has_unsaved_changes()

    def autosave_draft(self) -> None:
        """Every few seconds while she types: a crash or power cut loses at most this much."""
        if self.session is None or not self.session.is_open:
            return
        if self._vault_busy():
            return  # a backup or a rekey holds the vault for a moment: park on the next tick
        if self.editor is not None:
            self.editor.casework.park()  # a case note or risk checklist being typed
        if not self._editing_dirty():
            return
        assert self.editor is not None
        try:
            drafts.park(
                self.session, drafts.RESIDENT, self.where.record_id, self.editor.draft_payload()
            )
        except UserError:
            log.warning("draft autosave failed")

    def _offer_drafts(self) -> None:
        if self.session is None or self.editor is None:
            return
        rows = [r for r in drafts.mine(self.session) if r.kind == drafts.RESIDENT]
        if not rows:
            self._offer_casework_drafts()
            return
        row = rows[0]
        payload = drafts.load(row)
        ref = str(payload.get("reference") or "")
        what = f"the record {ref}" if ref else "a new resident"
        when = _local_time(row.updated_at)
        more = f"\n\n({len(rows) - 1} more will be offered next time.)" if len(rows) > 1 else ""
        answer = self.dialogs.choose(
            self,
            "Unsaved changes kept",
            f"Refuge Desk kept changes you had not saved to {what} ({when}).{more}",
            [("open", "Open them now"), ("later", "Keep for later"), ("discard", "Throw away")],
            default="open",
        )
        if answer == "open":
            self.open_resident(row.record_id)
            self.editor.restore_draft(payload)
        elif answer == "discard" and self.dialogs.confirm(
            self,
            "Throw away changes?",
            "Throw these unsaved changes away for good? This cannot be undone.",
        ):
            drafts.discard(self.session, drafts.RESIDENT, row.record_id)

    def _offer_casework_drafts(self) -> None:
        """A case note or risk checklist she was typing (kept at sign-out or after a crash)."""
        session = self.session
        if session is None or self.editor is None:
            return
        kinds = {drafts.CASE_NOTE: "a case note", drafts.RISK_CHECKLIST: "a risk checklist"}
        rows = [r for r in drafts.mine(session) if r.kind in kinds and r.record_id is not None]
        if not rows:
            return
        row = rows[0]
        ref = residents_service.reference_of(session, row.record_id) or "a resident"
        answer = self.dialogs.choose(
            self,
            "Unsaved typing kept",
            f"Refuge Desk kept {kinds[row.kind]} you had not saved for {ref} "
            f"({_local_time(row.updated_at)}).",
            [("open", "Open it now"), ("later", "Keep for later")],
            default="open",
        )
        if answer == "open":
            tab = "notes" if row.kind == drafts.CASE_NOTE else "risk"
            self.open_target(Target(row.record_id, tab))

    # -- slow vault jobs -------------------------------------------------------------------
    def _vault_busy(self) -> bool:
        return self.jobs.running or self.jobs.busy

    def _wait_for_job(self, what: str) -> bool:
        """True when a job that cannot stop halfway (a rekey) runs: ``what`` (a lock reason,
        "sign out" or "close") is then done as soon as it ends, and the bar says so."""
        if not self.jobs.running or self.jobs.cancellable:
            return False
        pending = self._after_job_do
        if not pending or _AFTER_JOB_RANK.get(what, 1) > _AFTER_JOB_RANK.get(pending, 1):
            self._after_job_do = what
        dialog = self.jobs.dialog
        if dialog is not None:
            first = dialog.labelText().split("\n\n")[0]
            after = _AFTER_JOB_TEXT.get(
                self._after_job_do, "Refuge Desk locks as soon as this is done."
            )
            dialog.setLabelText(f"{first}\n\n{after}")
        log.info("%s waits for the running job", what)
        return True

    def _after_job(self) -> None:
        """A job has ended (its bar is closed): do what was asked for meanwhile."""
        if self.jobs.running:
            return  # the outer job is still under way
        what, self._after_job_do = self._after_job_do, ""
        if what == "close":
            self.close()
        elif what == "sign out":
            self.sign_out()
        elif what:
            self.lock(what)

    def _show_sign_in_messages(self, session: Session) -> None:
        """Once each, after sign-in or unlock: alarms loudly (the audit log was changed
        outside Refuge Desk), then notices calmly (e.g. the move to keys per account). A
        message whose box a lock closed is shown again after the unlock."""
        for items, loud in ((session.alarms, True), (session.notices, False)):
            while items and session.is_open and self.session is session:
                if loud:
                    self.dialogs.error(
                        self,
                        ALARM_TITLE,
                        f"{items[0]}\n\nRefuge Desk has recorded this in the audit log. A "
                        "manager can check the log under More → Audit log…",
                    )
                else:
                    self.dialogs.info(self, APP_NAME, items[0])
                if not session.is_open:
                    return
                items.pop(0)

    # -- lock, unlock, hide, sign out ------------------------------------------------------
    def lock(self, reason: str = "manual") -> None:
        session = self.session
        if session is None or not session.is_open or self._locking:
            return  # a lock already under way (e.g. F12 during its backup) finishes the job
        if self._wait_for_job(reason):
            return  # a rekey is under way: the lock follows as soon as it ends
        self._locking = True
        try:
            self._lock_steps(session, reason)
        finally:
            self._locking = False

    def _lock_steps(self, session: Session, reason: str) -> None:
        log.info("locking (%s)", reason)
        resume = self.where
        if resume.editing and self.editor is not None:
            resume.tab = self.editor.current_tab()
        if resume.section == "plan" and self.plan_page is not None:
            resume.tab = self.plan_page.current_section()
        # Each step runs whatever the one before did: the vault must end up closed.
        steps: list[tuple[str, Callable[[], object]]] = [
            # 1. Park what she typed, inside the vault, before anything is cleared.
            ("park draft", self.autosave_draft),
            ("park plan typing", self._settle_plan),
            # 2. Close dialogs (ours and any other modal window); a checklist was parked.
            ("close checklist", self._close_checklist),
            ("close dialogs", self._close_dialogs),
            # 3. Clipboard, if it still holds our text.
            ("clipboard", self.clipboard.clear_if_ours),
            # 4. Clear every model and widget holding resident data.
            ("clear pages", self._clear_pages),
            ("timers", self._stop_timers),
            # A backup that is due, while the vault is still open (not on quick hide).
            ("backup", lambda: self._backup_if_due(reason)),
            ("wait for backup", self.jobs.wait),
            # 5. Close connections and zero the key.
            ("close vault", lambda: auth.lock(session)),
        ]
        for name, step in steps:
            try:
                step()
            except Exception as exc:
                log_unexpected(exc, f"lock: {name}")
        session.close()  # idempotent; zeroes the key even if auth.lock failed
        self.where = resume
        self.toolbar.hide()
        self.status_label.setText(f"Locked · Quick hide: {HIDE_SHORTCUT}")
        self.signin.show_unlock(session)
        self.stack.setCurrentWidget(self.signin)

    def _close_checklist(self) -> None:
        if self.editor is not None:
            self.editor.casework.close_checklist_for_lock()

    def _close_dialogs(self) -> None:
        self.dialogs.close_all()
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QDialog) and (w.isVisible() or w.isModal()):
                w.reject()

    def _clear_pages(self) -> None:
        for page in self._pages.values():
            page.clear()  # type: ignore[attr-defined]

    def _stop_timers(self) -> None:
        self.idle.stop()
        self.draft_timer.stop()

    def _after_unlock(self) -> None:
        session = self.session
        if session is None:
            return
        resume = self.where
        self._apply_protections(session)
        self.idle.timeout = settings.auto_lock_minutes(session) * 60
        self.idle.start()
        self.draft_timer.start()
        self.toolbar.show()
        self.stack.setCurrentWidget(self.workspace)
        for page in self._pages.values():
            if page is not self.editor and page is not self.plan_page:
                page.refresh()  # type: ignore[attr-defined]
        if resume.section == "plan" and self.plan_page is not None:
            self._check_nav("residents")
            self.workspace.setCurrentWidget(self.plan_page)
            self.plan_page.refresh()
            self.plan_page.set_current_section(resume.tab)
            if resume.record_id is not None:
                self._offer_kept_plan_typing(resume.record_id)
        elif resume.editing and self.editor is not None:
            self._check_nav("residents")
            self.open_resident(resume.record_id)
            kept = [
                r
                for r in drafts.mine(session)
                if r.kind == drafts.RESIDENT and r.record_id == resume.record_id
            ]
            if kept:
                self.editor.restore_draft(drafts.load(kept[0]))
            self.editor.set_current_tab(resume.tab)  # a case tab loads (and offers typing)
        else:
            self.show_section(resume.section)
        self._update_status()
        self._show_sign_in_messages(session)

    def quick_hide(self) -> None:
        """Hide every window at once, then lock. Comes back minimised, on the lock screen."""
        # Other windows first and explicitly: a child hidden only because its parent was
        # hidden would come back when the parent is shown again.
        for w in QApplication.topLevelWidgets():
            if w is not self and not w.isHidden():
                w.hide()
        self.hide()
        self.signin.cancel_pending()  # a sign-in finishing now must not open the vault
        QApplication.processEvents()
        if self.session is not None and self.session.is_open:
            self.lock("quick hide")
        elif self.wizard is None:
            self.signin.clear()
        self.showMinimized()

    def sign_out(self) -> None:
        if self._wait_for_job("sign out"):
            return
        session = self.session
        kept = self._editing_dirty()
        if session is not None and session.is_open:
            self.lock("sign out")
        self._drop_pages()
        self.session = None
        self.where = Whereabouts()
        self.signin.username.clear()
        self.show_sign_in()
        self.signin.show_notice(
            "You have signed out."
            + (
                " Your unsaved changes were kept; they are offered when you sign in."
                if kept
                else ""
            )
        )

    def open_import(self) -> None:
        if self.session is None:
            return
        self.dialogs.run(ImportResidentsDialog(self.session, self.dialogs, self))
        page = self._pages.get("residents")
        if page is not None and self.session.is_open:
            page.refresh()  # type: ignore[attr-defined]

    def open_settings(self) -> None:
        if self.session is None:
            return
        if (
            self.dialogs.run(SettingsDialog(self.session, self, self.dialogs))
            == QDialog.DialogCode.Accepted
        ):
            self.idle.timeout = settings.auto_lock_minutes(self.session) * 60
            self._apply_protections(self.session)
            self._update_status()

    def open_change_passphrase(self) -> None:
        if self.session is None:
            return
        self.dialogs.run(ChangeOwnPassphraseDialog(self.session, self))

    # -- closing ---------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if self._wait_for_job("close"):
            event.ignore()  # closes as soon as the rekey has ended
            return
        if self.session is not None and self.session.is_open:
            if (
                self.editor is not None
                and self.where.editing
                and self.workspace.currentWidget() is self.editor
                and self.stack.currentWidget() is self.workspace
                and not self.editor.request_close()
            ):
                event.ignore()
                return
            self.lock("close")
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        self.idle.stop()
        self.draft_timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.idle)
            app.removeEventFilter(self.panic)
        self.clipboard.clear_if_ours()
        self.clipboard.detach()
        if self.session is not None:
            self.session.close()
        if self.wizard is not None and self.wizard.session is not None:
            self.wizard.session.close()  # left on the key page: the key is replaced later
