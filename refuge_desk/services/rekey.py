"""Rekey: new case, rota and managers' keys, both files written again under them, and
envelopes only for the accounts that remain. After it, an old copy of keyslots.json (or of
the whole folder) opens nothing of the current vault.

It runs when a manager disables an account, lowers a role, says a passphrase may have been
seen, or finishes a 0.1 vault's move to keys per account. The change that calls for it is
written first with ``rekey_due`` set in the key file, so a rekey that never finished (a crash,
a full disk) is run again at the next manager's sign-in.

Crash safety, step by step (a kill -9 may come at any moment):
1. ``vault.db.next-N`` and ``rota.db.next-N`` are written beside the old files under the new
   keys (``sqlcipher_export``: live rows only), and fsynced. A crash here leaves the old
   vault whole; the next opening removes the half-made files.
2. The key file is written atomically with the new envelopes and ``swap`` naming the new
   files: this is the commit point. From here the new files are the vault.
3. The new files are moved into place (``vault.settle``, also run by every sign-in, so a crash
   between the renames is finished by the next one), then ``swap`` is cleared.
While the files are copied the vault refuses writes (``Database.frozen``), so no committed row
can land in the old file after its copy was taken.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from refuge_desk.domain.errors import VaultError
from refuge_desk.domain.roles import Role
from refuge_desk.services import access, audit
from refuge_desk.services.keys_setup import publish_managers_key
from refuge_desk.services.session import Session
from refuge_desk.store import meta_repo, notes_repo, rota, vault
from refuge_desk.store.crypto import new_key
from refuge_desk.store.db import Database
from refuge_desk.store.keyfile import CASE, MANAGERS, ROTA, Swap
from refuge_desk.store.keymem import Keyring
from refuge_desk.store.vault import DB_NAME, ROTA_NAME, staged_name

Progress = Callable[[int, int], None]  # (done, total): per mille, for a progress bar
BUSY = "The vault's keys are being changed; this takes a few seconds. Try again in a moment."


def _ticker(progress: Progress | None, start: int, span: int, expected: int) -> Callable[[], None]:
    calls = [0]

    def tick() -> None:
        calls[0] += 1
        if progress is not None:
            progress(start + min(span - 1, span * calls[0] // max(1, expected)), 1000)

    return tick


def _expected_ticks(db: Database) -> int:
    # sqlcipher_export's work grows with the pages it copies; about one progress call per
    # 12 pages was measured on vaults of 20,000 and 100,000 residents.
    pages = int(db.scalar("PRAGMA page_count") or 1)
    return max(1, pages // 12)


def rekey(session: Session, reason: str, progress: Progress | None = None) -> float:
    """Change every key of the vault (managers only); returns the seconds it took."""
    started = time.perf_counter()
    session.require(session.role is Role.MANAGER, "change the vault's keys")
    for purpose in (CASE, ROTA, MANAGERS):
        if purpose not in session.keys:
            raise VaultError(
                "Your session does not hold every key of this vault, so it cannot change them."
            )
    folder, old_kf = session.folder, session.keyfile
    signer = old_kf.chain().account(session.user.id)
    if signer is None or not signer.active or signer.role != Role.MANAGER.value:
        # Her new managers' key statement would count for nothing (see staff.change_role).
        raise VaultError("Only an active manager can change the vault's keys.")
    case, rota_db = session.case_db, session.rota_db
    rota.apply_outbox(case, rota_db)
    audit.import_inbox(session)
    epoch = old_kf.epoch + 1
    staged = {DB_NAME: staged_name(DB_NAME, epoch), ROTA_NAME: staged_name(ROTA_NAME, epoch)}
    for name in staged.values():
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                (folder.path / (name + suffix)).unlink()
    new = Keyring()
    for purpose in (CASE, ROTA, MANAGERS):
        new.put(purpose, new_key())
    if progress is not None:
        progress(0, 1000)
    try:
        with case.frozen(BUSY), rota_db.frozen(BUSY):
            before = (case.total_changes, rota_db.total_changes)
            case.export_to(
                folder.path / staged[DB_NAME],
                new.get(CASE) or b"",
                _ticker(progress, 0, 850, _expected_ticks(case)),
            )
            rota_db.export_to(folder.path / staged[ROTA_NAME], new.get(ROTA) or b"")
            if (case.total_changes, rota_db.total_changes) != before:
                raise VaultError(
                    "The vault changed while its keys were being changed, so nothing was "
                    "changed. Try again."
                )
            chain = old_kf.chain()
            keep = {f"user:{a.user_id}" for a in chain.active() if not a.pending}
            copied = Database(folder.path / staged[DB_NAME], new.get(CASE) or b"")
            try:
                with copied.transaction():
                    notes_repo.rewrap_for_managers(
                        copied,
                        old_kf.vault_id,
                        session.keys.get(MANAGERS) or b"",
                        new.get(MANAGERS) or b"",
                        epoch,
                        keep,
                    )
                    meta_repo.put(copied, "key_epoch", str(epoch))
            finally:
                copied.close()
            if progress is not None:
                progress(900, 1000)
            kf = old_kf.copy()
            kf.epoch = epoch
            kf.envelopes = []
            assert session.account is not None
            publish_managers_key(kf, session.account, session.user.id, new, session.stamp())
            for acc in chain.active():
                if not acc.pending:
                    access.wrap_for_account(kf, acc.user_id, acc.receive, Role(acc.role), new)
            if chain.recovery_receive:
                access.wrap_for_recovery(kf, chain.recovery_receive, new)
            access.wrap_for_backup(kf, chain.backup_recipient, new)  # the signed one only
            was_upgrading = kf.upgrading
            kf.legacy, kf.upgrading, kf.rekey_due = [], False, ""
            kf.swap = Swap(epoch, staged)
            folder.save_keyslots(kf)  # the commit point
    except BaseException:
        new.wipe_all()
        for name in staged.values():
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    (folder.path / (name + suffix)).unlink()
        raise
    case.after_commit = None
    case.close()
    rota_db.close()
    kf = vault.settle(folder, kf)
    for purpose in (CASE, ROTA, MANAGERS):
        session.keys.put(purpose, new.get(purpose) or bytearray())
    session.note_keys.wipe_all()
    session.keyfile = kf
    session.case_db_ = vault.open_database(folder, session.keys.get(CASE) or b"")
    session.rota_db_ = vault.open_rota(folder, session.keys.get(ROTA) or b"")
    session.wire()
    if was_upgrading:
        for old in folder.path.glob("vault-v*-before-upgrade-*.db"):
            with contextlib.suppress(OSError):  # under the 0.1 shared key: no use now
                old.unlink()
    session.audit("keys.rekey", "", reason)
    if progress is not None:
        progress(1000, 1000)
    return time.perf_counter() - started
