"""The safety-plan page on real vaults: create, type, autosave, finalise, review, compare."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QPushButton

from refuge_desk.domain.residents import Abuser, Child, ContactSafety, Phone, Resident
from refuge_desk.services import plan_templates, plans, residents
from refuge_desk.services.session import Session
from refuge_desk.store import staff_repo
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from refuge_desk.ui.plans.plan_dialogs import CompareDialog, FinaliseDialog, ReviewDialog
from refuge_desk.ui.plans.plan_page import PlanPage
from tests.conftest import VOLUNTEER, WORKER, FakeClock, sign_in_as

SECRET = "Zarqa-sentinel-7731"


def make_resident(session: Session, **kw: object) -> int:
    res = Resident(
        full_name="Amina Hassan",
        preferred_name="Amina",
        languages="Arabic, English",
        phones=[Phone("07700 900123", "mobile", ContactSafety.SAFE, "after 6pm")],
        abusers=[Abuser(name="Karim Hassan")],
        children=[Child(full_name="Yusuf Hassan", school="Oak Primary")],
    )
    for key, value in kw.items():
        setattr(res, key, value)
    stored = residents.save(session, res)
    assert stored.id is not None
    return stored.id


def make_page(qtbot, session: Session, *answers: object) -> PlanPage:
    page = PlanPage(session, ScriptedDialogs(*answers))
    qtbot.addWidget(page)
    page.resize(1100, 720)
    page.show()
    return page


def section_of(page: PlanPage, field_id: str) -> int:
    assert page.template is not None
    return next(
        i for i, s in enumerate(page.template.sections) if any(f.id == field_id for f in s.fields)
    )


def editor(page: PlanPage, field_id: str):
    """Go to the field's section (as she would) and return its editor."""
    index = section_of(page, field_id)
    page.set_current_section(index)
    return next(e for e in page.panels[index].editors if e.field.id == field_id)


def versioned(session: Session, resident_id: int, worries: str = "first words") -> None:
    """A plan with version 1 agreed, made through the services."""
    state = plans.start_draft(session, resident_id)
    assert state.draft is not None
    rev = plans.save_draft(
        session, resident_id, dict(state.draft.content, worries=worries), state.draft.revision
    )
    plans.finalise(session, resident_id, rev)


def test_create_type_every_kind_and_autosave_reaches_the_vault(
    qtbot, manager_session, vault_dir: Path, clock: FakeClock
):
    rid = make_resident(manager_session)
    page = make_page(qtbot, manager_session)
    assert page.load(rid)
    assert page.state_chip.text() == "No plan yet"
    assert "no safety plan yet" in page.empty_state.text()
    assert page.heading.text() == "Safety plan · R-0001 · Amina"
    assert "Hassan" not in page.heading.text() and "Amina" not in page.windowTitle()
    page.start_button.click()
    assert page.viewing == plans.DRAFT
    assert page.state_chip.text().startswith("Draft — not yet agreed")
    assert "Each child" in page.notice.text()  # said what was filled from her record

    page.schedule.quiet_ms = 30
    qtbot.keyClicks(editor(page, "worries").edit, SECRET)
    editor(page, "documents").groups["passport"].button(2).click()
    contacts = editor(page, "safe_contacts")
    contacts.add_button.click()
    contacts.set_cell(0, "name", "Nasrin")
    contacts.set_cell(0, "knows", "no")
    words = editor(page, "code_words")
    words.add_button.click()
    words.set_cell(0, "word", "Blue umbrella")
    words.set_cell(0, "meaning", "Call 999")
    children = editor(page, "children")
    children.add_button.click()
    qtbot.keyClicks(children.blocks[-1].name_edit, "Leyla")
    qtbot.keyClicks(children.blocks[-1].areas["emergency"], "Go to the office")
    date = editor(page, "order_ends")
    date.date.set_box.setChecked(True)
    date.date.edit.setDate(QDate(2027, 2, 3))
    editor(page, "phone_checked").buttons[0].click()
    editor(page, "consent_to_share").buttons[1].click()
    assert page.has_unsaved_changes()
    qtbot.waitUntil(lambda: not page.has_unsaved_changes(), timeout=3000)
    assert page.save_status.text() == "All changes saved."
    assert "saved" in page.state_chip.text() and "Mira Manager" in page.state_chip.text()

    # Another session reads what the page wrote into the vault.
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        draft = plans.get(worker, rid).draft
    finally:
        worker.close()
    assert draft is not None
    c = draft.content
    assert c["worries"] == SECRET
    assert c["documents"] == {"passport": "needed"}
    assert c["safe_contacts"] == [
        {"name": "Nasrin", "relationship": "", "number": "", "safe_times": "", "knows": "no"}
    ]
    assert c["code_words"] == [{"word": "Blue umbrella", "meaning": "Call 999", "who": ""}]
    assert [b["name"] for b in c["children"]] == ["Yusuf Hassan", "Leyla"]
    assert c["children"][1]["values"] == {"emergency": "Go to the office"}
    assert c["order_ends"] == "2027-02-03"
    assert c["phone_checked"] == "yes" and c["consent_to_share"] == "no"
    # The section list counts what is filled.
    assert "1 of 1 filled" in page.sections.item(section_of(page, "code_words")).text()


def test_finalise_read_only_versions_new_draft_and_compare(qtbot, manager_session):
    worker = staff_repo.by_username(manager_session.db, WORKER[0])
    assert worker is not None
    rid = make_resident(manager_session, key_worker_id=worker.id)
    page = make_page(qtbot, manager_session)
    page.load(rid)
    page.start_plan()
    qtbot.keyClicks(editor(page, "worries").edit, "He knows the area.")
    dialog = page.finalise()
    assert isinstance(dialog, FinaliseDialog)
    assert not page.has_unsaved_changes()  # saved before the dialog opened
    assert dialog.reviewer.currentData() == worker.id  # her key worker by default
    assert dialog.summary.text().startswith("5 of 29 parts filled")
    default = plans.default_review_date(manager_session)
    assert dialog.review_date.date().toPython() == default
    dialog.ok_button.click()
    assert dialog.result() == FinaliseDialog.DialogCode.Accepted

    assert page.viewing == 1
    assert page.state_chip.text().startswith("Version 1 — agreed 24 Nov 2026 by Mira Manager")
    assert "Review due" in page.review_chip.text() and "Wendy Worker" in page.review_chip.text()
    assert "Version 1 agreed" in page.notice.text()
    text = editor(page, "worries")
    assert text.edit.isReadOnly()
    qtbot.keyClicks(text.edit, " more")
    assert text.value() == "He knows the area." and not page.has_unsaved_changes()
    assert page.edit_button.isVisible() and not page.finalise_button.isVisible()
    assert not page.discard_button.isVisible()

    page.edit_button.click()
    assert page.viewing == plans.DRAFT
    assert page.current_section() == section_of(page, "worries")  # she stays where she was
    text = editor(page, "worries")
    assert not text.edit.isReadOnly() and text.value() == "He knows the area."
    text.edit.selectAll()
    qtbot.keyClicks(text.edit, "He found out which town she is in.")
    compare = page.compare()
    assert isinstance(compare, CompareDialog)
    assert compare.older.currentData() == 1 and compare.newer.currentData() == plans.DRAFT
    shown = compare.view.toPlainText()
    assert "- He knows the area." in shown and "+ He found out which town she is in." in shown
    assert "My worries and my strengths" in shown
    compare.newer.setCurrentIndex(compare.newer.findData(1))
    assert compare.sections == [] and "No differences" in compare.view.toPlainText()
    compare.reject()
    assert compare.view.toPlainText() == ""

    page.finalise().ok_button.click()
    assert page.viewing == 2
    assert [page.version_combo.itemData(i) for i in range(page.version_combo.count())] == [2, 1]
    page.version_combo.setCurrentIndex(1)
    assert page.viewing == 1
    assert "older version" in page.state_chip.text()
    assert editor(page, "worries").value() == "He knows the area."
    assert editor(page, "worries").edit.isReadOnly()
    assert not page.edit_button.isVisible()  # only the latest version starts a new draft


def test_finalise_refusal_is_shown_inside_the_dialog(qtbot, manager_session):
    rid = residents.save(manager_session, Resident(full_name="Bea Blank")).id
    page = make_page(qtbot, manager_session)
    page.load(rid)
    page.start_plan()
    assert "nothing to fill in yet" in page.notice.text()
    dialog = page.finalise()
    dialog.ok_button.click()
    assert dialog.isVisible()
    assert "Fill in at least one part" in dialog.error.text()
    assert plans.get(manager_session, rid).latest_version == 0


def test_reviewed_no_changes(qtbot, manager_session):
    rid = make_resident(manager_session)
    versioned(manager_session, rid)
    page = make_page(qtbot, manager_session)
    page.load(rid)
    assert page.viewing == 1 and page.review_button.isVisible()
    dialog = page.mark_reviewed()
    assert isinstance(dialog, ReviewDialog)
    dialog.review_date.setDate(QDate(2027, 1, 20))
    qtbot.keyClicks(dialog.note, "Went through it together, still right.")
    dialog.ok_button.click()
    [review, _first] = plans.reviews(manager_session, rid)
    assert review.outcome == "no_change" and review.note == "Went through it together, still right."
    assert page.review_chip.text().startswith("Review due 20 Jan 2027")
    assert "Review recorded" in page.notice.text()
    assert plans.get(manager_session, rid).latest_version == 1


def test_review_chip_turns_red_when_overdue_and_amber_when_due(
    qtbot, manager_session, clock: FakeClock
):
    rid = make_resident(manager_session)
    versioned(manager_session, rid)
    page = make_page(qtbot, manager_session)
    clock.advance(86400 * (6 * 7 - 3))
    page.load(rid)
    assert page.review_chip.text().startswith("Review due 05 Jan 2027 (in 3 days)")
    assert "#fff4d6" in page.review_chip.styleSheet()
    clock.advance(86400 * 5)
    page.refresh()
    assert page.review_chip.text().startswith("Review overdue: was due 05 Jan 2027 (2 days ago)")
    assert "#b3261e" in page.review_chip.styleSheet()


def test_discard_draft_asks_first_and_keeps_versions(qtbot, manager_session):
    rid = make_resident(manager_session)
    versioned(manager_session, rid)
    page = make_page(qtbot, manager_session, False, True)
    page.load(rid)
    page.edit_plan()
    qtbot.keyClicks(editor(page, "worries").edit, " changed")
    assert not page.discard_draft()  # she said no
    assert plans.get(manager_session, rid).draft is not None
    assert page.discard_draft()
    kind, _title, text = page.dialogs.asked[-1]
    assert kind == "confirm" and "Version 1 stays as agreed" in text
    state = plans.get(manager_session, rid)
    assert state.draft is None and state.latest_version == 1
    assert page.viewing == 1 and not page.has_unsaved_changes()
    assert editor(page, "worries").value() == "first words"


def test_stale_draft_message_keeps_the_typing(
    qtbot, manager_session, vault_dir: Path, clock: FakeClock
):
    rid = make_resident(manager_session)
    page = make_page(qtbot, manager_session)
    page.load(rid)
    page.start_plan()
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        state = plans.get(worker, rid)
        assert state.draft is not None
        plans.save_draft(
            worker, rid, dict(state.draft.content, worries="worker's words"), state.draft.revision
        )
    finally:
        worker.close()
    qtbot.keyClicks(editor(page, "worries").edit, "manager's words")
    assert not page.save_now()
    assert page.error_box.isVisible()
    assert "Wendy Worker saved this draft" in page.error_box.text()
    assert "Traceback" not in page.error_box.text()
    assert editor(page, "worries").value() == "manager's words"
    assert page.has_unsaved_changes() and page.save_status.text() == "Not saved"
    stored = plans.get(manager_session, rid).draft
    assert stored is not None and stored.content["worries"] == "worker's words"
    # Going back is refused too, so the typing is not silently lost.
    with qtbot.assertNotEmitted(page.back_to_record):
        assert not page.go_back()


def test_volunteer_is_told_plainly(qtbot, manager_session, vault_dir: Path, clock: FakeClock):
    rid = make_resident(manager_session)
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)
    try:
        page = make_page(qtbot, volunteer)
        assert not page.load(rid)
        assert "does not allow you to work on safety plans" in page.error_box.text()
        assert not page.splitter.isVisible() and page.sections.count() == 0
        for button in page.findChildren(QPushButton):
            assert button is page.back_button or not button.isVisible()
    finally:
        volunteer.close()


def test_more_than_one_template_asks_which(qtbot, manager_session):
    [path] = [p for p in plan_templates.bundled_files() if p.stem == "uk-default"]
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw.update(id="short-plan", name="Short plan", sections=raw["sections"][:2])
    info = plan_templates.import_template(manager_session, json.dumps(raw).encode())
    rid = make_resident(manager_session)
    page = make_page(qtbot, manager_session, "", str(info.id))
    page.load(rid)
    assert not page.start_plan()  # closed without choosing: nothing started
    assert not plans.get(manager_session, rid).exists
    assert page.start_plan()
    kind, title, _text = page.dialogs.asked[-1]
    assert kind == "choose" and title == "Which template?"
    assert page.template is not None and page.template.key == "short-plan"
    assert page.sections.count() == 2


def test_fill_from_record_never_overwrites_typing(qtbot, manager_session):
    rid = make_resident(manager_session)
    page = make_page(qtbot, manager_session)
    page.load(rid)
    page.start_plan()
    communication = editor(page, "communication")
    communication.edit.clear()
    reach = editor(page, "reach_me")
    reach.edit.setPlainText("Only through her sister")
    page.fill_button.click()
    assert "Arabic" in communication.value()
    assert reach.value() == "Only through her sister"
    assert "Filled from her record: How I like to communicate." in page.notice.text()
    assert "How staff can reach me safely" in page.notice.text().split("\n")[1]
    draft = plans.get(manager_session, rid).draft
    assert draft is not None and "Arabic" in draft.content["communication"]


def test_lock_clears_every_widget_and_unlock_restores_her_place(qtbot, manager_session):
    rid = make_resident(manager_session)
    page = make_page(qtbot, manager_session)
    page.load(rid)
    page.start_plan()
    qtbot.keyClicks(editor(page, "where").edit, SECRET)
    page.set_current_section(section_of(page, "where"))
    assert page.save_now()  # what the main window does before clear()
    page.clear()
    texts = [w.toPlainText() for w in page.findChildren(QPlainTextEdit)]
    texts += [w.text() for w in page.findChildren(QLineEdit)]
    assert not any(SECRET in t or "Amina" in t or "Karim" in t for t in texts)
    assert page.heading.text() == "" and page.sections.count() == 0 and not page.panels
    assert page.version_combo.count() == 0 and page.notice.text() == ""
    page.refresh()
    assert page.viewing == plans.DRAFT
    assert page.current_section() == section_of(page, "where")
    assert page.panels[page.current_section()].editors[1].value() == SECRET


def test_keyboard_save_and_section_moves(qtbot, manager_session):
    rid = make_resident(manager_session)
    page = make_page(qtbot, manager_session)
    page.load(rid)
    page.start_plan()
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    page.sections.setFocus()
    qtbot.keyClick(page.sections, Qt.Key.Key_Down)
    assert page.current_section() == 1
    qtbot.keyClick(page.sections, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert page.current_section() == 2
    qtbot.keyClick(page.sections, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert page.current_section() == 1
    area = page.panels[1].editors[0].edit
    area.setFocus()
    qtbot.keyClicks(area, "typed")
    qtbot.keyClick(area, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert page.current_section() == 2
    first = page.panels[2].first_editor()
    assert first is not None and first.isAncestorOf(QApplication.focusWidget())
    assert page.has_unsaved_changes()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not page.has_unsaved_changes()
    draft = plans.get(manager_session, rid).draft
    assert draft is not None and draft.content["in_refuge"] == "typed"
    for button in (
        page.start_button,
        page.edit_button,
        page.fill_button,
        page.finalise_button,
        page.review_button,
        page.compare_button,
        page.print_button,
        page.discard_button,
        page.back_button,
    ):
        assert "&" in button.text(), button.text()


def test_print_and_back_signals(qtbot, manager_session):
    rid = make_resident(manager_session)
    page = make_page(qtbot, manager_session)
    page.load(rid)
    with qtbot.waitSignal(page.print_requested) as blank:
        page.print_button.click()
    assert blank.args == [rid, None]
    page.start_plan()
    qtbot.keyClicks(editor(page, "worries").edit, "x")
    with qtbot.waitSignal(page.print_requested) as draft:
        page.print_button.click()
    assert draft.args == [rid, plans.DRAFT]
    assert not page.has_unsaved_changes()  # saved first, so the PDF has the latest typing
    page.finalise().ok_button.click()
    with qtbot.waitSignal(page.print_requested) as version:
        page.print_button.click()
    assert version.args == [rid, 1]
    with qtbot.waitSignal(page.back_to_record) as back:
        page.back_button.click()
    assert back.args == [rid]


@pytest.fixture
def big_plan(manager_session: Session) -> int:
    """12 sections x 30 text fields, every one holding 20,000 characters."""
    sections = [
        {
            "id": f"s{s}",
            "title": f"Section {s}",
            "fields": [
                {
                    "id": f"s{s}_f{f}",
                    "kind": "text",
                    "label": f"Part {f}",
                    "audience": "staff" if f == 0 else "resident",
                    "prompts": ["A prompt"],
                }
                for f in range(30)
            ],
        }
        for s in range(12)
    ]
    template = {
        "format": 1,
        "id": "big",
        "version": 1,
        "name": "Big",
        "language": "en",
        "title": "Big plan",
        "keep_safe": "Keep it safe.",
        "sections": sections,
    }
    info = plan_templates.import_template(manager_session, json.dumps(template).encode())
    rid = make_resident(manager_session)
    state = plans.start_draft(manager_session, rid, info.id)
    assert state.draft is not None
    para = ("Words she said about staying safe, in her own words. " * 8 + "\n") * 48
    text = para[:20_000]
    content = {fid: text for fid in state.draft.content}
    plans.save_draft(manager_session, rid, content, state.draft.revision)
    return rid


def test_large_plan_stays_responsive(qtbot, manager_session, big_plan: int):
    """Only the section on screen is built; the others as she opens them (the times are
    measured in benchmarks/, never asserted here)."""
    page = make_page(qtbot, manager_session)
    page.load(big_plan)
    QApplication.processEvents()
    assert page.sections.count() == 12 and len(page.panels) == 1  # only what is on screen
    for index in (1, 5, 11, 0, 5):
        page.set_current_section(index)
        QApplication.processEvents()
    assert len(page.panels) == 4  # sections 0, 1, 5 and 11: each built once
    assert page.panels[11].editors[3].value().startswith("Words she said")
    qtbot.keyClicks(page.panels[5].editors[2].edit, "abc")
    assert page.save_now()


def test_opening_another_plan_saves_the_typing_first(qtbot, manager_session):
    first = make_resident(manager_session)
    second = make_resident(manager_session, full_name="Bela Other", preferred_name="")
    page = make_page(qtbot, manager_session)
    page.load(first)
    page.start_plan()
    qtbot.keyClicks(editor(page, "avoid").edit, "The market on Saturdays")
    assert page.load(second)
    assert page.heading.text() == "Safety plan · R-0002 · Bela"  # first name, not surname
    draft = plans.get(manager_session, first).draft
    assert draft is not None and draft.content["avoid"] == "The market on Saturdays"


def test_autosave_never_waits_more_than_ten_seconds_while_she_types(
    qtbot, manager_session, monkeypatch
):
    import types

    from refuge_desk.ui.plans import plan_page as module

    now = [100.0]
    monkeypatch.setattr(module, "time", types.SimpleNamespace(monotonic=lambda: now[0]))
    rid = make_resident(manager_session)
    page = make_page(qtbot, manager_session)
    page.load(rid)
    assert page.start_plan()
    area = editor(page, "worries").edit
    qtbot.keyClicks(area, "a")
    assert page.autosave_timer.interval() == module.AUTOSAVE_MS
    now[0] += 9.0
    qtbot.keyClicks(area, "b")
    assert page.autosave_timer.interval() == 1000  # 10 s after the first unsaved change
    now[0] += 1.5
    qtbot.keyClicks(area, "c")
    assert page.autosave_timer.interval() == 0
    qtbot.waitUntil(lambda: not page.has_unsaved_changes(), timeout=2000)
