"""What each printed copy may show, checked on the PrintDocument (the PDF tests read the
bytes back separately)."""

from __future__ import annotations

from pathlib import Path

import pytest

from refuge_desk.domain.errors import PermissionDenied, ValidationError
from refuge_desk.domain.residents import Abuser, Child, Resident
from refuge_desk.services import plan_print, plans, residents
from refuge_desk.services.pdf.document import (
    ChecklistBlock,
    PrintDocument,
    TableBlock,
    TextBlock,
)
from refuge_desk.services.plan_print import NameOnCopy, PrintOptions, Variant
from refuge_desk.services.session import Session
from tests.conftest import ORG, VOLUNTEER, FakeClock, sign_in_as


def all_text(doc: PrintDocument) -> str:
    parts = [doc.title, *doc.header_lines, doc.keep_safe, doc.version_line, doc.metadata_title]
    for s in doc.sections:
        parts += [s.title, s.subheading]
        for b in s.blocks:
            parts.append(b.label)
            if isinstance(b, TextBlock):
                parts += [b.text, *b.prompts]
            elif isinstance(b, ChecklistBlock):
                parts += [*b.columns, *(r.label for r in b.rows)]
            elif isinstance(b, TableBlock):
                parts += [*b.columns, *(c for row in b.rows for c in row)]
    return "\n".join(parts)


@pytest.fixture
def agreed(manager_session: Session) -> Resident:
    """A resident with an agreed plan that mentions the abuser in a resident field."""
    res = residents.save(
        manager_session,
        Resident(
            full_name="Amina Hassan",
            preferred_name="Amina",
            aliases="Amina Karimova",
            abusers=[Abuser(name="Karim Hassan", aliases="Kaz", vehicle="Silver Ford Focus")],
            children=[Child(full_name="Yusuf Hassan", school="Oak Primary")],
        ),
    )
    assert res.id is not None
    state = plans.start_draft(manager_session, res.id)
    assert state.draft is not None
    content = dict(state.draft.content)
    content["avoid"] = "Karim's brother's shop on Mill Lane; anywhere Kaz drinks."
    content["worries"] = "That he finds Test House."
    content["risk_notes"] = "STAFF-ONLY-RISK high, MARAC 3 Dec"
    content["documents"] = {"passport": "needed", "keys": "have"}
    content["children"][0]["values"]["emergency"] = "Go to the office"
    content["safe_contacts"] = [
        {
            "name": "Leila",
            "relationship": "sister",
            "number": "07700 900777",
            "safe_times": "evenings",
            "knows": "yes",
        }
    ]
    rev = plans.save_draft(manager_session, res.id, content, state.draft.revision)
    plans.finalise(manager_session, res.id, rev)
    return residents.get(manager_session, res.id)


def _prepare(session: Session, res: Resident, **kw: object) -> plan_print.Prepared:
    assert res.id is not None
    return plan_print.prepare(session, res.id, PrintOptions(**kw), plan_print.LATEST)  # type: ignore[arg-type]


def test_staff_copy_has_everything(manager_session: Session, agreed: Resident) -> None:
    prepared = _prepare(manager_session, agreed, variant=Variant.STAFF)
    text = all_text(prepared.document)
    assert prepared.what == "v1"
    for expected in (
        "Amina Hassan",
        "R-0001",
        ORG.refuge_name,
        ORG.refuge_address,
        "Karim Hassan",
        "Silver Ford Focus",
        "STAFF-ONLY-RISK",
        "Karim's brother's shop",
    ):
        assert expected in text
    staff_sections = [s for s in prepared.document.sections if s.staff_only]
    assert [s.title for s in staff_sections] == ["For staff only"]
    assert prepared.document.version_line.startswith("Version 1, agreed 24 November 2026")
    assert prepared.document.header_lines[-1] == "Review date: 5 January 2027"


def test_resident_copy_has_no_staff_field_and_no_abuser_name(
    manager_session: Session, agreed: Resident
) -> None:
    prepared = _prepare(manager_session, agreed, variant=Variant.RESIDENT)
    text = all_text(prepared.document)
    for banned in ("STAFF-ONLY-RISK", "Silver Ford Focus", "Karim", "Kaz", ORG.refuge_address):
        assert banned not in text
    assert "____'s brother's shop on Mill Lane; anywhere ____ drinks." in text
    assert not any(s.staff_only for s in prepared.document.sections)
    assert any("Places and people to avoid" in n for n in prepared.notes)
    assert "Amina" in text and ORG.refuge_name in text  # her name, the refuge's name


def test_discreet_copy_is_safe_if_found(manager_session: Session, agreed: Resident) -> None:
    prepared = _prepare(
        manager_session, agreed, variant=Variant.DISCREET, discreet_title="Shopping and notes"
    )
    doc = prepared.document
    text = all_text(doc)
    for banned in (
        "Hassan",
        "Karimova",
        "Karim",
        "Kaz",
        ORG.refuge_name,
        ORG.refuge_address,
        "Test House",
        ORG.org_name,
        "STAFF-ONLY",
        "R-0001",
        "Version",
        "safety plan",
    ):
        assert banned not in text, banned
    assert doc.title == doc.metadata_title == "Shopping and notes"
    assert doc.header_lines == ("Amina", "Review date: 5 January 2027")  # no reviewer's name
    assert doc.version_line == ""
    assert "Yusuf" in text  # children by first name only
    assert "Oak Primary" not in text  # the school would say where the children are
    initials = _prepare(
        manager_session, agreed, variant=Variant.DISCREET, discreet_name=NameOnCopy.INITIALS
    )
    assert initials.document.header_lines[0] == "A. H."


def test_blank_form_has_household_and_room_to_write(
    manager_session: Session, agreed: Resident
) -> None:
    assert agreed.id is not None
    prepared = plan_print.prepare(
        manager_session, agreed.id, PrintOptions(variant=Variant.BLANK), plan_print.LATEST
    )
    doc = prepared.document
    text = all_text(doc)
    assert prepared.what == "blank" and doc.version_line == "To fill in by hand"
    assert "Yusuf Hassan" in text and "Amina Hassan" in doc.header_lines
    assert "Karim's brother" not in text and "STAFF-ONLY" not in text
    writable = [
        b for s in doc.sections for b in s.blocks if isinstance(b, TextBlock) and b.write_lines
    ]
    assert len(writable) > 20 and all(b.text == "" for b in writable)
    tables = [b for s in doc.sections for b in s.blocks if isinstance(b, TableBlock)]
    assert tables and all(t.blank_rows > 0 and not t.rows for t in tables)


def test_checklist_ticks_and_translated_headings(
    manager_session: Session, agreed: Resident
) -> None:
    prepared = _prepare(manager_session, agreed, variant=Variant.RESIDENT, language="ar")
    doc = prepared.document
    assert doc.language == "ar" and doc.title == "خطة السلامة الخاصة بي"
    [checklist] = [b for s in doc.sections for b in s.blocks if isinstance(b, ChecklistBlock)]
    assert checklist.columns == ("لدي", "نسخة محفوظة", "مطلوب", "لا ينطبق")
    ticks = {r.label: r.ticked for r in checklist.rows}
    assert ticks["جواز السفر"] == 2 and ticks["المفاتيح"] == 0
    assert doc.page_label == "صفحة {page} من {pages}"


def test_draft_is_marked_and_bad_options_refused(
    manager_session: Session, agreed: Resident
) -> None:
    assert agreed.id is not None
    plans.start_draft(manager_session, agreed.id)
    prepared = plan_print.prepare(
        manager_session, agreed.id, PrintOptions(variant=Variant.STAFF), plans.DRAFT
    )
    assert prepared.what == "draft"
    assert prepared.document.watermark == "DRAFT - not yet agreed"
    with pytest.raises(ValidationError):
        plan_print.prepare(
            manager_session,
            agreed.id,
            PrintOptions(variant=Variant.DISCREET, discreet_title=" "),
            1,
        )
    with pytest.raises(ValidationError):
        plan_print.prepare(manager_session, agreed.id, PrintOptions(language="xx"), 1)


def test_volunteer_cannot_print(
    manager_session: Session,
    agreed: Resident,
    vault_dir: Path,
    clock: FakeClock,
) -> None:
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)
    try:
        with pytest.raises(PermissionDenied):
            _prepare(volunteer, agreed, variant=Variant.DISCREET)
    finally:
        volunteer.close()
