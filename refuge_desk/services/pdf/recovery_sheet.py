"""The recovery sheet: the two secrets that bring a vault back, on paper for the office safe.

It holds the vault's recovery key (a new passphrase for a manager) and, when there is one,
the backup identity (opens every backup, with Refuge Desk or with the standard `age` tool),
each as text and as a QR code, with plain instructions. Made in memory like the plans.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from refuge_desk.services.pdf import fonts
from refuge_desk.services.pdf.text import make_paragraph

METADATA_TITLE = "Recovery sheet"
QR_SIZE = 42 * mm


@dataclass(frozen=True, slots=True)
class RecoverySheet:
    org_name: str
    refuge_name: str
    vault_id: str
    created: str  # e.g. "24 November 2026"
    recovery_key: str = ""  # "" when this sheet is for a new backup identity only
    backup_identity: str = ""  # "" when the vault has no backup key pair of its own
    backup_recipient: str = ""


def _style(name: str, size: float, font: str = "", **kw: object) -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=font or fonts.BASE, fontSize=size, leading=size * 1.3, shaping=1, **kw
    )


def qr_code(value: str, size: float = QR_SIZE) -> Drawing:
    """A QR code for ``value`` (error correction M), scaled to ``size`` points."""
    widget = QrCodeWidget(value, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def _groups(value: str, size: int = 8) -> list[str]:
    """Long keys in groups so a person can copy them by hand without losing her place."""
    if "-" in value or len(value) <= 24:
        return [value]
    return [value[i : i + size] for i in range(0, len(value), size)]


def _secret(title: str, value: str, explain: str, styles: dict[str, ParagraphStyle]) -> Flowable:
    # ASCII only (the key alphabets), in a monospaced face so every character can be read.
    text = Paragraph(" ".join(_groups(value)), styles["secret"])
    block = Table(
        [[[make_paragraph(title, styles["heading"], bold=True), text], qr_code(value)]],
        colWidths=[None, QR_SIZE + 6 * mm],
    )
    block.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (-1, -1), 1, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 4 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 3 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        )
    )
    return KeepTogether([block, Spacer(1, 2 * mm), make_paragraph(explain, styles["body"])])


def render_recovery_sheet(sheet: RecoverySheet) -> bytes:
    fonts.register()
    styles = {
        "title": _style("title", 20, spaceAfter=4 * mm),
        "heading": _style("heading", 13, spaceBefore=2 * mm, spaceAfter=2 * mm),
        "body": _style("body", 10.5, spaceAfter=2 * mm),
        "secret": _style("secret", 12, "Courier-Bold"),
        "small": _style("small", 9, textColor=colors.Color(0.3, 0.3, 0.3)),
    }
    story: list[Flowable] = [
        make_paragraph("Refuge Desk recovery sheet", styles["title"], bold=True),
        make_paragraph(f"{sheet.org_name} · {sheet.refuge_name}", styles["body"]),
        make_paragraph(f"Vault {sheet.vault_id} · made {sheet.created}", styles["small"]),
        Spacer(1, 3 * mm),
        make_paragraph(
            "Keep this sheet in the office safe. Anyone holding it can open the vault or its "
            "backups: never photograph it, scan it or leave it in a printer tray. Do not "
            "write passphrases on it.",
            styles["body"],
        ),
        Spacer(1, 4 * mm),
    ]
    if sheet.recovery_key:
        story.append(
            _secret(
                "1. Vault recovery key",
                sheet.recovery_key,
                "If every manager has forgotten her passphrase: on the sign-in screen choose "
                '"Forgot passphrase?" (or run refuge-desk recover DIR --user MANAGER), type '
                "this key, and choose a new passphrase. It works only on this vault.",
                styles,
            )
        )
        story.append(Spacer(1, 6 * mm))
    if sheet.backup_identity:
        story.append(
            _secret(
                "2. Backup key (secret identity)",
                sheet.backup_identity,
                "Opens every backup of this vault. To restore after a lost or broken laptop: "
                "install Refuge Desk, choose Restore from backup (or run refuge-desk restore "
                "BACKUP.age NEW_FOLDER --identity-file KEY.txt --user YOU) and give this key. "
                "Without Refuge Desk, the standard age tool opens a backup too: save the key "
                "in a file KEY.txt, then run: age -d -i KEY.txt BACKUP.age | tar xz. Backups "
                "made before this key was set need the sheet that was current then.",
                styles,
            )
        )
        if sheet.backup_recipient:
            story.append(
                make_paragraph(
                    f"Public key (not secret, stored in the vault): {sheet.backup_recipient}",
                    styles["small"],
                )
            )
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=METADATA_TITLE,
        author="",
        subject="",
        keywords="",
        creator="",
        producer="",
        invariant=1,
    )
    doc.build(story)
    return buf.getvalue()
