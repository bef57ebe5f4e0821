"""Sign in (and unlock): user name + passphrase, key derivation off the UI thread."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import cast

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.diagnostics.logging_setup import log_unexpected
from refuge_desk.domain.errors import SignInThrottled, UserError, WrongCredentials
from refuge_desk.domain.staff import MAX_USERNAME
from refuge_desk.services import auth
from refuge_desk.services.session import Clock, Session, system_clock
from refuge_desk.services.vault_folder import VaultFolder
from refuge_desk.ui.common.workers import run_in_background

GENERIC_FAILURE = "Refuge Desk could not open the vault. Your data has not been changed."


class SignInPage(QWidget):
    """Two modes: sign in (any user) and unlock (the locked user, name fixed)."""

    signed_in = Signal(object)  # Session
    unlocked = Signal()
    switch_user = Signal()
    forgot_passphrase = Signal()
    settled = Signal()  # an attempt's result was handled: used, refused or thrown away

    def __init__(
        self,
        folder: VaultFolder,
        clock: Clock = system_clock,
        seconds: Callable[[], float] = time.time,
        parent: QWidget | None = None,
        demo_hint: tuple[str, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.folder = folder
        self._clock = clock
        self._seconds = seconds
        self._locked_session: Session | None = None
        self._busy = False
        self._generation = 0  # bumped by cancel_pending(): late results are thrown away
        self._retry_timer = QTimer(self)
        self._retry_timer.setSingleShot(True)
        self._retry_timer.timeout.connect(self._retry_ready)

        self.title = QLabel("Sign in")
        self.title.setObjectName("heading")
        self.title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.subtitle = QLabel("Use your own user name and passphrase.")
        self.subtitle.setWordWrap(True)
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.username.setMaxLength(MAX_USERNAME)
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setMaxLength(300)
        self.error = QLabel()
        self.error.setObjectName("signin_error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setFixedHeight(6)
        self.busy.hide()
        self.button = QPushButton("Sign in")
        self.button.setObjectName("signin_button")
        self.button.setDefault(True)
        self.button.setAutoDefault(True)
        self.other_user = QPushButton("Sign in as someone else")
        self.other_user.setFlat(True)
        self.other_user.hide()
        self.forgot = QPushButton("Forgot your passphrase? (managers: use the recovery key)")
        self.forgot.setFlat(True)

        card = QFrame()
        card.setObjectName("card")
        card.setStyleSheet(
            "QFrame#card { background: white; border: 1px solid #d9d4c7; border-radius: 8px; }"
        )
        card.setMaximumWidth(520)  # "Forgot your passphrase? (…)" fits on its button
        form = QFormLayout()
        form.addRow("User name:", self.username)
        form.addRow("Passphrase:", self.passphrase)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.setSpacing(12)
        inner.addWidget(self.title)
        inner.addWidget(self.subtitle)
        if demo_hint:
            hint = QLabel(
                f"<b>Demo vault</b> of fictional people.<br>User name: <b>{demo_hint[0]}</b>"
                f"<br>Passphrase: <b>{demo_hint[1]}</b>"
            )
            hint.setObjectName("demo_hint")
            hint.setStyleSheet("background: #fff4d6; padding: 8px; border-radius: 4px;")
            inner.addWidget(hint)
            self.username.setText(demo_hint[0])
        inner.addLayout(form)
        inner.addWidget(self.error)
        inner.addWidget(self.busy)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.button)
        inner.addLayout(row)
        inner.addWidget(self.other_user, 0, Qt.AlignmentFlag.AlignLeft)
        inner.addWidget(self.forgot, 0, Qt.AlignmentFlag.AlignLeft)
        self.footer = QLabel("Quick hide: F12 hides Refuge Desk and locks it at once.")
        self.footer.setStyleSheet("color: #555;")

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        h = QHBoxLayout()
        h.addStretch(1)
        h.addWidget(card)
        h.addStretch(1)
        outer.addLayout(h)
        outer.addStretch(2)
        outer.addWidget(self.footer, 0, Qt.AlignmentFlag.AlignHCenter)

        self.button.clicked.connect(self.submit)
        self.passphrase.returnPressed.connect(self.submit)
        self.username.returnPressed.connect(self.passphrase.setFocus)
        self.other_user.clicked.connect(self.switch_user)
        self.forgot.clicked.connect(self.forgot_passphrase)

    # -- modes -----------------------------------------------------------------------------
    def show_sign_in(self, message: str = "") -> None:
        self._locked_session = None
        self.title.setText("Sign in")
        self.subtitle.setText("Use your own user name and passphrase.")
        self.username.setReadOnly(False)
        self.other_user.hide()
        self.forgot.show()
        self.button.setText("Sign in")
        self._show_error(message)
        self.passphrase.clear()
        (self.passphrase if self.username.text() else self.username).setFocus()

    def show_unlock(self, session: Session, message: str = "") -> None:
        self._locked_session = session
        self.title.setText("Locked")
        self.subtitle.setText(
            f"Refuge Desk is locked. {session.user.full_name}, type your passphrase to go on "
            "where you were."
        )
        self.username.setText(session.user.username)
        self.username.setReadOnly(True)
        self.other_user.show()
        self.forgot.hide()
        self.button.setText("Unlock")
        self._show_error(message)
        self.passphrase.clear()
        self.passphrase.setFocus()

    @property
    def unlocking(self) -> bool:
        return self._locked_session is not None

    # -- work ------------------------------------------------------------------------------
    def submit(self) -> None:
        if self._busy or not self.button.isEnabled():
            return
        user, secret = self.username.text().strip(), self.passphrase.text()
        if not user or not secret:
            self._show_error("Type your user name and passphrase.")
            return
        self._set_busy(True)
        self._generation += 1
        generation = self._generation
        locked = self._locked_session

        # Results carry their generation, so one that arrives after cancel_pending() is
        # recognised and thrown away. Callbacks stay bound methods: Qt queues those to the UI
        # thread (a plain lambda would run on the worker thread).
        def job() -> object:
            try:
                if locked is not None:
                    auth.unlock(locked, secret, seconds=self._seconds)
                    return generation, locked
                return generation, auth.sign_in(
                    self.folder, user, secret, clock=self._clock, seconds=self._seconds
                )
            except BaseException as exc:
                exc.generation = generation  # type: ignore[attr-defined]
                raise

        run_in_background(job, self._done, self._failed, self)

    def cancel_pending(self) -> None:
        """Quick hide during a sign-in: whatever the running job returns is discarded."""
        if self._busy:
            self._generation += 1
            self._set_busy(False)
            self.passphrase.clear()

    def _done(self, result: object) -> None:
        try:
            self._use(result)
        finally:
            self.settled.emit()

    def _use(self, result: object) -> None:
        generation, session = cast(tuple[int, Session], result)
        if generation != self._generation:
            # Cancelled: close what the job opened and stay on this screen.
            if isinstance(session, Session):
                auth.lock(session)
            return
        self._set_busy(False)
        self.passphrase.clear()
        self._show_error("")
        if self._locked_session is not None:
            self.unlocked.emit()
        else:
            self.signed_in.emit(session)

    def _failed(self, exc: BaseException) -> None:
        try:
            self._refused(exc)
        finally:
            self.settled.emit()

    def _refused(self, exc: BaseException) -> None:
        if getattr(exc, "generation", self._generation) != self._generation:
            return
        self._set_busy(False)
        self.passphrase.clear()
        self.passphrase.setFocus()
        wait = 0.0
        if isinstance(exc, SignInThrottled):
            wait = exc.seconds
            self._show_error(str(exc))
        elif isinstance(exc, WrongCredentials):
            wait = exc.retry_after
            later = f" You can try again in {max(1, round(wait))} s." if wait else ""
            self._show_error(str(exc) + later)
        elif isinstance(exc, UserError):
            self._show_error(str(exc))
        else:
            log_unexpected(exc, "sign-in")
            self._show_error(GENERIC_FAILURE)
        if wait > 0:
            self.button.setEnabled(False)
            self._retry_timer.start(int(wait * 1000) + 50)

    def _retry_ready(self) -> None:
        self.button.setEnabled(True)
        text = self.error.text()
        if " You can try again in" in text:
            self._show_error(text.split(" You can try again in")[0])
        elif text.startswith("Too many wrong attempts"):
            self._show_error("")

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy.setVisible(busy)
        for w in (self.username, self.passphrase, self.button):
            w.setEnabled(not busy)
        if busy:
            self.error.hide()

    def _show_error(self, text: str, *, error: bool = True) -> None:
        colour = "#b3261e; font-weight: bold" if error else "#2e5d34"
        self.error.setStyleSheet(f"color: {colour};")
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def show_notice(self, text: str) -> None:
        """A calm (not red) line, e.g. "You have signed out."."""
        self._show_error(text, error=False)

    def clear(self) -> None:
        self.passphrase.clear()
