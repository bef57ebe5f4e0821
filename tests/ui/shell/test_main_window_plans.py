"""Safety plans inside the main window: from the record, lock and unlock, reviews, templates,
printing, and typing that a colleague's newer save could not absorb."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QPlainTextEdit

from refuge_desk.domain.residents import Resident, Status
from refuge_desk.services import drafts, plan_templates, plans, residents
from refuge_desk.services.paths import resource_path
from refuge_desk.services.session import Session
from refuge_desk.ui.plans.plan_kept_dialog import KeptTypingDialog
from refuge_desk.ui.plans.plan_page import PlanPage
from refuge_desk.ui.plans.plan_print_dialog import PlanPrintDialog
from tests.conftest import MANAGER, VOLUNTEER, WORKER, FakeClock, sign_in_as
from tests.ui.plans.test_plan_page import editor
from tests.ui.shell.test_main_window import make_window, unlock

SECRET = "Meet at the library, never the station"


def _resident(session: Session) -> int:
    res = residents.save(
        session,
        Resident(full_name="Farida Noor", status=Status.RESIDENT, arrival_date=session.today()),
    )
    assert res.id is not None
    return res.id


def _plan_page(window) -> PlanPage:
    page = window.plan_page
    assert page is not None and window.workspace.currentWidget() is page
    return page


def test_from_record_to_plan_lock_and_back_with_typing(qtbot, manager_session, vault_dir, clock):
    rid = _resident(manager_session)
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    window.open_resident(rid)
    assert window.editor.plan_button.isVisible()
    window.editor.plan_button.click()
    page = _plan_page(window)
    assert page.start_plan()
    page.set_current_section(1)
    qtbot.keyClicks(editor(page, "going_out").edit, SECRET)
    assert page.has_unsaved_changes()

    window.acts.lock.trigger()  # before the 3-second autosave: lock must save it

    assert not manager_session.is_open
    typed = [w.toPlainText() for w in window.plan_page.findChildren(QPlainTextEdit)]
    assert not any(SECRET in t for t in typed)  # lock cleared the page
    check = sign_in_as(vault_dir, MANAGER, clock)
    try:
        state = plans.get(check, rid)
        assert state.draft is not None and state.draft.content["going_out"] == SECRET
    finally:
        check.close()
    unlock(qtbot, window, MANAGER[2])
    page = _plan_page(window)
    assert page.current_section() == 1
    assert editor(page, "going_out").edit.toPlainText() == SECRET
    window.shutdown()


def test_reviews_page_lists_due_plans_and_opens_them(qtbot, manager_session, vault_dir, clock):
    rid = _resident(manager_session)
    state = plans.start_draft(manager_session, rid)
    assert state.draft is not None
    rev = plans.save_draft(
        manager_session, rid, dict(state.draft.content, worries="w"), 0 + state.draft.revision
    )
    plans.finalise(manager_session, rid, rev)
    clock.advance(86400 * 7 * 6)  # review day
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    assert window.acts.reviews.isVisible()
    window.acts.reviews.trigger()
    reviews = window.page("reviews")
    assert window.workspace.currentWidget() is reviews
    assert reviews.model.rowCount() == 1
    reviews.open_plan.emit(rid)
    page = _plan_page(window)
    assert page.resident_id == rid
    window.shutdown()


def test_volunteer_has_no_plans(qtbot, manager_session, vault_dir, clock):
    manager_session.close()
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(volunteer)
    assert not window.acts.reviews.isVisible() and window.plan_page is None
    assert "plan" not in window.pages and "reviews" not in window.pages
    window.shutdown()


def test_import_template_good_and_broken(qtbot, manager_session, vault_dir, clock, tmp_path: Path):
    data = json.loads(resource_path("templates", "uk-default.json").read_text("utf-8"))
    data.update(id="our-plan", name="Our own plan", version=3)
    good = tmp_path / "ours.json"
    good.write_text(json.dumps(data), "utf-8")
    data["sections"][0]["fields"][0]["kind"] = "essay"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data), "utf-8")
    window = make_window(qtbot, vault_dir, clock, str(broken), None, str(good), None)
    window.start_session(manager_session)
    assert window.acts.import_template.isVisible()
    window.acts.import_template.trigger()
    kind, _title, text = window.dialogs.asked[-1]
    assert kind == "error" and 'the kind "essay" is not known' in text
    assert [t.key for t in plan_templates.available(manager_session)] == ["uk-default"]
    window.acts.import_template.trigger()
    kind, _title, text = window.dialogs.asked[-1]
    assert kind == "info" and '"Our own plan" (version 3, 12 sections) was added' in text
    assert {t.key for t in plan_templates.available(manager_session)} == {"uk-default", "our-plan"}
    window.shutdown()


def test_worker_cannot_import_templates(qtbot, manager_session, vault_dir, clock):
    manager_session.close()
    worker = sign_in_as(vault_dir, WORKER, clock)
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(worker)
    assert not window.acts.import_template.isVisible() and window.acts.reviews.isVisible()
    window.shutdown()


def test_print_requested_opens_the_print_dialog(qtbot, manager_session, vault_dir, clock):
    rid = _resident(manager_session)
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    window.open_plan(rid)
    seen: list[PlanPrintDialog] = []

    def look(dialog: PlanPrintDialog) -> None:
        assert isinstance(dialog, PlanPrintDialog)
        seen.append(dialog)
        dialog.reject()

    window.dialogs.answers.append(look)
    _plan_page(window).request_print()  # no plan yet: a blank form
    assert len(seen) == 1 and seen[0].current is not None and seen[0].current.what == "blank"
    window.shutdown()


def test_refused_plan_typing_is_kept_and_offered_back(
    qtbot, manager_session, vault_dir, clock: FakeClock
):
    rid = _resident(manager_session)
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    window.open_plan(rid)
    page = _plan_page(window)
    assert page.start_plan()
    qtbot.keyClicks(editor(page, "worries").edit, SECRET)
    colleague = sign_in_as(vault_dir, WORKER, clock)
    try:
        state = plans.get(colleague, rid)
        assert state.draft is not None
        plans.save_draft(
            colleague, rid, dict(state.draft.content, strengths="hers"), state.draft.revision
        )
    finally:
        colleague.close()

    window.acts.lock.trigger()  # her save is refused: the typing must be kept, not lost

    check = sign_in_as(vault_dir, MANAGER, clock)
    try:
        [kept] = [r for r in drafts.mine(check) if r.kind == drafts.PLAN]
        assert drafts.load(kept)["content"]["worries"] == SECRET
    finally:
        check.close()
    shown: list[str] = []

    def answer(dialog: KeptTypingDialog) -> None:
        assert isinstance(dialog, KeptTypingDialog)
        shown.append(dialog.text.toPlainText())
        dialog.discard_button.click()

    window.dialogs.answers.append(answer)  # the kept typing is offered at unlock...
    window.dialogs.answers.append(True)  # ...and yes, throw it away now
    unlock(qtbot, window, MANAGER[2])
    assert len(shown) == 1
    assert SECRET in shown[0] and "What worries me most" in shown[0]
    assert not [r for r in drafts.mine(window.session) if r.kind == drafts.PLAN]
    window.shutdown()


def test_manager_opens_a_sar_from_the_record_and_a_worker_has_no_button(
    qtbot, manager_session, vault_dir, clock
):
    from refuge_desk.ui.exports.sar_dialog import SarDialog

    rid = _resident(manager_session)
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(manager_session)
    window.open_resident(rid)
    assert window.editor.sar_button.isVisible()
    seen: list[bool] = []

    def look(dialog: SarDialog) -> None:
        seen.append(isinstance(dialog, SarDialog))
        dialog.reject()

    window.dialogs.answers.append(look)
    window.editor.sar_button.click()
    assert seen == [True]
    window.shutdown()
    manager_session.close()
    worker = sign_in_as(vault_dir, WORKER, clock)
    window = make_window(qtbot, vault_dir, clock)
    window.start_session(worker)
    window.open_resident(rid)
    assert window.editor.plan_button.isVisible() and not window.editor.sar_button.isVisible()
    window.shutdown()


def test_transfer_out_and_in_through_the_app(qtbot, manager_session, vault_dir, clock, tmp_path):
    import re

    from refuge_desk.services import auth as auth_service
    from refuge_desk.store.vault import VaultFolder

    rid = _resident(manager_session)
    package = tmp_path / "farida.age"
    window = make_window(qtbot, vault_dir, clock, "without", str(package), None)
    window.start_session(manager_session)
    window.open_resident(rid)
    assert window.editor.transfer_button.isVisible()
    window.editor.transfer_button.click()
    kind, _title, text = window.dialogs.asked[-1]
    assert kind == "info" and package.exists()
    words = re.search(r"phone \(never send it with the file\):\n\n {4}(.+)\n", text).group(1)
    window.shutdown()

    other, _ = auth_service.setup_vault(
        VaultFolder(tmp_path / "other"),
        auth_service.Organisation("North Aid", "Elm House", ""),
        "nadia",
        "Nadia North",
        "walnut canyon lantern violet",
        clock=clock,
    )
    window = make_window(qtbot, tmp_path / "other", clock, str(package), words, None)
    window.start_session(other)
    assert window.acts.transfer_in.isVisible()
    window.acts.transfer_in.trigger()
    kind, _title, text = window.dialogs.asked[-1]
    assert kind == "info" and "She is now R-0001" in text
    assert window.workspace.currentWidget() is window.editor
    assert "Transferred from another refuge" in window.editor.meta.text()
    window.shutdown()
