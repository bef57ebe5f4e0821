"""Import residents from a UTF-8 CSV: all or nothing, every bad row reported by line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refuge_desk.domain.errors import UserError, ValidationError
from refuge_desk.domain.residents import ContactSafety, Room, Status
from refuge_desk.services import importer, residents, rooms
from refuge_desk.services.importer import COLUMNS, Imported
from refuge_desk.services.session import Session

HEADER = ",".join(COLUMNS)


def _csv(*lines: str, bom: bool = False, newline: str = "\n") -> bytes:
    data = newline.join(lines).encode("utf-8") + newline.encode()
    return (b"\xef\xbb\xbf" + data) if bom else data


@pytest.fixture
def session(manager_session: Session) -> Session:
    rooms.save(manager_session, Room(name="Rose", beds=3))
    return manager_session


def test_valid_csv_with_bom_imports_every_row(session: Session) -> None:
    data = _csv(
        HEADER,
        "Amira Haddad,Mimi,14/03/1991,2026-11-02,rose,Arabic,07700 900123,first note,Karim",
        "Оксана Коваленко,,1988-07-30,,,Ukrainian,,,",
        "রহিমা বেগম,রহিমা,,01.11.2026,Rose,Bengali,,,",
        bom=True,
        newline="\r\n",  # as Excel writes it
    )
    result = importer.import_residents(session, data)
    assert result == [Imported(2, "R-0001"), Imported(3, "R-0002"), Imported(4, "R-0003")]
    rows = residents.list_residents(session)
    assert [r.full_name for r in rows] == ["Amira Haddad", "Оксана Коваленко", "রহিমা বেগম"]
    amira = residents.get(session, rows[0].id)
    assert (amira.preferred_name, amira.date_of_birth, amira.arrival_date) == (
        "Mimi",
        dt.date(1991, 3, 14),
        dt.date(2026, 11, 2),
    )
    assert amira.status is Status.RESIDENT
    assert rows[0].room == "Rose"
    assert amira.languages == "Arabic" and amira.notes == "first note"
    assert [(p.number, p.safety) for p in amira.phones] == [("07700 900123", ContactSafety.UNSAFE)]
    assert [a.name for a in amira.abusers] == ["Karim"]
    oksana = residents.get(session, rows[1].id)
    assert oksana.status is Status.REFERRAL  # no arrival date yet
    assert residents.get(session, rows[2].id).arrival_date == dt.date(2026, 11, 1)


def test_columns_in_any_order_and_only_some(session: Session) -> None:
    data = _csv("Notes, FULL_NAME ", "likes tea,Zofia Wójcik")
    assert importer.import_residents(session, data) == [Imported(2, "R-0001")]
    zofia = residents.get(session, residents.list_residents(session)[0].id)
    assert (zofia.full_name, zofia.notes) == ("Zofia Wójcik", "likes tea")


def test_any_bad_row_imports_nothing_and_every_bad_row_is_reported(session: Session) -> None:
    residents_before = residents.count(session)
    data = _csv(
        HEADER,
        "Amira Haddad,,,,,,,,",
        "Łucja Żak,,31/02/1990,,Attic,,,,",  # line 3: impossible date and unknown room
        "Zofia Wójcik,,,,,,,,",
        ",Nameless,,,,,,,",  # line 5: no full name
    )
    with pytest.raises(ValidationError) as err:
        importer.import_residents(session, data)
    assert err.value.problems == [
        "Line 3: date_of_birth “31/02/1990” is not a date (use YYYY-MM-DD or DD/MM/YYYY).",
        "Line 3: there is no room called “Attic”.",
        "Line 5: Full name is required.",
    ]
    assert residents.count(session) == residents_before


def test_rules_of_the_record_apply_to_imported_rows(session: Session) -> None:
    data = _csv(HEADER, "Amira Haddad,,2090-01-01,,,,no digits,,", "x" * 201 + ",,,,,,,,")
    with pytest.raises(ValidationError) as err:
        importer.import_residents(session, data)
    assert err.value.problems == [
        "Line 2: Date of birth is in the future; please check it.",
        "Line 2: Phone 1 has no digits.",
        "Line 3: Full name is too long (at most 200 characters).",
    ]
    assert residents.count(session) == 0


def test_unknown_and_missing_columns(session: Session) -> None:
    with pytest.raises(ValidationError) as err:
        importer.import_residents(session, _csv("full_name,colour,shoe_size", "A B,red,5"))
    assert err.value.problems == [
        "Line 1: unknown column(s) colour, shoe_size; the columns are " + ", ".join(COLUMNS) + "."
    ]
    with pytest.raises(ValidationError) as err:
        importer.import_residents(session, _csv("preferred_name,notes,notes", "Mimi,a,b"))
    assert err.value.problems == [
        "Line 1: the column full_name is required.",
        "Line 1: column(s) notes appear more than once.",
    ]
    assert residents.count(session) == 0


def test_too_many_values_in_a_row(session: Session) -> None:
    with pytest.raises(ValidationError) as err:
        importer.import_residents(session, _csv("full_name,notes", "Amira,a", "Zofia,b,c,d"))
    assert err.value.problems == ["Line 3: 4 values but only 2 columns."]


def test_not_utf8_empty_and_header_only(session: Session) -> None:
    latin1 = "full_name\nZofia Wójcik\n".encode("latin-1")
    with pytest.raises(UserError, match="not UTF-8") as err:
        importer.import_residents(session, latin1)
    assert "CSV UTF-8" in str(err.value)
    for empty in (b"", b"\xef\xbb\xbf", b"\n\n  \n"):
        with pytest.raises(UserError, match=r"^The file is empty\.$"):
            importer.import_residents(session, empty)
    with pytest.raises(UserError, match="header row but no residents"):
        importer.import_residents(session, _csv(HEADER))
    assert residents.count(session) == 0


def test_quoted_multi_line_notes_keep_line_numbers(session: Session) -> None:
    good = _csv(
        "full_name,notes",
        'Amira Haddad,"first line',
        "second line",
        'third line, with a comma"',
        "",  # a blank line between rows is skipped
        "Zofia Wójcik,plain",
    )
    assert importer.import_residents(session, good) == [
        Imported(2, "R-0001"),
        Imported(6, "R-0002"),
    ]
    amira = residents.get(session, residents.list_residents(session)[0].id)
    assert amira.notes == "first line\nsecond line\nthird line, with a comma"
    bad = _csv(
        "full_name,notes,date_of_birth",
        'Łucja Żak,"two\nlines",not a date',
        'Emma Stone,"a ""quoted"" word",',
        ',"notes but\nno name",',
    )
    with pytest.raises(ValidationError) as err:
        importer.import_residents(session, bad)
    assert [p.split(":")[0] for p in err.value.problems] == ["Line 2", "Line 5"]
    assert residents.count(session) == 2


def test_broken_quoting_is_reported_with_its_line(session: Session) -> None:
    data = _csv("full_name,notes", "Amira,fine", 'Zofia,"unclosed')
    with pytest.raises(UserError) as err:
        importer.import_residents(session, data)
    assert str(err.value).startswith("Line 3: this line is not valid CSV")
    assert residents.count(session) == 0


def test_import_file_reads_from_disk_and_reports_a_missing_file(
    session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "residents.csv"
    path.write_bytes(_csv("full_name", "Amira Haddad"))
    assert importer.import_file(session, path) == [Imported(2, "R-0001")]
    with pytest.raises(UserError, match="does not exist"):
        importer.import_file(session, tmp_path / "missing.csv")


_cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
_column = st.sampled_from([*COLUMNS, "full_name", "colour", ""])
_row = st.lists(
    st.one_of(_cell, st.sampled_from(["2026-01-01", "31/12/2025", "Rose", "x"])), max_size=6
)


@st.composite
def _csv_text(draw: st.DrawFn) -> bytes:
    header = draw(st.lists(_column, min_size=1, max_size=5))
    rows = draw(st.lists(_row, max_size=5))
    sep = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    quote = draw(st.booleans())

    def cell(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if quote else v

    lines = [",".join(header)] + [",".join(cell(v) for v in row) for row in rows]
    text = sep.join(lines)
    prefix = draw(st.sampled_from(["", "\ufeff"]))
    return (prefix + text).encode("utf-8")


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.one_of(st.binary(max_size=200), _csv_text()))
def test_random_input_raises_only_user_errors(session: Session, data: bytes) -> None:
    before = residents.count(session)
    try:
        result = importer.import_residents(session, data)
    except UserError as exc:
        assert str(exc).strip()
        assert residents.count(session) == before
    else:
        assert len(result) == residents.count(session) - before > 0
