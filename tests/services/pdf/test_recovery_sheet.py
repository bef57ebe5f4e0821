"""The recovery sheet: both secrets as text and as QR codes that decode to exactly them."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pyrage.x25519
import pytest
from pypdf import PdfReader

from refuge_desk.services.pdf.recovery_sheet import (
    METADATA_TITLE,
    RecoverySheet,
    qr_code,
    render_recovery_sheet,
)

KEY = "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789"
IDENTITY = pyrage.x25519.Identity.generate()
SHEET = RecoverySheet(
    "Фонд Надежда",
    "Dom Bezpieczny Łódź",
    "3f2a9c1e",
    "24 November 2026",
    KEY,
    str(IDENTITY),
    str(IDENTITY.to_public()),
)


def test_sheet_holds_both_secrets_names_the_vault_and_says_how_to_restore() -> None:
    pdf = render_recovery_sheet(SHEET)
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(p.extract_text() for p in reader.pages)
    flat = "".join(text.split())
    assert KEY in flat and str(IDENTITY) in flat and str(IDENTITY.to_public()) in flat
    assert "Фонд Надежда" in text and "Łódź" in text and "3f2a9c1e" in text
    assert "age -d -i KEY.txt BACKUP.age | tar xz" in text
    assert reader.metadata.title == METADATA_TITLE
    assert not (reader.metadata.author or reader.metadata.creator or reader.metadata.producer)


def test_qr_codes_encode_exactly_the_secret() -> None:
    for value in (KEY, str(IDENTITY)):
        [widget] = qr_code(value).contents
        assert widget.value == value


def test_a_sheet_without_a_backup_identity_has_only_the_recovery_key() -> None:
    pdf = render_recovery_sheet(RecoverySheet("Org", "Refuge", "v1", "today", KEY))
    text = "".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert KEY in text and "AGE-SECRET-KEY" not in text


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbarimg (zbar-tools) not installed")
def test_the_printed_qr_codes_scan(qtbot, tmp_path: Path) -> None:
    """Rendered with QtPdf at print resolution, then read by a real QR scanner."""
    from PySide6.QtCore import QSize, Qt
    from PySide6.QtGui import QImage, QPainter
    from refuge_desk.ui.printing import PdfInMemory

    source = PdfInMemory(render_recovery_sheet(SHEET))
    size = source.document.pagePointSize(0)
    image = source.document.render(0, QSize(round(size.width() * 3), round(size.height() * 3)))
    source.close()
    paper = QImage(image.size(), QImage.Format.Format_RGB32)  # the page is transparent
    paper.fill(Qt.GlobalColor.white)
    painter = QPainter(paper)
    painter.drawImage(0, 0, image)
    painter.end()
    png = tmp_path / "page.png"  # fictional keys made for this test only
    assert paper.save(str(png))
    out = subprocess.run(["zbarimg", "-q", str(png)], capture_output=True, text=True, timeout=60)
    found = {line.removeprefix("QR-Code:") for line in out.stdout.splitlines()}
    assert found == {KEY, str(IDENTITY)}
