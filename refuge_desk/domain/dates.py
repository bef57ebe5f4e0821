"""Calendar dates as staff type them: one reading for the command line and the CSV import."""

from __future__ import annotations

import datetime as dt

FORMS = "YYYY-MM-DD or DD/MM/YYYY"
# Day first, as written in the UK (01/04/2026 is 1 April). Dots or dashes in place of the
# slashes are read too: spreadsheets from elsewhere in Europe write them.
_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")


def parse_day(text: str) -> dt.date:
    """The date in ``text`` (spaces around it ignored); ValueError naming FORMS if none."""
    cleaned = text.strip()
    for fmt in _FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"“{text}” is not a date ({FORMS}).")
