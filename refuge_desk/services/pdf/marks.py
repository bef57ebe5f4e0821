"""Drawn marks: tick boxes, ruled writing lines and the staff-only bar (no font glyphs)."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable

from refuge_desk.services.pdf.text import make_paragraph

LINE_GREY = colors.Color(0.55, 0.55, 0.55)
BAR_GREY = colors.Color(0.35, 0.35, 0.35)
MIN_LINES = 3


class TickBox(Flowable):  # type: ignore[misc]  # reportlab has no types
    """A square box of side ``size``; a drawn tick inside when ``ticked``."""

    def __init__(self, size: float, ticked: bool) -> None:
        super().__init__()
        self.size = size
        self.ticked = ticked
        self.hAlign = "CENTER"

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        c, s = self.canv, self.size
        c.saveState()
        c.setStrokeColor(colors.black)
        c.setLineWidth(max(0.8, s / 14))
        c.rect(0, 0, s, s, stroke=1, fill=0)
        if self.ticked:
            c.setLineWidth(max(1.4, s / 7))
            c.setLineCap(1)
            c.setLineJoin(1)
            path = c.beginPath()
            path.moveTo(s * 0.2, s * 0.52)
            path.lineTo(s * 0.42, s * 0.26)
            path.lineTo(s * 0.82, s * 0.8)
            c.drawPath(path, stroke=1, fill=0)
        c.restoreState()


class WriteLines(Flowable):  # type: ignore[misc]  # reportlab has no types
    """``count`` ruled lines across the frame to write on by hand; splits across pages."""

    def __init__(self, count: int, spacing: float) -> None:
        super().__init__()
        self.count = count
        self.spacing = spacing

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = self.count * self.spacing
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        fit = int(availHeight // self.spacing)
        if fit >= self.count:
            return [self]
        if fit < MIN_LINES or self.count - fit < MIN_LINES:
            return []  # no lonely line or two at a page's foot or head: move on whole
        return [WriteLines(fit, self.spacing), WriteLines(self.count - fit, self.spacing)]

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setStrokeColor(LINE_GREY)
        c.setLineWidth(0.6)
        for i in range(self.count):
            y = self.height - (i + 1) * self.spacing + 2
            c.line(0, y, self.width, y)
        c.restoreState()


class StaffBar(Flowable):  # type: ignore[misc]  # reportlab has no types
    """A grey bar with the staff-only label, above each staff-only block or section."""

    def __init__(self, label: str, style: ParagraphStyle, rtl: bool) -> None:
        super().__init__()
        self.para = make_paragraph(label, style, bold=True, rtl=rtl or None)
        self.pad = style.fontSize * 0.3
        self.keepWithNext = True

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        _, h = self.para.wrap(availWidth - 4 * self.pad, availHeight)
        self.width, self.height = availWidth, h + 2 * self.pad
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setFillColor(BAR_GREY)
        c.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        c.restoreState()
        self.para.drawOn(c, 2 * self.pad, self.pad)
