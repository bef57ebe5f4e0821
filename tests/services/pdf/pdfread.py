"""Reading our PDFs back: every glyph drawn, its font, size and position (pypdf + fontTools)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream


@dataclass(frozen=True)
class Shown:
    """One text-showing operator: the font's BaseFont, Tf size, origin and glyph ids."""

    page: int
    font: str
    size: float
    x: float
    y: float
    glyph_ids: tuple[int, ...]  # in the embedded subset; 0 is .notdef
    embedded: bool


class _Font:
    def __init__(self, font: Any) -> None:
        self.name = str(font.get("/BaseFont", "?"))
        descriptor = font.get("/FontDescriptor")
        data = descriptor.get_object().get("/FontFile2") if descriptor else None
        self.embedded = data is not None
        self.cmap: dict[int, int] = {}
        if data is not None:
            tt = TTFont(io.BytesIO(data.get_object().get_data()))
            for table in tt["cmap"].tables:  # reportlab writes one (1, 0) table: code -> glyph
                for code, glyph in table.cmap.items():
                    self.cmap[code & 0xFF] = tt.getGlyphID(glyph)

    def glyphs(self, codes: bytes) -> tuple[int, ...]:
        return tuple(self.cmap.get(c, 0) for c in codes)


def _bytes(operand: Any) -> bytes:
    original = getattr(operand, "original_bytes", None)
    return bytes(original) if original is not None else bytes(operand)


def shown(pdf: bytes) -> Iterator[Shown]:
    """Every Tj/TJ/'/" in the document, with what it draws."""
    reader = PdfReader(io.BytesIO(pdf))
    cache: dict[int, _Font] = {}
    for number, page in enumerate(reader.pages, start=1):
        resources = page["/Resources"].get("/Font", {})
        content = ContentStream(page.get_contents(), reader)
        font: _Font | None = None
        size = 0.0
        x = y = 0.0
        for operands, op in content.operations:
            if op == b"Tf":
                ref = resources[operands[0]]
                key = ref.idnum if hasattr(ref, "idnum") else id(ref)
                if key not in cache:
                    cache[key] = _Font(ref.get_object())
                font, size = cache[key], float(operands[1])
            elif op == b"BT":
                x = y = 0.0
            elif op == b"Tm":
                x, y = float(operands[4]), float(operands[5])
            elif op == b"Td":
                x, y = x + float(operands[0]), y + float(operands[1])
            elif op in (b"Tj", b"'", b'"', b"TJ"):
                assert font is not None, "text shown before any font was chosen"
                parts = operands[-1] if op != b"TJ" else operands[0]
                strings = [parts] if op != b"TJ" else [p for p in parts if not _is_number(p)]
                codes = b"".join(_bytes(s) for s in strings)
                if codes:
                    yield Shown(number, font.name, size, x, y, font.glyphs(codes), font.embedded)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) or type(value).__name__ in ("FloatObject", "NumberObject")


def missing_glyphs(pdf: bytes) -> list[str]:
    """Text drawn with .notdef (glyph 0 of its embedded subset) or with a font not embedded."""
    problems = []
    for s in shown(pdf):
        if not s.embedded:
            problems.append(f"page {s.page}: text in a font that is not embedded: {s.font}")
        elif 0 in s.glyph_ids:
            problems.append(f"page {s.page}: .notdef drawn in {s.font}")
    return problems


def text_sizes(pdf: bytes) -> set[float]:
    return {s.size for s in shown(pdf)}


def page_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)
