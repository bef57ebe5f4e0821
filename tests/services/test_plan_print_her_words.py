"""Her copy and her blank form speak to her, in one language: first-person prompts in the
language chosen, and dates as "14 January 2027" in that language (never 2027-01-14)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from refuge_desk.domain.plan_template import TemplateError, parse_template
from refuge_desk.domain.residents import Child, Resident
from refuge_desk.services import plan_print, plan_templates, plans, residents
from refuge_desk.services.paths import resource_path
from refuge_desk.services.pdf.document import PrintDocument, TextBlock
from refuge_desk.services.plan_print import PrintOptions, Variant
from refuge_desk.services.session import Session

from .test_plan_print import all_text

THIRD_PERSON = re.compile(r"\b(she|her|hers)\b", re.IGNORECASE)
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def bundled() -> dict:
    return json.loads((resource_path("templates") / "uk-default.json").read_text("utf-8"))


def prompts_of(doc: PrintDocument) -> list[str]:
    return [
        p for s in doc.sections for b in s.blocks if isinstance(b, TextBlock) for p in b.prompts
    ]


@pytest.fixture
def amina(manager_session: Session) -> Resident:
    res = residents.save(
        manager_session,
        Resident(full_name="Amina Hassan", children=[Child(full_name="Yusuf Hassan")]),
    )
    assert res.id is not None
    return res


@pytest.fixture
def agreed(manager_session: Session, amina: Resident) -> Resident:
    """An agreed plan with an order ending on 14 January 2027 and a review date."""
    assert amina.id is not None
    state = plans.start_draft(manager_session, amina.id)
    assert state.draft is not None
    content = dict(state.draft.content)
    content["worries"] = "That he finds me."
    content["order_ends"] = "2027-01-14"
    rev = plans.save_draft(manager_session, amina.id, content, state.draft.revision)
    plans.finalise(manager_session, amina.id, rev)
    return amina


def blank(session: Session, res: Resident, **kw: object) -> PrintDocument:
    assert res.id is not None
    options = PrintOptions(variant=Variant.BLANK, **kw)  # type: ignore[arg-type]
    return plan_print.prepare(session, res.id, options, None).document


def test_her_blank_form_asks_in_the_first_person(manager_session: Session, amina: Resident):
    doc = blank(manager_session, amina)
    prompts = prompts_of(doc)
    assert "What am I most afraid of happening?" in prompts
    assert "Who may the school or nursery hand my child to? (names only)" in prompts
    assert len(prompts) >= 25
    assert [p for p in prompts if THIRD_PERSON.search(p)] == []
    assert "In her own words" not in all_text(doc)


@pytest.mark.parametrize("language", ["ar", "pl"])
def test_her_blank_form_is_in_one_language(
    manager_session: Session, amina: Resident, language: str
):
    doc = blank(manager_session, amina, language=language)
    words = bundled()["translations"][language]["prompts"]
    tables = {"safe_contacts", "code_words"}  # tables print columns, not prompts
    expected = {p for key, lines in words.items() if key not in tables for p in lines}
    prompts = prompts_of(doc)
    assert prompts and set(prompts) <= expected
    assert len(set(prompts)) == len(expected)  # every field's prompts, in her language
    english = {p for s in bundled()["sections"] for f in s["fields"] for p in f.get("prompts", [])}
    english |= {
        p for s in bundled()["sections"] for f in s["fields"] for p in f.get("her_prompts", [])
    }
    assert not set(prompts) & english
    if language == "ar":  # not a Latin word in sight but the helpline's acronym
        assert {w for p in prompts for w in LATIN_WORD.findall(p)} <= {"MVDAC"}


def test_staff_blank_form_keeps_the_workers_hints(manager_session: Session, amina: Resident):
    assert amina.id is not None
    doc = plan_print.prepare(
        manager_session, amina.id, PrintOptions(variant=Variant.STAFF), None
    ).document
    assert "In her own words: what is she most afraid of happening?" in prompts_of(doc)


@pytest.mark.parametrize(
    ("language", "order_ends", "agreed_on"),
    [
        ("", "14 January 2027", "Version 1, agreed 24 November 2026"),
        ("pl", "14 stycznia 2027", "Wersja 1, uzgodniona 24 listopada 2026"),
        ("ar", "14 يناير 2027", "الإصدار 1، تم الاتفاق عليه في 24 نوفمبر 2026"),
    ],
)
def test_dates_on_her_copy_read_as_words_in_her_language(
    manager_session: Session, agreed: Resident, language: str, order_ends: str, agreed_on: str
):
    assert agreed.id is not None
    doc = plan_print.prepare(
        manager_session,
        agreed.id,
        PrintOptions(variant=Variant.RESIDENT, language=language),
        plan_print.LATEST,
    ).document
    text = all_text(doc)
    assert order_ends in text
    assert doc.version_line == agreed_on
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)


def _template(**translation: object) -> dict:
    raw = bundled()
    raw["id"] = "ours"
    raw["translations"] = {"fr": {"name": "Français", **translation}}
    return raw


def test_a_language_without_month_names_prints_day_month_year_in_figures():
    template = parse_template(json.dumps(_template()))
    assert template.words("fr").date(dt.date(2027, 1, 14)) == "14/01/2027"
    assert template.words().date(dt.date(2027, 1, 4)) == "4 January 2027"
    # No French prompts: her form has none, rather than English under French headings.
    assert template.words("fr").her_prompts(template.field("worries")) == ()
    assert template.words().her_prompts(template.field("worries"))[0].startswith("What am I")


def test_template_checks_her_prompts_and_month_names():
    with pytest.raises(TemplateError) as err:
        parse_template(
            json.dumps(
                _template(
                    prompts={"worries": ["Qu'est-ce qui m'inquiète ?"], "wories": "?"},
                    labels={"months": "janvier, février", "date": "{day} {month}"},
                )
            )
        )
    problems = " ".join(err.value.problems)
    assert 'prompts for "wories": "prompts" must be a list of text' in problems
    assert "twelve month names" in problems
    assert '"date" must contain {day} and {month} and {year}' in problems
    good = parse_template(
        json.dumps(_template(prompts={"worries": ["Qu'est-ce qui m'inquiète ?"]}))
    )
    assert good.words("fr").her_prompts(good.field("worries")) == ("Qu'est-ce qui m'inquiète ?",)


def test_a_blank_form_uses_the_newest_template_her_plan_was_made_with(
    manager_session: Session, amina: Resident
):
    assert amina.id is not None
    raw = bundled()
    raw.update(id="ours", version=1, name="Our plan")
    for s in raw["sections"]:
        for f in s["fields"]:
            f.pop("her_prompts", None)
            for cf in f.get("child_fields", []):
                cf.pop("her_prompts", None)
    old = plan_templates.import_template(manager_session, json.dumps(raw).encode())
    plans.start_draft(manager_session, amina.id, old.id)
    assert prompts_of(blank(manager_session, amina)) == []  # v1 has no words for her
    raw["version"] = 2
    raw["sections"][0]["fields"][0]["her_prompts"] = ["What frightens me?"]
    plan_templates.import_template(manager_session, json.dumps(raw).encode())
    assert "What frightens me?" in prompts_of(blank(manager_session, amina))
