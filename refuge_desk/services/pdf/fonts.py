"""Bundled fonts, registered with reportlab once per process, and a per-character fallback.

Fonts are tried in ``CHAIN`` order: the first whose cmap has the character draws it. So
Latin, Cyrillic and Greek come from Noto Sans, each other script from its own Noto font,
Hangul from Nanum Gothic and Chinese/Japanese from Droid Sans Fallback. Characters no font
has fall back to the first font (and show as an empty box: tests prove none of the scripts
we promise gets there).

The chain itself is in faces.py (no reportlab), so the screen (ui/common/fonts.py) uses it too.
"""

from __future__ import annotations

import threading
import unicodedata
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from refuge_desk.services.paths import resource_path
from refuge_desk.services.pdf.faces import CHAIN, Face

BASE = CHAIN[0].name
BASE_BOLD = BASE + "-Bold"

_lock = threading.Lock()
_coverage: dict[str, frozenset[int]] = {}


def register() -> None:
    """Register every bundled face with reportlab (first call only; thread-safe)."""
    if _coverage:
        return
    with _lock:
        if _coverage:
            return
        coverage: dict[str, frozenset[int]] = {}
        for face in CHAIN:
            for name, file in ((face.name, face.regular), (face.name + "-Bold", face.bold)):
                if file is None:
                    continue
                font = TTFont(name, str(resource_path("fonts", file)))
                pdfmetrics.registerFont(font)
                coverage[name] = frozenset(font.face.charToGlyph)
        _coverage.update(coverage)


def face_name(face: Face, bold: bool) -> str:
    return face.name + "-Bold" if bold and face.bold else face.name


def covers(font_name: str, char: str) -> bool:
    register()
    return ord(char) in _coverage[font_name]


@lru_cache(maxsize=8192)
def font_for(char: str, bold: bool = False) -> str:
    """The first font of the chain that has ``char`` (the base font if none has)."""
    register()
    code = ord(char)
    for face in CHAIN:
        name = face_name(face, bold)
        if code in _coverage[name]:
            return name
    return BASE_BOLD if bold else BASE


@lru_cache(maxsize=8192)
def printable(char: str) -> bool:
    """False when no bundled font has ``char`` (it would print as an empty box)."""
    if unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp"):
        return True
    register()
    return any(ord(char) in cover for cover in _coverage.values())


def is_common(char: str) -> bool:
    """Spaces, punctuation, digits, symbols, marks and joiners: they take a neighbour's font."""
    return unicodedata.category(char)[0] in "ZPSNMC"


def split_runs(text: str, bold: bool = False) -> list[tuple[str, str]]:
    """``text`` as (font name, chunk) runs, in logical order.

    A letter takes the first font that has it. A common character (space, punctuation,
    digit, combining mark, ZWJ) stays in the run it is in if that font has it, else joins
    the next letter's font: so "(أمينة)" is one Arabic run that harfbuzz can shape and
    mirror, and a Bengali virama never leaves its consonant's font.
    """
    if not text:
        return []
    fonts: list[str | None] = [None if is_common(c) else font_for(c, bold) for c in text]
    upcoming: list[str | None] = [None] * len(text)  # font of the next letter after i
    nxt: str | None = None
    for i in range(len(text) - 1, -1, -1):
        upcoming[i] = nxt
        nxt = fonts[i] or nxt
    previous: str | None = None
    for i, c in enumerate(text):
        if fonts[i] is not None:
            previous = fonts[i]
            continue
        if previous is not None and covers(previous, c):
            fonts[i] = previous
            continue
        following = upcoming[i]
        if following is not None and covers(following, c):
            fonts[i] = following
        else:
            fonts[i] = font_for(c, bold)
        previous = fonts[i]
    runs: list[tuple[str, str]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or fonts[i] != fonts[start]:
            runs.append((fonts[start] or BASE, text[start:i]))
            start = i
    return runs
