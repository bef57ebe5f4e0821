"""Calendar dates as staff type them (one reading for the command line and the CSV import),
and stored moments as staff read them (one local-time text for every screen and message)."""

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


# "24 Nov 2026 10:02": how a moment is shown, in this computer's time zone.
STAMP_FORMAT = "%d %b %Y %H:%M"


def local_text(moment: dt.datetime, fmt: str = STAMP_FORMAT) -> str:
    """``moment`` in this computer's time zone ('24 Nov 2026 10:02'); a naive one is UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone().strftime(fmt)


def stamp_text(stamp: str) -> str:
    """A stored ISO time stamp (UTC; one without an offset is UTC) as ``local_text``.

    "" stays ""; text that is not a time stamp is shown as it is.
    """
    if not stamp:
        return ""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return local_text(moment)
