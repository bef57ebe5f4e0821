"""The safety-plan field editors: each kind's value shape, typing, read only, audience."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from refuge_desk.domain import plans as plan_domain
from refuge_desk.domain.plan_template import (
    Audience,
    ChildField,
    FieldKind,
    PlanTemplate,
    TemplateField,
)
from refuge_desk.services import plan_templates
from refuge_desk.ui.plans.plan_fields import (
    RESIDENT_BADGE,
    STAFF_BADGE,
    ChecklistEditor,
    ChildrenEditor,
    ContactsEditor,
    DateFieldEditor,
    GrowingTextEdit,
    TextFieldEditor,
    YesNoEditor,
    make_editor,
)


@pytest.fixture(scope="module")
def template() -> PlanTemplate:
    [path] = [p for p in plan_templates.bundled_files() if p.stem == "uk-default"]
    return plan_templates.parse_cached(path.read_text(encoding="utf-8"))


def editor_for(qtbot, template: PlanTemplate, field_id: str):
    editor = make_editor(template.field(field_id))
    qtbot.addWidget(editor)
    editor.resize(700, 400)
    editor.show()
    return editor


def test_every_kind_round_trips_its_content_shape(qtbot, template):
    values = {
        "worries": "He knows the area.\nشكرا — Dziękuję",
        "documents": {"passport": "needed", "keys": "have", "evidence": "not_applicable"},
        "safe_contacts": [
            {
                "name": "Nasrin",
                "relationship": "Sister",
                "number": "07700 900789",
                "safe_times": "Evenings",
                "knows": "yes",
            }
        ],
        "code_words": [{"word": "Blue umbrella", "meaning": "Call 999", "who": "Sister"}],
        "children": [
            {"child_id": 7, "name": "Sara", "values": {"school": "Willow", "emergency": "Run"}},
            {"child_id": None, "name": "Omid", "values": {"may_collect": "Only mum"}},
        ],
        "order_ends": "2027-03-01",
        "phone_checked": "no",
    }
    for field_id, value in values.items():
        editor = editor_for(qtbot, template, field_id)
        assert editor.value() == plan_domain.empty_value(template.field(field_id))
        editor.set_value(value)
        assert editor.value() == value, field_id
        # The shape is exactly the domain's: normalising changes nothing.
        assert plan_domain.normalise_value(template.field(field_id), editor.value()) == value
        editor.clear()
        assert plan_domain.is_empty(template.field(field_id), editor.value())


def test_typing_emits_changed_for_every_kind(qtbot, template):
    text = editor_for(qtbot, template, "worries")
    assert isinstance(text, TextFieldEditor)
    with qtbot.waitSignal(text.changed):
        qtbot.keyClicks(text.edit, "Safe at the library")
    assert text.value() == "Safe at the library"

    checklist = editor_for(qtbot, template, "documents")
    assert isinstance(checklist, ChecklistEditor)
    with qtbot.waitSignal(checklist.changed):
        checklist.groups["passport"].button(1).click()
    assert checklist.value() == {"passport": "copy"}
    assert checklist.clear_buttons["passport"].isVisible()
    assert not checklist.clear_buttons["keys"].isVisible()
    with qtbot.waitSignal(checklist.changed):
        checklist.clear_buttons["passport"].click()
    assert checklist.value() == {}

    yes_no = editor_for(qtbot, template, "phone_checked")
    assert isinstance(yes_no, YesNoEditor)
    assert yes_no.value() == ""
    with qtbot.waitSignal(yes_no.changed):
        yes_no.buttons[0].click()
    assert yes_no.value() == "yes"
    yes_no.buttons[2].click()
    assert yes_no.value() == ""

    date = editor_for(qtbot, template, "order_ends")
    assert isinstance(date, DateFieldEditor)
    with qtbot.waitSignal(date.changed):
        date.date.set_box.setChecked(True)
    date.date.edit.setDate(QDate(2027, 5, 17))
    assert date.value() == "2027-05-17"


def test_contacts_table_add_type_choose_remove(qtbot, template):
    contacts = editor_for(qtbot, template, "safe_contacts")
    assert isinstance(contacts, ContactsEditor)
    with qtbot.waitSignal(contacts.changed):
        contacts.add_button.click()
    assert contacts.table.rowCount() == 1
    assert contacts.value() == []  # a blank row is not content
    cell_editor = contacts.table.viewport().findChild(QLineEdit)
    assert cell_editor is not None  # "Add a contact" opens the name cell for typing
    qtbot.keyClicks(cell_editor, "Amal")
    qtbot.keyClick(cell_editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: contacts.table.item(0, 0).text() == "Amal")  # commit is queued
    contacts.set_cell(0, "number", "07700 900222")
    combo = contacts.table.cellWidget(0, 4)
    assert isinstance(combo, QComboBox)
    with qtbot.waitSignal(contacts.changed):
        combo.setCurrentIndex(combo.findData("not_known"))
    assert contacts.value() == [
        {
            "name": "Amal",
            "relationship": "",
            "number": "07700 900222",
            "safe_times": "",
            "knows": "not_known",
        }
    ]
    contacts.table.setCurrentCell(0, 1)
    with qtbot.waitSignal(contacts.changed):
        contacts.remove_button.click()
    assert contacts.table.rowCount() == 0 and contacts.value() == []


def test_children_blocks_add_a_child_not_on_the_record_and_remove(qtbot, template):
    children = editor_for(qtbot, template, "children")
    assert isinstance(children, ChildrenEditor)
    children.set_value([{"child_id": 3, "name": "Sara", "values": {"school": "Willow"}}])
    [block] = children.blocks
    assert block.heading.text() == "Sara" and block.name_edit.isHidden()
    with qtbot.waitSignal(children.changed):
        children.add_button.click()
    new = children.blocks[1]
    assert not new.name_edit.isHidden()
    qtbot.keyClicks(new.name_edit, "Baby Leyla")
    qtbot.keyClicks(new.areas["emergency"], "Stays with mum")
    assert new.heading.text() == "Baby Leyla"
    assert children.value()[1] == {
        "child_id": None,
        "name": "Baby Leyla",
        "values": {"emergency": "Stays with mum"},
    }
    with qtbot.waitSignal(children.changed):
        block.remove_button.click()
    assert [b["name"] for b in children.value()] == ["Baby Leyla"]


def test_read_only_editors_refuse_typing(qtbot, template):
    text = editor_for(qtbot, template, "worries")
    text.set_value("Agreed words")
    text.set_read_only(True)
    qtbot.keyClicks(text.edit, "more")
    assert text.value() == "Agreed words"
    assert text.edit.placeholderText() == "Not filled in."

    checklist = editor_for(qtbot, template, "documents")
    checklist.set_value({"passport": "have"})
    checklist.set_read_only(True)
    assert not checklist.groups["keys"].button(0).isEnabled()
    assert not checklist.clear_buttons["passport"].isVisible()

    contacts = editor_for(qtbot, template, "safe_contacts")
    contacts.set_value([{"name": "Nasrin", "knows": "yes"}])
    contacts.set_read_only(True)
    assert not contacts.add_button.isVisible() and not contacts.remove_button.isVisible()
    assert contacts.table.editTriggers() == contacts.table.EditTrigger.NoEditTriggers
    assert not contacts.table.cellWidget(0, 4).isEnabled()

    children = editor_for(qtbot, template, "children")
    children.set_value([{"child_id": None, "name": "Omid", "values": {}}])
    children.set_read_only(True)
    assert not children.add_button.isVisible()
    assert children.blocks[0].name_edit.isReadOnly()

    date = editor_for(qtbot, template, "order_ends")
    date.set_value("2027-01-02")
    date.set_read_only(True)
    assert not date.date.set_box.isEnabled()
    assert date.value() == "2027-01-02"


def test_audience_badge_and_staff_tint_show_what_prints(qtbot, template):
    resident = editor_for(qtbot, template, "worries")
    staff = editor_for(qtbot, template, "risk_notes")
    assert resident.badge.text() == RESIDENT_BADGE
    assert staff.badge.text() == STAFF_BADGE
    assert staff.property("audience") == "staff"
    # Staff-only cards are tinted; her-copy cards stay white.
    assert "#fdf3e1" in staff.styleSheet() and "#fdf3e1" not in resident.styleSheet()
    assert resident.grab().toImage().pixelColor(20, 60) != staff.grab().toImage().pixelColor(20, 60)


def test_prompts_are_shown_as_hints(qtbot, template):
    editor = editor_for(qtbot, template, "worries")
    hints = editor.findChild(type(editor.title), "plan_prompts")
    assert hints is not None
    for prompt in template.field("worries").prompts:
        assert prompt in hints.text()


def test_text_area_grows_with_content_then_scrolls(qtbot):
    area = GrowingTextEdit()
    qtbot.addWidget(area)
    area.resize(400, 50)
    area.show()
    empty = area.height()
    area.setPlainText("line\n" * 8)
    qtbot.waitUntil(lambda: area.height() > empty)
    eight = area.height()
    area.setPlainText("line\n" * 400)
    qtbot.waitUntil(lambda: area.height() > eight)
    tall = area.height()
    assert tall < 400  # capped: long text scrolls inside the box
    assert area.verticalScrollBar().maximum() > 0


def test_child_fields_and_unknown_values_never_raise(qtbot):
    f = TemplateField(
        "kids",
        FieldKind.CHILDREN,
        "Kids",
        Audience.STAFF,
        child_fields=(ChildField("plan", "Plan"),),
    )
    editor = make_editor(f)
    qtbot.addWidget(editor)
    editor.set_value("not a list")
    assert editor.value() == []
    editor.set_value([{"name": "X", "values": {"plan": "p", "unknown": "u"}}, "junk"])
    assert editor.value() == [{"child_id": None, "name": "X", "values": {"plan": "p"}}]
    date = make_editor(TemplateField("d", FieldKind.DATE, "D", Audience.RESIDENT))
    qtbot.addWidget(date)
    date.set_value("31/02/2026")
    assert date.value() == ""
    date.set_value(dt.date(2026, 1, 2).isoformat())
    assert date.value() == "2026-01-02"
