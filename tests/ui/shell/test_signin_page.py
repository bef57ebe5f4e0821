from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from refuge_desk.services.session import Session
from refuge_desk.store.vault import VaultFolder
from refuge_desk.ui.shell.signin_page import SignInPage
from tests.conftest import MANAGER, FakeClock


def _page(qtbot, vault_dir: Path, clock: FakeClock) -> SignInPage:
    page = SignInPage(VaultFolder(vault_dir), clock, clock.seconds)
    qtbot.addWidget(page)
    page.show()
    page.show_sign_in()
    return page


def test_sign_in_runs_off_the_ui_thread_and_emits_a_session(
    qtbot, manager_session, vault_dir, clock
):
    manager_session.close()
    page = _page(qtbot, vault_dir, clock)
    page.username.setText(MANAGER[0])
    qtbot.keyClicks(page.passphrase, MANAGER[2])
    with qtbot.waitSignal(page.signed_in, timeout=15000) as blocker:
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
        assert page.busy.isVisible() or not page.button.isEnabled()  # busy while deriving
    session = blocker.args[0]
    assert isinstance(session, Session)
    assert session.user.username == MANAGER[0]
    assert page.passphrase.text() == ""
    session.close()


def test_wrong_passphrase_says_so_plainly_clears_field_and_delays(
    qtbot, manager_session, vault_dir, clock
):
    manager_session.close()
    page = _page(qtbot, vault_dir, clock)
    page.username.setText(MANAGER[0])
    page.passphrase.setText("not the right one at all")
    page.submit()
    qtbot.waitUntil(lambda: page.error.isVisible(), timeout=15000)
    assert page.error.text().startswith("Wrong user name or passphrase.")
    assert "try again in 1 s" in page.error.text()
    assert page.passphrase.text() == ""
    assert not page.button.isEnabled()  # the 1-second delay
    qtbot.waitUntil(page.button.isEnabled, timeout=3000)
    # An unknown user gets the very same sentence, never which part was wrong.
    page.username.setText("nobody-here")
    page.passphrase.setText(MANAGER[2])
    page.submit()
    qtbot.waitUntil(
        lambda: "Wrong user name or passphrase." in page.error.text() and not page.busy.isVisible(),
        timeout=15000,
    )


def test_second_failure_doubles_the_delay_and_throttle_is_enforced(
    qtbot, manager_session, vault_dir, clock
):
    manager_session.close()
    page = _page(qtbot, vault_dir, clock)
    page.username.setText(MANAGER[0])
    for expected in ("1 s", "2 s"):
        page.button.setEnabled(True)
        page.passphrase.setText("wrong passphrase again")
        page.submit()
        qtbot.waitUntil(lambda e=expected: f"try again in {e}" in page.error.text(), timeout=15000)
        if expected == "1 s":
            clock.advance(1.1)
    # Even if the button is forced back on, the service refuses until the delay has passed.
    page.button.setEnabled(True)
    page.passphrase.setText(MANAGER[2])
    page.submit()
    qtbot.waitUntil(lambda: "Too many wrong attempts" in page.error.text(), timeout=15000)
    clock.advance(3)
    page.button.setEnabled(True)
    page.passphrase.setText(MANAGER[2])
    with qtbot.waitSignal(page.signed_in, timeout=15000) as blocker:
        page.submit()
    blocker.args[0].close()


def test_empty_fields_get_a_plain_sentence(qtbot, manager_session, vault_dir, clock):
    manager_session.close()
    page = _page(qtbot, vault_dir, clock)
    page.submit()
    assert page.error.text() == "Type your user name and passphrase."


def test_corrupt_vault_is_refused_with_a_message_naming_the_file(
    qtbot, manager_session, vault_dir, clock
):
    manager_session.close()
    db = vault_dir / "vault.db"
    data = bytearray(db.read_bytes())
    for i in range(len(data) // 2, len(data) // 2 + 64):
        data[i] ^= 0xFF
    db.write_bytes(bytes(data))
    page = _page(qtbot, vault_dir, clock)
    page.username.setText(MANAGER[0])
    page.passphrase.setText(MANAGER[2])
    page.submit()
    qtbot.waitUntil(lambda: page.error.isVisible(), timeout=15000)
    assert str(db) in page.error.text()
    assert "Traceback" not in page.error.text()
