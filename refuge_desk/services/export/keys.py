"""The organisation's backup key pair (age X25519).

The vault keeps only the public key ("recipient", age1...). The secret identity
(AGE-SECRET-KEY-1...) is shown once and kept on paper / in the office safe: never stored here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path

from pyrage import x25519

from refuge_desk.domain.errors import UserError
from refuge_desk.services import access
from refuge_desk.services.session import Session
from refuge_desk.store import grants, meta_repo
from refuge_desk.store.crypto import AccountKeys
from refuge_desk.store.keyfile import KeyFile, user_ref

RECIPIENT_KEY = "backup_recipient"
IDENTITY_PREFIX = "AGE-SECRET-KEY-1"

BAD_RECIPIENT = (
    "That is not an age public key. A backup public key starts with age1 and is 62 "
    "characters long (for example the line after '# public key:' in an age key file)."
)
BAD_IDENTITY = (
    "That is not a backup key. The secret backup key starts with AGE-SECRET-KEY-1 "
    "(it is on the recovery sheet, or in the key file made at set-up)."
)


def new_identity() -> tuple[str, str]:
    """A fresh pair: (secret identity "AGE-SECRET-KEY-1...", public recipient "age1...")."""
    identity = x25519.Identity.generate()
    return str(identity), str(identity.to_public())


def parse_recipient(text: str) -> x25519.Recipient:
    cleaned = text.strip()
    if not cleaned.startswith("age1"):
        raise UserError(BAD_RECIPIENT)
    try:
        return x25519.Recipient.from_str(cleaned)
    except Exception as exc:  # pyrage.RecipientError, or a ValueError for odd input
        raise UserError(BAD_RECIPIENT) from exc


def parse_identity(text: str) -> x25519.Identity:
    """The secret key alone, or the text of an age key file (comment lines are skipped)."""
    for line in text.splitlines():
        candidate = "".join(line.split())
        if candidate.upper().startswith(IDENTITY_PREFIX):
            try:
                return x25519.Identity.from_str(candidate.upper())
            except Exception as exc:  # pyrage.IdentityError
                raise UserError(BAD_IDENTITY) from exc
    raise UserError(BAD_IDENTITY)


def read_identity_file(path: Path) -> x25519.Identity:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UserError(f"The key file {path} cannot be read ({exc.strerror}).") from exc
    return parse_identity(text)


def identity_file_text(identity: str, now: dt.datetime) -> str:
    """The same layout as age-keygen, so `age -d -i FILE` reads it."""
    public = str(x25519.Identity.from_str(identity).to_public())
    created = now.astimezone(dt.UTC).isoformat(timespec="seconds")
    return f"# created: {created}\n# public key: {public}\n{identity}\n"


def check_new_key_file(path: Path) -> None:
    if path.exists():
        raise UserError(f"{path} already exists. Choose a new file name; it was not overwritten.")
    if not path.parent.is_dir():
        raise UserError(f"The folder {path.parent} does not exist.")


def write_identity_file(path: Path, identity: str, now: dt.datetime) -> None:
    """Owner-only (0600), never over an existing file; no half file on failure."""
    check_new_key_file(path)
    payload = identity_file_text(identity, now).encode("ascii")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise UserError(f"{path} already exists. Choose a new file name.") from exc
    except OSError as exc:
        raise UserError(f"The key file {path} could not be written ({exc.strerror}).") from exc
    try:
        try:
            os.write(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        with contextlib.suppress(OSError):
            path.unlink()
        raise UserError(f"The key file {path} could not be written ({exc.strerror}).") from exc


def recipient(session: Session) -> str:
    """The vault's backup public key, or "" when none is set yet.

    With keys per account it is the one a manager signed into the statements: the case
    database's copy is only for a 0.1 vault before its move (any support worker can change
    that table, and the managers' key is sealed for this key)."""
    if session.keyfile.statements:
        return session.keyfile.chain().backup_recipient
    return meta_repo.get(session.db, RECIPIENT_KEY)


def set_recipient(session: Session, public_key: str) -> str:
    """A manager sets the backup public key (a key made elsewhere, or from new_identity())."""
    session.require(session.role.manages_settings, "change the backup key")
    value = str(parse_recipient(public_key))
    # The managers' key goes to the backup key too, so a restore can open restricted notes;
    # the key itself is a statement she signs, which decides who that envelope is for.
    kf = session.keyfile.copy()
    if session.account is not None:
        sign_backup_key(kf, session.account, session.user.id, value, session.stamp())
    access.wrap_for_backup(kf, value, session.keys)
    with session.db.transaction():
        meta_repo.put(session.db, RECIPIENT_KEY, value)
        session.audit("backup.key_set", value[:12])
        if session.account is not None:
            session.folder.save_keyslots(kf)
    if session.account is not None:
        session.keyfile = kf
    return value


def sign_backup_key(kf: KeyFile, signer: AccountKeys, signer_id: int, value: str, now: str) -> None:
    kf.statements.append(
        grants.make(
            kf.statements,
            kf.vault_id,
            grants.Kind.BACKUP_KEY,
            now,
            signer,
            user_ref(signer_id),
            recipient=value,
        )
    )


def generate_for(session: Session) -> str:
    """A new pair for this vault: stores the public key, returns the identity to show once."""
    session.require(session.role.manages_settings, "change the backup key")
    identity, public = new_identity()
    set_recipient(session, public)
    return identity
