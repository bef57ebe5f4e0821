"""Plain strings to reportlab flowables: font runs, shaping and right-to-left lines.

Shaping: reportlab shapes with uharfbuzz a word at a time when the paragraph style has
``shaping=1`` and its font is a TrueType font (``TTFont.shapable``): harfbuzz then joins
Arabic letters, builds Indic conjuncts and reorders vowel signs, and returns an Arabic
word's glyphs already in visual order.

Bidi: reportlab 5 lays words out right to left only through the optional ``rlbidi``
package, which is not on PyPI, and even then not for paragraphs with several fonts. So
text with any right-to-left letter goes through ``BidiParagraph`` here: it breaks lines in
logical order, then orders each line's pieces (words in one font, and the spaces between
them) by a word-level form of the Unicode bidi algorithm (levels, neutrals resolved by their
neighbours, numbers kept left to right, runs reversed from the highest level down), and
draws each piece shaped. Its base direction is the first strong letter's unless told.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import ShapedStr, shapeStr
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph

from refuge_desk.services.pdf import fonts

RTL_CLASSES = frozenset({"R", "AL"})
_TOKENS = re.compile(r" +|[^ ]+")


def is_rtl_char(char: str) -> bool:
    return unicodedata.bidirectional(char) in RTL_CLASSES


def has_rtl(text: str) -> bool:
    return any(is_rtl_char(c) for c in text)


def first_strong_is_rtl(text: str) -> bool | None:
    """Direction of the first strong letter (Unicode bidi P2), None if there is none."""
    for c in text:
        kind = unicodedata.bidirectional(c)
        if kind == "L":
            return False
        if kind in RTL_CLASSES:
            return True
    return None


def markup(text: str, bold: bool = False) -> str:
    """Paragraph markup: escaped, each script run in a font that has it, lines kept."""
    lines = []
    for line in text.split("\n"):
        lines.append(
            "".join(
                f'<font name="{font}">{escape(chunk)}</font>'
                for font, chunk in fonts.split_runs(line, bold)
            )
        )
    return "<br/>".join(lines)


def mirrored(alignment: int) -> int:
    flipped = {TA_LEFT: TA_RIGHT, TA_RIGHT: TA_LEFT, TA_JUSTIFY: TA_RIGHT}
    return int(flipped.get(alignment, alignment))


def make_paragraph(
    text: str, style: ParagraphStyle, *, bold: bool = False, rtl: bool | None = None
) -> Flowable:
    """One flowable for ``text``; ``rtl`` forces the base direction (None: from the text).

    Right-to-left paragraphs mirror the style's alignment (left becomes right).
    """
    base_rtl = first_strong_is_rtl(text) if rtl is None else rtl
    if has_rtl(text):
        return BidiParagraph(text, style, bold=bold, rtl=bool(base_rtl))
    if base_rtl:
        style = ParagraphStyle(style.name + "-rtl", parent=style)
        style.alignment = mirrored(style.alignment)
    return Paragraph(markup(text, bold), style)


@lru_cache(maxsize=32768)
def _shaped(text: str, font: str) -> tuple[str, float]:
    """The drawable (shaped if harfbuzz changed anything) and its width at 1 pt."""
    shaped = shapeStr(text, font, 1000)
    if isinstance(shaped, ShapedStr):
        return shaped, sum(d.x_advance for d in shaped.__shapeData__) / 1000
    return text, stringWidth(text, font, 1000) / 1000


@dataclass(frozen=True, slots=True)
class Piece:
    text: str  # logical order; drawn shaped
    font: str
    kind: str  # "L", "R", "EN" (digits only), "N" (other neutral), "WS" (space)

    def width(self, size: float) -> float:
        return _shaped(self.text, self.font)[1] * size


def _kind(text: str) -> str:
    for c in text:
        k = unicodedata.bidirectional(c)
        if k == "L":
            return "L"
        if k in RTL_CLASSES:
            return "R"
    if any(unicodedata.bidirectional(c) in ("EN", "AN") for c in text):
        return "EN"
    return "N"


_DIRECTIONAL = frozenset({"L", "R", "AL", "EN", "AN", "NSM"})


def _trim_neutrals(chunk: str) -> list[str]:
    """Leading and trailing punctuation split off, to be placed by the bidi rules."""
    kinds = [unicodedata.bidirectional(c) in _DIRECTIONAL for c in chunk]
    if not any(kinds):
        return [chunk]
    first = kinds.index(True)
    last = len(kinds) - kinds[::-1].index(True)
    return [p for p in (chunk[:first], chunk[first:last], chunk[last:]) if p]


def _words(line: str, bold: bool) -> list[list[Piece]]:
    """Words of one hard line; a word's first piece is a space (except the first word)."""
    words: list[list[Piece]] = []
    pending_space = False
    for match in _TOKENS.finditer(line):
        token = match.group(0)
        if token[0] == " ":
            pending_space = bool(words)
            continue
        pieces = [
            Piece(part, font, _kind(part))
            for font, chunk in fonts.split_runs(token, bold)
            for part in _trim_neutrals(chunk)
        ]
        if pending_space:
            pieces.insert(0, Piece(" ", pieces[0].font, "WS"))
        words.append(pieces)
        pending_space = False
    return words


def _split_long(word: list[Piece], width: float, size: float) -> list[list[Piece]]:
    """A word wider than the line, cut between characters into parts that fit."""
    parts: list[list[Piece]] = [[]]
    used = 0.0
    for piece in word:
        if piece.kind == "WS":
            continue
        chunk = ""
        for c in piece.text:
            w = stringWidth(chunk + c, piece.font, size)
            if chunk and used + w > width:
                parts[-1].append(replace(piece, text=chunk))
                parts.append([])
                used, chunk = 0.0, ""
            chunk += c
        if chunk:
            parts[-1].append(replace(piece, text=chunk))
            used += stringWidth(chunk, piece.font, size)
    return [p for p in parts if p]


def _levels(kinds: Sequence[str], base: int) -> list[int]:
    """Embedding levels, word-level Unicode bidi: W7, N1, N2 and I1/I2, one pass each."""
    resolved = list(kinds)
    strong = "L" if base == 0 else "R"
    for i, k in enumerate(resolved):
        if k in ("L", "R"):
            strong = k
        elif k == "EN" and strong == "L":
            resolved[i] = "L"  # W7: digits after a left-to-right letter are left to right
    as_dir = ["R" if k == "EN" else k for k in resolved]  # N1 counts numbers as R
    base_dir = "L" if base == 0 else "R"
    i = 0
    while i < len(as_dir):
        if as_dir[i] in ("N", "WS"):
            j = i
            while j < len(as_dir) and as_dir[j] in ("N", "WS"):
                j += 1
            before = as_dir[i - 1] if i > 0 else base_dir
            after = as_dir[j] if j < len(as_dir) else base_dir
            fill = before if before == after else base_dir
            for m in range(i, j):
                resolved[m] = fill
            i = j
        else:
            i += 1
    out = []
    for k in resolved:
        if base == 0:
            out.append({"L": 0, "R": 1}.get(k, 2))
        else:
            out.append({"L": 2, "R": 1}.get(k, 2))
    return out


MIRROR = dict(zip("()[]{}<>«»‹›", ")(][}{><»«›‹", strict=True))


def bidi_line(kinds: Sequence[str], base: int) -> tuple[list[int], list[int]]:
    """(indices of a line's pieces from left to right, their levels): bidi rule L2."""
    levels = _levels(kinds, base)
    order = list(range(len(kinds)))
    if not levels:
        return order, levels
    lowest_odd = min(lv for lv in levels if lv % 2) if any(lv % 2 for lv in levels) else 1
    for level in range(max(levels), lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return order, levels


class BidiParagraph(Flowable):  # type: ignore[misc]  # reportlab has no types
    """A paragraph whose lines are ordered by the bidi algorithm and drawn shaped."""

    def __init__(
        self,
        text: str,
        style: ParagraphStyle,
        *,
        bold: bool = False,
        rtl: bool = True,
        _lines: list[list[list[Piece]]] | None = None,
    ) -> None:
        super().__init__()
        self.style = style
        self.rtl = rtl
        self.bold = bold
        # Hard lines, each a list of words, each a list of pieces.
        self._hard = _lines if _lines is not None else [_words(s, bold) for s in text.split("\n")]
        self._lines: list[tuple[int, list[list[Piece]]]] = []  # (hard line index, words)
        self._width = -1.0

    def _break(self, width: float) -> None:
        if width == self._width:
            return
        size = self.style.fontSize
        self._width = width
        self._lines = []
        for h, words in enumerate(self._hard):
            line: list[list[Piece]] = []
            used = 0.0
            for word in words:
                body = [p for p in word if p.kind != "WS"]
                w_body = sum(p.width(size) for p in body)
                if w_body > width:
                    if line:
                        self._lines.append((h, line))
                    parts = _split_long(body, width, size)
                    self._lines.extend((h, [part]) for part in parts[:-1])
                    line, used = [parts[-1]], sum(p.width(size) for p in parts[-1])
                    continue
                w_full = sum(p.width(size) for p in word)
                if line and used + w_full > width:
                    self._lines.append((h, line))
                    line, used = [body], w_body
                elif line:
                    line.append(word)
                    used += w_full
                else:
                    line, used = [body], w_body
            self._lines.append((h, line))

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._break(availWidth)
        self.width = availWidth
        self.height = len(self._lines) * self.style.leading
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self._break(availWidth)
        fit = int((availHeight + 1e-6) // self.style.leading)
        if fit <= 0:
            return []
        if fit >= len(self._lines):
            return [self]
        # Each laid-out line of the head becomes a hard line: it breaks the same way again.
        head = [words for _, words in self._lines[:fit]]
        rest_h = self._lines[fit][0]
        rest = [w for (h, ws) in self._lines[fit:] if h == rest_h for w in ws]
        tail = [rest, *self._hard[rest_h + 1 :]]
        return [self._child(head), self._child(tail)]

    def _child(self, hard: list[list[list[Piece]]]) -> BidiParagraph:
        return BidiParagraph("", self.style, bold=self.bold, rtl=self.rtl, _lines=hard)

    def draw(self) -> None:
        canvas: Canvas = self.canv
        style = self.style
        size, leading = style.fontSize, style.leading
        base = 1 if self.rtl else 0
        align = mirrored(style.alignment) if self.rtl else style.alignment
        canvas.setFillColor(style.textColor)
        for n, (_, words) in enumerate(self._lines):
            pieces = [p for word in words for p in word]
            order, levels = bidi_line([p.kind for p in pieces], base)
            total = sum(p.width(size) for p in pieces)
            if align == TA_RIGHT:
                x = self.width - total
            elif align == TA_CENTER:
                x = (self.width - total) / 2
            else:
                x = 0.0
            y = self.height - (n + 1) * leading + (leading - size) / 2 + 0.25 * size
            tx = canvas.beginText()
            for i in order:
                piece = pieces[i]
                if piece.kind != "WS":
                    text = piece.text
                    if piece.kind == "N" and levels[i] % 2:
                        # Punctuation on a right-to-left level runs right to left, brackets
                        # mirrored: harfbuzz alone would see it as left to right.
                        text = "".join(MIRROR.get(c, c) for c in reversed(text))
                    drawable = _shaped(text, piece.font)[0]
                    tx.setTextOrigin(x, y)
                    tx.setFont(piece.font, size)
                    tx.textOut(drawable)
                x += piece.width(size)
            canvas.drawText(tx)
