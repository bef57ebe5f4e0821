"""The vault's recovery key: confirmed written down, or replaced with a new one.

If the set-up wizard is left before the manager confirms she wrote the key down, the vault is
marked "unconfirmed" and the next manager to sign in is asked to make a new key (the old one
stops working), so a vault never depends on a key nobody has.
"""

from __future__ import annotations

from refuge_desk.domain.errors import VaultError
from refuge_desk.services.keys_setup import set_recovery
from refuge_desk.services.session import Session
from refuge_desk.store import meta_repo
from refuge_desk.store.keyslots import new_recovery_key

_FLAG = "recovery_confirmed"


def is_confirmed(session: Session) -> bool:
    # Vaults made by `refuge-desk init` (which prints the key) carry no flag: confirmed.
    return meta_repo.get(session.db, _FLAG, "1") == "1"


def mark_unconfirmed(session: Session) -> None:
    meta_repo.put(session.db, _FLAG, "0")


def mark_confirmed(session: Session) -> None:
    with session.db.transaction():
        meta_repo.put(session.db, _FLAG, "1")
        session.audit("recovery_key.confirmed")


def replace_key(session: Session) -> str:
    """A new recovery key (managers only); the old one no longer opens the vault. It holds
    every key a manager holds, certified by her signature.

    The old key's slot goes from the key file at once; but any copy of keyslots.json taken
    before holds the old slot and envelopes of the current keys, so a rekey is owed: the
    next manager sign-in changes every key, and from then on the old sheet opens nothing."""
    session.require(session.role.manages_settings, "make a new recovery key")
    if session.account is None:
        raise VaultError("Sign in again to make a new recovery key.")
    key = new_recovery_key()
    kf = session.keyfile.copy()
    set_recovery(kf, session.account, session.user.id, key, session.keys, session.stamp())
    if not kf.upgrading:  # a 0.1 vault's move ends with a rekey anyway (and must not early)
        kf.rekey_due = kf.rekey_due or "a new recovery key was made"
    with session.db.transaction():
        meta_repo.put(session.db, _FLAG, "0")
        session.audit("recovery_key.replaced")
        session.folder.save_keyslots(kf)  # last: a failed write rolls the flag back
    session.keyfile = kf
    return key
