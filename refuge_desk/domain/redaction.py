"""Take words off a printed copy that could endanger her if the paper were found."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

BLANK = "____"
MIN_TOKEN = 2


def name_tokens(text: str) -> set[str]:
    """The words of a name ("Karim al-Hassan" -> Karim, al-Hassan, Hassan)."""
    tokens: set[str] = set()
    for word in re.split(r"[\s,;/()]+", text):
        word = word.strip(".'\"")
        if len(word) >= MIN_TOKEN:
            tokens.add(word)
            for part in re.split(r"[-'’]", word):
                if len(part) >= 3:
                    tokens.add(part)
    return tokens


@dataclass(frozen=True, slots=True)
class Redactor:
    """Replaces whole words and phrases, ignoring case, in any script."""

    pattern: re.Pattern[str] | None

    @classmethod
    def of(cls, phrases: Iterable[str]) -> Redactor:
        terms = sorted({p.strip() for p in phrases if len(p.strip()) >= MIN_TOKEN}, key=len)
        if not terms:
            return cls(None)
        alternatives = "|".join(re.escape(t) for t in reversed(terms))  # longest first
        return cls(re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE))

    def __call__(self, text: str) -> str:
        if self.pattern is None or not text:
            return text
        return self.pattern.sub(BLANK, text)

    def hits(self, text: str) -> bool:
        return bool(self.pattern and text and self.pattern.search(text))
