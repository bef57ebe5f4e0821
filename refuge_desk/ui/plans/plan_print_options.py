"""The choices above a plan's print preview: which copy, paper, large print, language."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from refuge_desk.domain.plan_template import PlanTemplate
from refuge_desk.services.pdf.document import Paper
from refuge_desk.services.plan_print import (
    DEFAULT_DISCREET_TITLE,
    MAX_TITLE,
    NameOnCopy,
    PrintOptions,
    Variant,
)
from refuge_desk.ui.common.forms import label_for

_NAME_CHOICES = (
    (NameOnCopy.FIRST, "Her first name"),
    (NameOnCopy.INITIALS, "Her initials"),
    (NameOnCopy.NONE, "No name"),
)
_EXPLAIN = {
    Variant.STAFF: "Everything, staff-only parts marked. For the staff file: never give it to her.",
    Variant.RESIDENT: "What she keeps: her parts only. Abusers' names are left blank; no address.",
    Variant.DISCREET: (
        "For paper that may be found: a plain title, her first name or initials only; no "
        "refuge, no surnames, no abuser's name, no version line."
    ),
    Variant.BLANK: "The plan's headings with room to write, her household filled in.",
}


class PrintOptionsBar(QWidget):
    changed = Signal()

    def __init__(
        self, template: PlanTemplate, variants: tuple[Variant, ...], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.variant = QComboBox()
        self.variant.setObjectName("print_variant")
        for v in variants:
            self.variant.addItem(v.label, v)
        self.paper = QComboBox()
        self.paper.setObjectName("print_paper")
        for p in Paper:
            self.paper.addItem(p.label, p)
        self.large = QCheckBox("&Large print")
        self.large.setObjectName("print_large")
        self.language = QComboBox()
        self.language.setObjectName("print_language")
        for code in template.languages:
            tr = template.translations.get(code)
            name = tr.name if tr and tr.name else code
            label = f"{name} ({code})" if code != template.language else f"Template's own ({code})"
            self.language.addItem(label, "" if code == template.language else code)
        self.title = QLineEdit(DEFAULT_DISCREET_TITLE)
        self.title.setObjectName("print_title")
        self.title.setMaxLength(MAX_TITLE)
        self.name_on = QComboBox()
        self.name_on.setObjectName("print_name_on")
        for value, label in _NAME_CHOICES:
            self.name_on.addItem(label, value)
        self.explain = QLabel()
        self.explain.setObjectName("print_explain")
        self.explain.setWordWrap(True)
        self.explain.setStyleSheet("color: #444;")

        row = QHBoxLayout()
        row.addWidget(label_for("&Copy:", self.variant))
        row.addWidget(self.variant, 2)
        row.addWidget(label_for("&Paper:", self.paper))
        row.addWidget(self.paper)
        row.addWidget(label_for("&Headings in:", self.language))
        row.addWidget(self.language, 1)
        row.addWidget(self.large)
        self.discreet_row = QWidget()
        discreet = QFormLayout(self.discreet_row)
        discreet.setContentsMargins(0, 0, 0, 0)
        discreet.addRow("&Title on the paper:", self.title)
        discreet.addRow("&Name on the paper:", self.name_on)
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow(row)
        layout.addRow(self.explain)
        layout.addRow(self.discreet_row)

        for combo in (self.variant, self.paper, self.language, self.name_on):
            combo.currentIndexChanged.connect(self._changed)
        self.large.toggled.connect(self._changed)
        self.title.editingFinished.connect(self._changed)
        self._update()

    def _update(self) -> None:
        variant = Variant(self.variant.currentData())
        self.discreet_row.setVisible(variant is Variant.DISCREET)
        self.explain.setText(_EXPLAIN[variant])

    def _changed(self) -> None:
        self._update()
        self.changed.emit()

    def set_variant(self, variant: Variant) -> None:
        index = self.variant.findData(variant)
        if index >= 0:
            self.variant.setCurrentIndex(index)

    def set_language(self, code: str) -> None:
        index = self.language.findData(code)
        if index >= 0:
            self.language.setCurrentIndex(index)

    def options(self) -> PrintOptions:
        return PrintOptions(
            # Qt hands enum data back as plain strings.
            variant=Variant(self.variant.currentData()),
            paper=Paper(self.paper.currentData()),
            large_print=self.large.isChecked(),
            language=str(self.language.currentData() or ""),
            discreet_title=self.title.text().strip() or DEFAULT_DISCREET_TITLE,
            discreet_name=NameOnCopy(self.name_on.currentData()),
        )
