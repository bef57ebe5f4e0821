"""What she typed and had not saved: parked in the vault as she types, offered back after a
lock, a sign-out or a crash, never lost and never shown to anyone else."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QWidget

from refuge_desk.domain import plans as plan_domain
from refuge_desk.domain.dates import stamp_text
from refuge_desk.domain.deadlines import Target
from refuge_desk.domain.errors import UserError
from refuge_desk.services import drafts, plan_print, plans
from refuge_desk.services import residents as residents_service
from refuge_desk.services.session import Session
from refuge_desk.ui.common.dialogs import Dialogs
from refuge_desk.ui.plans.plan_kept_dialog import KeptTypingDialog, kept_text
from refuge_desk.ui.plans.plan_page import PlanPage
from refuge_desk.ui.residents.resident_editor import ResidentEditor

log = logging.getLogger(__name__)


def park_record(session: Session, editor: ResidentEditor, record_id: int | None) -> None:
    """The record being edited (and any case note or checklist being typed) into the vault."""
    editor.casework.park()
    if not editor.has_unsaved_changes():
        return
    try:
        drafts.park(session, drafts.RESIDENT, record_id, editor.draft_payload())
    except UserError:
        log.warning("draft autosave failed")


def settle_plan(session: Session, page: PlanPage) -> bool:
    """Unsaved plan typing goes into the plan, or (refused) is kept as a draft: never lost.

    The plan's own autosave writes every few seconds; this runs on leaving it and on lock.
    """
    if not page.has_unsaved_changes() or page.save_now():
        return True
    if page.resident_id is None:
        return False
    drafts.park(
        session,
        drafts.PLAN,
        page.resident_id,
        {"content": page.typed_content(), "kept_at": session.stamp()},
    )
    page.forget_typing()
    log.info("plan typing kept as a draft after a refused save")
    return False


def offer_plan_typing(
    session: Session, dialogs: Dialogs, parent: QWidget, resident_id: int
) -> None:
    """Plan typing a refused save kept: shown beside the plan, to copy from or throw away."""
    kept = [r for r in drafts.mine(session) if r.kind == drafts.PLAN and r.record_id == resident_id]
    if not kept:
        return
    payload = drafts.load(kept[0])
    try:
        state = plans.get(session, resident_id)
        if state.draft is not None:
            template, current = state.draft.template, state.draft.content
        else:
            template = plan_print.template_for(session, resident_id, plan_print.LATEST)
            current = {}
    except UserError as err:
        dialogs.error(parent, "Safety plan", str(err))
        return
    text = kept_text(template, current, plan_domain.normalise(template, payload.get("content")))
    dialog = KeptTypingDialog(text, stamp_text(str(payload.get("kept_at", ""))), parent)
    if dialogs.run(dialog) == QDialog.DialogCode.Accepted and dialogs.confirm(
        parent, "Throw away kept typing?", "Throw this kept typing away for good?"
    ):
        drafts.discard(session, drafts.PLAN, resident_id)


def offer_record_changes(
    session: Session,
    dialogs: Dialogs,
    parent: QWidget,
    editor: ResidentEditor,
    open_resident: Callable[[int | None], None],
) -> bool:
    """Unsaved changes to a record, kept at a sign-out or a crash. False: there were none."""
    rows = [r for r in drafts.mine(session) if r.kind == drafts.RESIDENT]
    if not rows:
        return False
    row = rows[0]
    payload = drafts.load(row)
    ref = str(payload.get("reference") or "")
    what = f"the record {ref}" if ref else "a new resident"
    more = f"\n\n({len(rows) - 1} more will be offered next time.)" if len(rows) > 1 else ""
    answer = dialogs.choose(
        parent,
        "Unsaved changes kept",
        f"Refuge Desk kept changes you had not saved to {what} "
        f"({stamp_text(row.updated_at)}).{more}",
        [("open", "Open them now"), ("later", "Keep for later"), ("discard", "Throw away")],
        default="open",
    )
    if answer == "open":
        open_resident(row.record_id)
        editor.restore_draft(payload)
    elif answer == "discard" and dialogs.confirm(
        parent,
        "Throw away changes?",
        "Throw these unsaved changes away for good? This cannot be undone.",
    ):
        drafts.discard(session, drafts.RESIDENT, row.record_id)
    return True


def offer_casework_typing(
    session: Session,
    dialogs: Dialogs,
    parent: QWidget,
    open_target: Callable[[Target], None],
) -> None:
    """A case note or risk checklist she was typing (kept at sign-out or after a crash)."""
    kinds = {drafts.CASE_NOTE: "a case note", drafts.RISK_CHECKLIST: "a risk checklist"}
    rows = [r for r in drafts.mine(session) if r.kind in kinds and r.record_id is not None]
    if not rows:
        return
    row = rows[0]
    assert row.record_id is not None
    ref = residents_service.reference_of(session, row.record_id) or "a resident"
    answer = dialogs.choose(
        parent,
        "Unsaved typing kept",
        f"Refuge Desk kept {kinds[row.kind]} you had not saved for {ref} "
        f"({stamp_text(row.updated_at)}).",
        [("open", "Open it now"), ("later", "Keep for later")],
        default="open",
    )
    if answer == "open":
        tab = "notes" if row.kind == drafts.CASE_NOTE else "risk"
        open_target(Target(row.record_id, tab))


def kept_record_draft(session: Session, record_id: int | None) -> dict[str, object] | None:
    """The record changes parked for ``record_id`` (restored after an unlock), if any."""
    for row in drafts.mine(session):
        if row.kind == drafts.RESIDENT and row.record_id == record_id:
            return drafts.load(row)
    return None
