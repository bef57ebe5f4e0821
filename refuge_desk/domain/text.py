"""Text as it enters the vault: invisible and control characters out, one Unicode form.

Strip, not refuse: text pasted from WhatsApp, a web form or a PDF carries characters a worker
cannot see, so she could not find and delete them if the save were refused. None of them is
part of a spelling, except the two joiners (below), so stripping loses nothing she typed.
(User names are the exception: a sign-in name must be exactly what she types, so the services
refuse one that holds any of these characters; see ``hidden_characters``.)

- Bidi controls — embeddings, overrides and isolates U+202A–U+202E, U+2066–U+2069, and the
  marks U+200E, U+200F, U+061C: stripped everywhere. Arabic and Hebrew names display rightly
  without them (each screen isolates a value itself), and an override makes a name or a note
  read differently from what is stored and searched.
- Zero-width space U+200B, word joiner U+2060, BOM U+FEFF, soft hyphen U+00AD, the invisible
  operators U+2061–U+2064, the deprecated format characters U+206A–U+206F, interlinear
  annotation U+FFF9–U+FFFB and tag characters U+E0000–U+E007F: stripped everywhere.
- Zero-width non-joiner and joiner (U+200C, U+200D) are part of correct spelling in Persian,
  Urdu and Kurdish (Arabic script), Hindi, Marathi, Nepali, Bengali, Sinhala, Malayalam and
  more: "می‌خواهم" needs its ZWNJ. One is kept between a letter (with its marks) and a letter
  or mark of a script that uses them (``JOINING_SCRIPTS``); anywhere else — at either end,
  between Latin letters, next to a space or another joiner — it is stripped.
- Controls (C0, DEL, C1) and lone surrogates: stripped. A field of several lines keeps tabs
  and line breaks (every kind of line break becomes "\\n"); in a one-line field each becomes a
  space, so "Amira<TAB>Haddad" pasted from a spreadsheet stays two words.
- Then Unicode NFC, so a name typed on two keyboards is one text (search, duplicate checks).

Pure: standard library only; the script of a letter comes from its Unicode name.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections import Counter
from types import MappingProxyType
from typing import Any, TypeVar, cast

T = TypeVar("T")

ZWNJ = "\u200c"
ZWJ = "\u200d"
BIDI_CONTROLS = frozenset(
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)
)
INVISIBLE = frozenset(
    chr(c)
    for c in (
        0x200B,
        0x2060,
        0xFEFF,
        0x00AD,
        *range(0x2061, 0x2065),
        *range(0x206A, 0x2070),
        *range(0xFFF9, 0xFFFC),
        *range(0xE0000, 0xE0080),
    )
)
# Every character str.splitlines() breaks at that is a line break (not a separator control).
LINE_BREAKS = frozenset("\n\r\v\f\x85\u2028\u2029")
# Scripts whose spelling uses ZWNJ / ZWJ between letters (first word of the Unicode name).
JOINING_SCRIPTS = frozenset(
    {
        "ARABIC",
        "SYRIAC",
        "THAANA",
        "NKO",
        "ADLAM",
        "HANIFI",  # Hanifi Rohingya
        "MONGOLIAN",
        "DEVANAGARI",
        "BENGALI",
        "GURMUKHI",
        "GUJARATI",
        "ORIYA",
        "TAMIL",
        "TELUGU",
        "KANNADA",
        "MALAYALAM",
        "SINHALA",
        "TIBETAN",
        "MYANMAR",
        "KHMER",
    }
)

MULTILINE: MappingProxyType[str, bool] = MappingProxyType({"multiline": True})


def multiline_text(default: str = "") -> str:
    """A dataclass text field of several lines: ``clean_record`` keeps its breaks and tabs."""
    return dataclasses.field(default=default, metadata=MULTILINE)


def _script(ch: str) -> str:
    return unicodedata.name(ch, "").split(" ", 1)[0]


def _table(multiline: bool) -> dict[int, str | None]:
    """For str.translate: what each control, bidi and invisible character becomes."""
    table: dict[int, str | None] = dict.fromkeys(
        [*range(0x20), *range(0x7F, 0xA0), *range(0xD800, 0xE000)]  # Cc and lone surrogates
    )
    table.update(dict.fromkeys(map(ord, BIDI_CONTROLS | INVISIBLE)))
    table.update(dict.fromkeys(map(ord, LINE_BREAKS), "\n" if multiline else " "))
    table[ord("\t")] = "\t" if multiline else " "
    return table


_TABLES = {True: _table(True), False: _table(False)}


def _strip_controls(text: str, multiline: bool) -> str:
    return text.replace("\r\n", "\n").translate(_TABLES[multiline])


def _joins_after(before: list[str]) -> bool:
    """The text so far ends in a letter (and its marks) of a script that uses joiners."""
    for ch in reversed(before):
        category = unicodedata.category(ch)
        if category[0] == "M":
            continue
        return category[0] == "L" and _script(ch) in JOINING_SCRIPTS
    return False


def _joins_before(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM" and _script(ch) in JOINING_SCRIPTS


def _keep_needed_joiners(text: str) -> str:
    if ZWNJ not in text and ZWJ not in text:
        return text
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch in (ZWNJ, ZWJ) and not (
            i + 1 < len(text) and _joins_before(text[i + 1]) and _joins_after(out)
        ):
            continue
        out.append(ch)
    return "".join(out)


def clean(text: str, multiline: bool = False) -> str:
    """``text`` without bidi controls, invisible characters and controls, in NFC.

    ``multiline``: keep line breaks (as "\\n") and tabs; otherwise each becomes a space.
    Idempotent: cleaning clean text changes nothing.
    """
    if text.isascii() and text.isprintable():
        return text
    result = _strip_controls(text, multiline)
    if not result.isascii():
        result = unicodedata.normalize("NFC", result)
    # Dropping a joiner can let NFC join what it separated; repeat until nothing changes.
    while ZWNJ in result or ZWJ in result:
        again = unicodedata.normalize("NFC", _keep_needed_joiners(result))
        if again == result:
            break
        result = again
    return result


def hidden_characters(text: str) -> bool:
    """True when ``text`` holds a character ``clean`` would strip or change (its Unicode
    normal form aside)."""
    return _keep_needed_joiners(_strip_controls(text, False)) != text


def _clean_value(value: Any, multiline: bool) -> Any:
    if type(value) is str:  # not a StrEnum: its value is one of ours, and it must stay an enum
        return clean(value, multiline)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _clean_value(getattr(value, f.name), bool(f.metadata.get("multiline")))
            for f in dataclasses.fields(value)
            if f.init
        }
        return dataclasses.replace(value, **changes)
    if type(value) is list:
        return [_clean_value(v, multiline) for v in value]
    if type(value) is tuple:
        return tuple(_clean_value(v, multiline) for v in value)
    if type(value) is dict:
        return {k: _clean_value(v, multiline) for k, v in value.items()}
    return value


def clean_record(value: T) -> T:
    """A copy of a record (dataclass, or a list of them) with every text field cleaned.

    Fields declared with ``multiline_text()`` keep their line breaks; nested records, lists,
    tuples and dict values are cleaned too. Other values (numbers, dates, enums) are kept.
    """
    return cast(T, _clean_value(value, False))


# --- names that mix Latin with look-alike Cyrillic or Greek letters -----------------------

_CHECKED = ("LATIN", "CYRILLIC", "GREEK")
# Cyrillic and Greek letters drawn like a Latin letter (after Unicode's confusables list).
_LOOKS_LATIN: dict[str, str] = {
    **dict(zip("АВЕКМНОРСТХУІЈЅҮҺԚԜӀ", "ABEKMHOPCTXYIJSYHQWI", strict=True)),
    **dict(zip("аеорсухіјѕһԁԛԝӏёї", "aeopcyxijshdqwlëï", strict=True)),
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX", strict=True)),
    **dict(zip("οιρνυκαχ", "oipvukax", strict=True)),
}


def _twin(ch: str, script: str) -> str | None:
    """The letter of ``script`` that ``ch`` looks like, if there is one."""
    if script == "LATIN":
        return _LOOKS_LATIN.get(ch)
    return next((k for k, v in _LOOKS_LATIN.items() if v == ch and _script(k) == script), None)


def _words(name: str) -> list[str]:
    words: list[str] = []
    current: list[str] = []
    for ch in name:
        if unicodedata.category(ch)[0] in "LM":
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def mixed_script_warning(name: str) -> str | None:
    """A plain phrase when one word of ``name`` mixes Latin with Cyrillic or Greek letters.

    E.g. "Аnna Smith" with a Cyrillic А: 'mixes Latin and Cyrillic letters within a word: the
    А (word 1, letter 1) is Cyrillic but looks like the Latin A.' The place is given because
    the two letters look the same. None for a name written in one script (a whole Cyrillic or
    Greek name, or any other script) and for words in different scripts ("Ольга Smith").
    Holds no name, only the letters: the caller puts the field's label in front.
    """
    words = _words(name)
    scripts: set[str] = set()
    odd: dict[str, tuple[str, str | None, list[tuple[int, int]]]] = {}  # letter: script, twin
    for word_no, word in enumerate(words, 1):
        letters = [(ch, _script(ch)) for ch in word if unicodedata.category(ch)[0] == "L"]
        counts = Counter(s for _, s in letters if s in _CHECKED)
        if not counts["LATIN"] or not (counts["CYRILLIC"] or counts["GREEK"]):
            continue
        scripts.update(counts)
        # The word's own script: the one with most letters that have no look-alike in the
        # others ("Mаrіа" is Latin for its r), then most letters; a tie counts as Latin.
        distinct = Counter(
            s
            for ch, s in letters
            if s in _CHECKED and all(_twin(ch, o) is None for o in counts if o != s)
        )
        main = max(_CHECKED, key=lambda s: (distinct[s], counts[s], s == "LATIN"))
        for letter_no, (ch, script) in enumerate(letters, 1):
            if script in _CHECKED and script != main:
                found = odd.setdefault(ch, (script, _twin(ch, main) and main, []))
                found[2].append((word_no, letter_no))
    if not odd:
        return None
    parts = []
    for ch, (script, twin_script, places) in odd.items():
        by_word: dict[int, list[str]] = {}
        for w, n in places:
            by_word.setdefault(w, []).append(str(n))
        at = [("letter " if len(ns) == 1 else "letters ") + _and(ns) for ns in by_word.values()]
        if len(words) > 1:
            at = [f"word {w}, {a}" for w, a in zip(by_word, at, strict=True)]
        part = f"the {ch} ({'; '.join(at)}) is {script.title()}"
        if twin_script:
            part += f" but looks like the {twin_script.title()} {_twin(ch, twin_script)}"
        parts.append(part)
    named = [s.title() for s in _CHECKED if s in scripts]
    return f"mixes {_and(named)} letters within a word: {'; '.join(parts)}."
