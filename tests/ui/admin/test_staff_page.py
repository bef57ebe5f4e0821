"""The staff page: add an account, change a role, disable, reset a passphrase."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from refuge_desk.domain.errors import WrongCredentials
from refuge_desk.domain.roles import Role
from refuge_desk.services import staff as staff_service
from refuge_desk.services.session import Session
from refuge_desk.ui.admin.staff_page import ChangeOwnPassphraseDialog, StaffPage
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from refuge_desk.ui.common.table_models import StaffModel
from refuge_desk.ui.residents.rooms_page import RoomsPage
from tests.conftest import MANAGER, VOLUNTEER, WORKER, sign_in_as

NEW_PASSPHRASE = "lilac tundra marble whistle"


def cell(model, row: int, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> object:
    return model.index(row, column).data(role)


def rooms_page(qtbot, session: Session, *answers: object) -> RoomsPage:
    page = RoomsPage(session, ScriptedDialogs(*answers))
    qtbot.addWidget(page)
    return page


def staff_page(qtbot, session: Session, *answers: object) -> StaffPage:
    page = StaffPage(session, ScriptedDialogs(*answers))
    qtbot.addWidget(page)
    return page


def user_row(page: StaffPage, username: str) -> int:
    return [u.username for u in page.model.rows].index(username)


def test_add_staff_through_dialog(qtbot, manager_session, vault_dir, clock):
    page = staff_page(qtbot, manager_session)
    assert page.model.rowCount() == 3
    dialog = page.add_staff()
    qtbot.keyClicks(dialog.username, "relief.two")
    qtbot.keyClicks(dialog.full_name, "Ruth Relief")
    dialog.role.setCurrentIndex(dialog.role.findData(Role.VOLUNTEER.value))
    dialog.passphrase.first.setText("short")
    dialog.passphrase.second.setText("short")
    dialog.accept()
    assert "at least 15 characters" in dialog.error.text()
    assert page.model.rowCount() == 3
    dialog.passphrase.first.setText(NEW_PASSPHRASE)
    dialog.passphrase.second.setText(NEW_PASSPHRASE)
    dialog.accept()
    assert dialog.user is not None and dialog.user.role is Role.VOLUNTEER
    r = user_row(page, "relief.two")
    assert cell(page.model, r, StaffModel.COL_FULL_NAME) == "Ruth Relief"
    assert cell(page.model, r, StaffModel.COL_ROLE) == "Relief / volunteer"
    new = sign_in_as(vault_dir, ("relief.two", "Ruth Relief", NEW_PASSPHRASE), clock)
    assert new.role is Role.VOLUNTEER
    new.close()


def test_change_role(qtbot, manager_session):
    page = staff_page(qtbot, manager_session)
    page.select_user(WORKER[0])
    dialog = page.change_role()
    dialog.role.setCurrentIndex(dialog.role.findData(Role.MANAGER.value))
    dialog.accept()
    roles = {u.username: u.role for u in staff_service.list_staff(manager_session)}
    assert roles[WORKER[0]] is Role.MANAGER
    assert cell(page.model, user_row(page, WORKER[0]), StaffModel.COL_ROLE) == "Manager"


def test_cannot_demote_the_last_manager(qtbot, manager_session):
    page = staff_page(qtbot, manager_session)
    page.select_user(MANAGER[0])
    dialog = page.change_role()
    dialog.role.setCurrentIndex(dialog.role.findData(Role.WORKER.value))
    dialog.accept()
    assert "at least one active manager" in dialog.error.text()
    assert manager_session.role is Role.MANAGER


def test_disable_then_reset_re_enables(qtbot, manager_session, vault_dir, clock):
    page = staff_page(qtbot, manager_session, None, False, True)  # info, No, Yes
    assert page.disable() is False  # nothing chosen: told to choose
    assert page.dialogs.asked[-1][0] == "info"
    page.select_user(WORKER[0])
    assert not page.disable()  # answered No
    page.select_user(WORKER[0])
    assert page.disable()
    question = page.dialogs.asked[-1][2]
    assert "history" in question and "Wendy Worker" in question
    r = user_row(page, WORKER[0])
    assert cell(page.model, r, StaffModel.COL_ACTIVE) == "Disabled"
    with pytest.raises(WrongCredentials):
        sign_in_as(vault_dir, WORKER, clock)

    clock.advance(120)  # past the sign-in delay after that failure
    page.select_user(WORKER[0])
    dialog = page.reset_passphrase()
    dialog.passphrase.first.setText(NEW_PASSPHRASE)
    dialog.passphrase.second.setText(NEW_PASSPHRASE)
    dialog.accept()
    assert dialog.error.isHidden()
    assert cell(page.model, user_row(page, WORKER[0]), StaffModel.COL_ACTIVE) == "Active"
    worker = sign_in_as(vault_dir, (WORKER[0], WORKER[1], NEW_PASSPHRASE), clock)
    assert worker.role is Role.WORKER
    worker.close()


def test_cannot_disable_own_account(qtbot, manager_session):
    page = staff_page(qtbot, manager_session, True)
    page.select_user(MANAGER[0])
    assert not page.disable()
    assert page.dialogs.asked[-1][0] == "error"
    assert "your own account" in page.dialogs.asked[-1][2]


def test_change_own_passphrase_dialog(qtbot, manager_session, vault_dir, clock):
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)
    try:
        page = staff_page(qtbot, volunteer)
        for b in (page.add_button, page.role_button, page.disable_button, page.reset_button):
            assert b.isHidden()
        assert not page.own_button.isHidden()
        dialog = ChangeOwnPassphraseDialog(volunteer)
        qtbot.addWidget(dialog)
        dialog.current.setText("not my passphrase at all")
        dialog.passphrase.first.setText(NEW_PASSPHRASE)
        dialog.passphrase.second.setText(NEW_PASSPHRASE)
        dialog.accept()
        assert dialog.error.text().endswith("Wrong user name or passphrase.")
        assert dialog.current.text() == ""
        dialog.current.setText(VOLUNTEER[2])
        dialog.accept()
        assert dialog.result() == dialog.DialogCode.Accepted
    finally:
        volunteer.close()
    again = sign_in_as(vault_dir, (VOLUNTEER[0], VOLUNTEER[1], NEW_PASSPHRASE), clock)
    again.close()


def test_staff_page_clear(qtbot, manager_session):
    page = staff_page(qtbot, manager_session)
    page.clear()
    assert page.model.rowCount() == 0
    page.refresh()
    assert page.model.rowCount() == 3
    assert page.summary.text() == "3 active staff accounts"
