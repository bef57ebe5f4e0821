"""Paragraph styles for normal and large print, and the checklist and table layouts."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Table, TableStyle

from refuge_desk.services.pdf import fonts
from refuge_desk.services.pdf.document import ChecklistBlock, TableBlock
from refuge_desk.services.pdf.marks import TickBox
from refuge_desk.services.pdf.text import make_paragraph

NORMAL_BODY = 10.5
LARGE_BODY = 16.0  # the floor for large print: nothing on the page is smaller
HEADER_FILL = colors.Color(0.9, 0.9, 0.9)
GRID = colors.Color(0.45, 0.45, 0.45)


def _style(name: str, size: float, **kw: object) -> ParagraphStyle:
    kw.setdefault("leading", round(size * 1.35, 1))
    return ParagraphStyle(name, fontName=fonts.BASE, fontSize=size, shaping=1, **kw)


@dataclass(frozen=True, slots=True)
class Styles:
    title: ParagraphStyle
    header: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    label: ParagraphStyle
    body: ParagraphStyle
    prompt: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    staff_bar: ParagraphStyle
    footer: ParagraphStyle
    watermark: ParagraphStyle

    @classmethod
    def make(cls, large_print: bool) -> Styles:
        body = LARGE_BODY if large_print else NORMAL_BODY
        small = LARGE_BODY if large_print else 9.0
        grey = colors.Color(0.3, 0.3, 0.3)
        return cls(
            title=_style("title", body * 1.9, spaceAfter=body * 0.5),
            header=_style("header", body, textColor=grey),
            heading=_style(
                "heading",
                body * 1.35,
                spaceBefore=body * 0.4,
                spaceAfter=body * 0.4,
                keepWithNext=1,
            ),
            subheading=_style("subheading", body * 1.15, spaceAfter=body * 0.3, keepWithNext=1),
            label=_style(
                "label", body, spaceBefore=body * 0.3, spaceAfter=body * 0.2, keepWithNext=1
            ),
            body=_style("body", body),
            prompt=_style("prompt", small, textColor=grey, keepWithNext=1),
            cell=_style("cell", body),
            cell_head=_style("cell_head", small, alignment=TA_CENTER),
            staff_bar=_style("staff_bar", small, textColor=colors.white, alignment=TA_LEFT),
            footer=_style("footer", LARGE_BODY if large_print else 8.5, textColor=grey),
            watermark=_style(
                "watermark", 54, alignment=TA_CENTER, textColor=colors.Color(0, 0, 0, alpha=0.12)
            ),
        )


def _ordered(row: list[Flowable | str], rtl: bool) -> list[Flowable | str]:
    return row[::-1] if rtl else row


def checklist_table(block: ChecklistBlock, styles: Styles, rtl: bool, width: float) -> Table:
    """One row per item: its label, then one drawn tick box per column."""
    box = styles.body.fontSize * 1.05
    head_size = styles.cell_head.fontSize

    def needed(column: str) -> float:  # its longest word unbroken, plus 3 pt padding a side
        words = [stringWidth(w, fonts.font_for(w[0], True), head_size) for w in column.split()]
        return float(max([width * 0.1, box * 3.2, *words]) + 7)

    cols = [needed(c) for c in block.columns]
    label_w = max(width - sum(cols), width * 0.22)
    if sum(cols) > width - label_w:  # too many columns: share what is left evenly
        cols = [(width - label_w) / len(cols)] * len(cols)
    else:
        label_w = width - sum(cols)
    head: list[Flowable | str] = [""] + [
        make_paragraph(c, styles.cell_head, bold=True) for c in block.columns
    ]
    data = [_ordered(head, rtl)]
    for row in block.rows:
        cells: list[Flowable | str] = [make_paragraph(row.label, styles.cell, rtl=rtl or None)]
        cells += [TickBox(box, row.ticked == i) for i in range(len(block.columns))]
        data.append(_ordered(cells, rtl))
    widths = _ordered([label_w, *cols], rtl)
    table = Table(data, colWidths=widths, repeatRows=1, splitInRow=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, GRID),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def data_table(block: TableBlock, styles: Styles, rtl: bool, width: float) -> Table:
    """A grid; header row shaded and repeated on each page; blank rows to write in."""
    n = max(1, len(block.columns))
    head = [make_paragraph(c, styles.cell, bold=True) for c in block.columns]
    data: list[list[Flowable | str]] = [_ordered(list(head), rtl)]
    for row in block.rows:
        cells: list[Flowable | str] = [make_paragraph(v, styles.cell) for v in row]
        cells += [""] * (n - len(cells))
        data.append(_ordered(cells[:n], rtl))
    heights: list[float | None] = [None] * len(data)
    for _ in range(block.blank_rows):
        data.append([""] * n)
        heights.append(styles.cell.leading * 2.2)
    table = Table(
        data,
        colWidths=[width / n] * n,
        rowHeights=heights,
        repeatRows=1,
        splitInRow=1,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table
