"""`users list|disable|role|rekey|passphrase-seen|finish-move` on real vaults: in-process
through cli.main (passphrases on a patched stdin) and as the real command in a subprocess."""

from __future__ import annotations

import getpass as getpass_module
import io
import re
import sys
import tarfile
from pathlib import Path

import pytest
import sqlcipher3

from refuge_desk import cli
from refuge_desk.domain.errors import SignInThrottled, UserError, VaultError, WrongCredentials
from refuge_desk.domain.residents import Resident
from refuge_desk.domain.roles import Role
from refuge_desk.services import auth, residents, throttle
from refuge_desk.store.keyfile import user_ref
from refuge_desk.store.vault import VaultFolder
from tests.cli.conftest import Cli, Run
from tests.conftest import MANAGER, VOLUNTEER, WORKER
from tests.raw import raw_connection

RESIDENT_NAME = "Roksana Quillfeather"  # fictional; must never reach the terminal
NEW_PASSPHRASE = "walnut orchid lighthouse drizzle"
REKEYED = re.compile(r"Every key of the vault was changed in \d+\.\d s; ")
V01 = Path(__file__).resolve().parents[1] / "fixtures" / "vault-0.1-schema9.tar.gz"
V01_MANAGER = ("demo", "lantern orbit mango kettle")  # services/demo.py, as in 0.1
V01_WORKER = ("sam.worker", "violet harbour tuesday pebble")


def _epoch(vault: Path) -> int:
    return VaultFolder(vault).load_keyfile().epoch


def _uid(vault: Path, username: str) -> int:
    kf = VaultFolder(vault).load_keyfile()
    return next(a.user_id for a in kf.chain().accounts.values() if a.tag == kf.tag_for(username))


def _add_resident(vault: Path) -> tuple[str, bytes]:
    """A named resident; returns her reference and the case key the vault has now."""
    session = auth.sign_in(VaultFolder(vault), MANAGER[0], MANAGER[2])
    try:
        her = residents.save(session, Resident(full_name=RESIDENT_NAME))
        return her.reference, bytes(session.data_key)
    finally:
        session.close()


def _signs_in(vault: Path, username: str, passphrase: str) -> Role:
    """Her role if she signs in. The delay after a wrong attempt is not what these tests are
    about (a refusal must never be only that), so it is forgotten first."""
    (vault / throttle.FILE_NAME).unlink(missing_ok=True)
    session = auth.sign_in(VaultFolder(vault), username, passphrase)
    try:
        return session.role
    finally:
        session.close()


def _refused_for_keys(err: UserError) -> None:
    """A refusal because the keys do not fit: a wrong passphrase, an account the key file
    does not back, or a file its key does not open; never only the delay between attempts."""
    assert isinstance(err, WrongCredentials | VaultError), err
    assert not isinstance(err, SignInThrottled)


def _opens_with(vault: Path, key: bytes) -> bool:
    """Whether a raw SQLCipher connection with this key reads the residents' table."""
    conn = raw_connection(vault / "vault.db", key)
    try:
        conn.execute("SELECT full_name FROM residents").fetchall()
    except sqlcipher3.DatabaseError:
        return False
    finally:
        conn.close()
    return True


# -- list ------------------------------------------------------------------------------------
def test_list_shows_every_account_and_no_resident(vault: Path, run: Run) -> None:
    _add_resident(vault)
    got = run("users", "list", vault, "--user", MANAGER[0], stdin=[MANAGER[2]])
    assert got.code == 0, got.err
    assert sorted(got.out.splitlines()) == sorted(
        [
            f"{MANAGER[0]}\t{MANAGER[1]}\tmanager\tactive",
            f"{WORKER[0]}\t{WORKER[1]}\tworker\tactive",
            f"{VOLUNTEER[0]}\t{VOLUNTEER[1]}\tvolunteer\tactive",
        ]
    )
    assert RESIDENT_NAME not in got.out + got.err


def test_list_in_a_real_process(cli: Cli, vault: Path) -> None:
    result = cli(
        "users", "list", vault, "--user", MANAGER[0], "--passphrase-stdin", stdin=[MANAGER[2]]
    )
    assert result.returncode == 0, result.stderr
    assert f"{WORKER[0]}\t{WORKER[1]}\tworker\tactive" in result.stdout.splitlines()
    assert result.stderr == ""


# -- refusals --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "action",
    [
        ["list"],
        ["disable", VOLUNTEER[0]],
        ["role", VOLUNTEER[0], "worker"],
        ["rekey"],
        ["passphrase-seen", VOLUNTEER[0]],
        ["finish-move"],
    ],
    ids=lambda a: a[0],
)
def test_a_worker_is_refused_in_one_sentence(vault: Path, run: Run, action: list[str]) -> None:
    start = _epoch(vault)
    # Only her own passphrase on stdin: a command that asked for a new one first would fail
    # with "Standard input ended…" instead of the permission sentence.
    got = run("users", action[0], vault, *action[1:], "--user", WORKER[0], stdin=[WORKER[2]])
    assert got.code == 1
    assert re.fullmatch(r"Your role \(Support worker\) does not allow you to [^\n]+\.\n", got.err)
    assert got.out == ""
    assert _epoch(vault) == start
    volunteer = VaultFolder(vault).load_keyfile().chain().account(_uid(vault, VOLUNTEER[0]))
    assert volunteer is not None and volunteer.active and volunteer.role == "volunteer"


@pytest.mark.parametrize("action", [["disable"], ["role", "worker"], ["passphrase-seen"]])
def test_an_unknown_user_name(vault: Path, run: Run, action: list[str]) -> None:
    start = _epoch(vault)
    argv: list[str | Path] = ["users", action[0], vault, "nadia", *action[1:]]
    got = run(*argv, "--user", MANAGER[0], stdin=[MANAGER[2]])
    assert got.code == 1
    assert got.err == "There is no staff account with the user name “nadia”.\n"
    assert _epoch(vault) == start


def test_disabling_yourself_or_twice_is_refused(vault: Path, run: Run) -> None:
    got = run("users", "disable", vault, MANAGER[0], "--user", MANAGER[0], stdin=[MANAGER[2]])
    assert (got.code, got.err) == (1, "You cannot disable your own account while signed in.\n")
    assert _signs_in(vault, MANAGER[0], MANAGER[2]) is Role.MANAGER
    argv = ("users", "disable", vault, VOLUNTEER[0], "--user", MANAGER[0])
    assert run(*argv, stdin=[MANAGER[2]]).code == 0
    got = run(*argv, stdin=[MANAGER[2]])
    assert (got.code, got.err) == (1, f"The account {VOLUNTEER[0]} is disabled already.\n")


def test_a_wrong_role_is_bad_usage(vault: Path, run: Run) -> None:
    got = run("users", "role", vault, WORKER[0], "boss", "--user", MANAGER[0], stdin=[])
    assert got.code == 2 and "invalid choice: 'boss'" in got.err


# -- disable ---------------------------------------------------------------------------------
def test_disable_shuts_her_out_even_with_an_old_key_file(
    cli: Cli, vault: Path, tmp_path: Path
) -> None:
    start = _epoch(vault)
    reference, old_case_key = _add_resident(vault)
    old_key_file = (vault / "keyslots.json").read_bytes()

    result = cli(
        "users", "disable", vault, WORKER[0], "--user", MANAGER[0], "--passphrase-stdin",
        stdin=[MANAGER[2]],
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(rf"{WORKER[0]} is disabled\. {REKEYED.pattern}.+\.\n", result.stdout)
    assert result.stderr == ""  # not a terminal: no progress line
    assert _epoch(vault) == start + 1
    assert not _opens_with(vault, old_case_key)
    with pytest.raises(WrongCredentials):
        _signs_in(vault, WORKER[0], WORKER[2])
    assert _signs_in(vault, MANAGER[0], MANAGER[2]) is Role.MANAGER

    # She puts back a copy of keyslots.json from before: her old slot opens, but what it
    # holds is the old keys, and the vault is no longer under them.
    (vault / "keyslots.json").write_bytes(old_key_file)
    with pytest.raises(UserError) as refused:
        _signs_in(vault, WORKER[0], WORKER[2])
    _refused_for_keys(refused.value)
    (vault / throttle.FILE_NAME).unlink(missing_ok=True)
    out = tmp_path / "plan.pdf"
    result = cli(
        "plan-pdf", vault, "--user", WORKER[0], "--resident", reference, "--out", out,
        "--passphrase-stdin", stdin=[WORKER[2]],
    )  # fmt: skip
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()
    assert RESIDENT_NAME not in result.stdout + result.stderr
    assert not _opens_with(vault, old_case_key)  # the key her old slot leads to reads nothing


# -- role ------------------------------------------------------------------------------------
def test_lowering_a_role_rekeys_and_raising_does_not(vault: Path, run: Run) -> None:
    start = _epoch(vault)
    argv = ("--user", MANAGER[0])
    got = run("users", "role", vault, WORKER[0], "volunteer", *argv, stdin=[MANAGER[2]])
    assert got.code == 0, got.err
    assert got.out.startswith(f"{WORKER[0]} is now a relief / volunteer. Every key of the vault")
    assert REKEYED.search(got.out) and _epoch(vault) == start + 1
    session = auth.sign_in(VaultFolder(vault), WORKER[0], WORKER[2])
    try:
        assert session.role is Role.VOLUNTEER and not session.has_case
    finally:
        session.close()

    got = run("users", "role", vault, WORKER[0], "worker", *argv, stdin=[MANAGER[2]])
    assert (got.code, got.out) == (0, f"{WORKER[0]} is now a support worker.\n")
    assert _epoch(vault) == start + 1
    assert _signs_in(vault, WORKER[0], WORKER[2]) is Role.WORKER

    got = run("users", "role", vault, WORKER[0], "worker", *argv, stdin=[MANAGER[2]])
    assert got.out == f"{WORKER[0]} is a support worker already; nothing was changed.\n"


def test_a_disabled_account_gets_no_role(vault: Path, run: Run) -> None:
    argv = ("--user", MANAGER[0])
    assert run("users", "disable", vault, WORKER[0], *argv, stdin=[MANAGER[2]]).code == 0
    got = run("users", "role", vault, WORKER[0], "manager", *argv, stdin=[MANAGER[2]])
    assert got.code == 1 and got.err.startswith("That account is disabled: reset its passphrase")
    kf = VaultFolder(vault).load_keyfile()
    assert [e for e in kf.envelopes if e.to == user_ref(_uid(vault, WORKER[0]))] == []


def test_the_last_manager_cannot_lower_herself(vault: Path, run: Run) -> None:
    argv = ("users", "role", vault, MANAGER[0], "worker", "--user", MANAGER[0])
    got = run(*argv, stdin=[MANAGER[2]])
    assert (got.code, got.err) == (1, "There must always be at least one active manager.\n")


# -- rekey -----------------------------------------------------------------------------------
def test_rekey_changes_every_key(vault: Path, run: Run) -> None:
    start = _epoch(vault)
    _reference, old_case_key = _add_resident(vault)
    got = run("users", "rekey", vault, "--user", MANAGER[0], stdin=[MANAGER[2]])
    assert got.code == 0, got.err
    assert REKEYED.fullmatch(got.out.split("; ")[0] + "; ")
    assert got.err == ""
    assert _epoch(vault) == start + 1
    assert not _opens_with(vault, old_case_key)
    for who, role in ((MANAGER, Role.MANAGER), (WORKER, Role.WORKER), (VOLUNTEER, Role.VOLUNTEER)):
        assert _signs_in(vault, who[0], who[2]) is role


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_shown_only_on_a_terminal(
    vault: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    got = run("users", "rekey", vault, "--user", MANAGER[0], stdin=[MANAGER[2]])
    assert got.code == 0
    shown = screen.getvalue()
    assert "\rChanging every key of the vault...   0%" in shown
    assert "\rChanging every key of the vault... 100%" in shown
    assert shown.endswith("\r")  # the progress line is cleared before the result
    assert REKEYED.match(got.out)


# -- passphrase-seen -------------------------------------------------------------------------
def test_passphrase_seen_gives_her_a_new_one_and_new_keys(cli: Cli, vault: Path) -> None:
    start = _epoch(vault)
    _reference, old_case_key = _add_resident(vault)
    old_key_file = (vault / "keyslots.json").read_bytes()
    result = cli(
        "users", "passphrase-seen", vault, WORKER[0], "--user", MANAGER[0], "--passphrase-stdin",
        stdin=[MANAGER[2], NEW_PASSPHRASE],
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{WORKER[0]} has a new passphrase and new keys. Every key")
    assert result.stderr == ""
    assert _epoch(vault) == start + 1
    with pytest.raises(WrongCredentials):
        _signs_in(vault, WORKER[0], WORKER[2])
    assert _signs_in(vault, WORKER[0], NEW_PASSPHRASE) is Role.WORKER
    assert not _opens_with(vault, old_case_key)
    # Whoever saw it, with the key file as it was: nothing.
    (vault / "keyslots.json").write_bytes(old_key_file)
    with pytest.raises(UserError) as refused:
        _signs_in(vault, WORKER[0], WORKER[2])
    _refused_for_keys(refused.value)


def test_passphrase_seen_asks_twice_on_a_terminal(
    vault: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    start = _epoch(vault)
    asked: list[str] = []
    answers = iter([MANAGER[2], NEW_PASSPHRASE, "walnut orchid lighthouse drizzIe"])

    def getpass(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr(getpass_module, "getpass", getpass)
    code = cli.main(["users", "passphrase-seen", str(vault), WORKER[0], "--user", MANAGER[0]])
    assert code == 1
    assert "The two passphrases are not the same." in capsys.readouterr().err
    assert asked == [
        f"Passphrase for {MANAGER[0]}: ",
        f"Choose a new passphrase for {WORKER[0]}: ",
        "Type it again: ",
    ]
    assert _epoch(vault) == start
    assert _signs_in(vault, WORKER[0], WORKER[2]) is Role.WORKER


# -- finish-move -----------------------------------------------------------------------------
@pytest.fixture
def v01_vault(tmp_path: Path) -> Path:
    """The 0.1 release's vault (tests/fixtures/make_v01_vault.py): one shared data key."""
    with tarfile.open(V01) as tar:
        tar.extractall(tmp_path / "v01", filter="data")
    return tmp_path / "v01" / "vault"


def test_finish_move_on_a_vault_of_the_0_1_release(v01_vault: Path, run: Run) -> None:
    argv = ("--user", V01_MANAGER[0])
    got = run("users", "list", v01_vault, *argv, stdin=[V01_MANAGER[1]])  # her sign-in moves it
    assert got.code == 0, got.err
    lines = dict(line.split("\t", 1) for line in got.out.splitlines())
    assert lines[V01_WORKER[0]].endswith("\tactive\twill make her own keys when she next signs in")
    assert lines["leaver.kim"].endswith("\tworker\tdisabled")

    got = run("users", "finish-move", v01_vault, *argv, stdin=[V01_MANAGER[1]])
    assert got.code == 0, got.err
    assert got.out.startswith("The move to keys per account is finished. Every key of the vault")
    assert "; 2 accounts now need a new passphrase from a manager" in got.out
    with pytest.raises(WrongCredentials):  # her 0.1 slot is gone
        _signs_in(v01_vault, *V01_WORKER)

    got = run("users", "list", v01_vault, *argv, stdin=[V01_MANAGER[1]])
    lines = dict(line.split("\t", 1) for line in got.out.splitlines())
    assert lines[V01_WORKER[0]].endswith("\tactive\tneeds a new passphrase from a manager")

    got = run("users", "finish-move", v01_vault, *argv, stdin=[V01_MANAGER[1]])
    assert got.out == (
        "This vault has no move to keys per account to finish; nothing was changed.\n"
    )


def test_finish_move_on_a_new_vault_changes_nothing(vault: Path, run: Run) -> None:
    start = _epoch(vault)
    got = run("users", "finish-move", vault, "--user", MANAGER[0], stdin=[MANAGER[2]])
    assert got.code == 0
    assert got.out.startswith("This vault has no move to keys per account to finish")
    assert _epoch(vault) == start
