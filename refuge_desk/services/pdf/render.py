"""PrintDocument -> PDF bytes with reportlab platypus, in memory only."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageTemplate,
    Spacer,
)

from refuge_desk.services.pdf import fonts
from refuge_desk.services.pdf.document import (
    ChecklistBlock,
    PageSetup,
    Paper,
    PrintDocument,
    Section,
    TableBlock,
    TextBlock,
)
from refuge_desk.services.pdf.layout import Styles, checklist_table, data_table
from refuge_desk.services.pdf.marks import StaffBar, WriteLines
from refuge_desk.services.pdf.text import has_rtl, make_paragraph

RTL_LANGUAGES = frozenset({"ar", "ur", "fa", "ps", "he", "yi", "ckb", "sd", "ug"})
PAGE_SIZES = {Paper.A4: A4, Paper.LETTER: LETTER}
SIDE_MARGIN = 20 * mm
TOP_MARGIN = 18 * mm
BOTTOM_MARGIN = 12 * mm


def is_rtl_language(language: str) -> bool:
    return language.split("-")[0].lower() in RTL_LANGUAGES


def render_pdf(doc: PrintDocument, setup: PageSetup) -> bytes:
    """The whole document as PDF bytes; nothing touches the disk."""
    fonts.register()
    styles = Styles.make(setup.large_print)
    rtl = is_rtl_language(doc.language)
    page_w, page_h = PAGE_SIZES[setup.paper]
    footer_h = _footer_height(styles)
    buf = io.BytesIO()
    template = BaseDocTemplate(
        buf,
        pagesize=(page_w, page_h),
        leftMargin=SIDE_MARGIN,
        rightMargin=SIDE_MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN + footer_h,
        title=doc.metadata_title,
        author="",
        subject="",
        keywords="",
        creator="",
        producer="",
        invariant=1,  # fixed dates and ids: the bytes say nothing about when or where
        pageCompression=1,
        lang=doc.language,
    )
    frame = Frame(
        SIDE_MARGIN,
        BOTTOM_MARGIN + footer_h,
        page_w - 2 * SIDE_MARGIN,
        page_h - TOP_MARGIN - BOTTOM_MARGIN - footer_h,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )

    def watermark(canvas: Canvas, _doc: Any) -> None:
        if doc.watermark:
            _draw_watermark(canvas, doc.watermark, styles, page_w, page_h)

    template.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=watermark)])

    footer = Footer(doc, styles, page_w)
    template.build(_story(doc, styles, rtl, frame.width), canvasmaker=_numbered_canvas(footer.draw))
    return buf.getvalue()


def _story(doc: PrintDocument, styles: Styles, rtl: bool, width: float) -> list[Flowable]:
    story: list[Flowable] = [make_paragraph(doc.title, styles.title, bold=True, rtl=rtl or None)]
    story += [make_paragraph(line, styles.header, rtl=rtl or None) for line in doc.header_lines]
    story.append(Spacer(1, styles.body.fontSize))
    for section in doc.sections:
        story += _section(section, doc, styles, rtl, width)
    return story


def _section(
    section: Section, doc: PrintDocument, styles: Styles, rtl: bool, width: float
) -> list[Flowable]:
    out: list[Flowable] = []
    first = section.blocks[0] if section.blocks else None
    if isinstance(first, TextBlock) and len(first.text) > LONG_ANSWER:
        # The heading, label and a few lines of a long first answer start a page together.
        out.append(CondPageBreak(styles.heading.leading * 2 + styles.body.leading * 5))
    if section.staff_only:
        out.append(StaffBar(doc.staff_only_label, styles.staff_bar, rtl))
    out.append(make_paragraph(section.title, styles.heading, bold=True, rtl=rtl or None))
    if section.subheading:
        out.append(make_paragraph(section.subheading, styles.subheading, bold=True))
    for block in section.blocks:
        if block.staff_only and not section.staff_only:
            out.append(StaffBar(doc.staff_only_label, styles.staff_bar, rtl))
        label_style = styles.label
        if isinstance(block, TextBlock) and len(block.text) > LONG_ANSWER:
            # Kept with the whole of a long answer, the label would push it all to the next
            # page and leave this one empty: keep it with the answer's first lines only.
            if block is not first:
                out.append(CondPageBreak(styles.label.leading + styles.body.leading * 4))
            label_style = ParagraphStyle("label-loose", parent=styles.label, keepWithNext=0)
        out.append(make_paragraph(block.label, label_style, bold=True, rtl=rtl or None))
        if isinstance(block, TextBlock):
            out += _text_block(block, styles)
        elif isinstance(block, ChecklistBlock):
            out.append(checklist_table(block, styles, rtl, width))
        elif isinstance(block, TableBlock):
            out.append(data_table(block, styles, rtl, width))
        out.append(Spacer(1, styles.body.fontSize * 0.6))
    out.append(Spacer(1, styles.body.fontSize * 0.8))
    return out


def _text_block(block: TextBlock, styles: Styles) -> list[Flowable]:
    if block.text.strip():
        # Line by line: each takes its own direction (an Arabic line, then an English one).
        out: list[Flowable] = []
        for line in block.text.strip("\n").split("\n"):
            if line.strip():
                out.append(make_paragraph(line, styles.body))
            else:
                out.append(Spacer(1, styles.body.leading * 0.6))
        return out
    out = [make_paragraph(p, styles.prompt) for p in block.prompts]
    if block.write_lines:
        out.append(WriteLines(block.write_lines, styles.body.leading * 1.8))
    return out


LONG_ANSWER = 500  # characters


def _footer_height(styles: Styles) -> float:
    return float(styles.footer.leading * 2 + 4 * mm)


class Footer:
    """Draws each page's footer: the keep-safe line, the version line, page X of Y.

    The two fixed lines are laid out once and drawn on every page.
    """

    def __init__(self, doc: PrintDocument, styles: Styles, page_w: float) -> None:
        self.doc, self.styles, self.page_w = doc, styles, page_w
        self.width = page_w - 2 * SIDE_MARGIN
        self.fixed = [make_paragraph(t, styles.footer) for t in (doc.keep_safe, doc.version_line)]
        self.heights = [p.wrap(self.width, styles.footer.leading * 3)[1] for p in self.fixed]

    def draw(self, canvas: Canvas, page: int, pages: int) -> None:
        styles = self.styles
        y_top = BOTTOM_MARGIN + _footer_height(styles) - 2 * mm
        canvas.saveState()
        canvas.setStrokeColor(colors.Color(0.6, 0.6, 0.6))
        canvas.setLineWidth(0.5)
        canvas.line(SIDE_MARGIN, y_top, self.page_w - SIDE_MARGIN, y_top)
        y = y_top - 1 * mm - styles.footer.leading
        keep_safe, version = self.fixed
        if self.doc.keep_safe:
            keep_safe.drawOn(canvas, SIDE_MARGIN, y_top - 1 * mm - self.heights[0])
            y -= styles.footer.leading
        text = self.doc.page_label.format(page=page, pages=pages)
        if has_rtl(text + self.doc.version_line):
            # Right-to-left lines align right: share one line rather than overlap.
            text = " · ".join(s for s in (self.doc.version_line, text) if s)
        elif self.doc.version_line:
            version.drawOn(canvas, SIDE_MARGIN, y)
        label = make_paragraph(text, styles.footer)
        w = min(self.width, _natural_width(label, self.width))
        label.wrap(w, styles.footer.leading * 2)
        label.drawOn(canvas, self.page_w - SIDE_MARGIN - w, y)
        canvas.restoreState()


def _natural_width(para: Flowable, most: float) -> float:
    widths = getattr(para, "getActualLineWidths0", None)
    if widths is None:
        return most
    para.wrap(most, 1000)
    return max(widths(), default=most) + 1


def _draw_watermark(
    canvas: Canvas, text: str, styles: Styles, page_w: float, page_h: float
) -> None:
    para = make_paragraph(text, styles.watermark, bold=True)
    width = min(page_w, page_h) * 1.1
    _, h = para.wrap(width, page_h)
    canvas.saveState()
    canvas.translate(page_w / 2, page_h / 2)
    canvas.rotate(40)
    para.drawOn(canvas, -width / 2, -h / 2)
    canvas.restoreState()


def _numbered_canvas(footer: Any) -> type[Canvas]:
    """A canvas that holds pages back until the end so each footer knows the page count."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab has no types
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            pages = len(self._held)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                footer(self, number, pages)
                super().showPage()
            super().save()

    return NumberedCanvas
