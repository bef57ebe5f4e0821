"""Which of her case notes go with her to the next refuge: the worker ticks them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from refuge_desk.domain.dates import stamp_text
from refuge_desk.domain.notes import Note


def _line(note: Note) -> str:
    words = " ".join(note.text.split())
    short = words[:90] + ("…" if len(words) > 90 else "")
    kind = "Amendment" if note.amends_id else note.note_type.label
    flag = " · restricted" if note.restricted else ""
    return f"{stamp_text(note.happened_at.isoformat())} · {kind} · {note.author}{flag}\n{short}"


class TransferNotesDialog(QDialog):
    def __init__(self, choices: list[Note], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Case notes to send")
        intro = QLabel(
            "Tick the case notes the receiving refuge needs. Nothing is ticked to start with: "
            "send only what helps keep her safe there."
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("transfer_notes")
        self.list.setAccessibleName("Case notes to send")
        self.list.setAlternatingRowColors(True)
        for note in choices:
            item = QListWidgetItem(_line(note))
            item.setData(Qt.ItemDataRole.UserRole, note.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        all_button = QPushButton("Tick all")
        all_button.clicked.connect(lambda: self._tick(Qt.CheckState.Checked))
        none_button = QPushButton("Tick none")
        none_button.clicked.connect(lambda: self._tick(Qt.CheckState.Unchecked))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Continue")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(all_button)
        row.addWidget(none_button)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        self.resize(640, 440)

    def _tick(self, state: Qt.CheckState) -> None:
        for i in range(self.list.count()):
            self.list.item(i).setCheckState(state)

    def chosen(self) -> list[int]:
        return [
            int(self.list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]
