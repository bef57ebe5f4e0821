"""QApplication set-up: style, redacted logging, one instance per vault, the main window."""

from __future__ import annotations

import contextlib
import ctypes.util
import logging
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from refuge_desk import APP_NAME
from refuge_desk.domain.errors import UserError, VaultError
from refuge_desk.services import demo, paths
from refuge_desk.store.vault import VaultFolder

# Follows logging_setup's sentence (which says where the redacted crash report is).
CRASH_ADVICE = (
    "Everything you saved is safe in the vault. "
    "If this happens again, tell your manager what you were doing."
)


READY = "the window is up and the event loop is running"

LINUX_LIBS = ("xcb-cursor", "xcb-icccm", "xcb-keysyms")
NO_DISPLAY = (
    "There is no screen here to open the Refuge Desk window on (no desktop: neither DISPLAY "
    "nor WAYLAND_DISPLAY is set), but refuge-desk --self-test and the commands "
    "(refuge-desk --help lists them) work without one."
)


def no_display() -> bool:
    """Linux with neither X11 nor Wayland: Qt would abort, blaming a library that is there."""
    if not sys.platform.startswith("linux"):
        return False
    return not any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def missing_linux_libraries() -> list[str]:
    """Qt's X11 plugin aborts the process without these; say so plainly first."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return []
    if not os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return []
    return [f"lib{name}" for name in LINUX_LIBS if ctypes.util.find_library(name) is None]


def vault_for_window(vault_dir: Path | None) -> VaultFolder:
    """The vault the window opens (None: the default one), checked before any window.

    Raises VaultError (a plain sentence) for a path that is not a vault and cannot become
    one. Nothing is created for a new vault: the set-up wizard (or a restore) makes the folder
    and claims it only when it finishes, so a cancelled wizard leaves nothing behind.
    """
    if vault_dir is None:
        try:  # the default vault's parent is our own folder, so it is made, not refused
            paths.private_app_data_dir()
        except OSError as exc:
            raise VaultError(
                f"The folder {paths.app_data_dir()} could not be made ({exc.strerror})."
            ) from exc
        vault_dir = paths.default_vault_dir()
    folder = VaultFolder(vault_dir)
    if not (folder.path.is_dir() and folder.exists()):
        folder.check_new()
    return folder


def keep_settings_private(settings_file: Path, *, create: bool = True) -> None:
    """Qt writes its settings files itself, with the umask's mode: make ours (and its folder)
    owner-only before Qt first writes it, and tighten again after it has."""
    with contextlib.suppress(OSError):  # window geometry is not worth stopping for
        paths.make_private_file(settings_file, create=create)


def run_gui(vault_dir: Path | None, demo_mode: bool = False) -> int:
    """The app's window on ``vault_dir`` (None: the default vault), or on a new demo vault.

    Returns the exit status; raises VaultError for a vault path that cannot be used.
    """
    if no_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 1
    missing = missing_linux_libraries()
    if missing:
        packages = " ".join(
            f"{m}0" if m.endswith("cursor") else f"{m}4" if "icccm" in m else f"{m}1"
            for m in missing
        )
        print(
            "Refuge Desk cannot open its window: this computer lacks "
            f"{', '.join(missing)}. Ask whoever looks after it to install them "
            f"(on Debian or Ubuntu: sudo apt install {packages}).",
            file=sys.stderr,
        )
        return 1
    chosen = None if demo_mode else vault_for_window(vault_dir)
    private_tmp = paths.memory_backed_temp_dir()
    if private_tmp is not None:
        # Before Qt starts: its print spooling and any library temp file stay in memory.
        os.environ["TMPDIR"] = str(private_tmp)
        tempfile.tempdir = str(private_tmp)
    from PySide6.QtCore import QCoreApplication, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from refuge_desk.diagnostics import logging_setup
    from refuge_desk.ui.common import fonts
    from refuge_desk.ui.common.dialogs import Dialogs
    from refuge_desk.ui.common.style import APP_STYLE
    from refuge_desk.ui.shell.main_window import MainWindow

    QCoreApplication.setOrganizationName("RefugeDesk")
    QCoreApplication.setApplicationName(APP_NAME)
    # Settings hold window geometry only; keep them in an .ini we can audit for leaks.
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    font_chain = fonts.install(app)  # every script on screen, as on paper: before any widget
    app.setStyleSheet(APP_STYLE)
    logging_setup.configure(paths.log_dir())
    logging.getLogger(__name__).info("fonts on screen: %d in the chain", len(font_chain))
    from refuge_desk import os_protect
    from refuge_desk.diagnostics import crash_report

    # Kept for the whole run: a segfault or abort in Qt leaves frames (no values) here.
    native_crash_log = crash_report.enable_fault_handler(paths.log_dir())
    logging.getLogger(__name__).info("native crash record: %s", native_crash_log is not None)

    logging.getLogger(__name__).info("core dumps off: %s", os_protect.disable_core_dumps())

    dialogs = Dialogs()

    def show_crash(message: str) -> None:
        dialogs.error(None, APP_NAME, message)

    logging_setup.install_excepthook(
        lambda message: show_crash(f"{message} {CRASH_ADVICE}"), report_dir=paths.log_dir()
    )

    demo_base: Path | None = None
    demo_hint: tuple[str, str] | None = None
    try:
        if chosen is None:
            demo_base = Path(tempfile.mkdtemp(prefix="refuge-desk-demo-"))
            folder = demo.demo_folder(demo_base)
            demo.create_demo_vault(folder).close()
            demo_hint = (demo.DEMO_USER, demo.DEMO_PASSPHRASE)
        else:
            folder = chosen
        if folder.exists():  # a new vault is claimed by whatever creates it
            try:
                folder.acquire()
            except UserError as exc:
                show_crash(str(exc))
                return 1
        window = MainWindow(folder, dialogs, demo_hint=demo_hint)
        settings = QSettings()
        settings_file = Path(settings.fileName())
        keep_settings_private(settings_file)
        geometry = settings.value("main/geometry")
        if geometry is not None:
            window.restoreGeometry(geometry)
        window.show()
        window.screen_lock.install(app, int(window.winId()))

        def terminate(*_args: object) -> None:
            # Shut-down or kill request: park typing in the vault and lock, without asking.
            window.lock("terminate")
            app.quit()

        signal.signal(signal.SIGTERM, terminate)
        signal.signal(signal.SIGINT, terminate)
        app.commitDataRequest.connect(lambda _manager: window.lock("session end"))
        wake = QTimer()  # lets Python run its signal handlers while Qt's loop waits
        wake.start(300)
        wake.timeout.connect(lambda: None)
        QTimer.singleShot(0, lambda: logging.getLogger(__name__).info(READY))
        code = app.exec()
        settings.setValue("main/geometry", window.saveGeometry())
        settings.sync()
        keep_settings_private(settings_file)
        # Qt's file dialogs keep their history (folder names) in a settings file of their own.
        qt_dialogs = QSettings(QSettings.Scope.UserScope, "QtProject").fileName()
        keep_settings_private(Path(qt_dialogs), create=False)
        window.shutdown()
        folder.release()
        return int(code)
    finally:
        if demo_base is not None:
            shutil.rmtree(demo_base, ignore_errors=True)
