"""The proof a colleague's JOIN carries during the move of a 0.1 vault, and its check.

A JOIN is signed by the keys it brings, so anyone with a copy of the folder could write one
for a pending account. What only she has is her 0.1 slot's key-encryption key (Argon2id of
her passphrase with that slot's salt; the 0.1 data key it unwraps is shared by every old
account, so it proves nothing). So:

- the PENDING grant a manager signed at the move pins her 0.1 slot (``KeySlot.pin``);
- ``join`` keeps that slot and puts in the JOIN her KEK sealed for the managers' key, bound
  to the JOIN's account, tag, new public keys and slot (``proof_label``);
- until a manager confirms, the account is *unconfirmed*: her sign-in works only if the same
  passphrase opens her pinned 0.1 slot (``opens_pinned_legacy``), and no one gives her keys;
- a manager's sign-in (``confirm_joins``) opens each proof with the managers' key, checks it
  opens the pinned slot and signs a CONFIRM; then the 0.1 slot goes. A JOIN that fails stays
  unconfirmed, is written to the audit log and the manager is told; a rekey (the end of the
  move) undoes it (``unjoin_unconfirmed``): the account then needs a new passphrase.
"""

from __future__ import annotations

import contextlib

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from refuge_desk.domain.roles import Role
from refuge_desk.services.session import Session
from refuge_desk.store import crypto, grants, staff_repo
from refuge_desk.store.crypto import AccountKeys, Unreadable, b64, unb64
from refuge_desk.store.grants import Account, Chain, Kind, Statement
from refuge_desk.store.keyfile import MANAGERS, KeyFile, user_ref
from refuge_desk.store.keymem import wipe
from refuge_desk.store.keyslots import KeySlot

OLD_RELEASE = (
    "it was moved to keys per account by an earlier version of Refuge Desk, which did not "
    "record what this one checks"
)


def proof_label(
    vault_id: str, user_id: int, tag: str, receive: bytes, signing: bytes, legacy_id: str
) -> bytes:
    return (
        f"refuge-desk/v2/join-proof|{vault_id}|{user_id}|{tag}|{b64(receive)}|{b64(signing)}"
        f"|{legacy_id}"
    ).encode()


def make_proof(
    chain: Chain, vault_id: str, acc: Account, me: AccountKeys, legacy: KeySlot, kek: bytearray
) -> str:
    """Her 0.1 slot's KEK sealed for the managers' key (base64), for her JOIN."""
    label = proof_label(
        vault_id, acc.user_id, acc.tag, me.receive_public, me.signing_public, legacy.id
    )
    return b64(crypto.wrap_to(chain.managers_receive, kek, label))


def pinned_legacy(kf: KeyFile, acc: Account) -> KeySlot | None:
    """Her 0.1 slot, if it is the one the manager's PENDING grant pinned."""
    if not acc.pin:
        return None
    slot = next((s for s in kf.legacy if s.user_id == acc.user_id), None)
    return slot if slot is not None and slot.pin() == acc.pin else None


def opens_pinned_legacy(kf: KeyFile, acc: Account, passphrase: str) -> bool:
    """An unconfirmed account's sign-in: the passphrase that opened her new slot must also
    open the 0.1 slot the manager pinned (a slot made under other words does not)."""
    slot = pinned_legacy(kf, acc)
    if slot is None:
        return False
    kek = slot.kdf.derive(passphrase.encode("utf-8"))
    try:
        return slot.opens_with(kek, kf.vault_id)
    finally:
        wipe(kek)


def _why_not(kf: KeyFile, acc: Account, join: Statement | None, private: X25519PrivateKey) -> str:
    """ "" if the JOIN's proof opens her pinned 0.1 slot; else why not, in a few words."""
    if not acc.pin:
        return OLD_RELEASE
    if join is None or not join.proof:
        return "they carry no proof that she made them"
    legacy = pinned_legacy(kf, acc)
    if legacy is None:
        return "her 0.1 key slot is missing or was changed outside Refuge Desk"
    label = proof_label(kf.vault_id, acc.user_id, acc.tag, acc.receive, acc.signing, legacy.id)
    try:
        kek = crypto.unwrap(private, unb64(join.proof), label)
    except (Unreadable, ValueError):
        return "the proof in it does not open with the managers' key"
    try:
        if not legacy.opens_with(kek, kf.vault_id):
            return "it was not made with her passphrase"
    finally:
        wipe(kek)
    return ""


def _name(session: Session, user_id: int) -> str:
    row = staff_repo.by_id(session.db, user_id)
    return f"“{row.username}”" if row is not None else "an unknown account"


def confirm_joins(session: Session, *, tell: bool = True) -> int:
    """A manager's sign-in: confirm each JOIN whose proof holds (a CONFIRM signed by her, and
    the 0.1 slot goes); the others stay unconfirmed and, with ``tell``, are written to the
    audit log and told to her. Returns how many were confirmed."""
    managers = session.keys.get(MANAGERS)
    if session.role is not Role.MANAGER or session.account is None or managers is None:
        return 0
    kf = session.keyfile
    chain = kf.chain()
    mine = chain.account(session.user.id)
    waiting = [a for a in chain.active() if a.unconfirmed]
    if not waiting or mine is None or not mine.joined:
        return 0
    joins = {st.user_id: st for st in kf.statements[: chain.head_seq + 1] if st.kind is Kind.JOIN}
    private = crypto.managers_receive_key(managers)
    out = kf.copy()
    confirmed: list[Account] = []
    refused: list[tuple[Account, str]] = []
    for acc in waiting:
        why = _why_not(kf, acc, joins.get(acc.user_id), private)
        if why:
            refused.append((acc, why))
            continue
        out.statements.append(
            grants.make(
                out.statements,
                out.vault_id,
                Kind.CONFIRM,
                session.stamp(),
                session.account,
                user_ref(session.user.id),
                user_id=acc.user_id,
                tag=acc.tag,
                role=acc.role,
                keys=(acc.receive, acc.signing),
                slot=acc.slot,
            )
        )
        out.legacy = [s for s in out.legacy if s.user_id != acc.user_id]
        confirmed.append(acc)
    if confirmed:
        session.folder.save_keyslots(out)
        session.keyfile = out
    for acc in confirmed:
        session.audit("keys.join_confirmed", user_ref(acc.user_id))
    for acc, why in refused if tell else []:
        with contextlib.suppress(Exception):  # a full disk must not stop her signing in
            session.audit("keys.join_refused", user_ref(acc.user_id), why)
        session.notices.append(
            f"The account {_name(session, acc.user_id)} made its own keys after the move to "
            f"keys per account, but they could not be shown to be hers: {why}. It has been "
            "given no keys and cannot sign in. If she did sign in since the move, set her "
            "passphrase again on the Staff page; if she did not, someone made those keys "
            "outside Refuge Desk."
        )
    return len(confirmed)


def unjoin_unconfirmed(
    kf: KeyFile, chain: Chain, signer: AccountKeys, signer_id: int, at: str
) -> list[int]:
    """Before a rekey's MANAGERS_KEY (which ends the move): every JOIN still unconfirmed is
    undone by an UNJOIN, and the slot it brought goes. Edits ``kf``; returns their ids."""
    undone: list[int] = []
    for acc in chain.active():
        if not acc.unconfirmed:
            continue
        kf.statements.append(
            grants.make(
                kf.statements,
                kf.vault_id,
                Kind.UNJOIN,
                at,
                signer,
                user_ref(signer_id),
                user_id=acc.user_id,
                tag=acc.tag,
            )
        )
        kf.drop_account(acc.user_id)
        undone.append(acc.user_id)
    return undone
