"""The bundled fonts: TrueType outlines, licences present, and a chain that covers every script."""

from __future__ import annotations

import pytest
from fontTools.ttLib import TTFont

from refuge_desk.services.paths import resource_path
from refuge_desk.services.pdf import fonts

from .samples import SCRIPTS

FONT_DIR = resource_path("fonts")


def bundled_files() -> list[str]:
    files = []
    for face in fonts.CHAIN:
        files += [f for f in (face.regular, face.bold) if f]
    return files


def test_every_font_is_truetype_small_and_listed_with_its_licence() -> None:
    readme = (FONT_DIR / "README.md").read_text(encoding="utf-8")
    total = 0
    for name in bundled_files():
        path = FONT_DIR / name
        size = path.stat().st_size
        total += size
        assert size < 8 * 1024 * 1024, name
        assert "glyf" in TTFont(path, lazy=True), f"{name} has CFF outlines, not TrueType"
        assert name in readme, f"{name} is not listed in resources/fonts/README.md"
    assert total < 15 * 1024 * 1024
    assert "SIL OPEN FONT LICENSE" in (FONT_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert "Apache License" in (FONT_DIR / "LICENSE-Apache-2.0.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("char", "family"),
    [
        ("ż", "RD-NotoSans"),
        ("Ж", "RD-NotoSans"),
        ("ٹ", "RD-NotoNaskhArabic"),
        ("ځ", "RD-NotoNaskhArabic"),
        ("ש", "RD-NotoSansHebrew"),
        ("ক", "RD-NotoSansBengali"),
        ("क", "RD-NotoSansDevanagari"),
        ("ਪ", "RD-NotoSansGurmukhi"),
        ("ગ", "RD-NotoSansGujarati"),
        ("த", "RD-NotoSansTamil"),
        ("ሰ", "RD-NotoSansEthiopic"),
        ("中", "RD-DroidSansFallback"),
        ("カ", "RD-DroidSansFallback"),
        ("한", "RD-NanumGothic"),
    ],
)
def test_font_for_picks_the_script_font(char: str, family: str) -> None:
    assert fonts.font_for(char) == family
    bold = fonts.font_for(char, bold=True)
    assert bold in (family, family + "-Bold")


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_the_chain_has_every_character_of_every_sample(name: str) -> None:
    for font, chunk in fonts.split_runs(SCRIPTS[name]):
        missing = [c for c in chunk if not fonts.covers(font, c)]
        assert not missing, f"{name}: {font} lacks {missing}"


def test_runs_keep_marks_and_punctuation_with_their_letters() -> None:
    runs = fonts.split_runs("Amina — أمينة، স্ব")
    assert runs == [
        ("RD-NotoSans", "Amina — "),
        ("RD-NotoNaskhArabic", "أمينة، "),
        ("RD-NotoSansBengali", "স্ব"),
    ]
    assert fonts.split_runs("") == []


def test_a_character_no_font_has_falls_back_to_the_base_font() -> None:
    assert fonts.font_for("\U00013000") == fonts.BASE  # Egyptian hieroglyph: not bundled
