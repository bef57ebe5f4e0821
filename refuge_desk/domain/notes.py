"""Case notes: types, validation and the safe search query. Pure: no database here."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

MAX_TEXT = 20_000
# Back-dating is fine; a time in the future is a typo, but allow for a clock a little ahead.
FUTURE_SLACK = dt.timedelta(minutes=5)
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
MAX_TERMS = 12
MAX_TERM_CHARS = 60
# A one- or two-letter prefix would merge the doclists of thousands of words; keep it exact.
MIN_PREFIX_CHARS = 3


class NoteType(StrEnum):
    KEY_WORK = "key_work"
    PHONE = "phone"
    INCIDENT = "incident"
    SAFEGUARDING = "safeguarding"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            NoteType.KEY_WORK: "Key-work session",
            NoteType.PHONE: "Phone call",
            NoteType.INCIDENT: "Incident",
            NoteType.SAFEGUARDING: "Safeguarding",
            NoteType.OTHER: "Other",
        }[self]


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    resident_id: int
    happened_at: dt.datetime  # aware, UTC
    note_type: NoteType
    text: str
    restricted: bool
    amends_id: int | None
    author_id: int | None
    author: str
    created_at: str
    amendments: tuple[Note, ...] = field(default=())
    # A restricted note's text, sealed under its own key, until the service opens it.
    sealed: bytes | None = field(default=None, repr=False)

    @property
    def amended(self) -> bool:
        return bool(self.amendments)


@dataclass(frozen=True, slots=True)
class NotePage:
    notes: tuple[Note, ...]  # originals, newest first; each holds its visible amendments
    total: int  # originals she may see
    hidden_restricted: int  # restricted originals she may not see (0 for managers)


@dataclass(frozen=True, slots=True)
class SearchHit:
    note_id: int
    resident_id: int
    reference: str
    name: str  # preferred name, else full name
    full_name: str
    happened_at: dt.datetime
    note_type: NoteType
    author: str
    restricted: bool
    is_amendment: bool
    snippet: str


@dataclass(frozen=True, slots=True)
class SearchPage:
    hits: tuple[SearchHit, ...]
    has_more: bool


def validate(text: str, happened_at: dt.datetime, now: dt.datetime) -> list[str]:
    problems: list[str] = []
    if not text.strip():
        problems.append("Write the note: the text is empty.")
    elif len(text) > MAX_TEXT:
        problems.append(
            f"The note is {len(text):,} characters long; the most is {MAX_TEXT:,}. "
            "Split it into two notes."
        )
    if happened_at.tzinfo is None:
        problems.append("The note's date and time has no time zone (this is a bug).")
    elif happened_at > now + FUTURE_SLACK:
        problems.append("The note's date and time is in the future.")
    elif happened_at < EARLIEST:
        problems.append("The note's date is before the year 2000. Check the year.")
    return problems


def _is_separator(ch: str) -> bool:
    """Mirrors FTS5's unicode61 tokenizer: spaces, punctuation, symbols, controls split words."""
    cat = unicodedata.category(ch)
    return cat[0] in "ZPSC" and cat != "Co"


def search_terms(text: str) -> list[str]:
    out: list[str] = []
    for word in _all_words(text):
        word = word[:MAX_TERM_CHARS]
        if word.casefold() not in (w.casefold() for w in out):
            out.append(word)
    return out[:MAX_TERMS]


def fts_query(text: str, expand: Callable[[str], list[str] | None] | None = None) -> str:
    """What she typed as a safe FTS5 query: every word must match, as a prefix.

    Each word is quoted, so AND / OR / NOT / NEAR, quotes, asterisks and brackets are plain
    text, never query syntax. Returns "" when nothing searchable was typed.

    ``expand`` may turn a prefix into the whole words of the index that start with it: an OR
    of whole words is far cheaper for FTS5 than a prefix, which merges every matching doclist
    on each lookup. It returns None to keep the prefix (too many words, or none found).
    """
    parts = []
    for word in search_terms(text):
        quoted = _quote(word)
        if len(word) < MIN_PREFIX_CHARS:
            parts.append(quoted)
            continue
        words = expand(word) if expand is not None and word.isascii() else None
        if words:
            parts.append("(" + " OR ".join(_quote(w) for w in words) + ")")
        else:
            parts.append(quoted + "*")
    return " AND ".join(parts)


def uses_prefix(query: str) -> bool:
    return query.endswith("*") or "* AND " in query


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def plain_snippet(text: str, terms: list[str], width: int = 90) -> str:
    """A short extract around the first typed word, marked like FTS5's snippet()."""
    flat = " ".join(text.split())
    low = flat.lower()
    at = min((i for i in (low.find(t.lower()) for t in terms) if i >= 0), default=-1)
    if at < 0:
        return flat[:width] + ("…" if len(flat) > width else "")
    end = next((i for i in range(at, len(flat)) if _is_separator(flat[i])), len(flat))
    start = max(0, at - width // 3)
    tail = min(len(flat), end + width // 2)
    head = ("…" if start else "") + flat[start:at]
    return head + "[" + flat[at:end] + "]" + flat[end:tail] + ("…" if tail < len(flat) else "")


def _fold(word: str) -> str:
    """As FTS5's unicode61 with remove_diacritics 2 compares words."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def text_matches(text: str, typed: str) -> bool:
    """The same rule as the search index, for text that is not in it (restricted notes):
    every typed word must be a word of ``text``, as a prefix from three letters on."""
    words = {_fold(w) for w in _all_words(text)}
    for term in search_terms(typed):
        t = _fold(term)
        if len(term) < MIN_PREFIX_CHARS:
            if t not in words:
                return False
        elif not any(w.startswith(t) for w in words):
            return False
    return bool(search_terms(typed))


def _all_words(text: str) -> list[str]:
    """Every word, split as FTS5 splits them (search_terms keeps only the first MAX_TERMS)."""
    out: list[str] = []
    current: list[str] = []
    for ch in text:
        if _is_separator(ch):
            if current:
                out.append("".join(current))
                current = []
        else:
            current.append(ch)
    if current:
        out.append("".join(current))
    return out
