"""Risk tab and dialogs on a real vault, driven by clicks and keys."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from refuge_desk.domain.residents import Resident, Status
from refuge_desk.domain.risk import Answer, Criterion, IncidentInput, Level, ReferralInput
from refuge_desk.services import residents, risk, settings
from refuge_desk.services.session import Session
from refuge_desk.ui.admin.settings_dialog import SettingsDialog
from refuge_desk.ui.casework.risk_dialogs import ChecklistDialog, IncidentDialog, ReferralDialog
from refuge_desk.ui.casework.risk_tab import RiskTab
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from tests.conftest import VOLUNTEER, sign_in_as

TODAY = dt.date(2026, 11, 24)


def resident(session: Session) -> int:
    res = residents.save(
        session,
        Resident(full_name="Dana Example", status=Status.RESIDENT, arrival_date=TODAY),
    )
    assert res.id is not None
    return res.id


def click_answers(qtbot, dialog: ChecklistDialog, yes: int) -> None:  # type: ignore[no-untyped-def]
    dialog.show()  # a click only reaches a visible button
    for i, row in enumerate(dialog.rows):
        button = row.buttons[Answer.YES if i < yes else Answer.NO]
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_checklist_entered_by_clicking_with_live_score(qtbot, manager_session) -> None:
    rid = resident(manager_session)
    dialog = ChecklistDialog(manager_session, ScriptedDialogs(), rid)
    qtbot.addWidget(dialog)
    assert len(dialog.rows) == 24 and not dialog.has_unsaved_changes()
    click_answers(qtbot, dialog, 11)
    assert dialog.score_label.text() == "11 of 24 — Medium risk (24 of 24 answered)"
    dialog.rows[0].comment.setText("Bruise on her wrist")
    dialog.interpreter.setChecked(True)
    dialog.interpreter_note.setText("Polish, Ms Nowak")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    (saved,) = risk.assessments(manager_session, rid)
    assert (saved.score, saved.level, saved.interpreter_note) == (
        11,
        Level.MEDIUM,
        "Polish, Ms Nowak",
    )
    assert saved.answers["injuries"].comment == "Bruise on her wrist"


def test_keyboard_answers_and_unanswered_questions_refused(qtbot, manager_session) -> None:
    rid = resident(manager_session)
    dialog = ChecklistDialog(manager_session, ScriptedDialogs(), rid)
    qtbot.addWidget(dialog)
    dialog.show()
    row = dialog.rows[2]
    row.buttons[Answer.NO].setFocus()
    qtbot.keyClick(row.buttons[Answer.NO], Qt.Key.Key_Y)
    assert row.answer() is Answer.YES
    qtbot.keyClick(row.buttons[Answer.YES], Qt.Key.Key_K)
    assert row.answer() is Answer.NOT_KNOWN
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.error.isVisible() and "Not answered: questions 1, 2, 4" in dialog.error.text()
    assert risk.assessments(manager_session, rid) == []


def test_never_lower_in_the_gui_and_raise_needs_a_reason(qtbot, manager_session) -> None:
    rid = resident(manager_session)
    dialog = ChecklistDialog(manager_session, ScriptedDialogs(), rid)
    qtbot.addWidget(dialog)
    click_answers(qtbot, dialog, 15)
    levels = [dialog.level_combo.itemData(i) for i in range(dialog.level_combo.count())]
    assert levels == ["high"]  # nothing lower is even offered
    click_answers(qtbot, dialog, 10)
    levels = [dialog.level_combo.itemData(i) for i in range(dialog.level_combo.count())]
    assert levels == ["medium", "high"] and not dialog.reason.isEnabled()
    dialog.level_combo.setCurrentIndex(1)
    assert dialog.reason.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "Say why you raised the level to high risk" in dialog.error.text()
    # The service is the guard: thresholds lowered meanwhile make 10 "high"; "medium" is refused.
    dialog.level_combo.setCurrentIndex(0)
    risk.set_thresholds(manager_session, 5, 10)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "never lower it" in dialog.error.text()
    assert risk.assessments(manager_session, rid) == []
    risk.set_thresholds(manager_session, 10, 14)
    dialog.level_combo.setCurrentIndex(1)
    qtbot.keyClicks(dialog.reason, "Strangled her last week")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    (saved,) = risk.assessments(manager_session, rid)
    assert (saved.scored_level, saved.level, saved.raised_reason) == (
        Level.MEDIUM,
        Level.HIGH,
        "Strangled her last week",
    )


def test_checklist_draft_survives_a_lock(qtbot, manager_session) -> None:
    rid = resident(manager_session)
    asked = ScriptedDialogs(False)
    dialog = ChecklistDialog(manager_session, asked, rid)
    qtbot.addWidget(dialog)
    click_answers(qtbot, dialog, 12)
    dialog.rows[5].comment.setText("ناراحت است")
    dialog.level_combo.setCurrentIndex(1)
    dialog.reason.setText("Threats to kill")
    assert dialog.has_unsaved_changes()
    dialog.reject()  # answered "no" to closing without saving: stays open
    assert asked.asked[0][0] == "confirm" and dialog.isVisible()
    payload = dialog.draft_payload()
    again = ChecklistDialog(manager_session, ScriptedDialogs(), rid)
    qtbot.addWidget(again)
    again.restore_draft(payload)
    assert again.score() == 12 and again.rows[5].comment.text() == "ناراحت است"
    assert again.chosen_level() is Level.HIGH and again.reason.text() == "Threats to kill"
    assert again.has_unsaved_changes() and again.draft_payload() == payload


def test_tab_banner_flags_incident_and_referral(qtbot, manager_session) -> None:
    rid = resident(manager_session)
    tab = RiskTab(manager_session, ScriptedDialogs())
    qtbot.addWidget(tab)
    tab.load(rid)
    assert tab.level_label.text() == "NOT ASSESSED"
    assert "Risk review due" in tab.review_label.text()
    dialog = ChecklistDialog(manager_session, ScriptedDialogs(), rid)
    qtbot.addWidget(dialog)
    click_answers(qtbot, dialog, 16)
    dialog.accept()
    with qtbot.waitSignal(tab.changed):

        def fill_incident(d: QDialog) -> None:
            assert isinstance(d, IncidentDialog)
            d.what.setPlainText("He followed her from the school.")
            d.police.setChecked(True)
            d.reference.setText("CAD 5521")
            d.accept()

        tab.dialogs.answers.append(fill_incident)
        tab.add_incident()
    assert tab.level_label.text() == "HIGH RISK"
    assert "Score <b>16</b> of 24" in tab.detail_label.text()
    assert "Visible high risk" in tab.marac_label.text()
    assert "Risk review due" in tab.review_label.text() and "incident" in tab.review_label.text()
    assert tab.incidents.item(0, 2).text() == "Yes (CAD 5521)"
    assert tab.chart.points and tab.chart.points[0].score == 16

    def refer(d: QDialog) -> None:
        assert isinstance(d, ReferralDialog)
        assert d.criteria[Criterion.VISIBLE_HIGH_RISK].isChecked()
        d.agency.setText("Eastmoor MARAC")
        d.accept()  # no consent choice yet: refused inline
        assert "Record her consent" in d.error.text()
        d.no_consent.setChecked(True)
        d.lawful_basis.setPlainText("Serious risk of harm")
        d.accept()

    tab.dialogs.answers.append(refer)
    tab.add_referral()
    assert "referred on 24 Nov 2026" in tab.marac_label.text()
    assert tab.referrals.item(0, 5).text() == "Without consent: Serious risk of harm"
    tab.referrals.selectRow(0)
    tab.dialogs.answers.append(
        lambda d: (d.meeting_on.set_value(TODAY), d.outcome.setPlainText("IDVA"), d.accept())
    )
    tab.edit_referral()
    (ref,) = risk.referrals(manager_session, rid)
    assert (ref.meeting_on, ref.outcome, ref.consent) == (TODAY, "IDVA", False)
    tab.clear()
    assert tab.level_label.text() == "" and tab.incidents.rowCount() == 0
    assert not tab.chart.points and not tab.new_button.isEnabled()


def test_tab_with_repeat_flag_and_volunteer_sees_nothing(
    qtbot, manager_session, vault_dir, clock
) -> None:
    rid = resident(manager_session)
    risk.add_referral(
        manager_session,
        rid,
        ReferralInput(TODAY - dt.timedelta(days=200), "MARAC", consent=True, decided_by="M"),
    )
    risk.add_incident(manager_session, rid, IncidentInput(TODAY, "Phone calls."))
    tab = RiskTab(manager_session, ScriptedDialogs())
    qtbot.addWidget(tab)
    tab.load(rid)
    assert "Repeat: an incident within 12 months" in tab.marac_label.text()
    vol = sign_in_as(vault_dir, VOLUNTEER, clock)
    try:
        other = RiskTab(vol, ScriptedDialogs())
        qtbot.addWidget(other)
        other.load(rid)
        assert "does not allow you" in other.detail_label.text()
        assert other.incidents.rowCount() == 0 and not other.new_button.isEnabled()
    finally:
        vol.close()


def test_settings_dialog_changes_risk_thresholds(qtbot, manager_session) -> None:
    dialog = SettingsDialog(manager_session)
    qtbot.addWidget(dialog)
    assert (dialog.risk_medium.value(), dialog.risk_high.value()) == (10, 14)
    dialog.risk_medium.setValue(15)
    dialog.save()
    assert "lower than the high threshold" in dialog.error.text()
    dialog.risk_medium.setValue(8)
    dialog.risk_high.setValue(12)
    dialog.risk_weeks.setValue(8)
    dialog.save()
    assert (
        risk.thresholds(manager_session).high == 12
        and settings.risk_review_weeks(manager_session) == 8
    )
