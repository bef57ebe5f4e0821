"""Typing that could not go into a plan (a colleague saved first): shown to copy from."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain import plans as plan_domain
from refuge_desk.domain.plan_template import PlanTemplate
from refuge_desk.domain.plans import Content


def kept_text(template: PlanTemplate, current: Content, kept: Content) -> str:
    """The parts where her kept typing differs from the plan as it is now."""
    blocks = []
    for section in plan_domain.compare(template, current, kept):
        for change in section.changes:
            lines = change.after or ["(she had emptied this part)"]
            blocks.append(f"{section.title} — {change.label}\n" + "\n".join(lines))
    return "\n\n".join(blocks)


class KeptTypingDialog(QDialog):
    def __init__(self, text: str, saved_at: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Typing kept safe")
        intro = QLabel(
            f"This typing ({saved_at}) could not be saved into the plan because someone else "
            "saved the draft first. Copy what is still needed into the plan, then close this "
            "window. Choose Throw away only when you have copied everything you need."
        )
        intro.setWordWrap(True)
        self.text = QPlainTextEdit(text or "(No differences from the plan as it is now.)")
        self.text.setObjectName("kept_text")
        self.text.setAccessibleName("What you typed")
        self.text.setReadOnly(True)
        buttons = QDialogButtonBox()
        self.keep_button = buttons.addButton(
            "Keep for later", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.discard_button = buttons.addButton(
            "Throw away", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.keep_button.clicked.connect(self.reject)
        self.discard_button.clicked.connect(self.accept)  # accepted = throw the kept copy away
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(640, 480)
