"""The one place that runs anything modal, so tests can answer it.

Widgets call ``self.dialogs.confirm(...)`` for a question and ``self.dialogs.run(dialog)``
for a dialog of ours; nothing else in the app calls ``exec()``. Tests pass a
``ScriptedDialogs`` with the answers queued: a value for a question, a callable that works the
dialog for ``run``. Every box and dialog opened here is tracked so the lock sequence can close
it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox, QWidget

DialogScript = Callable[[Any], object]
"""Works a dialog in a test (fills it in, clicks its buttons); it must close the dialog."""


def forget_file_dialog_history() -> None:
    """Qt's file dialog remembers folders and file names in QtProject settings; wipe them."""
    qt = QSettings(QSettings.Scope.UserScope, "QtProject")
    qt.remove("FileDialog")
    qt.remove("Qt/filedialog")
    qt.sync()


class Dialogs:
    def __init__(self) -> None:
        self._open: list[QDialog] = []

    def run(self, dialog: QDialog) -> int:
        """Show one of our dialogs modally and return its result (QDialog.DialogCode)."""
        self._open.append(dialog)
        try:
            return int(dialog.exec())
        finally:
            self._open.remove(dialog)

    def _box(
        self,
        parent: QWidget | None,
        icon: QMessageBox.Icon,
        title: str,
        text: str,
        buttons: QMessageBox.StandardButton,
        default: QMessageBox.StandardButton,
    ) -> QMessageBox.StandardButton:
        box = QMessageBox(icon, title, text, buttons, parent)
        box.setDefaultButton(default)
        return QMessageBox.StandardButton(self.run(box))  # the button, NoButton if closed

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        self._box(
            parent,
            QMessageBox.Icon.Information,
            title,
            text,
            QMessageBox.StandardButton.Ok,
            QMessageBox.StandardButton.Ok,
        )

    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        self._box(
            parent,
            QMessageBox.Icon.Warning,
            title,
            text,
            QMessageBox.StandardButton.Ok,
            QMessageBox.StandardButton.Ok,
        )

    def confirm(self, parent: QWidget | None, title: str, text: str) -> bool:
        answer = self._box(
            parent,
            QMessageBox.Icon.Question,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def save_discard_cancel(self, parent: QWidget | None, title: str, text: str) -> str:
        """'save' | 'discard' | 'cancel'."""
        b = QMessageBox.StandardButton
        answer = self._box(
            parent, QMessageBox.Icon.Question, title, text, b.Save | b.Discard | b.Cancel, b.Save
        )
        return {b.Save: "save", b.Discard: "discard"}.get(answer, "cancel")

    def choose(
        self,
        parent: QWidget | None,
        title: str,
        text: str,
        options: list[tuple[str, str]],
        default: str,
    ) -> str:
        """Buttons labelled by ``options`` (key, label); returns the key ("" if closed)."""
        box = QMessageBox(
            QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
        )
        buttons = {}
        for key, label in options:
            buttons[key] = box.addButton(label, QMessageBox.ButtonRole.ActionRole)
        box.setDefaultButton(buttons[default])
        self.run(box)
        clicked = box.clickedButton()
        return next((k for k, b in buttons.items() if b is clicked), "")

    def open_file(self, parent: QWidget | None, title: str, filters: str) -> Path | None:
        # Qt's own dialog (not the platform's) so nothing is remembered in OS recent lists.
        try:
            name, _ = QFileDialog.getOpenFileName(
                parent, title, "", filters, options=QFileDialog.Option.DontUseNativeDialog
            )
        finally:
            forget_file_dialog_history()
        return Path(name) if name else None

    def ask_text(self, parent: QWidget | None, title: str, label: str) -> str | None:
        dialog = QInputDialog(parent)
        dialog.setWindowTitle(title)
        dialog.setLabelText(label)
        if self.run(dialog) != QDialog.DialogCode.Accepted:
            return None
        return dialog.textValue()

    def choose_folder(self, parent: QWidget | None, title: str) -> Path | None:
        try:
            name = QFileDialog.getExistingDirectory(
                parent, title, "", QFileDialog.Option.DontUseNativeDialog
            )
        finally:
            forget_file_dialog_history()
        return Path(name) if name else None

    def save_file(
        self, parent: QWidget | None, title: str, filters: str, suggested: str
    ) -> Path | None:
        """Where to save; ``suggested`` is a bare file name (keep it neutral: no names)."""
        try:
            name, _ = QFileDialog.getSaveFileName(
                parent, title, suggested, filters, options=QFileDialog.Option.DontUseNativeDialog
            )
        finally:
            forget_file_dialog_history()
        return Path(name) if name else None

    def close_all(self) -> None:
        for dialog in reversed(list(self._open)):  # the innermost first
            dialog.reject()


class ScriptedDialogs(Dialogs):
    """Test double: answers come from a queue; every question asked is recorded."""

    def __init__(self, *answers: Any) -> None:
        super().__init__()
        self.answers: deque[Any] = deque(answers)
        self.asked: list[tuple[str, str, str]] = []

    def _next(self, kind: str, title: str, text: str, default: Any) -> Any:
        self.asked.append((kind, title, text))
        if self.answers and callable(self.answers[0]):
            raise AssertionError(
                f"The test scripted a dialog next, but the app asked ({kind}) {title!r}: {text}"
            )
        return self.answers.popleft() if self.answers else default

    def run(self, dialog: QDialog) -> int:
        """Shown (not modal, so nothing waits); the next queued callable works it. With no
        callable queued the dialog is cancelled, as a question's default answer is "no"."""
        title = dialog.windowTitle()
        self.asked.append(("dialog", title, type(dialog).__name__))
        script: DialogScript | None = None
        if self.answers and callable(self.answers[0]):
            script = self.answers.popleft()
        self._open.append(dialog)
        try:
            dialog.show()
            if script is None:
                dialog.reject()
            else:
                script(dialog)
        finally:
            self._open.remove(dialog)
        if dialog.isVisible():
            dialog.reject()
            raise AssertionError(f"The test left the dialog {title!r} open.")
        return int(QDialog.result(dialog))  # some dialogs of ours shadow result()

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        self._next("info", title, text, None)

    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        self._next("error", title, text, None)

    def confirm(self, parent: QWidget | None, title: str, text: str) -> bool:
        return bool(self._next("confirm", title, text, False))

    def save_discard_cancel(self, parent: QWidget | None, title: str, text: str) -> str:
        return str(self._next("save_discard_cancel", title, text, "cancel"))

    def choose(
        self,
        parent: QWidget | None,
        title: str,
        text: str,
        options: list[tuple[str, str]],
        default: str,
    ) -> str:
        return str(self._next("choose", title, text, default))

    def open_file(self, parent: QWidget | None, title: str, filters: str) -> Path | None:
        value = self._next("open_file", title, filters, None)
        return None if value is None else Path(value)

    def ask_text(self, parent: QWidget | None, title: str, label: str) -> str | None:
        value = self._next("ask_text", title, label, None)
        return None if value is None else str(value)

    def choose_folder(self, parent: QWidget | None, title: str) -> Path | None:
        value = self._next("choose_folder", title, "", None)
        return None if value is None else Path(value)

    def save_file(
        self, parent: QWidget | None, title: str, filters: str, suggested: str
    ) -> Path | None:
        value = self._next("save_file", title, suggested, None)
        return None if value is None else Path(value)
