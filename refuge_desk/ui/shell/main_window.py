"""The one main window: set-up, sign-in/unlock, and the workspace of pages.

The window holds the session's life (start, lock, unlock, sign out, close) and navigation.
Its parts live beside it: the toolbar and menu (actions.py), the lock in KeePassXC's order
(lock_sequence.py), the one-off dialog workflows (workflows.py), typing kept as drafts
(kept_work.py) and what waits for a rekey (job_gate.py).

Slow vault work (a backup, changing the vault's keys) runs on one job runner's worker thread
(ui/common/job_runner.py); meanwhile the draft autosave and the compaction leave the vault
alone. A rekey cannot stop halfway: a lock, sign-out or close asked for during one (idle,
Ctrl+L, F12, the screen locking) is done as soon as it ends.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMainWindow, QStackedWidget, QWidget

from refuge_desk import APP_NAME
from refuge_desk.domain.deadlines import Target
from refuge_desk.domain.errors import UserError
from refuge_desk.services import auth, drafts, recovery, retention, settings
from refuge_desk.services.export import backup
from refuge_desk.services.session import Clock, Session, system_clock
from refuge_desk.services.vault_folder import VaultFolder
from refuge_desk.ui.admin.audit_page import AuditPage
from refuge_desk.ui.admin.retention_page import RetentionPage
from refuge_desk.ui.admin.staff_page import StaffPage
from refuge_desk.ui.casework.note_search_page import NoteSearchPage
from refuge_desk.ui.casework.tasks_page import TasksPage
from refuge_desk.ui.common import style
from refuge_desk.ui.common.accessible import LabelNamer
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.common.forms import wait_cursor
from refuge_desk.ui.common.job_runner import JobRunner
from refuge_desk.ui.common.session_guard import open_session
from refuge_desk.ui.exports.backup_dialog import due_now, status_text
from refuge_desk.ui.exports.backup_runner import BackupRunner
from refuge_desk.ui.exports.restore_dialog import RestoreDialog
from refuge_desk.ui.home.home_page import HomePage
from refuge_desk.ui.plans.plan_page import PlanPage
from refuge_desk.ui.plans.plan_reviews_page import PlanReviewsPage
from refuge_desk.ui.residents.resident_editor import ResidentEditor
from refuge_desk.ui.residents.residents_page import ResidentsPage
from refuge_desk.ui.residents.rooms_page import RoomsPage
from refuge_desk.ui.shell import kept_work
from refuge_desk.ui.shell.actions import HIDE_SHORTCUT, LOCK_SHORTCUT, MainActions
from refuge_desk.ui.shell.capture_guard import CaptureGuard
from refuge_desk.ui.shell.clipboard import ClipboardGuard
from refuge_desk.ui.shell.idle import IdleWatcher
from refuge_desk.ui.shell.job_gate import CLOSE, SIGN_OUT, JobGate
from refuge_desk.ui.shell.lock_sequence import LockSequence, LockSteps, Whereabouts
from refuge_desk.ui.shell.pages import Pages
from refuge_desk.ui.shell.panic_keys import PanicKeys
from refuge_desk.ui.shell.recovery_dialog import NewRecoveryKeyDialog, RecoveryDialog
from refuge_desk.ui.shell.screen_lock import ScreenLockMonitor
from refuge_desk.ui.shell.setup_wizard import SetupWizard
from refuge_desk.ui.shell.signin_page import SignInPage
from refuge_desk.ui.shell.workflows import Workflows

log = logging.getLogger(__name__)

__all__ = ["HIDE_SHORTCUT", "LOCK_SHORTCUT", "MainWindow", "Whereabouts"]

DRAFT_AUTOSAVE_MS = 3000
COMPACT_DELAY_MS = 5000  # after a purge, VACUUM once she has not been busy for a moment
ALARM_TITLE = "The audit log was changed"


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
        self._session: Session | None = None
        self.where = Whereabouts()
        self.editor: ResidentEditor | None = None
        self.plan_page: PlanPage | None = None
        self.recovery_prompt: NewRecoveryKeyDialog | None = None
        self.backup_runner = BackupRunner(self)
        # One runner for every slow vault job (backups and rekeys): never two at once, and the
        # timers and the lock look in one place.
        self.jobs: JobRunner = self.backup_runner
        self.gate = JobGate(self.jobs)
        self.jobs.finished.connect(self._after_job)
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
        self.pages = Pages(self.workspace)
        self.workflows = Workflows(self, self, self.dialogs, self.backup_runner)

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
        # Screen readers: drop-downs and composite fields take their label's words as names.
        self.label_namer = LabelNamer(self)
        if app is not None:
            app.installEventFilter(self.label_namer)
        self.lock_on_minimise = True
        self.draft_timer = QTimer(self)
        self.draft_timer.setInterval(DRAFT_AUTOSAVE_MS)
        self.draft_timer.timeout.connect(self.autosave_draft)
        self.lock_sequence = LockSequence(
            LockSteps(
                park=[("park draft", self.autosave_draft), ("park plan typing", self._settle_plan)],
                close=[
                    ("close checklist", self._close_checklist),  # it was parked just now
                    ("close dialogs", self._close_dialogs),
                ],
                forget=[
                    ("clipboard", self.clipboard.clear_if_ours),
                    ("clear pages", self.pages.clear_all),
                    ("timers", self._stop_timers),
                ],
                backup_if_due=self._backup_if_due,
                wait_for_jobs=self.jobs.wait,
            )
        )

        self.acts = MainActions(self, _Commands(self))
        self.toolbar = self.acts.toolbar
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)

        if folder.exists():
            self.show_sign_in()
        else:
            self.show_setup()

    @property
    def session(self) -> Session | None:
        """The signed-in session (open, or locked while the lock screen shows); None before."""
        return self._session

    def page(self, name: str) -> QWidget | None:
        """The page of a section ("home", "residents", "audit", ...) if her role has it."""
        return self.pages.get(name)

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
        if self.dialogs.run(dialog) != QDialog.DialogCode.Accepted or dialog.restored is None:
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

    def settings_changed(self) -> None:
        """The settings dialog saved: the lock time and protections apply at once."""
        session = open_session(self)
        if session is None:
            return
        self.idle.timeout = settings.auto_lock_minutes(session) * 60
        self._apply_protections(session)
        self.update_status()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if (
            event.type() == QEvent.Type.WindowStateChange
            and self.isMinimized()
            and self.lock_on_minimise
            and open_session(self) is not None
        ):
            self.lock("minimise")

    def start_session(self, session: Session) -> None:
        self._session = session
        self.where = Whereabouts()
        self._apply_protections(session)
        self._build_pages(session)
        self.acts.apply_role(session.role)
        self._resume_watch(session)
        self.show_section("home")
        self.update_status()
        self._show_sign_in_messages(session)
        if session.role.manages_settings and not recovery.is_confirmed(session):
            self.recovery_prompt = NewRecoveryKeyDialog(session, self)
            self.recovery_prompt.finished.connect(lambda _r: self._offer_kept_work())
            self.recovery_prompt.open()
        else:
            self._offer_kept_work()

    def _resume_watch(self, session: Session) -> None:
        self.idle.timeout = settings.auto_lock_minutes(session) * 60
        self.idle.start()
        self.draft_timer.start()
        self.toolbar.show()
        self.stack.setCurrentWidget(self.workspace)

    def _build_pages(self, session: Session) -> None:
        self._drop_pages()
        flows = self.workflows
        home = HomePage(session, self.dialogs)
        home.open_target.connect(self.open_target)
        self.pages.add("home", home)
        residents = ResidentsPage(session, self.dialogs)
        residents.open_resident.connect(self.open_resident)
        residents.new_resident.connect(lambda: self.open_resident(None))
        self.pages.add("residents", residents)
        self.pages.add("rooms", RoomsPage(session, self.dialogs))
        if session.role.manages_staff:
            self.pages.add("staff", StaffPage(session, self.dialogs, runner=self.jobs))
            self.pages.add("audit", AuditPage(session, self.dialogs))
            retention_page = RetentionPage(session, self.dialogs)
            retention_page.purged.connect(lambda _rid: self._after_purge())
            self.pages.add("retention", retention_page)
        if session.role.sees_case_detail:
            editor = ResidentEditor(session, self.dialogs)
            editor.saved.connect(self._editor_saved)
            editor.closed.connect(self._editor_closed)
            editor.plan_requested.connect(self.open_plan)
            editor.sar_requested.connect(flows.open_sar)
            editor.transfer_requested.connect(flows.transfer_out)
            self.editor = editor
            self.pages.add("editor", editor)
            plan_page = PlanPage(session, self.dialogs)
            plan_page.back_to_record.connect(self.open_resident)
            plan_page.closed.connect(lambda: self.show_section("residents"))
            plan_page.print_requested.connect(flows.print_plan)
            self.plan_page = plan_page
            self.pages.add("plan", plan_page)
            reviews = PlanReviewsPage(session, self.dialogs)
            reviews.open_plan.connect(self.open_plan)
            self.pages.add("reviews", reviews)
            tasks_page = TasksPage(session, self.dialogs)
            tasks_page.open_target.connect(self.open_target)
            self.pages.add("tasks", tasks_page)
            search = NoteSearchPage(session, self.dialogs)
            search.open_resident.connect(lambda rid: self.open_target(Target(rid, "notes")))
            self.pages.add("notes", search)
        # A volunteer has no editor: the residents page shows her the rota card instead.

    def _drop_pages(self) -> None:
        self.pages.drop_all()
        self.editor = None
        self.plan_page = None

    def refresh_page(self, name: str) -> None:
        self.pages.refresh(name)

    def update_status(self) -> None:
        """The status bar: who is signed in, when it locks, and whether a backup is due."""
        s = open_session(self)
        if s is None:
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

    def _on_page(self, page: QWidget | None) -> bool:
        return page is not None and self.workspace.currentWidget() is page

    def show_section(self, section: str) -> None:
        editor = self.editor
        if (
            editor is not None
            and self._on_page(editor)
            and editor.has_unsaved_changes()
            and not editor.request_close()
        ):
            self.acts.check_section("residents")
            return
        self._leave_plan()
        page = self.pages.get(section)
        if page is None:
            return
        self.where = Whereabouts(section=section)
        self.acts.check_section(section)
        self.pages.refresh(section)
        self.workspace.setCurrentWidget(page)

    def focus_search(self) -> None:
        page = self.pages.get("residents")
        if not isinstance(page, ResidentsPage) or self.stack.currentWidget() is not self.workspace:
            return
        self.show_section("residents")
        if self._on_page(page):
            page.search.setFocus()
            page.search.selectAll()

    def open_resident(self, resident_id: int | None) -> None:
        if self.session is None or self.editor is None:
            return
        self._leave_plan()
        self.editor.load(resident_id)  # shows any problem inline
        self.workspace.setCurrentWidget(self.editor)
        self.where = Whereabouts("residents", True, resident_id)

    def _after_purge(self) -> None:
        """Her record is gone: drop it from every page, and compact the vault once it is idle
        (VACUUM rewrites the file without the freed pages)."""
        for name in ("residents", "home", "tasks"):
            self.pages.refresh(name)
        QTimer.singleShot(COMPACT_DELAY_MS, self.compact_if_idle)

    def compact_if_idle(self) -> None:
        """VACUUM after a purge, unless a job or a dialog is busy (then a little later)."""
        session = open_session(self)
        if session is None:
            return
        if self.gate.vault_busy or QApplication.activeModalWidget() is not None:
            QTimer.singleShot(COMPACT_DELAY_MS, self.compact_if_idle)  # she is busy: later
            return
        try:
            with wait_cursor():
                retention.compact(session)
        except UserError as exc:
            log.info("compact after purge failed: %s", type(exc).__name__)

    def open_target(self, target: Target) -> None:
        """One click from the home screen or the task list to the right place."""
        if open_session(self) is None:
            return
        if target.resident_id is None:
            if target.tab == "backups":
                self.workflows.open_backups()
            elif target.tab in self.pages:
                self.show_section(target.tab)
            return
        if target.tab == "plan":
            self.open_plan(target.resident_id)
            return
        tasks = self.pages.get("tasks")
        if target.tab == "tasks" and isinstance(tasks, TasksPage):
            self.show_section("tasks")
            tasks.set_resident(target.resident_id)
            return
        editor = self.editor
        if editor is None:
            self.show_section("residents")
            return
        if (
            self._on_page(editor)
            and editor.has_unsaved_changes()
            and editor.resident_id != target.resident_id
            and not editor.request_close()
        ):
            return
        self.open_resident(target.resident_id)
        self.acts.check_section("residents")
        editor.casework.show_tab(target.tab)

    def _editor_saved(self, resident_id: int) -> None:
        if (session := open_session(self)) is not None:
            drafts.discard(session, drafts.RESIDENT, self.where.record_id)
            drafts.discard(session, drafts.RESIDENT, resident_id)
        self.where = Whereabouts("residents", True, resident_id)

    def _editor_closed(self) -> None:
        if (session := open_session(self)) is not None:
            drafts.discard(session, drafts.RESIDENT, self.where.record_id)
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
        self.acts.check_section("residents")
        self._offer_plan_typing(resident_id)

    def _leave_plan(self) -> None:
        if self._on_page(self.plan_page):
            self._settle_plan()

    def _settle_plan(self) -> None:
        session = open_session(self)
        if session is not None and self.plan_page is not None:
            kept_work.settle_plan(session, self.plan_page)

    def _offer_plan_typing(self, resident_id: int) -> None:
        if (session := open_session(self)) is not None:
            kept_work.offer_plan_typing(session, self.dialogs, self, resident_id)

    # -- drafts ----------------------------------------------------------------------------
    def _editing_dirty(self) -> bool:
        return self.editor is not None and self.where.editing and self.editor.has_unsaved_changes()

    def autosave_draft(self) -> None:
        """Every few seconds while she types: a crash or power cut loses at most this much."""
        session = open_session(self)
        if session is None or self.editor is None:
            return
        if self.gate.vault_busy:
            return  # a backup or a rekey holds the vault for a moment: park on the next tick
        if self.where.editing:
            kept_work.park_record(session, self.editor, self.where.record_id)
        else:
            self.editor.casework.park()  # a case note or risk checklist being typed

    def _offer_kept_work(self) -> None:
        session, editor = self.session, self.editor
        if session is None or editor is None:
            return
        if not kept_work.offer_record_changes(
            session, self.dialogs, self, editor, self.open_resident
        ):
            kept_work.offer_casework_typing(session, self.dialogs, self, self.open_target)

    # -- slow vault jobs -------------------------------------------------------------------
    def _after_job(self) -> None:
        """A job has ended (its bar is closed): do what was asked for meanwhile."""
        what = self.gate.take()
        if what == CLOSE:
            self.close()
        elif what == SIGN_OUT:
            self.sign_out()
        elif what:
            self.lock(what)

    def _backup_if_due(self, reason: str) -> None:
        """On lock, sign-out or close (never on quick hide): the vault is still open here."""
        session = open_session(self)
        if reason == "quick hide" or session is None or not due_now(session):
            return
        words = {CLOSE: "before Refuge Desk closes", SIGN_OUT: "before signing out"}
        try:
            self.backup_runner.run(
                session, self, f"Making the backup that is due {words.get(reason, 'now')}…"
            )
        except backup.Cancelled:
            log.info("backup on %s skipped", reason)
        except UserError as exc:  # recorded, and shown after the next sign-in
            log.info("backup on %s failed: %s", reason, type(exc).__name__)

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
        """Lock now (or, during a rekey, as soon as it ends); the lock screen shows."""
        session = open_session(self)
        if session is None or self.lock_sequence.running:
            return  # a lock already under way (e.g. F12 during its backup) finishes the job
        if self.gate.defer(reason):
            return  # a rekey is under way: the lock follows as soon as it ends
        resume = self.where
        if resume.editing and self.editor is not None:
            resume.tab = self.editor.current_tab()
        if resume.section == "plan" and self.plan_page is not None:
            resume.tab = self.plan_page.current_section()
        self.lock_sequence.run(session, reason)
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

    def _stop_timers(self) -> None:
        self.idle.stop()
        self.draft_timer.stop()

    def _after_unlock(self) -> None:
        session = self.session
        if session is None:
            return
        resume = self.where
        self._apply_protections(session)
        self._resume_watch(session)
        self.pages.refresh_all(but=(self.editor, self.plan_page))
        if resume.section == "plan" and self.plan_page is not None:
            self.acts.check_section("residents")
            self.workspace.setCurrentWidget(self.plan_page)
            self.plan_page.refresh()
            self.plan_page.set_current_section(resume.tab)
            if resume.record_id is not None:
                self._offer_plan_typing(resume.record_id)
        elif resume.editing and self.editor is not None:
            self.acts.check_section("residents")
            self.open_resident(resume.record_id)
            payload = kept_work.kept_record_draft(session, resume.record_id)
            if payload is not None:
                self.editor.restore_draft(payload)
            self.editor.set_current_tab(resume.tab)  # a case tab loads (and offers typing)
        else:
            self.show_section(resume.section)
        self.update_status()
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
        if open_session(self) is not None:
            self.lock("quick hide")
        elif self.wizard is None:
            self.signin.clear()
        self.showMinimized()

    def sign_out(self) -> None:
        if self.gate.defer(SIGN_OUT):
            return
        kept = self._editing_dirty()
        if open_session(self) is not None:
            self.lock(SIGN_OUT)
        self._drop_pages()
        self._session = None
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

    # -- closing ---------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.gate.defer(CLOSE):
            event.ignore()  # closes as soon as the rekey has ended
            return
        if open_session(self) is not None:
            if (
                self.editor is not None
                and self.where.editing
                and self._on_page(self.editor)
                and self.stack.currentWidget() is self.workspace
                and not self.editor.request_close()
            ):
                event.ignore()
                return
            self.lock(CLOSE)
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
        if self._session is not None:
            self._session.close()
        if self.wizard is not None and self.wizard.session is not None:
            self.wizard.session.close()  # left on the key page: the key is replaced later


class _Commands:
    """What the toolbar and menu do: the window's navigation and locks, the workflows' jobs."""

    def __init__(self, window: MainWindow) -> None:
        self._w = window
        flows = window.workflows
        self.open_backups = flows.open_backups
        self.open_import = flows.open_import
        self.transfer_in = flows.transfer_in
        self.import_template = flows.import_template
        self.import_checklist = flows.import_checklist
        self.open_stats = flows.open_stats
        self.open_settings = flows.open_settings
        self.open_change_passphrase = flows.open_change_passphrase

    def show_section(self, section: str) -> None:
        self._w.show_section(section)

    def focus_search(self) -> None:
        self._w.focus_search()

    def lock(self, reason: str = "manual") -> None:
        self._w.lock(reason)

    def quick_hide(self) -> None:
        self._w.quick_hide()

    def sign_out(self) -> None:
        self._w.sign_out()
