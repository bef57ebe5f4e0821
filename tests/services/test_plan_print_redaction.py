"""The copies that leave the building: names and places in every form a worker types them.

Cases from the issue-3 review: addresses in pieces, postcodes without spaces, curly
apostrophes, names with endings or Arabic clitics, surname-first names, a resident with no
plan asking for a discreet copy.
"""

from __future__ import annotations

import pytest

from refuge_desk.domain.residents import Abuser, Child, Resident
from refuge_desk.services import auth, plan_print, plans, residents
from refuge_desk.services.plan_print import NameOnCopy, PrintOptions, Variant
from refuge_desk.services.session import Session
from refuge_desk.store import audit_repo
from refuge_desk.store.vault import VaultFolder
from tests.services.test_plan_print import all_text

ORG = auth.Organisation("Riverside Women’s Aid", "Linden House", "12 Rose Street\nLeeds LS1 4AB")


@pytest.fixture
def session(tmp_path, clock) -> Session:
    s, _ = auth.setup_vault(
        VaultFolder(tmp_path / "v"),
        ORG,
        "mira",
        "Mira Manager",
        "copper falcon pillow river",
        clock=clock,
    )
    yield s
    s.close()


def _with_plan(session: Session, resident: Resident, **content: object) -> int:
    res = residents.save(session, resident)
    assert res.id is not None
    state = plans.start_draft(session, res.id)
    assert state.draft is not None
    rev = plans.save_draft(
        session, res.id, dict(state.draft.content, **content), state.draft.revision
    )
    plans.finalise(session, res.id, rev)
    return res.id


def _text(session: Session, rid: int, **options: object) -> tuple[str, plan_print.Prepared]:
    prepared = plan_print.prepare(session, rid, PrintOptions(**options), plan_print.LATEST)  # type: ignore[arg-type]
    return all_text(prepared.document), prepared


AMINA = Resident(
    full_name="Amina Hassan",
    preferred_name="Amina",
    abusers=[Abuser(name="Karim Hassan", aliases="كريم\nকরিম")],
    children=[Child(full_name="Yusuf Hassan")],
)


def test_refuge_address_in_pieces_never_reaches_the_discreet_copy(session: Session) -> None:
    rid = _with_plan(
        session,
        AMINA,
        going_out="Back to 12 Rose St by six; the bus to Leeds; post to LS14AB or ls1  4ab.",
        avoid="Near the Linden and Riverside Women's Aid office.",
        safe_contacts=[
            {
                "name": "Office",
                "number": "0113 496 0000 (Linden office)",
                "relationship": "",
                "safe_times": "",
                "knows": "yes",
            }
        ],
    )
    text, _ = _text(session, rid, variant=Variant.DISCREET)
    for banned in ("Rose", "Leeds", "LS14AB", "ls1", "4ab", "Linden", "Riverside", "Women's Aid"):
        assert banned not in text, banned
    assert "the bus to ____" in text and "by six" in text  # the rest stays readable


def test_names_with_endings_clitics_and_in_addresses_are_blanked(session: Session) -> None:
    rid = _with_plan(
        session,
        AMINA,
        worries="وكريم يعرف. لكريم أصدقاء. করিমকে বলো না। Karims car. Write to karim.h@example.com",
    )
    for variant in (Variant.RESIDENT, Variant.DISCREET):
        text, prepared = _text(session, rid, variant=variant)
        for banned in ("كريم", "করিম", "Karim", "karim"):
            assert banned not in text, (variant, banned)
        assert any("What worries me most" in n for n in prepared.notes)
    resident_copy, _ = _text(session, rid, variant=Variant.RESIDENT)
    assert "Amina" in resident_copy  # her own name is hers
    staff, _ = _text(session, rid, variant=Variant.STAFF)
    assert "Karims car" in staff and "karim.h@example.com" in staff


def test_common_words_are_blanked_only_as_names(session: Session) -> None:
    rid = _with_plan(
        session,
        Resident(full_name="Dana Obi", abusers=[Abuser(name="Will Brown", aliases="Big Mo")]),
        worries="I will ring my sister. Take the big bag. Will knows Big Mo.",
    )
    text, _ = _text(session, rid, variant=Variant.RESIDENT)
    assert "I will ring my sister. Take the big bag. ____ knows ____." in text


@pytest.mark.parametrize(
    ("full_name", "preferred", "shown"),
    [
        ("Amina Hassan", "Mrs Hassan", ()),
        ("王秀英", "", ()),
        ("HASSAN, Amina", "", ("Amina",)),
        ("Amina Hassan", "", ("Amina",)),
    ],
)
def test_discreet_name_line_never_shows_a_surname(
    session: Session, full_name: str, preferred: str, shown: tuple[str, ...]
) -> None:
    rid = _with_plan(session, Resident(full_name=full_name, preferred_name=preferred), worries="w")
    _, prepared = _text(session, rid, variant=Variant.DISCREET, discreet_name=NameOnCopy.FIRST)
    names = tuple(h for h in prepared.document.header_lines if not h.startswith("Review"))
    assert names == shown
    if not shown:
        assert any("shows no name" in n for n in prepared.notes)


def test_no_plan_still_honours_the_copy_chosen(session: Session) -> None:
    res = residents.save(
        session, Resident(full_name="Cara Noplan", children=[Child(full_name="Ben Noplan")])
    )
    assert res.id is not None
    text, prepared = _text(session, res.id, variant=Variant.DISCREET, discreet_title="Shopping")
    assert prepared.what == "blank" and prepared.document.title == "Shopping"
    for banned in ("Noplan", "Linden", "Leeds", "My safety plan"):
        assert banned not in text
    assert "Ben" in text
    pdf = plan_print.make_pdf(session, res.id, PrintOptions(variant=Variant.STAFF))
    plan_print.record_output(session, res.id, pdf.what, Variant.STAFF, "print")
    assert ("plan.print", f"{res.reference} blank staff") in [
        (a, r) for _at, _who, a, r in audit_repo.recent(session.db, 5)
    ]


def test_a_character_no_font_has_is_named_for_the_worker(session: Session) -> None:
    rid = _with_plan(session, Resident(full_name="Eve Adams"), worries="Happy 🍎 days")
    _, prepared = _text(session, rid, variant=Variant.RESIDENT)
    assert any("empty boxes: 🍎" in n for n in prepared.notes)
