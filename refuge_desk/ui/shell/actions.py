"""The main window's actions: the toolbar, the "More" menu, their shortcuts and who sees them.

Kept apart from the window (Picard's way) so the window only wires them to what they do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QSizePolicy, QToolBar, QToolButton, QWidget

from refuge_desk.domain.roles import Role

LOCK_SHORTCUT = "Ctrl+L"
HIDE_SHORTCUT = "F12"


class Commands(Protocol):
    """What the actions do: the window and its workflows provide these."""

    def show_section(self, section: str) -> None: ...
    def focus_search(self) -> None: ...
    def lock(self, reason: str = "manual") -> None: ...
    def quick_hide(self) -> None: ...
    def sign_out(self) -> None: ...
    def open_backups(self) -> None: ...
    def open_import(self) -> None: ...
    def transfer_in(self) -> None: ...
    def import_template(self) -> None: ...
    def import_checklist(self) -> None: ...
    def open_stats(self) -> None: ...
    def open_settings(self) -> None: ...
    def open_change_passphrase(self) -> None: ...


def _run(act: QAction, do: Callable[[], object]) -> None:
    # Through a lambda: ``triggered`` passes ``checked``, which no command takes.
    act.triggered.connect(lambda _checked=False: do())


class MainActions(QObject):
    """Every action of the main window, built once; ``apply_role`` shows what her role may do."""

    def __init__(self, window: QMainWindow, commands: Commands) -> None:
        super().__init__(window)
        self._window = window
        tb = QToolBar("Main")
        tb.setObjectName("main_toolbar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        window.addToolBar(tb)
        self.toolbar = tb
        self.nav = QActionGroup(window)
        self.nav.setExclusive(True)
        # Optional: pages reached from "More" (audit, retention) check no toolbar button.
        self.nav.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)

        def section(text: str, name: str, shortcut: str, tip: str = "") -> QAction:
            act = QAction(text, window)
            act.setCheckable(True)
            act.setShortcut(QKeySequence(shortcut))
            if tip:
                act.setToolTip(tip)
            _run(act, lambda: commands.show_section(name))
            self.nav.addAction(act)
            tb.addAction(act)
            return act

        def command(text: str, do: Callable[[], object], tip: str = "") -> QAction:
            act = QAction(text, window)
            if tip:
                act.setToolTip(tip)
            _run(act, do)
            return act

        self.home = section(
            "Home", "home", "Ctrl+0", "Today and this week: tasks, deadlines, who is here, backups"
        )
        self.residents = section("Residents", "residents", "Ctrl+1")
        self.tasks = section("Tasks", "tasks", "Ctrl+5")
        self.reviews = section(
            "Plan reviews",
            "reviews",
            "Ctrl+4",
            "Safety plans overdue or due for review in the next 7 days",
        )
        self.notes = section(
            "Search notes",
            "notes",
            "Ctrl+Shift+F",
            "Search every case note you may see (Ctrl+Shift+F)",
        )
        self.rooms = section("Rooms", "rooms", "Ctrl+2")
        self.staff = section("Staff", "staff", "Ctrl+3")
        self._sections = {
            "home": self.home,
            "tasks": self.tasks,
            "notes": self.notes,
            "residents": self.residents,
            "rooms": self.rooms,
            "staff": self.staff,
            "reviews": self.reviews,
        }
        self.find = command("Find a resident", commands.focus_search)
        self.find.setShortcut(QKeySequence("Ctrl+F"))
        window.addAction(self.find)
        tb.addSeparator()
        self.backups = command("Backups…", commands.open_backups)
        tb.addAction(self.backups)

        # Less frequent work, in one menu so the toolbar stays calm.
        more = QMenu("More", window)
        more.setObjectName("more_menu")
        self.more_menu = more
        self.import_residents = command("Import residents…", commands.open_import)
        self.transfer_in = command(
            "Import a transfer…",
            commands.transfer_in,
            "A resident moving here from another refuge",
        )
        self.import_template = command("Import plan template…", commands.import_template)
        self.import_checklist = command("Import risk checklist…", commands.import_checklist)
        for act in (
            self.import_residents,
            self.transfer_in,
            self.import_template,
            self.import_checklist,
        ):
            more.addAction(act)
        more.addSeparator()
        self.stats = command(
            "Statistics…",
            commands.open_stats,
            "Funder statistics: counts only, small numbers hidden",
        )
        self.audit = command(
            "Audit log…",
            lambda: commands.show_section("audit"),
            "Who saw and changed what; check that nobody edited the log",
        )
        self.retention = command(
            "Retention and deletion…",
            lambda: commands.show_section("retention"),
            "Records due for deletion, legal holds, delete for good",
        )
        self.settings = command("Settings…", commands.open_settings)
        self.passphrase = command("My passphrase…", commands.open_change_passphrase)
        for act in (self.stats, self.audit, self.retention, self.settings, self.passphrase):
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

        self.sign_out = command("Sign out", commands.sign_out)
        tb.addAction(self.sign_out)
        # The keys themselves are caught by PanicKeys (they must work inside modal dialogs).
        self.lock = command(f"Lock ({LOCK_SHORTCUT})", lambda: commands.lock("manual"))
        tb.addAction(self.lock)
        self.hide = command(
            f"Quick hide ({HIDE_SHORTCUT})",
            commands.quick_hide,
            "Hide every Refuge Desk window and lock it at once",
        )
        self.hide.setObjectName("quick_hide")
        tb.addAction(self.hide)
        tb.hide()

    def apply_role(self, role: Role) -> None:
        """Only what her role may do is on offer (the services refuse the rest anyway)."""
        shown = {
            self.staff: role.manages_staff,
            self.audit: role.manages_staff,
            self.retention: role.manages_staff,
            self.stats: role.manages_staff,
            self.settings: role.manages_settings,
            self.import_checklist: role.manages_settings,
            self.import_template: role.manages_settings,
            self.import_residents: role.edits_residents,
            self.transfer_in: role.edits_residents,
            self.reviews: role.sees_case_detail,
            self.tasks: role.sees_case_detail,
            self.notes: role.sees_case_detail,
            self.backups: role.sees_case_detail,
        }
        for act, visible in shown.items():
            act.setVisible(visible)

    def check_section(self, section: str) -> None:
        """Tick the toolbar button of ``section``; a page without one (audit) unticks them."""
        act = self._sections.get(section)
        if act is not None:
            act.setChecked(True)
        elif (checked := self.nav.checkedAction()) is not None:
            checked.setChecked(False)
