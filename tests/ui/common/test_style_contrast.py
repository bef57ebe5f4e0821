"""Words on screen are readable: every colour pair in the app's style sheet (and the palette
the sheet leaves alone) reaches 4.5:1, WCAG 2.2 AA, by WCAG's relative-luminance formula;
disabled buttons look disabled; spin-box arrows and the strength meter are usable."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLineEdit, QPushButton, QSpinBox, QStyle, QStyleOptionSpinBox

from refuge_desk.ui.common import style
from refuge_desk.ui.common.passphrase_field import NewPassphraseFields

AA = 4.5
# A rule that names no background of its own sits on the page or on a white field.
SURFACES = (style.BACKGROUND, style.SURFACE)


def luminance(colour: str) -> float:
    c = QColor(colour)
    assert c.isValid(), colour

    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def rules(sheet: str) -> list[tuple[str, dict[str, str]]]:
    found = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", sheet):
        props = dict(
            (k.strip(), v.strip())
            for k, v in (p.split(":", 1) for p in body.split(";") if ":" in p)
        )
        found.append((" ".join(selector.split()), props))
    return found


def pairs(sheet: str) -> list[tuple[str, str, str]]:
    """(rule, text colour, background colour) for every pair the sheet can put on screen."""
    out = []
    for selector, props in rules(sheet):
        fg = props.get("color")
        bg = props.get("background") or props.get("background-color")
        sel_bg = props.get("selection-background-color")
        if fg and bg:
            out.append((selector, fg, bg))
        elif fg:
            out += [(selector, fg, s) for s in SURFACES]
        elif bg:
            out.append((selector, style.TEXT, bg))
        if sel_bg:
            out.append((selector + " selected", props.get("selection-color", "white"), sel_bg))
    return out


def test_the_parser_finds_the_sheets_colours():
    found = pairs(style.APP_STYLE)
    assert ("QPushButton#primary", "white", style.ACCENT) in found
    assert contrast("black", "white") == pytest.approx(21.0)
    assert contrast("#777777", "white") < AA  # a grey that fails, failing here


def test_every_colour_pair_in_the_style_sheet_reaches_aa():
    weak = [
        f"{rule}: {fg} on {bg} is {contrast(fg, bg):.2f}:1"
        for rule, fg, bg in pairs(style.APP_STYLE)
        if contrast(fg, bg) < AA
    ]
    assert weak == []


def test_the_palette_the_sheet_leaves_alone_reaches_aa(qtbot, qapp):
    qapp.setStyleSheet(style.APP_STYLE)
    field = QLineEdit()  # a polished widget's palette: the sheet's colours over Qt's
    qtbot.addWidget(field)
    field.ensurePolished()
    p = field.palette()
    r = QPalette.ColorRole
    checks = {
        "text on a field": (p.color(r.Text), p.color(r.Base)),
        "text on the window": (p.color(r.WindowText), p.color(r.Window)),
        "text on a button": (p.color(r.ButtonText), p.color(r.Button)),
        "selected text": (p.color(r.HighlightedText), p.color(r.Highlight)),
        "a tooltip": (p.color(r.ToolTipText), p.color(r.ToolTipBase)),
        "a placeholder": (p.color(r.PlaceholderText), p.color(r.Base)),
    }
    weak = {
        what: round(contrast(fg.name(), bg.name()), 2)
        for what, (fg, bg) in checks.items()
        if contrast(fg.name(), bg.name()) < AA
    }
    assert weak == {}


def test_a_disabled_button_looks_disabled_and_is_still_readable(qtbot, qapp):
    qapp.setStyleSheet(style.APP_STYLE)
    on, off = QPushButton("Save"), QPushButton("Save")
    for b in (on, off):
        b.setObjectName("primary")
        qtbot.addWidget(b)
        b.show()
    off.setEnabled(False)
    on_img, off_img = on.grab().toImage(), off.grab().toImage()
    middle = (5, on_img.height() // 2)  # inside the border, left of the words
    assert on_img.pixelColor(*middle).name() == style.ACCENT
    assert off_img.pixelColor(*middle).name() == style.DISABLED  # grey, not the teal
    assert contrast(style.MUTED, style.DISABLED) >= AA


def test_spin_box_arrows_are_big_enough_to_hit(qtbot, qapp):
    qapp.setStyleSheet(style.APP_STYLE)
    spin = QSpinBox()
    qtbot.addWidget(spin)
    spin.show()
    option = QStyleOptionSpinBox()
    spin.initStyleOption(option)
    for part in (QStyle.SubControl.SC_SpinBoxUp, QStyle.SubControl.SC_SpinBoxDown):
        rect = spin.style().subControlRect(QStyle.ComplexControl.CC_SpinBox, option, part, spin)
        assert rect.height() >= 12 and rect.width() >= 20  # were 7 px by 14


def test_the_strength_meter_says_its_words_beside_the_bar(qtbot, qapp):
    qapp.setStyleSheet(style.APP_STYLE)
    fields = NewPassphraseFields(lambda: [])
    qtbot.addWidget(fields)
    fields.show()
    assert fields.strength.text() == "Nothing typed yet"
    fields.first.setText("password")
    assert not fields.meter.isTextVisible()  # no words over the red or green fill
    words = fields.strength.text()
    assert words.endswith("of 4)") and words[0].isupper()
    qtbot.waitUntil(  # the first letter is never clipped: the whole of it fits
        lambda: fields.strength.fontMetrics().horizontalAdvance(words) <= fields.strength.width()
    )
    assert fields.meter.accessibleDescription() == words
