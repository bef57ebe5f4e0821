"""The bundled font files, in fallback order: one list for paper (pdf/fonts.py) and screen.

No reportlab here: the window registers the same files with Qt at start-up
(ui/common/fonts.py) without loading the PDF machinery.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Face:
    name: str  # reportlab name of the regular face; the bold one is name + "-Bold"
    regular: str  # file in resources/fonts/
    bold: str | None  # None: bold text uses the regular face


CHAIN: tuple[Face, ...] = (
    Face("RD-NotoSans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    Face("RD-NotoNaskhArabic", "NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"),
    Face("RD-NotoSansHebrew", "NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf"),
    Face("RD-NotoSansBengali", "NotoSansBengali-Regular.ttf", "NotoSansBengali-Bold.ttf"),
    Face("RD-NotoSansDevanagari", "NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"),
    Face("RD-NotoSansGurmukhi", "NotoSansGurmukhi-Regular.ttf", "NotoSansGurmukhi-Bold.ttf"),
    Face("RD-NotoSansGujarati", "NotoSansGujarati-Regular.ttf", "NotoSansGujarati-Bold.ttf"),
    Face("RD-NotoSansTamil", "NotoSansTamil-Regular.ttf", "NotoSansTamil-Bold.ttf"),
    Face("RD-NotoSansEthiopic", "NotoSansEthiopic-Regular.ttf", "NotoSansEthiopic-Bold.ttf"),
    Face("RD-NotoSansThai", "NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf"),
    Face("RD-NotoSansGeorgian", "NotoSansGeorgian-Regular.ttf", "NotoSansGeorgian-Bold.ttf"),
    Face("RD-NotoSansArmenian", "NotoSansArmenian-Regular.ttf", "NotoSansArmenian-Bold.ttf"),
    Face("RD-NotoSansTelugu", "NotoSansTelugu-Regular.ttf", None),
    Face("RD-NotoSansKannada", "NotoSansKannada-Regular.ttf", None),
    Face("RD-NotoSansMalayalam", "NotoSansMalayalam-Regular.ttf", None),
    Face("RD-NotoSansSinhala", "NotoSansSinhala-Regular.ttf", None),
    Face("RD-NotoSansKhmer", "NotoSansKhmer-Regular.ttf", None),
    Face("RD-NotoSansMyanmar", "NotoSansMyanmar-Regular.ttf", None),
    Face("RD-NotoSansLao", "NotoSansLao-Regular.ttf", None),
    Face("RD-DroidSansFallback", "DroidSansFallbackFull.ttf", None),
    Face("RD-NanumGothic", "NanumGothic.ttf", None),
)


def files() -> list[str]:
    """Every bundled font file (regular and bold), in chain order."""
    return [f for face in CHAIN for f in (face.regular, face.bold) if f]
