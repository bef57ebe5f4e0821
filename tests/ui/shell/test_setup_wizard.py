from __future__ import annotations

from PySide6.QtWidgets import QWizard

from refuge_desk.services import auth, settings
from refuge_desk.store.vault import VaultFolder
from refuge_desk.ui.shell.setup_wizard import SetupWizard


def test_wizard_creates_vault_shows_recovery_key_once_and_requires_confirmation(
    qtbot, tmp_path, clock
):
    folder = VaultFolder(tmp_path / "v")
    wizard = SetupWizard(folder, clock)
    qtbot.addWidget(wizard)
    wizard.show()
    org = wizard.org_page
    assert not org.isComplete()
    qtbot.keyClicks(org.org, "Harbour Women's Aid")
    qtbot.keyClicks(org.refuge, "Lighthouse")
    org.address.setPlainText("12 Secret Street")
    assert org.isComplete()
    wizard.next()
    page = wizard.manager_page
    qtbot.keyClicks(page.username, "amira")
    qtbot.keyClicks(page.full_name, "Amira Haddad")
    page.fields.first.setText("short")
    page.fields.second.setText("short")
    assert not page.isComplete()
    assert "at least 15 characters" in page.fields.hint.text()
    assert "three or four random words" in page.fields.hint.text()
    page.fields.first.setText("lighthouse lighthouse")  # her refuge's name: refused
    page.fields.second.setText("lighthouse lighthouse")
    assert not page.isComplete()
    page.fields.first.setText("marble otter quietly sings")
    page.fields.second.setText("marble otter quietly sing")
    assert not page.isComplete()
    assert "not the same" in page.fields.hint.text()
    page.fields.second.setText("marble otter quietly sings")
    assert page.isComplete()
    assert not folder.exists()
    with qtbot.waitSignal(wizard.created, timeout=15000):
        wizard.next()  # creates the vault off the UI thread
        assert not page.busy.isHidden() and not page.isEnabled()
    assert folder.exists()
    key_page = wizard.key_page
    key = key_page.key.text()
    assert len(key.replace("-", "")) == 32
    assert page.fields.passphrase() == ""  # not kept in the widget
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not key_page.isComplete() and not finish.isEnabled()
    with qtbot.waitSignal(wizard.finished_setup) as blocker:
        key_page.confirm.setChecked(True)
        finish.click()
    session = blocker.args[0]
    assert session.user.username == "amira" and session.role.manages_staff
    info = settings.org_info(session)
    assert (info.org_name, info.refuge_name, info.refuge_address) == (
        "Harbour Women's Aid",
        "Lighthouse",
        "12 Secret Street",
    )
    assert key_page.key.text() == ""  # shown once only
    session.close()
    # The key shown really opens the vault.
    recovered = auth.recover(
        folder, key.lower(), "amira", "pebble harbour violin crane", clock=clock
    )
    recovered.close()


def test_wizard_shows_plain_error_when_folder_is_not_empty(qtbot, tmp_path, clock):
    target = tmp_path / "v"
    target.mkdir()
    (target / "something.txt").write_text("x")
    wizard = SetupWizard(VaultFolder(target), clock)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.org_page.org.setText("Org")
    wizard.org_page.refuge.setText("Refuge")
    wizard.next()
    p = wizard.manager_page
    p.username.setText("amira")
    p.fields.first.setText("marble otter quietly sings")
    p.fields.second.setText("marble otter quietly sings")
    wizard.next()
    qtbot.waitUntil(lambda: "not empty" in p.error.text(), timeout=15000)
    assert wizard.currentPage() is p
    assert p.isEnabled() and p.busy.isHidden()


def test_set_up_makes_the_backup_key_and_the_sheet_carries_both_secrets(qtbot, tmp_path, clock):
    import io

    from pypdf import PdfReader

    from refuge_desk.services.export import keys

    folder = VaultFolder(tmp_path / "v")
    wizard = SetupWizard(folder, clock)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.keyClicks(wizard.org_page.org, "Harbour Women's Aid")
    qtbot.keyClicks(wizard.org_page.refuge, "Lighthouse")
    wizard.next()
    page = wizard.manager_page
    qtbot.keyClicks(page.username, "amira")
    page.fields.first.setText("marble otter quietly sings")
    page.fields.second.setText("marble otter quietly sings")
    with qtbot.waitSignal(wizard.created, timeout=15000):
        wizard.next()
    panel = wizard.key_page.panel
    identity = panel.identity.text().replace(" ", "")
    assert identity.startswith("AGE-SECRET-KEY-1") and not panel.identity.isHidden()
    session = wizard.session
    assert keys.recipient(session) == str(keys.parse_identity(identity).to_public())
    pdf = panel.sheet_pdf()
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join("".join(p.extract_text() for p in reader.pages).split())
    assert identity in text
    assert wizard.key_page.key.text().replace("-", "") in text.replace("-", "")
    assert "Lighthouse" in text and reader.metadata.title == "Recovery sheet"
    with qtbot.waitSignal(wizard.finished_setup):
        wizard.key_page.confirm.setChecked(True)
        wizard.button(QWizard.WizardButton.FinishButton).click()
    assert panel.identity.text() == "" and panel.key.text() == ""
    session.close()
