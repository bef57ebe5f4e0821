"""render_pdf read back with pypdf and fontTools: glyphs, sizes, order, metadata, pages."""

from __future__ import annotations

import io
import unicodedata

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from refuge_desk.services.pdf.document import PageSetup, Paper, PrintDocument, Section, TextBlock
from refuge_desk.services.pdf.layout import LARGE_BODY, NORMAL_BODY
from refuge_desk.services.pdf.render import render_pdf

from .pdfread import missing_glyphs, page_text, shown, text_sizes
from .samples import SCRIPTS, UNSHAPED, full_plan, one_text


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_every_character_is_drawn_with_a_real_glyph_of_an_embedded_font(name: str) -> None:
    """Glyph coverage, proven from the PDF itself.

    Each text operator's codes are looked up in the cmap of the font program embedded in
    the PDF (its FontFile2, parsed with fontTools): a character no font had would be drawn
    as glyph 0 (.notdef, the empty box) or in a font that is not embedded. Shaped scripts
    turn characters into ligatures and conjunct glyphs, so counting characters in the
    extracted text would not be honest for them; glyph 0 is the one sign that is. For the
    scripts harfbuzz leaves alone, every character must also come back out as text.
    """
    text = SCRIPTS[name]
    for setup in (PageSetup(), PageSetup(large_print=True)):
        pdf = render_pdf(one_text(text), setup)
        assert missing_glyphs(pdf) == []
        drawn = sum(len(s.glyph_ids) for s in shown(pdf))
        assert drawn >= len(text.replace(" ", "")) // 2  # the text really was drawn
        if name in UNSHAPED:
            extracted = page_text(pdf)
            assert [c for c in text if not c.isspace() and c not in extracted] == []


def test_the_coverage_check_does_catch_a_missing_glyph() -> None:
    pdf = render_pdf(one_text("Hieroglyph \U00013000 here"), PageSetup())
    assert missing_glyphs(pdf)


def test_full_plan_uses_only_embedded_glyphs() -> None:
    assert missing_glyphs(render_pdf(full_plan(), PageSetup())) == []


def _runs(pdf: bytes) -> list[tuple[str, float]]:
    """(text, x on the page) of each text-showing operator, from pypdf's visitor."""
    found: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            found.append((unicodedata.normalize("NFKC", text).strip(), cm[4] + tm[4]))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return found


@pytest.mark.parametrize("text", ["שרה כהן גרה", "أمينة تسكن هنا"])
def test_right_to_left_text_runs_right_to_left_and_is_right_aligned(text: str) -> None:
    pdf = render_pdf(one_text(text), PageSetup())
    runs = dict(_runs(pdf))
    words = text.split()
    # Extracted in logical order word by word (Arabic via its presentation forms, NFKC).
    assert all(w in runs for w in words), runs
    xs = [runs[w] for w in words]
    assert xs == sorted(xs, reverse=True)  # first word rightmost
    label_x = runs["Answer"]
    assert xs[0] > label_x + 300  # right-aligned against the far margin


def test_mixed_line_keeps_visual_order() -> None:
    pdf = render_pdf(one_text("Amina — أمينة رحمن, ok"), PageSetup())
    runs = dict(_runs(pdf))
    assert runs["Amina"] < runs["—"] < runs["رحمن"] < runs["أمينة"] < runs["ok"]


def test_right_to_left_language_mirrors_headings() -> None:
    doc = one_text("نص", label="ملاحظات", language="ar")
    runs = dict(_runs(render_pdf(doc, PageSetup())))
    assert runs["Notes"] > 300 and runs["Section"] > 300  # title and heading at the right


def test_large_print_is_at_least_16_pt_everywhere() -> None:
    large = text_sizes(render_pdf(full_plan(), PageSetup(large_print=True)))
    assert min(large) >= 16
    assert LARGE_BODY in large
    normal = text_sizes(render_pdf(full_plan(), PageSetup()))
    assert NORMAL_BODY in normal and min(normal) < 16


def test_metadata_is_neutral() -> None:
    pdf = render_pdf(full_plan(), PageSetup())
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta is not None and meta.title == "Document"
    for key in ("/Author", "/Subject", "/Keywords", "/Creator", "/Producer"):
        assert meta.get(key, "") == "", key
    assert "Amina" not in str(dict(meta))
    assert b"/Metadata" not in pdf  # no XMP packet either


def test_paper_sizes() -> None:
    a4 = PdfReader(io.BytesIO(render_pdf(full_plan(), PageSetup(Paper.A4)))).pages[0]
    letter = PdfReader(io.BytesIO(render_pdf(full_plan(), PageSetup(Paper.LETTER)))).pages[0]
    assert (round(float(a4.mediabox.width)), round(float(a4.mediabox.height))) == (595, 842)
    assert (round(float(letter.mediabox.width)), round(float(letter.mediabox.height))) == (
        612,
        792,
    )


def test_long_text_splits_across_pages_with_footer_on_each() -> None:
    words = ("safety plan words " * 800) + ("أمينة تسكن هنا " * 500)
    assert len(words) > 20_000
    pdf = render_pdf(full_plan(extra=words), PageSetup(large_print=True))
    reader = PdfReader(io.BytesIO(pdf))
    pages = len(reader.pages)
    assert pages > 6
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Page {number} of {pages}" in text
        assert "Keep this somewhere safe." in text
        assert "Version 3, agreed 20 November 2026" in text
        assert "DRAFT" in text


def test_discreet_style_footer_without_version_line_and_no_watermark() -> None:
    doc = one_text("Hello")
    text = page_text(render_pdf(doc, PageSetup()))
    assert "Page 1 of 1" in text and "Version" not in text and "DRAFT" not in text


def test_checklists_are_drawn_boxes_and_staff_blocks_are_marked() -> None:
    pdf = render_pdf(full_plan(), PageSetup())
    reader = PdfReader(io.BytesIO(pdf))
    rects = 0
    for page in reader.pages:
        ops = [op for _, op in ContentStream(page.get_contents(), reader).operations]
        rects += ops.count(b"re")
    assert rects >= 3 * 4  # three rows of four boxes, plus bars and table cells
    text = unicodedata.normalize("NFKC", page_text(pdf))  # "ﬀ" ligature back to "ff"
    assert "☐" not in text and "☑" not in text
    assert text.count("Staff only") == 2  # the staff section's bar and the staff block's bar
    assert "&lt;" not in text and "<b>not bold</b>" in text


def test_blank_form_prints_prompts_and_writing_lines() -> None:
    doc = PrintDocument(
        title="Plan",
        header_lines=(),
        sections=(
            Section("S", (TextBlock("Q", "", prompts=("Think of a place",), write_lines=5),)),
        ),
        keep_safe="",
        version_line="",
        page_label="{page}/{pages}",
    )
    pdf = render_pdf(doc, PageSetup())
    reader = PdfReader(io.BytesIO(pdf))
    ops = [op for _, op in ContentStream(reader.pages[0].get_contents(), reader).operations]
    assert "Think of a place" in page_text(pdf)
    assert ops.count(b"l") >= 5  # the ruled lines (and the footer rule)


def test_a_six_page_plan_renders() -> None:
    """(benchmarks/pdf.py times it.)"""
    doc = full_plan(extra="A line of a long plan, with details. " * 450)
    pdf = render_pdf(doc, PageSetup())
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 5


def test_each_line_takes_its_own_direction() -> None:
    """From the review: an Arabic first line right-aligned the English lines under it."""
    pdf = render_pdf(one_text("أمينة تسكن هنا\nEnglish words here"), PageSetup())
    runs = dict(_runs(pdf))
    assert runs["English words here"] < runs["Answer"] + 5  # left-aligned with the label
    assert runs["أمينة"] > runs["Answer"] + 300  # the Arabic line right-aligned


def test_a_long_answer_starts_on_the_page_it_is_reached() -> None:
    """From the review: a long answer kept with its label left page 1 empty."""
    long = "She has a long story to tell about her safety and her plans. " * 75
    doc = one_text(long)
    doc = PrintDocument(
        title=doc.title,
        header_lines=("Line one", "Line two"),
        sections=(Section("Intro", (TextBlock("Short", "a few words"),)), *doc.sections),
        keep_safe=doc.keep_safe,
        version_line="",
        page_label=doc.page_label,
    )
    pdf = render_pdf(doc, PageSetup())
    first_page = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "She has a long story" in first_page
