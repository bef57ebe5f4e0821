"""Every script on screen: the bundled fonts registered with Qt, and one fallback chain.

The PDFs print any name with the fonts in resources/fonts; the window must show it too, on a
laptop that has none of those scripts installed. ``install`` registers every bundled file
with Qt once per process and gives the application font a families list: the platform's own
UI font first (so Latin text looks as it always has), then the bundled faces in the PDF's
chain order (services/pdf/faces.py). Qt takes each character from the first family that has
it, so a Bengali, Tamil or Ethiopic name draws in its own Noto font instead of boxes.

Called by app.run_gui before the first window, by scripts/screenshots.py, and by the UI
tests' ``qapp`` fixture.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QLoggingCategory
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from refuge_desk.services.paths import resource_path
from refuge_desk.services.pdf import faces

_registered: list[str] = []  # bundled family names, in chain order, once registered


def register() -> list[str]:
    """Register every bundled font file with Qt (first call only); their family names."""
    if _registered:
        return list(_registered)
    families: list[str] = []
    failed = 0
    for file in faces.files():
        font_id = QFontDatabase.addApplicationFont(str(resource_path("fonts", file)))
        if font_id < 0:
            failed += 1
            continue
        for family in QFontDatabase.applicationFontFamilies(font_id):
            if family not in families:
                families.append(family)
    if failed:  # file names only: nothing of hers
        logging.getLogger(__name__).warning("bundled fonts not registered: %d", failed)
    _registered.extend(families)
    return families


def fallback_chain(base: str) -> list[str]:
    """``base`` (the platform's UI font) and then every bundled family, without repeats."""
    return [base, *(f for f in register() if f != base)]


def install(app: QGuiApplication) -> list[str]:
    """Register the bundled fonts and make the application font fall back through them.

    Returns the families of the application font. Safe to call more than once.
    """
    # Qt walks the chain for an Indic or Khmer run and warns about each family before the
    # right one that it lacks that script ("OpenType support missing"): expected, not a fault.
    QLoggingCategory.setFilterRules("qt.text.font.db.warning=false")
    font = QFont(app.font())
    chain = fallback_chain(font.families()[0] if font.families() else font.family())
    if font.families() != chain:
        font.setFamilies(chain)
        app.setFont(font)
    return chain
