"""Staff changes that change every key of the vault, from the staff page: disabling, "her
passphrase may have been seen", lowering a role, "change every key now" and finishing a 0.1
vault's move to keys per account. Each runs off the UI thread behind a bar that cannot be
closed; afterwards her old passphrase, and the key file as it was before, open nothing."""

from __future__ import annotations

import shutil
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QProgressBar, QPushButton
from pytestqt.qtbot import QtBot

from refuge_desk.domain.errors import VaultError, WrongCredentials
from refuge_desk.domain.roles import Role
from refuge_desk.services import auth
from refuge_desk.services import staff as staff_service
from refuge_desk.services.session import Session
from refuge_desk.store.db import Database
from refuge_desk.store.vault import VaultFolder
from refuge_desk.ui.admin.staff_page import PassphraseSeenDialog, StaffPage
from refuge_desk.ui.common.dialogs import ScriptedDialogs
from refuge_desk.ui.common.job_runner import JobProgressDialog
from refuge_desk.ui.common.style import APP_STYLE
from refuge_desk.ui.common.table_models import StaffModel
from tests.conftest import FIXTURES, MANAGER, VOLUNTEER, WORKER, FakeClock, sign_in_as

NEW_PASSPHRASE = "lilac tundra marble whistle"
FIXTURE = FIXTURES / "vault-0.1-schema9.tar.gz"
V01_MANAGER = ("demo", "Demo Manager", "lantern orbit mango kettle")


def staff_page(qtbot: QtBot, session: Session, *answers: object) -> StaffPage:
    page = StaffPage(session, ScriptedDialogs(*answers))
    qtbot.addWidget(page)
    page.show()
    return page


def asked(page: StaffPage) -> list[tuple[str, str, str]]:
    assert isinstance(page.dialogs, ScriptedDialogs)
    return page.dialogs.asked


def to_do(page: StaffPage, username: str) -> str:
    row = [u.username for u in page.model.rows].index(username)
    return str(page.model.index(row, StaffModel.COL_TO_DO).data())


def active(page: StaffPage, username: str) -> str:
    row = [u.username for u in page.model.rows].index(username)
    return str(page.model.index(row, StaffModel.COL_ACTIVE).data())


def hold_the_rekey(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """The rekey's worker waits before it copies the vault, until the test lets it go."""
    gate = threading.Event()
    real = Database.export_to

    def held(self: Database, target: Path, key: bytes | bytearray, progress: Any = None) -> None:
        assert gate.wait(10)
        real(self, target, key, progress)

    monkeypatch.setattr(Database, "export_to", held)
    return gate


class BarWatch:
    """Looks at the progress dialog while the held rekey runs, then lets it go."""

    def __init__(self, page: StaffPage, gate: threading.Event) -> None:
        self.page, self.gate = page, gate
        self.values: list[int] = []
        self.seen: dict[str, object] = {}
        page.runner.started.connect(lambda: QTimer.singleShot(0, self.look))

    def look(self) -> None:
        dialog = self.page.runner.dialog
        assert isinstance(dialog, JobProgressDialog)
        self.seen["title"] = dialog.windowTitle()
        self.seen["label"] = dialog.labelText()
        self.seen["range"] = (dialog.minimum(), dialog.maximum())
        self.seen["modal"] = dialog.windowModality()
        self.seen["button"] = dialog.findChild(QPushButton)
        self.seen["accessible"] = dialog.accessibleName()
        dialog.reject()  # Escape
        self.seen["after escape"] = dialog.isVisible()
        self.seen["closed"] = dialog.close()
        bar = dialog.findChild(QProgressBar)
        assert bar is not None
        bar.valueChanged.connect(self.values.append)
        self.gate.set()


def test_disabling_a_worker_changes_every_key_behind_a_bar_that_cannot_be_closed(
    qtbot: QtBot,
    manager_session: Session,
    vault_dir: Path,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = (vault_dir / "keyslots.json").read_bytes()
    copy = Path(shutil.copytree(vault_dir, tmp_path / "copy-before"))
    epoch = manager_session.keyfile.epoch
    page = staff_page(qtbot, manager_session, True)
    page.select_user(WORKER[0])
    watch = BarWatch(page, hold_the_rekey(monkeypatch))

    assert page.disable() is True

    kind, title, question = asked(page)[0]
    assert (kind, title) == ("confirm", "Disable account")
    assert "Wendy Worker" in question and "history" in question
    assert "changes every key of the vault" in question and "a few seconds" in question
    assert "her old passphrase, and any copy of the vault's keys taken before now" in question
    assert len(asked(page)) == 1  # nothing else was asked: no error, no extra box
    assert watch.seen["title"] == "Changing keys"
    assert watch.seen["label"] == "Changing the vault's keys… This takes a few seconds."
    assert watch.seen["range"] == (0, 1000)
    assert watch.seen["modal"] == Qt.WindowModality.WindowModal
    assert watch.seen["button"] is None  # a rekey cannot stop halfway: no button
    assert watch.seen["after escape"] is True and watch.seen["closed"] is False
    assert watch.seen["accessible"] == "Changing keys"
    assert watch.values and watch.values[-1] == 1000 and watch.values == sorted(watch.values)
    assert page.runner.dialog is None and not page.runner.running

    assert manager_session.is_open and manager_session.keyfile.epoch == epoch + 1
    assert active(page, WORKER[0]) == "Disabled"
    assert page.done_note.isVisibleTo(page)
    assert "Wendy Worker is disabled, and the vault has new keys" in page.done_note.text()
    with pytest.raises(WrongCredentials):
        sign_in_as(vault_dir, WORKER, clock)

    # The key file as it was before (in a copy of the folder taken then) opens nothing of
    # the vault as it is now: put it back in the live folder and try her old passphrase.
    manager_session.close()
    assert (copy / "keyslots.json").read_bytes() == before
    now = (vault_dir / "keyslots.json").read_bytes()
    shutil.copyfile(copy / "keyslots.json", vault_dir / "keyslots.json")
    for who in (WORKER, MANAGER):
        clock.advance(120)  # past the sign-in delay after the failure above
        with pytest.raises(VaultError, match="does not match its key"):
            sign_in_as(vault_dir, who, clock)
    (vault_dir / "keyslots.json").write_bytes(now)
    clock.advance(120)
    again = sign_in_as(vault_dir, MANAGER, clock)
    try:
        assert [u.active for u in staff_service.list_staff(again) if u.username == WORKER[0]] == [
            False
        ]
    finally:
        again.close()


def test_her_passphrase_may_have_been_seen(
    qtbot: QtBot, manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    before = (vault_dir / "keyslots.json").read_bytes()
    epoch = manager_session.keyfile.epoch
    page = staff_page(qtbot, manager_session)
    assert not page.passphrase_seen()  # nobody chosen
    assert asked(page)[-1][0] == "info"
    page.select_user(WORKER[0])
    dialog = page.passphrase_seen()
    assert isinstance(dialog, PassphraseSeenDialog) and dialog.isVisible()
    text = dialog.explanation.text()
    assert text.startswith("This gives Wendy Worker a new passphrase and changes every key")
    assert "colleagues are not affected" in text and text.count(".") == 1  # one sentence
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert ok.text() == "Set passphrase and change keys" and ok.accessibleName()

    dialog.passphrase.first.setText("short")
    dialog.passphrase.second.setText("short")
    dialog.accept()  # refused at once, inline, before any slow work
    assert "at least 15 characters" in dialog.error.text() and dialog.isVisible()
    assert manager_session.keyfile.epoch == epoch

    dialog.passphrase.first.setText(NEW_PASSPHRASE)
    dialog.passphrase.second.setText(NEW_PASSPHRASE)
    dialog.accept()
    assert not dialog.isVisible()
    assert manager_session.keyfile.epoch == epoch + 1
    assert "Wendy Worker has a new passphrase, and the vault has new keys" in (
        page.done_note.text()
    )
    assert active(page, WORKER[0]) == "Active"
    with pytest.raises(WrongCredentials):
        sign_in_as(vault_dir, WORKER, clock)
    clock.advance(120)
    worker = sign_in_as(vault_dir, (WORKER[0], WORKER[1], NEW_PASSPHRASE), clock)
    assert worker.role is Role.WORKER
    worker.close()
    volunteer = sign_in_as(vault_dir, VOLUNTEER, clock)  # a colleague: not affected
    volunteer.close()

    manager_session.close()
    now = (vault_dir / "keyslots.json").read_bytes()
    (vault_dir / "keyslots.json").write_bytes(before)
    clock.advance(120)
    with pytest.raises(VaultError, match="does not match its key"):
        sign_in_as(vault_dir, WORKER, clock)  # whoever saw it, with the old key file
    (vault_dir / "keyslots.json").write_bytes(now)


def test_passphrase_seen_is_not_offered_for_a_disabled_account(
    qtbot: QtBot, manager_session: Session
) -> None:
    page = staff_page(qtbot, manager_session, True)
    page.select_user(VOLUNTEER[0])
    assert page.disable()
    page.select_user(VOLUNTEER[0])
    assert page.passphrase_seen() is None
    kind, _title, text = asked(page)[-1]
    assert kind == "info" and "That account is disabled" in text


def test_lowering_a_role_changes_the_keys_and_raising_one_does_not(
    qtbot: QtBot, manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    epoch = manager_session.keyfile.epoch
    page = staff_page(qtbot, manager_session)
    page.select_user(VOLUNTEER[0])
    dialog = page.change_role()
    assert dialog is not None and dialog.keys_note.isHidden()  # her current role
    dialog.role.setCurrentIndex(dialog.role.findData(Role.WORKER.value))
    assert dialog.keys_note.isHidden()  # raising: no rekey
    dialog.accept()
    assert manager_session.keyfile.epoch == epoch and not page.done_note.isVisibleTo(page)

    page.select_user(WORKER[0])
    dialog = page.change_role()
    assert dialog is not None
    dialog.role.setCurrentIndex(dialog.role.findData(Role.VOLUNTEER.value))
    assert not dialog.keys_note.isHidden()
    assert "changes every key of the vault" in dialog.keys_note.text()
    dialog.accept()
    assert not dialog.isVisible()
    assert manager_session.keyfile.epoch == epoch + 1
    assert "Wendy Worker is now relief / volunteer" in page.done_note.text()
    lowered = sign_in_as(vault_dir, WORKER, clock)
    assert lowered.role is Role.VOLUNTEER and not lowered.has_case
    lowered.close()


def test_change_every_key_now(
    qtbot: QtBot, manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    epoch = manager_session.keyfile.epoch
    page = staff_page(qtbot, manager_session, False, True)
    assert page.rekey_button.isVisibleTo(page) and page.finish_button.isHidden()
    assert not page.change_every_key()  # No
    assert manager_session.keyfile.epoch == epoch
    assert page.change_every_key()
    kind, title, text = asked(page)[-1]
    assert (kind, title) == ("confirm", "Change every key now")
    assert "Everyone keeps her passphrase" in text and "a few seconds" in text
    assert manager_session.keyfile.epoch == epoch + 1
    assert page.done_note.text() == "The vault has new keys. Everyone signs in as before."
    for who in (WORKER, VOLUNTEER):
        sign_in_as(vault_dir, who, clock).close()


@pytest.fixture
def v01_session(tmp_path: Path, clock: FakeClock) -> Iterator[Session]:
    """The 0.1 release's vault, just moved to keys per account by its manager's sign-in."""
    with tarfile.open(FIXTURE) as tar:
        tar.extractall(tmp_path, filter="data")
    session = sign_in_as(tmp_path / "vault", V01_MANAGER, clock)
    yield session
    session.close()


def test_statuses_and_finishing_the_move_to_keys_per_account(
    qtbot: QtBot, v01_session: Session, clock: FakeClock
) -> None:
    assert v01_session.keyfile.upgrading
    page = staff_page(qtbot, v01_session, True)
    assert to_do(page, "sam.worker") == "Will make her own keys when she next signs in"
    assert to_do(page, "relief.jo") == "Will make her own keys when she next signs in"
    assert to_do(page, "demo") == "" and to_do(page, "leaver.kim") == ""
    row = [u.username for u in page.model.rows].index("sam.worker")
    tip = page.model.index(row, StaffModel.COL_TO_DO).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == "Will make her own keys when she next signs in"
    assert page.finish_button.isVisibleTo(page)

    assert page.finish_move()
    kind, title, question = asked(page)[-1]
    assert (kind, title) == ("confirm", "Finish the move to keys per account")
    assert "Jo Mensah (fictional) (relief.jo) and Sam Okafor (fictional) (sam.worker)" in (question)
    assert "need a new passphrase from a manager" in question and "a few seconds" in question
    assert not v01_session.keyfile.upgrading
    assert to_do(page, "sam.worker") == "Needs a new passphrase from a manager"
    assert page.finish_button.isHidden()
    assert "2 colleagues now need a new passphrase" in page.done_note.text()
    folder = v01_session.folder
    with pytest.raises(WrongCredentials):  # her 0.1 slot is gone
        auth.sign_in(
            VaultFolder(folder.path),
            "sam.worker",
            "violet harbour tuesday pebble",
            clock=clock,
            seconds=clock.seconds,
        )


def test_any_change_of_keys_during_the_move_says_it_finishes_the_move(
    qtbot: QtBot, v01_session: Session
) -> None:
    page = staff_page(qtbot, v01_session, True)
    page.select_user("sam.worker")
    seen = page.passphrase_seen()
    assert isinstance(seen, PassphraseSeenDialog) and not seen.move_note.isHidden()
    assert "Jo Mensah (fictional) (relief.jo) has not signed in" in seen.move_note.text()
    seen.reject()
    role = page.change_role()
    assert role is not None and role.move_note.isHidden()  # not lowering (yet)
    role.role.setCurrentIndex(role.role.findData(Role.VOLUNTEER.value))
    assert not role.move_note.isHidden()
    role.reject()
    page.select_user("relief.jo")
    assert page.disable()
    question = asked(page)[-1][2]
    assert (
        "This also finishes the move to keys per account: Sam Okafor (fictional) "
        "(sam.worker) has not signed in since the move and will then need a new passphrase"
    ) in question
    assert "Jo Mensah" not in question.split("This also")[1]  # not the one being disabled
    assert not v01_session.keyfile.upgrading
    assert "The move to keys per account is finished too" in page.done_note.text()
    assert to_do(page, "sam.worker") == "Needs a new passphrase from a manager"
    page.select_user("sam.worker")
    dialog = page.passphrase_seen()  # after the move: no note
    assert isinstance(dialog, PassphraseSeenDialog) and dialog.move_note.isHidden()
    dialog.reject()


def test_the_staff_page_fits_a_small_screen_at_150_percent(
    qtbot: QtBot, v01_session: Session
) -> None:
    """1366×768 at a scale of 1.5 leaves about 910×512 for the window; the page must fit
    its width (the table scrolls) with every button readable."""
    page = staff_page(qtbot, v01_session)
    page.setStyleSheet(APP_STYLE)  # the app's padding, as the app runs it
    hint = page.minimumSizeHint()
    assert hint.width() <= 1366 / 1.5 - 40, hint
    for button in page.findChildren(QPushButton):
        if button.isVisibleTo(page):
            assert button.accessibleName(), button.text()
            assert "&" in button.text(), button.text()  # Alt + the underlined letter


def test_every_action_has_a_keyboard_path(qtbot: QtBot, v01_session: Session) -> None:
    """Alt + the underlined letter (a button's mnemonic clicks it a moment later), and Tab
    reaches every button."""
    page = staff_page(qtbot, v01_session, False, False, False)  # No to each question
    page.view.setFocus()
    page.select_user("sam.worker")
    opened = {
        Qt.Key.Key_A: "AddStaffDialog",
        Qt.Key.Key_M: "ChangeOwnPassphraseDialog",
        Qt.Key.Key_R: "ChangeRoleDialog",
        Qt.Key.Key_E: "ResetPassphraseDialog",
        Qt.Key.Key_S: "PassphraseSeenDialog",
    }

    def press_alt(key: Qt.Key) -> None:
        page.activateWindow()  # back from the dialog just closed
        qtbot.waitUntil(page.isActiveWindow)
        QTest.keyClick(page.view, key, Qt.KeyboardModifier.AltModifier)

    for key, name in opened.items():
        press_alt(key)
        qtbot.waitUntil(lambda: page.dialog is not None)
        dialog = page.dialog
        assert dialog is not None and type(dialog).__name__ == name
        dialog.reject()
        assert page.dialog is None
    questions = {
        Qt.Key.Key_D: "Disable account",
        Qt.Key.Key_K: "Change every key now",
        Qt.Key.Key_F: "Finish the move to keys per account",
    }
    for key, title in questions.items():
        count = len(asked(page))
        press_alt(key)

        def asked_more(count: int = count) -> bool:
            return len(asked(page)) > count

        qtbot.waitUntil(asked_more)
        assert asked(page)[-1][:2] == ("confirm", title)
    assert v01_session.keyfile.upgrading  # every answer was No

    buttons = [b for b in page.findChildren(QPushButton) if b.isVisibleTo(page)]
    reached = set()
    page.view.setFocus()
    for _ in range(3 * len(buttons)):
        focused = QApplication.focusWidget()
        assert focused is not None
        QTest.keyClick(focused, Qt.Key.Key_Tab)
        reached.add(QApplication.focusWidget())
    assert set(buttons) <= reached
