"""What goes on the paper, already chosen for one variant: the renderer's only input.

Deciding *what* may be printed (staff-only fields, names, the refuge's address) happens in
services/plan_print.py; the renderer only lays out what it is given. So a resident copy can
never show a staff field by a slip in layout code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Paper(StrEnum):
    A4 = "a4"
    LETTER = "letter"

    @property
    def label(self) -> str:
        return "A4" if self is Paper.A4 else "US Letter"


@dataclass(frozen=True, slots=True)
class PageSetup:
    paper: Paper = Paper.A4
    large_print: bool = False  # body text at least 16 pt


@dataclass(frozen=True, slots=True)
class TextBlock:
    """A labelled answer. Empty ``text`` on a blank form prints ruled lines to write on."""

    label: str
    text: str
    prompts: tuple[str, ...] = ()  # printed only on blank forms, small, under the label
    staff_only: bool = False
    write_lines: int = 0  # ruled lines when text is empty (0 = print nothing for it)


@dataclass(frozen=True, slots=True)
class ChecklistRow:
    label: str
    ticked: int | None  # index into ChecklistBlock.columns, or None for no tick


@dataclass(frozen=True, slots=True)
class ChecklistBlock:
    """Rows of tick boxes: one box per column, ticked where ``ticked`` says."""

    label: str
    columns: tuple[str, ...]
    rows: tuple[ChecklistRow, ...]
    staff_only: bool = False


@dataclass(frozen=True, slots=True)
class TableBlock:
    """A table; ``blank_rows`` empty ruled rows are added for writing by hand."""

    label: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    staff_only: bool = False
    blank_rows: int = 0


Block = TextBlock | ChecklistBlock | TableBlock


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    blocks: tuple[Block, ...]
    staff_only: bool = False
    subheading: str = ""  # e.g. a child's name above her block


@dataclass(frozen=True, slots=True)
class PrintDocument:
    title: str  # printed heading, e.g. "My safety plan" or a discreet "My notes"
    header_lines: tuple[str, ...]  # under the title: name, refuge (never on a discreet copy)
    sections: tuple[Section, ...]
    keep_safe: str  # short line on every page, e.g. "Keep this somewhere safe."
    version_line: str  # "Version 3, agreed 20 November 2026"; "" on a discreet copy
    page_label: str  # with {page} and {pages}
    watermark: str = ""  # e.g. "DRAFT - not yet agreed", printed across each page
    language: str = "en"  # of the headings; right-to-left languages mirror the layout
    staff_only_label: str = "Staff only"
    metadata_title: str = "Document"  # neutral: never a name
