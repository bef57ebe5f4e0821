"""Referral outcome, reason for declining and kind of move-on: chosen from lists, saved."""

from __future__ import annotations

import pytest

from refuge_desk.domain.errors import ValidationError
from refuge_desk.domain.residents import Resident
from refuge_desk.services import residents
from tests.ui.residents.test_resident_editor import make_editor


def test_declined_referral_with_its_reason_and_a_move_on_kind(qtbot, manager_session):
    editor = make_editor(qtbot, manager_session)
    editor.load(None)
    editor.full_name.setText("Rana Aziz")
    assert not editor.decline_reason.isEnabled()
    editor.referral_outcome.setCurrentIndex(editor.referral_outcome.findData("declined"))
    assert editor.decline_reason.isEnabled()
    editor.decline_reason.setCurrentIndex(editor.decline_reason.findData("too_close"))
    editor.move_on_type.setCurrentIndex(editor.move_on_type.findData("another_refuge"))
    assert editor.has_unsaved_changes()
    assert editor.save()
    stored = residents.get(manager_session, editor.resident_id)
    assert (stored.referral_outcome, stored.decline_reason, stored.move_on_type) == (
        "declined",
        "too_close",
        "another_refuge",
    )
    editor.referral_outcome.setCurrentIndex(editor.referral_outcome.findData("accepted"))
    assert not editor.decline_reason.isEnabled() and editor.decline_reason.currentData() == ""


def test_the_service_refuses_a_reason_without_a_decline(manager_session):
    with pytest.raises(ValidationError, match="only with a declined referral"):
        residents.save(
            manager_session,
            Resident(full_name="X Y", referral_outcome="accepted", decline_reason="no_space"),
        )
    with pytest.raises(ValidationError, match="kind of move-on"):
        residents.save(manager_session, Resident(full_name="X Y", move_on_type="moon"))
