"""Latin text stays searchable: no "ﬁ"/"ﬂ" ligature glyphs in what a reader copies."""

from __future__ import annotations

from refuge_desk.services.pdf.document import PageSetup
from refuge_desk.services.pdf.render import render_pdf
from tests.services.pdf.pdfread import page_text
from tests.services.pdf.samples import one_text


def test_fi_and_fl_come_back_as_two_letters() -> None:
    pdf = render_pdf(one_text("find the office; fly to the flat; affiliate"), PageSetup())
    text = page_text(pdf)
    assert "find the office; fly to the flat; affiliate" in text
    assert not set("ﬀﬁﬂﬃﬄ") & set(text)
