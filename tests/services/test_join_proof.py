"""The proof a JOIN carries during the move of a 0.1 vault (services/join_proof.py).

Real vaults: the 0.1 fixture vault is moved by its manager, then a colleague joins honestly
or someone forges her JOIN with a copy of the folder (knowing, at most, the 0.1 data key
every old account shared — never her passphrase)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from refuge_desk.domain.errors import VaultError, WrongCredentials
from refuge_desk.domain.roles import Role
from refuge_desk.services import auth, join_proof, key_upgrade, staff
from refuge_desk.services.session import Session
from refuge_desk.store import crypto, grants, keyfile
from refuge_desk.store.crypto import AccountKeys
from refuge_desk.store.grants import Kind
from refuge_desk.store.keyfile import CASE, MANAGERS, ROTA, user_ref
from refuge_desk.store.keyslots import KeySlot, KeySlotFile
from refuge_desk.store.vault import VaultFolder
from tests.conftest import FakeClock
from tests.raw import raw_connection
from tests.services.test_key_upgrade import (
    MANAGER,
    VOLUNTEER,
    WORKER,
    old_vault,  # noqa: F401 - the fixture
)

FORGER_WORDS = "words the forger picked herself"


def _load(folder: Path) -> keyfile.KeyFile:
    return keyfile.load(folder / "keyslots.json")


def _data_key(folder: Path) -> bytes:
    """The 0.1 data key, as any old account (the volunteer, say) could take it from 0.1."""
    return bytes(KeySlotFile.load(folder / "keyslots.json").unwrap_user(*VOLUNTEER)[1])


def _make_manager(folder: Path, username: str) -> None:
    """In 0.1: the fixture's worker is made a manager (her slot is unchanged)."""
    conn = raw_connection(folder / "vault.db", _data_key(folder), isolation_level=None)
    conn.execute("UPDATE staff SET role = 'manager' WHERE username = ?", (username,))
    conn.close()


def _move(folder: Path, clock: FakeClock) -> None:
    auth.lock(auth.sign_in(VaultFolder(folder), *MANAGER, clock=clock))


def _uid(folder: Path, username: str) -> int:
    kf = _load(folder)
    tag = kf.tag_for(username)
    return next(a.user_id for a in kf.chain().accounts.values() if a.tag == tag)


def _envelopes(folder: Path, me: AccountKeys) -> dict[str, bytes]:
    kf = _load(folder)
    out = {}
    for env in kf.envelopes:
        if env.epoch != kf.epoch:
            continue
        try:
            out[env.purpose] = bytes(crypto.unwrap(me.receive, env.sealed, env.label(kf.vault_id)))
        except crypto.Unreadable:
            continue
    return out


def _audit(session: Session) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in session.db.query("SELECT action, ref FROM audit_log")]


def _forge_join(
    folder: Path, username: str, *, proof_kek: bytes | None, swap_with: bytes | None = None
) -> AccountKeys:
    """A script: a JOIN for a pending account, signed by a key pair it just made, with a slot
    under FORGER_WORDS. ``proof_kek``: seal this as the proof (None: no proof). With
    ``swap_with`` (the 0.1 data key, which she knows) her 0.1 slot is replaced by one under
    FORGER_WORDS, and the proof is that slot's KEK."""
    kf = _load(folder)
    uid = _uid(folder, username)
    acc = kf.chain().account(uid)
    assert acc is not None and acc.pending
    legacy = next(s for s in kf.legacy if s.user_id == uid)
    if swap_with is not None:
        legacy = KeySlotFile(kf.vault_id).set_user_slot(uid, username, FORGER_WORDS, swap_with)
        kf.legacy = [s for s in kf.legacy if s.user_id != uid] + [legacy]
        proof_kek = bytes(legacy.kdf.derive(FORGER_WORDS.encode()))
    mine = AccountKeys.generate()
    slot, _kek = kf.new_slot("user", uid, acc.tag, mine.secret(), FORGER_WORDS.encode())
    kf.put_slot(slot)
    proof = ""
    if proof_kek is not None:
        label = join_proof.proof_label(
            kf.vault_id, uid, acc.tag, mine.receive_public, mine.signing_public, legacy.id
        )
        proof = crypto.b64(crypto.wrap_to(kf.chain().managers_receive, proof_kek, label))
    kf.statements.append(
        grants.make(
            kf.statements,
            kf.vault_id,
            Kind.JOIN,
            "2026-11-24T10:00:00+00:00",
            mine,
            grants.SELF_SIGNER,
            user_id=uid,
            tag=acc.tag,
            role=acc.role,
            keys=(mine.receive_public, mine.signing_public),
            slot=slot.id,
            proof=proof,
        )
    )
    kf.save(folder / "keyslots.json")
    return mine


# -- (a) an honest colleague ----------------------------------------------------------------
def test_an_honest_pending_manager_joins_signs_in_and_is_confirmed(old_vault: Path) -> None:  # noqa: F811
    clock = FakeClock()
    folder = VaultFolder(old_vault)
    _make_manager(old_vault, WORKER[0])
    _move(old_vault, clock)
    sam = _uid(old_vault, WORKER[0])
    pin = _load(old_vault).chain().account(sam)
    assert pin is not None and pin.pin  # the PENDING grant pins her 0.1 slot

    her = auth.sign_in(folder, *WORKER, clock=clock)  # she joins, and is in at once
    try:
        assert her.role is Role.MANAGER and her.has_case
        assert MANAGERS not in her.keys  # nobody has given her anything yet
        with pytest.raises(VaultError, match="confirmed by another manager"):
            staff.reset_passphrase(
                her, _uid(old_vault, VOLUNTEER[0]), "tangerine lighthouse velvet anchor"
            )
    finally:
        auth.lock(her)
    kf = _load(old_vault)
    acc = kf.chain().account(sam)
    assert acc is not None and acc.unconfirmed and not acc.joined
    assert any(s.user_id == sam for s in kf.legacy)  # kept until a manager checks the proof
    join = next(s for s in kf.statements if s.kind is Kind.JOIN and s.user_id == sam)
    assert join.proof
    auth.lock(auth.sign_in(folder, *WORKER, clock=clock))  # her sign-in again: still fine

    boss = auth.sign_in(folder, *MANAGER, clock=clock)  # confirms her, gives her keys
    try:
        assert ("keys.join_confirmed", user_ref(sam)) in _audit(boss)
        assert not any("could not be shown" in n for n in boss.notices)
    finally:
        auth.lock(boss)
    kf = _load(old_vault)
    acc = kf.chain().account(sam)
    assert acc is not None and acc.joined
    assert [s.kind for s in kf.statements if s.user_id == sam][-1] is Kind.CONFIRM
    assert not any(s.user_id == sam for s in kf.legacy)
    assert kf.upgrading  # the volunteer has not signed in yet
    her = auth.sign_in(folder, *WORKER, clock=clock)
    try:
        assert MANAGERS in her.keys
    finally:
        auth.lock(her)

    auth.lock(auth.sign_in(folder, *VOLUNTEER, clock=clock))  # the last one joins
    auth.lock(auth.sign_in(folder, *MANAGER, clock=clock))  # confirms her; the closing rekey
    kf = _load(old_vault)
    assert not kf.upgrading and not kf.legacy and kf.epoch == 2
    assert all(a.joined for a in kf.chain().active())
    her = auth.sign_in(folder, *WORKER, clock=clock)
    try:
        assert her.role is Role.MANAGER and {CASE, ROTA, MANAGERS} <= set(her.keys.names())
        assert len(her.db.query("SELECT id FROM residents")) > 0
    finally:
        auth.lock(her)


# -- (b) a swapped 0.1 slot -----------------------------------------------------------------
def test_a_join_through_a_swapped_legacy_slot_is_refused(old_vault: Path) -> None:  # noqa: F811
    """The forger knows the 0.1 data key, so she can make a 0.1 slot for the colleague under
    words of her own; the PENDING grant's pin no longer matches it."""
    clock = FakeClock()
    folder = VaultFolder(old_vault)
    _make_manager(old_vault, WORKER[0])
    data_key = _data_key(old_vault)
    _move(old_vault, clock)
    sam = _uid(old_vault, WORKER[0])
    kf = _load(old_vault)
    swapped = KeySlotFile(kf.vault_id).set_user_slot(sam, WORKER[0], FORGER_WORDS, data_key)
    kf.legacy = [s for s in kf.legacy if s.user_id != sam] + [swapped]
    kf.save(old_vault / "keyslots.json")

    with pytest.raises(VaultError, match=r"0\.1 key slot was changed outside Refuge Desk"):
        auth.sign_in(folder, WORKER[0], FORGER_WORDS, clock=clock)  # the app's own join

    # Her own script, which writes the JOIN and a proof the swapped slot's KEK makes.
    mine = _forge_join(old_vault, WORKER[0], proof_kek=None, swap_with=data_key)
    boss = auth.sign_in(folder, *MANAGER, clock=clock)
    try:
        assert any("“sam.worker”" in n and "changed outside" in n for n in boss.notices)
        assert ("keys.join_refused", user_ref(sam)) in _audit(boss)
    finally:
        auth.lock(boss)
    acc = _load(old_vault).chain().account(sam)
    assert acc is not None and acc.unconfirmed
    assert _envelopes(old_vault, mine) == {}
    with pytest.raises(auth.AccountRefused, match=r"“sam\.worker”"):
        auth.sign_in(folder, WORKER[0], FORGER_WORDS, clock=clock)


# -- (c) a proof the forger sealed ----------------------------------------------------------
def test_a_proof_sealed_by_someone_without_her_passphrase_is_never_confirmed(
    old_vault: Path,  # noqa: F811
) -> None:
    clock = FakeClock()
    folder = VaultFolder(old_vault)
    _make_manager(old_vault, WORKER[0])
    _move(old_vault, clock)
    sam = _uid(old_vault, WORKER[0])
    legacy = next(s for s in _load(old_vault).legacy if s.user_id == sam)
    # Her best guess: Argon2id of other words with the real slot's salt.
    guess = bytes(legacy.kdf.derive(FORGER_WORDS.encode()))
    mine = _forge_join(old_vault, WORKER[0], proof_kek=guess)

    for _ in range(2):  # every manager sign-in: refused, logged, told; nothing handed out
        boss = auth.sign_in(folder, *MANAGER, clock=clock)
        try:
            assert any(
                "“sam.worker”" in n and "not made with her passphrase" in n for n in boss.notices
            )
            assert ("keys.join_refused", user_ref(sam)) in _audit(boss)
        finally:
            auth.lock(boss)
        acc = _load(old_vault).chain().account(sam)
        assert acc is not None and acc.unconfirmed and not acc.joined
        assert not any(e.to == user_ref(sam) for e in _load(old_vault).envelopes)
        assert _envelopes(old_vault, mine) == {}
    with pytest.raises(auth.AccountRefused, match=r"“sam\.worker”"):
        auth.sign_in(folder, WORKER[0], FORGER_WORDS, clock=clock)
    with pytest.raises(WrongCredentials):  # the real Sam: the forged slot is in her way
        auth.sign_in(folder, *WORKER, clock=clock)

    # The move ends: the forged JOIN is undone, its keys get nothing of the new epoch.
    boss = auth.sign_in(folder, *MANAGER, clock=clock)
    try:
        assert key_upgrade.finish_now(boss) >= 1
        assert ("keys.join_undone", user_ref(sam)) in _audit(boss)
        kf = _load(old_vault)
        acc = kf.chain().account(sam)
        assert acc is not None and acc.pending and kf.epoch == 2
        assert kf.slot_of(sam) is None and _envelopes(old_vault, mine) == {}
        assert staff.status(boss)[sam] == "needs a new passphrase from a manager"
        staff.reset_passphrase(boss, sam, "a fresh passphrase for sam")
    finally:
        auth.lock(boss)
    later = time.time() + 3600  # after the real Sam's wrong attempt's delay
    her = auth.sign_in(
        folder, WORKER[0], "a fresh passphrase for sam", clock=clock, seconds=lambda: later
    )
    try:
        assert her.role is Role.MANAGER and MANAGERS in her.keys
    finally:
        auth.lock(her)


def test_a_join_with_no_proof_and_no_legacy_slot_is_refused(
    old_vault: Path,  # noqa: F811
) -> None:
    """A forged JOIN with no proof at all (what the code before the proof wrote) and no 0.1
    slot: the manager is told, nothing is wrapped, the forger's sign-in is refused."""
    clock = FakeClock()
    folder = VaultFolder(old_vault)
    _move(old_vault, clock)
    sam = _uid(old_vault, WORKER[0])
    mine = _forge_join(old_vault, WORKER[0], proof_kek=None)
    kf = _load(old_vault)
    kf.legacy = [s for s in kf.legacy if s.user_id != sam]
    kf.save(old_vault / "keyslots.json")
    boss = auth.sign_in(folder, *MANAGER, clock=clock)
    try:
        assert any("no proof" in n for n in boss.notices)
        assert staff.status(boss)[sam] == "needs a new passphrase from a manager"
    finally:
        auth.lock(boss)
    assert _envelopes(old_vault, mine) == {}
    assert _load(old_vault).upgrading  # an unconfirmed JOIN does not end the move
    with pytest.raises(auth.AccountRefused):
        auth.sign_in(folder, WORKER[0], FORGER_WORDS, clock=clock)


# -- a vault the code before the proof moved ------------------------------------------------
def test_a_pending_grant_without_a_pin_asks_for_a_new_passphrase(
    old_vault: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FakeClock()
    folder = VaultFolder(old_vault)
    with monkeypatch.context() as m:  # the move as the release before this one made it
        m.setattr(KeySlot, "pin", lambda self: "")
        _move(old_vault, clock)
    sam = _uid(old_vault, WORKER[0])
    acc = _load(old_vault).chain().account(sam)
    assert acc is not None and acc.pending and not acc.pin
    with pytest.raises(VaultError, match="earlier version of Refuge Desk") as exc:
        auth.sign_in(folder, *WORKER, clock=clock)
    assert "Ask a manager to set its passphrase again" in str(exc.value)

    mine = _forge_join(old_vault, WORKER[0], proof_kek=None)  # what the old join wrote
    with pytest.raises(auth.AccountRefused, match="earlier version of Refuge Desk"):
        auth.sign_in(folder, WORKER[0], FORGER_WORDS, clock=clock)
    boss = auth.sign_in(folder, *MANAGER, clock=clock)
    try:
        assert any("earlier version" in n for n in boss.notices)
        assert _envelopes(old_vault, mine) == {}
        staff.reset_passphrase(boss, sam, "a fresh passphrase for sam")
    finally:
        auth.lock(boss)
    her = auth.sign_in(folder, WORKER[0], "a fresh passphrase for sam", clock=clock)
    try:
        assert her.role is Role.WORKER and her.has_case
    finally:
        auth.lock(her)


# -- the chain's rules ----------------------------------------------------------------------
def _chain_with_join() -> tuple[list[grants.Statement], AccountKeys, AccountKeys]:
    root, joiner = AccountKeys.generate(), AccountKeys.generate()
    sts: list[grants.Statement] = []
    at = "2026-01-01T00:00:00+00:00"
    sts.append(
        grants.make(
            sts,
            "v",
            Kind.ROOT,
            at,
            root,
            grants.SELF_SIGNER,
            user_id=1,
            tag="t1",
            role="manager",
            keys=(root.receive_public, root.signing_public),
            slot="s1",
        )
    )
    sts.append(
        grants.make(
            sts,
            "v",
            Kind.PENDING,
            at,
            root,
            "user:1",
            user_id=2,
            tag="t2",
            role="manager",
            pin="x:y",
        )
    )
    sts.append(
        grants.make(
            sts,
            "v",
            Kind.JOIN,
            at,
            joiner,
            grants.SELF_SIGNER,
            user_id=2,
            tag="t2",
            role="manager",
            keys=(joiner.receive_public, joiner.signing_public),
            slot="s2",
            proof="cHJvb2Y=",
        )
    )
    return sts, root, joiner


def _fpr(keys: AccountKeys) -> str:
    return crypto.fingerprint(keys.signing_public)


def test_an_unconfirmed_manager_signs_nothing_and_a_confirm_names_her_keys() -> None:
    sts, root, joiner = _chain_with_join()
    at = "2026-01-01T00:00:00+00:00"
    chain = grants.replay(sts, "v", _fpr(root))
    acc = chain.account(2)
    assert acc is not None and acc.unconfirmed and acc.pin == "x:y" and not chain.problems
    forged = [
        *sts,
        grants.make(
            sts,
            "v",
            Kind.GRANT,
            at,
            joiner,
            "user:2",
            user_id=3,
            tag="t3",
            role="manager",
            keys=(b"\1" * 32, b"\2" * 32),
            slot="s3",
        ),
    ]
    assert (
        grants.replay(forged, "v", _fpr(root)).problems[0].why == "not signed by an active manager"
    )
    other = AccountKeys.generate()
    wrong = [
        *sts,
        grants.make(
            sts,
            "v",
            Kind.CONFIRM,
            at,
            root,
            "user:1",
            user_id=2,
            tag="t2",
            keys=(other.receive_public, other.signing_public),
        ),
    ]
    assert grants.replay(wrong, "v", _fpr(root)).problems[0].why == "not the keys of her JOIN"
    selfie = [
        *sts,
        grants.make(
            sts,
            "v",
            Kind.CONFIRM,
            at,
            joiner,
            grants.SELF_SIGNER,
            user_id=2,
            tag="t2",
            keys=(joiner.receive_public, joiner.signing_public),
        ),
    ]
    assert grants.replay(selfie, "v", _fpr(root)).problems
    ok = [
        *sts,
        grants.make(
            sts,
            "v",
            Kind.CONFIRM,
            at,
            root,
            "user:1",
            user_id=2,
            tag="t2",
            keys=(joiner.receive_public, joiner.signing_public),
        ),
    ]
    acc = grants.replay(ok, "v", _fpr(root)).account(2)
    assert acc is not None and acc.joined
    undone = [*sts, grants.make(sts, "v", Kind.UNJOIN, at, root, "user:1", user_id=2, tag="t2")]
    acc = grants.replay(undone, "v", _fpr(root)).account(2)
    assert acc is not None and acc.pending and not acc.receive


def test_a_move_the_release_before_finished_keeps_its_joined_accounts() -> None:
    """An old release's move: JOIN (no proof, no CONFIRM), then the rekey's MANAGERS_KEY of
    epoch 2. Those accounts were given keys by that rekey; they stay ordinary accounts."""
    sts, root, _joiner = _chain_with_join()
    sts.append(
        grants.make(
            sts,
            "v",
            Kind.MANAGERS_KEY,
            "2026-01-02T00:00:00+00:00",
            root,
            "user:1",
            keys=(b"\3" * 32, b""),
            epoch=2,
        )
    )
    acc = grants.replay(sts, "v", _fpr(root)).account(2)
    assert acc is not None and acc.joined
