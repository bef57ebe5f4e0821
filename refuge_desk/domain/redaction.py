"""Take words off a printed copy that could endanger her if the paper were found.

Blanking too much is the safe side, but a copy full of blanks is useless, so the rules are:

- every term is matched as a whole word in any case ("karim", "KARIM"), after Unicode NFC
  normalisation of both sides, with any apostrophe (' ’ ʼ) and any spacing;
- names of 4+ letters also match with endings ("Karims", "Kowalskiego", "করিমকে") and, in
  Arabic script, with a one- or two-letter clitic in front ("وكريم", "لكريم");
- a Latin-script term that is also a common English word ("Will", "Rose") is matched only
  where it is written with a capital, so "I will ring" stays readable;
- terms with digits (postcodes, house numbers) match with or without spaces ("LS1 4AB",
  "ls14ab");
- an email address or web address containing a term is blanked whole.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

BLANK = "____"
MIN_TOKEN = 2
MIN_STEM = 4
_APOSTROPHES = "'’‘`ʼ"
# Letters plus the combining marks of the scripts we print (Latin accents, Arabic harakat,
# Indic vowel signs and viramas, Ethiopic), so a word is never cut inside a syllable.
_WORD = (
    r"(?:[^\W_]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
    r"\u0900-\u0dff\u1200-\u139f])"
)
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_CLITICS = "[وفبلك]{1,2}"
_ADDRESS_LIKE = re.compile(r"[^\s<>()\[\]]+@[^\s<>()\[\]]+|(?:https?://|www\.)\S+", re.IGNORECASE)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def name_tokens(text: str) -> set[str]:
    """The words of a name ("Karim al-Hassan" -> Karim, al-Hassan, Hassan)."""
    tokens: set[str] = set()
    for word in re.split(r"[\s,;/()]+", nfc(text)):
        word = word.strip('."' + _APOSTROPHES)
        if len(word) >= MIN_TOKEN:
            tokens.add(word)
            for part in re.split(r"[-" + _APOSTROPHES + "]", word):
                if len(part) >= 3:
                    tokens.add(part)
    return tokens


def _is_latin(term: str) -> bool:
    return all(
        c.isascii() or unicodedata.name(c, "").startswith("LATIN") for c in term if c.isalpha()
    )


def _literal(term: str) -> str:
    """The term as a pattern: any apostrophe, any spacing; digits make spaces optional."""
    spaced = any(c.isdigit() for c in term)
    out = []
    for c in term:
        if c in _APOSTROPHES:
            out.append(f"[{_APOSTROPHES}]")
        elif c.isspace():
            out.append(r"\s*" if spaced else r"\s+")
        else:
            out.append(re.escape(c))
            if spaced:
                out.append(r"\s*")
    pattern = "".join(out)
    return pattern[: -len(r"\s*")] if spaced and pattern.endswith(r"\s*") else pattern


def _term_pattern(term: str, common_words: frozenset[str]) -> str:
    body = _literal(term)
    stem = len(term) >= MIN_STEM and not any(c.isdigit() for c in term)
    if _is_latin(term):
        capitalised = f"(?-i:{re.escape(term[0].upper())})(?:{_literal(term[1:])})"
        if term.casefold() in common_words:
            # A common word: only where written as a name, with a capital.
            return capitalised + (f"(?:{_WORD})*" if stem else "")
        alternatives = [body]
        if stem:
            alternatives.append(capitalised + f"(?:{_WORD})+")
        return "(?:" + "|".join(alternatives) + ")"
    pattern = body + (f"(?:{_WORD})*" if stem else "")
    if _ARABIC.search(term[:1]):
        pattern = f"(?:{_CLITICS})?" + pattern
    return pattern


@dataclass(frozen=True, slots=True)
class Redactor:
    pattern: re.Pattern[str] | None
    folded_terms: tuple[str, ...] = ()

    @classmethod
    def of(cls, phrases: Iterable[str], common_words: frozenset[str] = frozenset()) -> Redactor:
        terms = sorted(
            {nfc(p.strip()) for p in phrases if len(p.strip()) >= MIN_TOKEN}, key=len, reverse=True
        )
        if not terms:
            return cls(None)
        alternatives = "|".join(_term_pattern(t, common_words) for t in terms)
        pattern = re.compile(rf"(?<!{_WORD})(?:{alternatives})(?!{_WORD})", re.IGNORECASE)
        folded = tuple(re.sub(r"[\s" + _APOSTROPHES + "]", "", t).casefold() for t in terms)
        return cls(pattern, folded)

    def _address(self, match: re.Match[str]) -> str:
        squashed = re.sub(r"[\s" + _APOSTROPHES + "]", "", match.group(0)).casefold()
        return BLANK if any(t and t in squashed for t in self.folded_terms) else match.group(0)

    def __call__(self, text: str) -> str:
        if self.pattern is None or not text:
            return text
        text = _ADDRESS_LIKE.sub(self._address, nfc(text))
        return self.pattern.sub(BLANK, text)
