"""`plan-pdf` through the real command: the latest version, else the draft, else a blank form."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

from refuge_desk.domain.residents import Abuser, Resident
from refuge_desk.services import auth, plans, residents
from refuge_desk.store import audit_repo
from refuge_desk.store.vault import VaultFolder
from tests.cli.conftest import Cli
from tests.conftest import MANAGER, VOLUNTEER, WORKER


def _text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _resident(vault: Path, *, agree: bool, draft: bool) -> str:
    session = auth.sign_in(VaultFolder(vault), MANAGER[0], MANAGER[2])
    try:
        res = residents.save(
            session,
            Resident(full_name="Maryam Qureshi", abusers=[Abuser(name="Tariq Qureshi")]),
        )
        assert res.id is not None
        if agree or draft:
            state = plans.start_draft(session, res.id)
            assert state.draft is not None
            content = dict(state.draft.content, worries="Agreed worry text", risk_notes="RISKNOTE")
            rev = plans.save_draft(session, res.id, content, state.draft.revision)
            if agree:
                plans.finalise(session, res.id, rev)
        return res.reference
    finally:
        session.close()


def test_resident_copy_of_the_agreed_version(cli: Cli, vault: Path, tmp_path: Path) -> None:
    ref = _resident(vault, agree=True, draft=False)
    out = tmp_path / "plan.pdf"
    result = cli(
        "plan-pdf",
        vault,
        "--user",
        WORKER[0],
        "--resident",
        ref,
        "--out",
        out,
        "--passphrase-stdin",
        stdin=[WORKER[2]],
    )
    assert result.returncode == 0, result.stderr
    assert "version 1, resident copy" in result.stdout
    assert "not encrypted" in result.stderr
    assert "Maryam" not in result.stdout + result.stderr
    text = _text(out)
    assert "Agreed worry text" in text and "RISKNOTE" not in text and "Tariq" not in text
    assert "Version 1" in text
    session = auth.sign_in(VaultFolder(vault), MANAGER[0], MANAGER[2])
    try:
        actions = [(action, ref) for _at, _who, action, ref in audit_repo.recent(session.db, 50)]
    finally:
        session.close()
    assert ("plan.save", f"{ref} v1 resident") in actions


def test_draft_is_marked_and_staff_copy_large_print_letter(
    cli: Cli, vault: Path, tmp_path: Path
) -> None:
    ref = _resident(vault, agree=False, draft=True)
    out = tmp_path / "draft.pdf"
    result = cli(
        "plan-pdf",
        vault,
        "--user",
        MANAGER[0],
        "--resident",
        ref,
        "--out",
        out,
        "--variant",
        "staff",
        "--large-print",
        "--paper",
        "letter",
        "--passphrase-stdin",
        stdin=[MANAGER[2]],
    )
    assert result.returncode == 0, result.stderr
    assert "DRAFT" in result.stdout
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    text = _text(out)
    assert "DRAFT" in text and "RISKNOTE" in text and "Tariq Qureshi" in text


def test_blank_form_when_there_is_no_plan(cli: Cli, vault: Path, tmp_path: Path) -> None:
    ref = _resident(vault, agree=False, draft=False)
    out = tmp_path / "blank.pdf"
    result = cli(
        "plan-pdf",
        vault,
        "--user",
        WORKER[0],
        "--resident",
        ref,
        "--out",
        out,
        "--passphrase-stdin",
        stdin=[WORKER[2]],
    )
    assert result.returncode == 0, result.stderr
    assert "a blank form" in result.stdout
    assert "To fill in by hand" in _text(out)


def test_refusals_are_plain_and_write_nothing(cli: Cli, vault: Path, tmp_path: Path) -> None:
    ref = _resident(vault, agree=True, draft=False)
    out = tmp_path / "x.pdf"
    volunteer = cli(
        "plan-pdf",
        vault,
        "--user",
        VOLUNTEER[0],
        "--resident",
        ref,
        "--out",
        out,
        "--passphrase-stdin",
        stdin=[VOLUNTEER[2]],
    )
    assert volunteer.returncode == 1
    assert "Your role (Relief / volunteer) does not allow you to" in volunteer.stderr
    missing = cli(
        "plan-pdf",
        vault,
        "--user",
        WORKER[0],
        "--resident",
        "R-9999",
        "--out",
        out,
        "--passphrase-stdin",
        stdin=[WORKER[2]],
    )
    assert missing.returncode == 1
    assert "There is no resident with the reference R-9999." in missing.stderr
    assert not out.exists()
    out.write_bytes(b"keep me")
    exists = cli(
        "plan-pdf",
        vault,
        "--user",
        WORKER[0],
        "--resident",
        ref,
        "--out",
        out,
        "--passphrase-stdin",
        stdin=[WORKER[2]],
    )
    assert exists.returncode == 1 and "already exists" in exists.stderr
    assert out.read_bytes() == b"keep me"
    usage = cli(
        "plan-pdf",
        vault,
        "--user",
        WORKER[0],
        "--resident",
        ref,
        "--out",
        out,
        "--variant",
        "poster",
        "--passphrase-stdin",
        stdin=[WORKER[2]],
    )
    assert usage.returncode == 2


def test_discreet_copy_with_initials_and_options_only_for_it(
    cli: Cli, vault: Path, tmp_path: Path
) -> None:
    ref = _resident(vault, agree=True, draft=False)
    out = tmp_path / "d.pdf"
    result = cli(
        "plan-pdf",
        vault,
        "--user",
        WORKER[0],
        "--resident",
        ref,
        "--out",
        out,
        "--variant",
        "discreet",
        "--title",
        "Recipes",
        "--name-on",
        "initials",
        "--passphrase-stdin",
        stdin=[WORKER[2]],
    )
    assert result.returncode == 0, result.stderr
    text = _text(out)
    assert "Recipes" in text and "M. Q." in text
    assert "Qureshi" not in text and "Maryam" not in text
    wrong = cli(
        "plan-pdf",
        vault,
        "--user",
        WORKER[0],
        "--resident",
        ref,
        "--out",
        tmp_path / "x.pdf",
        "--title",
        "Recipes",
        "--passphrase-stdin",
        stdin=[WORKER[2]],
    )
    assert wrong.returncode == 1 and "for a discreet copy" in wrong.stderr
