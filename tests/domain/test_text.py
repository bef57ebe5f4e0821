"""Text rules: invisible and control characters out, joiners kept where spelling needs them."""

from __future__ import annotations

import dataclasses
import unicodedata
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from refuge_desk.domain.residents import Abuser, Child, Resident, Status, name_warnings
from refuge_desk.domain.risk import Answer, AnswerEntry
from refuge_desk.domain.text import (
    BIDI_CONTROLS,
    INVISIBLE,
    JOINING_SCRIPTS,
    LINE_BREAKS,
    ZWJ,
    ZWNJ,
    clean,
    clean_record,
    hidden_characters,
    mixed_script_warning,
)

ISSUE_BIDI = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
ISSUE_ZERO_WIDTH = ["\u200b", "\u2060", "\ufeff"]  # and ZWNJ / ZWJ, kept only inside words

# Letters and marks of scripts residents' names are written in.
COMMON = (
    "AaZzÉéÀàÖöÅåŁłŻżŞşĞğÇçÑñßÆæØøÞþ"
    "ЁёЙйЖжЩщЇїЄєІіҐґАаОо"
    "ΑαΩωΣσςΰ"
    "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    "پچژگکی"  # Persian
    "ٹڈڑںھےۓ"  # Urdu
    "\u064e\u064f\u0650\u0651\u0652"  # Arabic harakat
    "אבגדהוזחטיכלמנסעפצקרשתךםןףץ\u05b0\u05b4\u05bc"
    "अआइईकखगघचछजझटठडढणतथदधनपफबभमयरलवशषसह\u093c\u094d\u093e\u093f\u0940\u0902"
    "অআইকখগঘচছজঝটঠডঢণতথদধনপফবভমযরলশষসহ\u09cd\u09be\u09bf\u09bc"
    "ਕਖਗਘਚ\u0a4d\u0a3e"
    "કખગઘ\u0acd\u0abe"
    "கஙசஞடணதநபமயரலவ\u0bcd\u0bbe"
    "കഖഗഘങചഛജ\u0d4d\u0d3e"
    "කඛගඝඞචඡජ\u0dca\u0dcf"
    "กขคงจฉชซ\u0e31\u0e34"
    "王秀英李明子张伟"
    "ひらがなカタカナ"
    "한국어이름"
    "ሀሁሂሃ"
    "ԱԲԳաբգ"
    "აბგდ"
)
SPECIAL = [
    *ISSUE_BIDI,
    *ISSUE_ZERO_WIDTH,
    ZWNJ,
    ZWJ,
    *sorted(BIDI_CONTROLS),
    *sorted(INVISIBLE)[:20],
    *sorted(LINE_BREAKS),
    "\r\n",
    "\t",
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x9b",
    " ",
    "-",
    "'",
    "\u0301",  # a combining accent (its base can change when something between is stripped)
]
texts = st.lists(
    st.one_of(
        st.sampled_from(COMMON),
        st.sampled_from(SPECIAL),
        st.characters(exclude_categories=()),  # anything, surrogates included
    ),
    max_size=40,
).map("".join)


def _letters_and_marks(text: str) -> Counter[str]:
    return Counter(
        ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch)[0] in "LM"
    )


def _joiner_in_place(text: str, i: int) -> bool:
    before = text[:i]
    base = before.rstrip("".join(c for c in before if unicodedata.category(c)[0] == "M"))
    after = text[i + 1 : i + 2]

    def script(ch: str) -> str:
        return unicodedata.name(ch, "").split(" ")[0]

    return (
        bool(base)
        and unicodedata.category(base[-1])[0] == "L"
        and script(base[-1]) in JOINING_SCRIPTS
        and bool(after)
        and unicodedata.category(after)[0] in "LM"
        and script(after) in JOINING_SCRIPTS
    )


# --- properties ---------------------------------------------------------------------------


@given(texts, st.booleans())
def test_clean_is_idempotent(text: str, multiline: bool) -> None:
    once = clean(text, multiline)
    assert clean(once, multiline) == once


@given(texts, st.booleans())
def test_clean_leaves_no_forbidden_character(text: str, multiline: bool) -> None:
    out = clean(text, multiline)
    allowed_controls = {"\n", "\t"} if multiline else set()
    for i, ch in enumerate(out):
        assert ch not in BIDI_CONTROLS and ch not in INVISIBLE, repr(out)
        assert ch not in LINE_BREAKS - allowed_controls, repr(out)
        if unicodedata.category(ch) in ("Cc", "Cs"):
            assert ch in allowed_controls, repr(out)
        if ch in (ZWNJ, ZWJ):
            assert _joiner_in_place(out, i), repr(out)
    assert unicodedata.is_normalized("NFC", out)


@given(texts, st.booleans())
def test_clean_keeps_every_letter_and_mark(text: str, multiline: bool) -> None:
    assert _letters_and_marks(clean(text, multiline)) == _letters_and_marks(text)


@given(st.text(alphabet=COMMON + " -'", max_size=40))
def test_text_of_common_scripts_only_is_normalised_not_changed(text: str) -> None:
    assert clean(text) == unicodedata.normalize("NFC", text)


# --- examples -----------------------------------------------------------------------------


@pytest.mark.parametrize("ch", ISSUE_BIDI + ISSUE_ZERO_WIDTH + ["\u200e", "\u200f", "\u061c"])
def test_each_bidi_control_and_zero_width_character_is_stripped(ch: str) -> None:
    assert clean(f"{ch}Amira{ch} Haddad{ch}") == "Amira Haddad"
    assert clean(f"فاطمة{ch} الزهراء") == "فاطمة الزهراء"
    assert clean(f"line one{ch}\nline two", multiline=True) == "line one\nline two"


def test_a_right_to_left_override_cannot_disguise_a_name() -> None:
    assert clean("\u202eadahH arimA\u202c") == "adahH arimA"  # stored as typed, not as shown


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("می\u200cخواهم", "می\u200cخواهم"),  # Persian: "I want"
        ("خانه\u200cها", "خانه\u200cها"),  # Persian plural
        ("ن\u200cم", "ن\u200cم"),
        ("ক্\u200dষ", "ক্\u200dষ"),  # Bengali: after the virama
        ("র\u200d্য", "র\u200d্য"),  # Bengali ra-phala: joiner before the virama
        ("क्\u200dष", "क्\u200dष"),  # Devanagari
        ("क्\u200cष", "क्\u200cष"),
        ("ක්\u200dය", "ක්\u200dය"),  # Sinhala yansaya
        ("ന്\u200d", "ന്"),  # a joiner at the very end goes
        ("ക്\u200dക", "ക്\u200dക"),  # Malayalam
        ("ਕ੍\u200dਹ", "ਕ੍\u200dਹ"),  # Gurmukhi
    ],
)
def test_joiners_needed_for_spelling_are_kept(typed: str, kept: str) -> None:
    assert clean(typed) == kept


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("An\u200cna", "Anna"),  # between Latin letters
        ("An\u200dna", "Anna"),
        ("\u200cمی", "می"),  # at the start
        ("می\u200c", "می"),  # at the end
        ("می\u200c خواهم", "می خواهم"),  # before a space
        ("می \u200cخواهم", "می خواهم"),  # after a space
        ("می\u200c\u200cخواهم", "می\u200cخواهم"),  # doubled: one is kept
        ("می\u200c\u200dخواهم", "می\u200dخواهم"),
        ("A\u200cمی", "Aمی"),  # a Latin letter before
        ("👩\u200d👧", "👩👧"),  # an emoji sequence is not a spelling
    ],
)
def test_joiners_elsewhere_are_stripped(typed: str, kept: str) -> None:
    assert clean(typed) == kept


def test_controls_one_line_and_several_lines() -> None:
    typed = "Amira\tHaddad\r\nRose\rRoom\x00 7\x1b\x7f\x85end\u2028x\u2029y\v\f"
    assert clean(typed) == "Amira Haddad Rose Room 7 end x y  "
    assert clean(typed, multiline=True) == "Amira\tHaddad\nRose\nRoom 7\nend\nx\ny\n\n"


def test_lone_surrogates_are_stripped() -> None:
    broken = "Amira\udcc3\udca9"  # what a bad decode with surrogateescape leaves
    assert clean(broken) == "Amira"
    clean(broken).encode("utf-8")  # storable


def test_nfc_after_stripping() -> None:
    assert clean("Emilie E\u0301milie") == "Emilie Émilie"
    assert clean("Zofia Wo\u200b\u0301jcik") == "Zofia Wójcik"  # the accent rejoins its letter


def test_hidden_characters_for_user_names() -> None:
    assert not hidden_characters("mira.manager")
    assert not hidden_characters("فاطمة")
    assert hidden_characters("mira\u200b")
    assert hidden_characters("\u202emira")
    assert hidden_characters("mira\x00")


# --- records ------------------------------------------------------------------------------


def test_clean_record_walks_nested_records_and_keeps_enums() -> None:
    res = Resident(
        full_name="Amira\u200b Haddad\n",
        aliases="Amira\u202e Saleh\nMimi\tH",
        notes="first\r\nsecond\x00",
        status=Status.RESIDENT,
        abusers=[Abuser(name="Karim\u2066", aliases="K\nB", description="tall\nbeard")],
        children=[Child(full_name="Yusuf\u200d", notes="asthma\ninhaler", may_collect="a\nb")],
    )
    out = clean_record(res)
    assert out is not res and res.full_name == "Amira\u200b Haddad\n"  # a copy
    assert out.full_name == "Amira Haddad "
    assert out.aliases == "Amira Saleh\nMimi\tH"  # several lines
    assert out.notes == "first\nsecond"
    assert out.status is Status.RESIDENT
    assert out.abusers == [Abuser(name="Karim", aliases="K B", description="tall\nbeard")]
    assert out.children[0] == dataclasses.replace(
        res.children[0], full_name="Yusuf", notes="asthma\ninhaler", may_collect="a\nb"
    )
    answers = clean_record({"q1": AnswerEntry(Answer.YES, "said\u202e so\n")})
    assert answers == {"q1": AnswerEntry(Answer.YES, "said so ")}
    assert answers["q1"].answer is Answer.YES


# --- mixed scripts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "warning"),
    [
        (
            "Аnna Smith",  # Cyrillic А
            "mixes Latin and Cyrillic letters within a word: the А (word 1, letter 1) is "
            "Cyrillic but looks like the Latin A.",
        ),
        (
            "Mаrіа",  # Cyrillic а and і
            "mixes Latin and Cyrillic letters within a word: the а (letters 2 and 5) is "
            "Cyrillic but looks like the Latin a; the і (letter 4) is Cyrillic but looks like "
            "the Latin i.",
        ),
        (
            "Олiйник",  # a Latin i typed in a Ukrainian name
            "mixes Latin and Cyrillic letters within a word: the i (letter 3) is Latin but "
            "looks like the Cyrillic і.",
        ),
        (
            "Εlena",  # Greek Ε
            "mixes Latin and Greek letters within a word: the Ε (letter 1) is Greek but looks "
            "like the Latin E.",
        ),
        ("Annaж", "mixes Latin and Cyrillic letters within a word: the ж (letter 5) is Cyrillic."),
        (
            "Mаrаа Sаm",
            "mixes Latin and Cyrillic letters within a word: the а (word 1, letters 2, 4 and "
            "5; word 2, letter 2) is Cyrillic but looks like the Latin a.",
        ),
        (
            "Εlena Аnna",
            "mixes Latin, Cyrillic and Greek letters within a word: the Ε (word 1, letter 1) "
            "is Greek but looks like the Latin E; the А (word 2, letter 1) is Cyrillic but "
            "looks like the Latin A.",
        ),
    ],
)
def test_mixed_script_names_are_named_letter_by_letter(name: str, warning: str) -> None:
    assert mixed_script_warning(name) == warning


@pytest.mark.parametrize(
    "name",
    [
        "Anna Smith",
        "Оксана Коваленко",
        "Ελένη Παπαδοπούλου",
        "Ольга Smith",  # two words, each in one script
        "Jean-Пьер",
        "فاطمة الزهراء",
        "রহিমা বেগম",
        "王秀英",
        "Amira (فاطمة)",
        "",
    ],
)
def test_names_in_one_script_per_word_get_no_warning(name: str) -> None:
    assert mixed_script_warning(name) is None


def test_name_warnings_label_each_name_of_a_record() -> None:
    res = Resident(
        full_name="Аmira Haddad",
        preferred_name="Mimi",
        aliases="Amira Saleh\nАmira S",
        children=[Child(full_name="Yusuf"), Child(full_name="Lеyla")],
        abusers=[Abuser(name="Kаrim")],
    )
    assert [w.split(" mixes")[0] for w in name_warnings(res)] == [
        "Full name",
        "Previous names and aliases (line 2)",
        "Child 2's name",
        "Abuser 1's name",
    ]
    assert name_warnings(Resident(full_name="Оксана Коваленко", aliases="Oksana")) == []
