"""The one way the app writes a CSV file: UTF-8 with a BOM (so Excel reads it), CRLF, and
every cell safe to open in a spreadsheet.

A spreadsheet runs a cell that starts with = + - or @ as a formula, so a name or a note
typed as ``=HYPERLINK(...)`` or a DDE payload would run on the computer of whoever opens the
export (CSV injection). As OWASP advises, such a text cell is written with a leading
apostrophe. That covers a cell starting with a tab, CR or line break, a cell whose first
character after spaces is one of them, and the full-width forms ＝ ＋ － ＠.

Numbers stay numbers: an int or float is written as it is, and so is text that is exactly a
plain decimal number ("-3", "12.5"), which a spreadsheet reads as a number, never a formula.
Text cells are also cleaned as text entering the vault is (domain/text.py), so an export of
records saved before those rules carries no bidi controls or NUL either.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from refuge_desk.domain.text import clean
from refuge_desk.services.files import save_file

Cell = str | int | float | None

FORMULA_STARTS = frozenset("=+-@\t\r\n＝＋－＠")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def safe_cell(value: Cell) -> str | int | float:
    """One cell as it may be written: numbers as they are, text neutralised if need be."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    text = clean(value, multiline=True)
    if _PLAIN_NUMBER.fullmatch(text):
        return text
    if text[:1] in FORMULA_STARTS or text.lstrip()[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def to_bytes(rows: Iterable[Sequence[Cell]]) -> bytes:
    """The rows (the first is the header) as the bytes of a CSV file."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def write(path: Path, rows: Iterable[Sequence[Cell]]) -> None:
    """Write the CSV all or nothing (a full disk leaves no half file); UserError if refused."""
    save_file(path, to_bytes(rows))
