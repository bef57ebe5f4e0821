"""Choose-a-passphrase fields: twice, with a live strength hint in plain words."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QProgressBar, QWidget

from refuge_desk.services import passphrase_policy

_COLOURS = ["#b3261e", "#b3261e", "#b26a00", "#2e7d32", "#1b5e20"]


class NewPassphraseFields(QWidget):
    """Two hidden fields and a meter. ``user_inputs`` gives names zxcvbn should penalise."""

    changed = Signal()

    def __init__(
        self,
        user_inputs: Callable[[], list[str]],
        parent: QWidget | None = None,
        label: str = "Passphrase",
    ) -> None:
        super().__init__(parent)
        self._user_inputs = user_inputs
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.first.setMaxLength(passphrase_policy.MAX_LENGTH + 1)
        self.first.setObjectName("new_passphrase")
        self.second = QLineEdit()
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        self.second.setMaxLength(passphrase_policy.MAX_LENGTH + 1)
        self.second.setObjectName("confirm_passphrase")
        self.meter = QProgressBar()
        self.meter.setRange(0, 4)
        # The words sit beside the bar, dark on the page, never over the coloured fill.
        self.meter.setTextVisible(False)
        self.meter.setFixedSize(140, 14)
        self.meter.setAccessibleName("Passphrase strength")
        self.strength = QLabel()
        self.strength.setObjectName("passphrase_strength")
        strength_row = QHBoxLayout()
        strength_row.setContentsMargins(0, 0, 0, 0)
        strength_row.addWidget(self.meter)
        strength_row.addWidget(self.strength, 1)
        self.hint = QLabel(passphrase_policy.ADVICE)
        self.hint.setWordWrap(True)
        self.hint.setObjectName("passphrase_hint")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(f"{label}:", self.first)
        form.addRow("Type it again:", self.second)
        form.addRow("Strength:", strength_row)
        form.addRow("", self.hint)
        self.first.textChanged.connect(self._update)
        self.second.textChanged.connect(self._update)
        self._update()

    def passphrase(self) -> str:
        return self.first.text()

    def confirmation(self) -> str:
        return self.second.text()

    def problems(self) -> list[str]:
        result = passphrase_policy.assess(self.first.text(), self._user_inputs())
        problems = list(result.problems)
        if self.second.text() and self.second.text() != self.first.text():
            problems.append("The two passphrases are not the same.")
        return problems

    def is_acceptable(self) -> bool:
        return (
            bool(self.first.text())
            and self.first.text() == self.second.text()
            and not (passphrase_policy.assess(self.first.text(), self._user_inputs()).problems)
        )

    def clear(self) -> None:
        self.first.clear()
        self.second.clear()

    def _update(self) -> None:
        text = self.first.text()
        result = passphrase_policy.assess(text, self._user_inputs())
        self.meter.setValue(result.score if text else 0)
        words = f"{result.label} ({result.score} of 4)" if text else "Nothing typed yet"
        self.meter.setFormat(words)
        self.meter.setAccessibleDescription(words)
        self.strength.setText(words)
        colour = _COLOURS[result.score]
        self.meter.setStyleSheet(f"QProgressBar::chunk {{ background: {colour}; }}")
        lines = []
        if text:
            lines += result.problems
        if self.second.text() and self.second.text() != text:
            lines.append("The two passphrases are not the same.")
        lines.append(result.hint)
        self.hint.setText("\n".join(dict.fromkeys(lines)))
        self.changed.emit()
