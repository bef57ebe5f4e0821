"""The backup key pair: only the public half is kept, and only a manager sets it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from refuge_desk.domain.errors import PermissionDenied, UserError
from refuge_desk.services.export import keys
from refuge_desk.services.session import Session
from refuge_desk.store import audit_repo
from tests.conftest import WORKER, FakeClock, sign_in_as


def test_a_new_pair_matches_and_only_the_public_key_is_stored(
    manager_session: Session, tmp_path: Path
) -> None:
    identity = keys.generate_for(manager_session)
    assert identity.startswith("AGE-SECRET-KEY-1")
    public = keys.recipient(manager_session)
    assert public.startswith("age1") and len(public) == 62
    assert str(keys.parse_identity(identity).to_public()) == public
    dump = "\n".join(str(tuple(r)) for r in manager_session.db.query("SELECT * FROM meta")) + str(
        audit_repo.recent(manager_session.db)
    )
    assert identity not in dump and identity.lower() not in dump
    assert "backup.key_set" in [a[2] for a in audit_repo.recent(manager_session.db)]
    for path in manager_session.folder.path.iterdir():
        assert identity.encode() not in path.read_bytes()


def test_a_public_key_made_elsewhere_is_checked(manager_session: Session) -> None:
    _, public = keys.new_identity()
    assert keys.set_recipient(manager_session, f"  {public}\n") == public
    for bad in [
        "",
        "age1",
        "AGE-SECRET-KEY-1ABC",
        public[:-1] + ("q" if public[-1] != "q" else "p"),
    ]:
        with pytest.raises(UserError, match="not an age public key"):
            keys.set_recipient(manager_session, bad)
    assert keys.recipient(manager_session) == public


def test_only_a_manager_sets_the_backup_key(
    manager_session: Session, vault_dir: Path, clock: FakeClock
) -> None:
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        with pytest.raises(PermissionDenied):
            keys.generate_for(worker)
        with pytest.raises(PermissionDenied):
            keys.set_recipient(worker, keys.new_identity()[1])
    finally:
        worker.close()


def test_the_identity_file_is_owner_only_and_never_overwritten(
    tmp_path: Path, clock: FakeClock
) -> None:
    identity, public = keys.new_identity()
    path = tmp_path / "backup-key.txt"
    keys.write_identity_file(path, identity, clock())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert f"# public key: {public}" in text and text.strip().endswith(identity)
    assert str(keys.read_identity_file(path)) == identity
    with pytest.raises(UserError, match="already exists"):
        keys.write_identity_file(path, keys.new_identity()[0], clock())
    assert path.read_text() == text
    with pytest.raises(UserError, match="does not exist"):
        keys.write_identity_file(tmp_path / "no" / "key.txt", identity, clock())
    with pytest.raises(UserError, match="not a backup key"):
        keys.parse_identity("# only a comment\nage1xyz\n")
