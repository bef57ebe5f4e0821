"""Every CSV the app writes is safe to open in a spreadsheet: no cell runs as a formula.

The files are written by the services (the screens and the CLI call the same functions) and
read back with the csv module.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from refuge_desk.domain.residents import Resident, Status
from refuge_desk.domain.roles import Role
from refuge_desk.domain.text import clean
from refuge_desk.services import audit, csv_out, residents, staff, stats
from refuge_desk.services.csv_out import FORMULA_STARTS, safe_cell
from refuge_desk.services.session import Session
from refuge_desk.store import audit_repo

NASTY = [
    "=1+1",
    "+44 7700 900123",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    ' =HYPERLINK("http://x")',
    "＝1+1",
    "=\u202eevil",
]


def read_back(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel opens UTF-8 with a BOM
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def runs_as_formula(cell: str) -> bool:
    """What a spreadsheet would run (or, after trimming spaces, might)."""
    if csv_out._PLAIN_NUMBER.fullmatch(cell):
        return False  # a number, not a formula
    return cell[:1] in FORMULA_STARTS or cell.lstrip()[:1] in FORMULA_STARTS


def assert_formula_safe(rows: list[list[str]]) -> None:
    bad = [cell for row in rows for cell in row if runs_as_formula(cell)]
    assert not bad, bad


# --- the helper ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", NASTY)
def test_a_text_cell_that_would_run_gets_an_apostrophe(text: str) -> None:
    out = safe_cell(text)
    assert isinstance(out, str) and out.startswith("'")
    assert not runs_as_formula(out)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (-3, -3),
        (2.5, 2.5),
        ("-3", "-3"),  # a spreadsheet reads it as the number -3
        ("-12.5", "-12.5"),
        ("12", "12"),
        ("<5", "<5"),
        ("R-0001", "R-0001"),
        ("Amira Haddad", "Amira Haddad"),
        ("فاطمة", "فاطمة"),
        ("", ""),
        (None, ""),
        ("Amira\u202e", "Amira"),  # cleaned like any text entering the vault
    ],
)
def test_numbers_and_plain_text_are_written_as_they_are(
    value: csv_out.Cell, written: str | int | float
) -> None:
    assert safe_cell(value) == written


@given(st.text(max_size=30))
def test_no_text_cell_can_start_a_formula(text: str) -> None:
    out = safe_cell(text)
    assert not runs_as_formula(str(out))
    cleaned = clean(text, multiline=True)
    assert out in (cleaned, "'" + cleaned)  # nothing else changes


@given(st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=4), max_size=6))
def test_to_bytes_reads_back_cell_for_cell(rows: list[list[str]]) -> None:
    data = csv_out.to_bytes(rows)
    back = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    expected = [[str(safe_cell(c)) for c in row] for row in rows]
    assert back == expected


# --- the files ----------------------------------------------------------------------------


def test_statistics_csv_is_formula_safe(manager_session: Session, tmp_path: Path) -> None:
    s = manager_session
    for i, languages in enumerate(NASTY):
        residents.save(
            s,
            Resident(
                full_name=f"Woman {i}",
                status=Status.RESIDENT,
                arrival_date=dt.date(2026, 3, 2),
                referral_date=dt.date(2026, 3, 1),
                languages=languages,
            ),
        )
    out = tmp_path / "statistics.csv"
    start, end = dt.date(2026, 2, 1), dt.date(2026, 6, 30)
    result = stats.export_csv(s, start, end, out)
    assert stats.to_csv(result, start, end) == out.read_bytes()  # one writer for both
    rows = read_back(out)
    assert rows[0] == ["from", "to", "group", "item", "count"]
    assert_formula_safe(rows)
    firsts = {r[3] for r in rows if r[2] == "First language"}
    assert "'=1+1" in firsts  # was a live formula before
    assert {"'@sum", "'-2+3+cmd|' /c calc'!a0", "'+44 7700 900123"} <= firsts  # capitalised
    assert all(len(r) == 5 for r in rows)


def test_audit_csv_is_formula_safe(manager_session: Session, tmp_path: Path) -> None:
    s = manager_session
    user = staff.add(s, "sum", "@SUM(A1)", Role.WORKER, "walnut canyon lantern violet")
    dde = staff.add(s, "dde", "=cmd|' /C calc'!A0", Role.WORKER, "hazel comet sandal quiver")
    with s.db.transaction():
        for text in NASTY:
            audit_repo.record(s.db, s.stamp(), user.id, "resident.view", text, text)
        audit_repo.record(s.db, s.stamp(), dde.id, "signin", "", "")
    out = tmp_path / "audit.csv"
    written = audit.export_csv(s, out)
    rows = read_back(out)
    assert rows[0] == audit.CSV_HEADER
    assert len(rows) == written + 1
    assert_formula_safe(rows)
    who = {r[2] for r in rows[1:]}
    assert {"'@SUM(A1)", "'=cmd|' /C calc'!A0"} <= who
    refs = [r[5] for r in rows[1:] if r[2] == "'@SUM(A1)"]
    assert "'-2+3+cmd|' /C calc'!A0" in refs and "'+44 7700 900123" in refs
    assert "'\n=1+1" in refs  # a CR leading the cell: a line break in the file, then safe
    assert all(r[0].isdigit() and len(r[7]) == 64 for r in rows[1:])  # id and hash untouched
