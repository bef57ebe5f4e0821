"""Finalise, review and compare dialogs on a real vault."""

from __future__ import annotations

from PySide6.QtCore import QDate

from refuge_desk.domain.plan_template import Audience
from refuge_desk.domain.plans import FieldChange, SectionChanges
from refuge_desk.domain.residents import Resident
from refuge_desk.services import plans, residents
from refuge_desk.services import staff as staff_service
from refuge_desk.services.session import Session
from refuge_desk.store import staff_repo
from refuge_desk.ui.plans.plan_dialogs import (
    CompareDialog,
    FinaliseDialog,
    ReviewDialog,
    changes_html,
)
from tests.conftest import VOLUNTEER, WORKER


def draft_for(session: Session, **content: object) -> tuple[int, plans.Draft]:
    res = residents.save(session, Resident(full_name="Dana Example"))
    assert res.id is not None
    state = plans.start_draft(session, res.id)
    assert state.draft is not None
    rev = plans.save_draft(
        session, res.id, dict(state.draft.content, **content), state.draft.revision
    )
    draft = plans.get(session, res.id).draft
    assert draft is not None and draft.revision == rev
    return res.id, draft


def test_finalise_dialog_offers_active_case_workers_and_counts_parts(qtbot, manager_session):
    rid, draft = draft_for(manager_session, worries="w", risk_notes="r")
    dialog = FinaliseDialog(
        manager_session, rid, draft.revision, draft.template, draft.content, 1, None
    )
    qtbot.addWidget(dialog)
    names = [dialog.reviewer.itemText(i) for i in range(dialog.reviewer.count())]
    assert names == [
        "No one named",
        "Mira Manager (Manager)",
        "Wendy Worker (Support worker)",
    ]
    assert not any(VOLUNTEER[1] in n for n in names)
    me = manager_session.user.id
    assert dialog.reviewer.currentData() == me  # no key worker: the one agreeing it
    assert dialog.summary.text() == "2 of 29 parts filled."
    assert dialog.windowTitle() == "Agree and finalise the plan"
    dialog.review_date.setDate(QDate(2026, 12, 15))
    dialog.ok_button.click()
    assert dialog.version is not None and dialog.version.number == 1
    state = plans.get(manager_session, rid)
    assert state.review_date is not None and state.review_date.isoformat() == "2026-12-15"
    assert state.reviewer_id == me


def test_review_dialog_shows_a_refusal_inline_and_keeps_the_note(qtbot, manager_session):
    rid, draft = draft_for(manager_session, worries="w")
    plans.finalise(manager_session, rid, draft.revision)
    worker = staff_repo.by_username(manager_session.db, WORKER[0])
    assert worker is not None
    dialog = ReviewDialog(manager_session, rid, 1, [worker.id])
    qtbot.addWidget(dialog)
    assert dialog.reviewer.currentData() == worker.id
    qtbot.keyClicks(dialog.note, "Still right for her.")
    staff_service.disable(manager_session, worker.id)  # meanwhile, the account is disabled
    dialog.ok_button.click()
    assert "must be an active manager or support worker" in dialog.error.text()
    assert dialog.note.toPlainText() == "Still right for her."
    assert [r.outcome for r in plans.reviews(manager_session, rid)] == ["new_version"]
    dialog.reviewer.setCurrentIndex(dialog.reviewer.findData(manager_session.user.id))
    dialog.ok_button.click()
    assert [r.outcome for r in plans.reviews(manager_session, rid)] == ["no_change", "new_version"]


def test_compare_dialog_marks_staff_only_and_says_no_differences(qtbot, manager_session):
    rid, draft = draft_for(manager_session, worries="one\ntwo", risk_notes="calm")
    plans.finalise(manager_session, rid, draft.revision)
    state = plans.start_draft(manager_session, rid)
    assert state.draft is not None
    plans.save_draft(
        manager_session,
        rid,
        dict(state.draft.content, worries="one\n<b>three</b>", risk_notes="worse"),
        state.draft.revision,
    )
    options = [("Draft", plans.DRAFT), ("Version 1", 1)]
    dialog = CompareDialog(manager_session, rid, options, 1, plans.DRAFT)
    qtbot.addWidget(dialog)
    shown = dialog.view.toPlainText()
    assert "2 parts changed in 2 sections." in shown
    assert "  one" in shown or "\xa0one" in shown  # unchanged context kept
    assert "- two" in shown and "+ <b>three</b>" in shown  # typed markup shown as typed
    assert "Staff risk notes Staff only" in " ".join(shown.split())
    assert [s.section_id for s in dialog.sections] == ["worries", "staff"]
    dialog.older.setCurrentIndex(dialog.older.findData(plans.DRAFT))
    assert dialog.sections == []
    assert "No differences" in dialog.view.toPlainText()


def test_long_unchanged_text_is_folded():
    before = [f"line {i}" for i in range(40)]
    after = [*before[:20], "new line", *before[20:]]
    html = changes_html(
        [
            SectionChanges(
                "s", "Section", (FieldChange("f", "Field", Audience.RESIDENT, before, after),)
            )
        ]
    )
    assert "18 unchanged lines" in html and "18 unchanged lines" in html.split("new line")[0]
    assert "line 19" in html and "line 20" in html and "line 5<" not in html
