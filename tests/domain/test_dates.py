"""One reading of typed dates: ISO and day-first UK forms, the same for the CLI and the import."""

from __future__ import annotations

import datetime as dt

import pytest

from refuge_desk.domain import dates


@pytest.mark.parametrize(
    "text",
    ["2026-04-01", "01/04/2026", "1/4/2026", " 01/04/2026 ", "01.04.2026", "01-04-2026"],
)
def test_the_first_of_april_in_every_accepted_form(text: str) -> None:
    assert dates.parse_day(text) == dt.date(2026, 4, 1)


@pytest.mark.parametrize(
    "text", ["", "1 March", "04/31/2026", "31/02/2026", "2026/04/01", "01/04/26", "2026-13-01"]
)
def test_anything_else_is_refused_naming_the_forms(text: str) -> None:
    with pytest.raises(ValueError) as err:
        dates.parse_day(text)
    assert str(err.value) == f"“{text}” is not a date (YYYY-MM-DD or DD/MM/YYYY)."
