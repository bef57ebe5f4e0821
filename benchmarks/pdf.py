"""PDF benchmark: a 6-page safety plan in mixed scripts, per variant, app vs bare reportlab.

    python benchmarks/pdf.py [--repeats N] [--json FILE]

For each variant (staff, resident, discreet, blank) the same PrintDocument is rendered by
the app (`services.pdf.render.render_pdf`) and by a bare reportlab script below that uses
no app code (its own font registration, a plain per-character font choice, Paragraph and
Table flowables, a simple footer). Median of N runs each, after one warm-up run that
registers fonts. Ratio = app / bare; target < 1.5. A report, not a test: exits 0.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from refuge_desk.services.pdf.document import (  # noqa: E402
    ChecklistBlock,
    ChecklistRow,
    PageSetup,
    PrintDocument,
    Section,
    TableBlock,
    TextBlock,
)
from refuge_desk.services.pdf.render import render_pdf  # noqa: E402

TARGET_RATIO = 1.5
MIXED = (
    "Amina prefers Arabic and English — أمينة تفضل العربية. Her son speaks Urdu: میرا نام "
    "ٹینا ہے۔ Friend from Dhaka: আমার নাম রিনা। Neighbour: मेरा नाम सुनीता है। Support "
    "worker speaks Polish (Zażółć gęślą jaźń), Tigrinya (ሰላም ትግርኛ) and Tamil (தமிழ்). "
)
PARAGRAPH = MIXED * 3


def plan(variant: str) -> PrintDocument:
    """About six A4 pages for the staff copy; fewer blocks for the others."""
    staff = variant == "staff"
    blank = variant == "blank"
    sections = []
    for n in range(1, 9):
        blocks: list[Any] = [
            TextBlock(
                f"Question {n}.1",
                "" if blank else PARAGRAPH,
                prompts=("Think about where you could go",) if blank else (),
                write_lines=6 if blank else 0,
            ),
            ChecklistBlock(
                "Documents",
                ("Have", "Copy kept", "Needed", "Not applicable"),
                tuple(
                    ChecklistRow(label, None if blank else i % 4)
                    for i, label in enumerate(("Passport", "Birth certificate", "Bank card"))
                ),
            ),
            TableBlock(
                "Safe contacts",
                ("Name", "Relationship", "Number"),
                () if blank else (("Sara", "Sister", "07700 900123"), ("ليلى", "صديقة", "0123")),
                blank_rows=3 if blank else 0,
            ),
        ]
        if staff:
            blocks.append(TextBlock("Staff notes", PARAGRAPH[:300], staff_only=True))
        sections.append(Section(f"Section {n}", tuple(blocks)))
    return PrintDocument(
        title="My notes" if variant == "discreet" else "My safety plan",
        header_lines=() if variant == "discreet" else ("Amina Rahman", "Example House"),
        sections=tuple(sections),
        keep_safe="Keep this somewhere safe.",
        version_line="" if variant == "discreet" else "Version 3, agreed 20 November 2026",
        page_label="Page {page} of {pages}",
        metadata_title="Document",
    )


# --- the bare reportlab script: no app code below this line ---------------------------------
BARE_FONTS = [
    ("B-Sans", "NotoSans-Regular.ttf"),
    ("B-Arabic", "NotoNaskhArabic-Regular.ttf"),
    ("B-Bengali", "NotoSansBengali-Regular.ttf"),
    ("B-Deva", "NotoSansDevanagari-Regular.ttf"),
    ("B-Tamil", "NotoSansTamil-Regular.ttf"),
    ("B-Ethiopic", "NotoSansEthiopic-Regular.ttf"),
]
_bare_cover: dict[str, set[int]] = {}


def bare_register() -> None:
    if _bare_cover:
        return
    for name, file in BARE_FONTS:
        font = TTFont(name, str(ROOT / "resources" / "fonts" / file))
        pdfmetrics.registerFont(font)
        _bare_cover[name] = set(font.face.charToGlyph)


def bare_markup(text: str) -> str:
    out, current, chunk = [], "", ""
    for c in text:
        font = next((n for n, cov in _bare_cover.items() if ord(c) in cov), "B-Sans")
        if c == " " and current:
            font = current
        if font != current and chunk:
            out.append(f'<font name="{current}">{chunk}</font>')
            chunk = ""
        current = font
        chunk += c.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if chunk:
        out.append(f'<font name="{current}">{chunk}</font>')
    return "".join(out)


def bare_render(doc: PrintDocument) -> bytes:
    bare_register()
    body = ParagraphStyle("b", fontName="B-Sans", fontSize=10.5, leading=14, shaping=1)
    head = ParagraphStyle("h", parent=body, fontSize=14, leading=19)
    story: list[Any] = [Paragraph(bare_markup(doc.title), head)]
    story += [Paragraph(bare_markup(line), body) for line in doc.header_lines]
    for section in doc.sections:
        story.append(Paragraph(bare_markup(section.title), head))
        for block in section.blocks:
            story.append(Paragraph(bare_markup(block.label), body))
            if isinstance(block, TextBlock):
                story.append(Paragraph(bare_markup(block.text), body))
                story += [Paragraph(bare_markup(p), body) for p in block.prompts]
                if block.write_lines:
                    lines = Table([[""]] * block.write_lines, rowHeights=25)
                    lines.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.6, "grey")]))
                    story.append(lines)
            else:
                cols = [Paragraph(bare_markup(c), body) for c in block.columns]
                rows = (
                    [
                        [Paragraph(bare_markup(r.label), body)]
                        + ["x" if r.ticked == i else "" for i in range(len(cols))]
                        for r in block.rows
                    ]
                    if isinstance(block, ChecklistBlock)
                    else [[Paragraph(bare_markup(v), body) for v in r] for r in block.rows]
                )
                header = ["", *cols] if isinstance(block, ChecklistBlock) else cols
                blank = [[""] * len(header)] * getattr(block, "blank_rows", 0)
                table = Table([header, *rows, *blank], repeatRows=1)
                table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "grey")]))
                story.append(table)
            story.append(Spacer(1, 6))

    def footer(canvas: Any, document: Any) -> None:
        canvas.setFont("B-Sans", 8.5)
        canvas.drawString(20 * mm, 12 * mm, f"{doc.keep_safe} Page {document.page}")

    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, pageCompression=1).build(
        story, onFirstPage=footer, onLaterPages=footer
    )
    return buf.getvalue()


# --- harness -------------------------------------------------------------------------------
def median_ms(fn: Any, repeats: int) -> tuple[float, Any]:
    result = fn()  # warm-up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def end_to_end(repeats: int) -> list[dict[str, Any]]:
    """A resident with a real plan (every text field a mixed-script paragraph) in a real vault:
    the whole app path to PDF bytes against bare reportlab laying out the same content."""
    import tempfile

    from pypdf import PdfReader

    from refuge_desk.domain.residents import Child, Resident, Status
    from refuge_desk.services import auth, plan_print, plans, residents
    from refuge_desk.services.plan_print import PrintOptions, Variant
    from refuge_desk.store.vault import VaultFolder

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        session, _ = auth.setup_vault(
            VaultFolder(Path(tmp) / "vault"),
            auth.Organisation("Bench Org", "Bench House", "1 Bench Road"),
            "bench",
            "Bench Manager",
            "granite willow teapot harbour",
        )
        try:
            res = residents.save(
                session,
                Resident(
                    full_name="Amina Haddad",
                    status=Status.RESIDENT,
                    arrival_date=session.today(),
                    children=[Child(full_name="Yusuf Haddad"), Child(full_name="Leyla Haddad")],
                ),
            )
            assert res.id is not None
            state = plans.start_draft(session, res.id)
            assert state.draft is not None
            template = state.draft.template
            content = dict(state.draft.content)
            for f in template.fields():
                if f.kind.value == "text":
                    content[f.id] = MIXED * 3
                elif f.kind.value == "checklist":
                    content[f.id] = {i.id: "have" for i in f.items}
            rev = plans.save_draft(session, res.id, content, state.draft.revision)
            plans.finalise(session, res.id, rev)
            for variant in Variant:
                options = PrintOptions(variant=variant)
                app_ms, pdf = median_ms(
                    lambda o=options: plan_print.make_pdf(session, res.id, o, 1).data, repeats
                )
                doc = plan_print.prepare(session, res.id, options, 1).document
                bare_ms, _ = median_ms(lambda d=doc: bare_render(d), repeats)
                pages = len(PdfReader(io.BytesIO(pdf)).pages)
                out.append(
                    dict(
                        variant=f"{variant.value} (vault)",
                        pages=pages,
                        app_ms=app_ms,
                        bare_ms=bare_ms,
                        ratio=app_ms / bare_ms,
                    )
                )
        finally:
            session.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    from pypdf import PdfReader

    rows = []
    print(f"{'variant':<10} {'pages':>5} {'app ms':>8} {'bare ms':>8} {'ratio':>6}")
    for variant in ("staff", "resident", "discreet", "blank"):
        doc = plan(variant)
        app_ms, pdf = median_ms(lambda d=doc: render_pdf(d, PageSetup()), args.repeats)
        bare_ms, _ = median_ms(lambda d=doc: bare_render(d), args.repeats)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        ratio = app_ms / bare_ms
        flag = "" if ratio < TARGET_RATIO else "  (over target)"
        print(f"{variant:<10} {pages:>5} {app_ms:>8.1f} {bare_ms:>8.1f} {ratio:>6.2f}{flag}")
        rows.append(dict(variant=variant, pages=pages, app_ms=app_ms, bare_ms=bare_ms, ratio=ratio))
    overall = statistics.median(r["ratio"] for r in rows)
    print(f"median ratio {overall:.2f} (target < {TARGET_RATIO})")
    print()
    print("end to end: a real vault, plan_print.make_pdf (read + choose + lay out)")
    print(f"{'variant':<18} {'pages':>5} {'app ms':>8} {'bare ms':>8} {'ratio':>6}")
    for row in end_to_end(args.repeats):
        rows.append(row)
        print(
            f"{row['variant']:<18} {row['pages']:>5} {row['app_ms']:>8.1f} "
            f"{row['bare_ms']:>8.1f} {row['ratio']:>6.2f}"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
