"""Strings to flowables: escaping, font runs, and the word-level bidi ordering."""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from refuge_desk.services.pdf import fonts
from refuge_desk.services.pdf.text import (
    BidiParagraph,
    bidi_line,
    first_strong_is_rtl,
    make_paragraph,
    markup,
)

STYLE = ParagraphStyle("t", fontName=fonts.BASE, fontSize=11, leading=15, shaping=1)


def test_markup_escapes_and_names_fonts() -> None:
    m = markup("a<b>&c\nأ")
    assert "&lt;b&gt;&amp;c" in m
    assert "<br/>" in m
    assert '<font name="RD-NotoNaskhArabic">أ</font>' in m


def test_paragraph_kind_follows_the_text() -> None:
    assert isinstance(make_paragraph("Plain English", STYLE), Paragraph)
    assert isinstance(make_paragraph("हिन्दी", STYLE), Paragraph)  # shaped, left to right
    bidi = make_paragraph("Amina — أمينة", STYLE)
    assert isinstance(bidi, BidiParagraph) and not bidi.rtl
    assert make_paragraph("أمينة Amina", STYLE).rtl  # type: ignore[attr-defined]
    assert first_strong_is_rtl("123 שלום") is True
    assert first_strong_is_rtl("...") is None


def test_right_to_left_line_reverses_words_and_keeps_numbers_readable() -> None:
    # R WS R WS EN: "أمينة عمرها 34" shown right to left, the number still reads 34.
    order, levels = bidi_line(["R", "WS", "R", "WS", "EN"], base=1)
    assert order == [4, 3, 2, 1, 0]
    assert levels == [1, 1, 1, 1, 2]


def test_arabic_name_inside_english_keeps_english_order() -> None:
    # "Amina — أمينة حسن": the two Arabic words swap, everything else stays.
    kinds = ["L", "WS", "N", "WS", "R", "WS", "R"]
    order, _ = bidi_line(kinds, base=0)
    assert order == [0, 1, 2, 3, 6, 5, 4]


def test_english_inside_arabic_stays_left_to_right() -> None:
    # "مرحبا Amina Rahman شكرا": the English pair keeps its order inside the reversed line.
    order, _ = bidi_line(["R", "WS", "L", "WS", "L", "WS", "R"], base=1)
    assert order == [6, 5, 2, 3, 4, 1, 0]


def test_long_right_to_left_text_splits_across_frames() -> None:
    para = BidiParagraph("كلمة " * 3000, STYLE, rtl=True)
    _, height = para.wrap(400, 10_000)
    assert height > 700
    head, tail = para.split(400, 700)
    assert isinstance(head, BidiParagraph) and isinstance(tail, BidiParagraph)
    assert head.wrap(400, 700)[1] <= 700
    assert head.wrap(400, 700)[1] + tail.wrap(400, 10_000)[1] == height
    assert para.split(400, 5) == []
