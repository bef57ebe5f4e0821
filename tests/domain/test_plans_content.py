"""Plan content: shapes, comparison and pre-fill, without a vault."""

from __future__ import annotations

from refuge_desk.domain import plans
from refuge_desk.domain.plan_template import parse_template
from refuge_desk.domain.redaction import BLANK, Redactor, name_tokens
from refuge_desk.domain.residents import Child, ContactSafety, Phone, Resident
from refuge_desk.services.paths import resource_path

TEMPLATE = parse_template(resource_path("templates", "uk-default.json").read_bytes())


def test_normalise_coerces_every_kind_and_drops_unknowns() -> None:
    raw = {
        "worries": 42,
        "order_ends": "not a date",
        "phone_checked": "maybe",
        "documents": {"passport": "have", "keys": "lost", "spaceship": "have"},
        "safe_contacts": [{"name": "Leila", "knows": "perhaps"}, {"name": "  "}, "junk"],
        "children": [{"child_id": "7", "name": "Yusuf", "values": {"school": "Oak", "x": "y"}}],
        "not_a_field": "dropped",
    }
    c = plans.normalise(TEMPLATE, raw)
    assert c["worries"] == "" and c["order_ends"] == "" and c["phone_checked"] == ""
    assert c["documents"] == {"passport": "have"}
    assert c["safe_contacts"] == [
        {"name": "Leila", "relationship": "", "number": "", "safe_times": "", "knows": ""}
    ]
    assert c["children"] == [{"child_id": None, "name": "Yusuf", "values": {"school": "Oak"}}]
    assert "not_a_field" not in c
    assert plans.filled_count(TEMPLATE, c) == (3, len(TEMPLATE.fields()))


def test_compare_reports_changes_by_section() -> None:
    before = plans.normalise(TEMPLATE, {"worries": "a\nb", "documents": {"passport": "needed"}})
    after = plans.normalise(
        TEMPLATE, {"worries": "a\nc", "documents": {"passport": "have"}, "phone_checked": "yes"}
    )
    changes = plans.compare(TEMPLATE, before, after)
    assert [s.section_id for s in changes] == ["worries", "documents", "technology"]
    assert changes[0].changes[0].diff() == [(" ", "a"), ("-", "b"), ("+", "c")]
    assert changes[1].changes[0].diff() == [("-", "Passport: needed"), ("+", "Passport: have")]
    assert changes[2].changes[0].after == ["Yes"]
    assert plans.compare(TEMPLATE, after, after) == []


def test_prefill_fills_only_empty_fields() -> None:
    resident = Resident(
        full_name="Amina Hassan",
        languages="Arabic",
        phones=[
            Phone("07700 900123", "mobile", ContactSafety.SAFE, "after 6pm"),
            Phone("07700 900999", "old", ContactSafety.UNSAFE),
        ],
        children=[Child(id=3, full_name="Yusuf Hassan", may_collect="Amina")],
    )
    result = plans.prefill(TEMPLATE, {"communication": "Prefers Darija"}, resident)
    assert result.content["communication"] == "Prefers Darija"
    assert result.kept == ("How I like to communicate",)
    assert result.content["reach_me"] == "07700 900123 (mobile) - safe times: after 6pm"
    assert "900999" not in str(result.content)  # an unsafe number is never copied
    assert result.content["children"][0] == {
        "child_id": 3,
        "name": "Yusuf Hassan",
        "values": {"may_collect": "Amina"},
    }
    again = plans.prefill(TEMPLATE, result.content, resident)
    assert again.filled == () and again.content == result.content


def test_redaction_whole_words_any_case_any_script() -> None:
    r = Redactor.of(name_tokens("Karim al-Hassan") | {"كريم"})
    assert r("karim and Al-Hassan; Karimova, karimova") == f"{BLANK} and {BLANK}; {BLANK}, karimova"
    assert r("اتصل كريم اليوم") == f"اتصل {BLANK} اليوم"
    assert r("Hassan's car") == f"{BLANK}'s car"
    assert Redactor.of(())("unchanged") == "unchanged"
