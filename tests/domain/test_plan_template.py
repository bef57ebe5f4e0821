"""Template files: the bundled default is valid, and a broken file gets plain sentences."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refuge_desk.domain.plan_template import (
    Audience,
    FieldKind,
    TemplateError,
    parse_template,
)
from refuge_desk.services.paths import resource_path

DEFAULT = resource_path("templates", "uk-default.json")


def _default() -> dict[str, Any]:
    return json.loads(DEFAULT.read_text(encoding="utf-8"))


def test_default_template_covers_the_domain_sections() -> None:
    t = parse_template(DEFAULT.read_bytes())
    assert t.key == "uk-default" and t.version == 2
    titles = [s.title for s in t.sections]
    assert len(titles) == 12
    kinds = {f.kind for f in t.fields()}
    assert kinds == set(FieldKind)  # every kind is used by the default
    staff = [f.id for f in t.fields() if f.audience is Audience.STAFF]
    assert "abuser" in staff and "risk_notes" in staff
    documents = t.field("documents")
    assert {i.id for i in documents.items} >= {"passport", "visa", "keys", "court_orders"}
    assert set(t.translations) == {"ar", "pl"}
    ar = t.words("ar")
    assert ar.section(t.sections[0]) == "مخاوفي ونقاط قوتي"
    assert ar.label("page_of") == "صفحة {page} من {pages}"
    # a field without a translation falls back to the template's own words
    assert t.words("pl").field(t.field("risk_notes")) == "Staff risk notes"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.update(format=2), '"format" must be 1'),
        (lambda d: d.pop("sections"), 'needs a list of "sections"'),
        (
            lambda d: d["sections"][0]["fields"][0].update(kind="essay"),
            'Section 1 ("My worries and my strengths"), field 1 ("What worries me most"): '
            'the kind "essay" is not known',
        ),
        (
            lambda d: d["sections"][0]["fields"][0].update(audience="everyone"),
            '"audience" must be "resident" (her copy) or "staff" (staff only)',
        ),
        (lambda d: d["sections"][1].update(id="worries"), 'the id "worries" is used twice'),
        (
            lambda d: d["sections"][5]["fields"][0].update(items=[]),
            'a checklist needs a list of "items"',
        ),
        (
            lambda d: d["sections"][0]["fields"][0].update(prefill="abusers"),
            'the abuser\'s details can only fill a "staff" field',
        ),
        (
            lambda d: d["translations"]["ar"]["labels"].update(page_of="صفحة"),
            'the label "page_of" must contain {page} and {pages}',
        ),
        (lambda d: d.update(version="one"), '"version" must be a whole number'),
        # From the review: a staff-only child field would have been silently printed.
        (
            lambda d: d["sections"][6]["fields"][0]["child_fields"][0].update(audience="staff"),
            '"audience" is not something a child field can have',
        ),
        (lambda d: d.update(titel="typo"), '"titel" is not something a template can have'),
        (
            lambda d: d["translations"]["ar"]["labels"].update(version="{number} {date} {"),
            'the label "version" must contain {date} and {number} and no other { or }',
        ),
        (
            lambda d: d["translations"]["ar"]["labels"].update(page_of="{page} {pages.__class__}"),
            'the label "page_of" must contain {page} and {pages}',
        ),
        (lambda d: d["translations"]["ar"]["labels"].update(yes="{x}"), '"yes" cannot contain'),
        (lambda d: d.update(keep_safe="x" * 201), '"keep_safe" must be at most 200 characters'),
    ],
)
def test_broken_templates_get_a_plain_problem(mutate: Any, expected: str) -> None:
    data = _default()
    mutate(data)
    with pytest.raises(TemplateError) as err:
        parse_template(json.dumps(data, ensure_ascii=False))
    assert any(expected in p for p in err.value.problems), err.value.problems


def test_not_json_not_utf8_and_too_big() -> None:
    with pytest.raises(TemplateError, match=r"not valid JSON \(line 1, column 2"):
        parse_template("{oops")
    with pytest.raises(TemplateError, match="not UTF-8"):
        parse_template(b"\xff\xfe\x00{")
    with pytest.raises(TemplateError, match="too large"):
        parse_template(b" " * 2_000_001)
    with pytest.raises(TemplateError, match=r"nested too deeply|must be a JSON object"):
        parse_template("[" * 100_000 + "]" * 100_000)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
        ),
        max_leaves=30,
    )
)
def test_any_json_is_either_a_template_or_a_template_error(value: Any) -> None:
    try:
        parse_template(json.dumps(value))
    except TemplateError as err:
        assert err.problems and all(isinstance(p, str) and p for p in err.problems)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_mutated_default_never_crashes(data: st.DataObject) -> None:
    doc = _default()
    section = data.draw(st.integers(0, len(doc["sections"]) - 1))
    fields = doc["sections"][section]["fields"]
    index = data.draw(st.integers(0, len(fields) - 1))
    key = data.draw(
        st.sampled_from(
            ["id", "kind", "label", "audience", "prompts", "items", "child_fields", "prefill"]
        )
    )
    fields[index][key] = data.draw(
        st.none() | st.integers() | st.text(max_size=8) | st.lists(st.text(max_size=5), max_size=3)
    )
    try:
        parse_template(json.dumps(doc))
    except TemplateError as err:
        assert err.problems
