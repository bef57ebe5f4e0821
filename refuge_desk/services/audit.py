"""The audit log for managers: check its hash chain, list and export entries.

Tamper evidence: each entry holds the SHA-256 of the one before it (store/audit_chain), so an
entry edited or deleted with a raw SQLCipher connection is found by ``verify``. Removing the
NEWEST entries leaves no trace inside the vault: note the count and newest hash that ``verify``
reports somewhere else (the CLI prints them) and pass the count back as ``expect_at_least``.

Failed sign-ins cannot be written when they happen (the vault cannot be opened without the
right passphrase): their times wait in a small file in the vault folder (no names) and are
written as "signin.failed" entries at the next successful sign-in.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from refuge_desk.domain.dates import stamp_text
from refuge_desk.domain.roles import Role
from refuge_desk.services import csv_out
from refuge_desk.services.session import Clock, Session, inbox_content
from refuge_desk.store import audit_chain, audit_repo, fs, grants, meta_repo, rota
from refuge_desk.store.audit_repo import Entry, Filter
from refuge_desk.store.crypto import unb64
from refuge_desk.store.crypto import verify as verify_signature
from refuge_desk.store.grants import Chain, Statement
from refuge_desk.store.keyfile import USER, AuditHead
from refuge_desk.store.keymem import wipe
from refuge_desk.store.vault import VaultFolder

FAILED_SIGNINS_FILE = "signin-failures.json"
MAX_PENDING_FAILURES = 1000
SIGNED_OUT = -1  # ``user_id`` filter value: entries with no user (failed sign-ins)

ACTION_WORDS = {
    "vault.create": "Created the vault",
    "signin": "Signed in",
    "signin.failed": "Failed sign-in attempt",
    "lock": "Locked the screen",
    "unlock": "Unlocked",
    "passphrase.recover": "Set a new passphrase with the recovery key",
    "resident.view": "Opened a resident's record",
    "resident.create": "Added a resident",
    "resident.update": "Changed a resident's record",
    "residents.import": "Imported residents",
    "plan.print": "Printed a safety plan",
    "plan.save": "Saved a safety plan as a PDF",
    "plan.draft": "Started a safety plan draft",
    "plan.finalise": "Agreed a safety plan",
    "plan.review": "Reviewed a safety plan",
    "sar.export": "Saved a subject access request",
    "sar.print": "Printed a subject access request",
    "stats.export": "Exported statistics",
    "backup.made": "Made a backup",
    "backup.failed": "A backup failed",
    "backup.settings": "Changed the backup settings",
    "backup.key_set": "Set the backup key",
    "vault.restore": "Restored the vault from a backup",
    "transfer.out": "Transferred a resident to another refuge",
    "transfer.in": "Received a resident from another refuge",
    "staff.add": "Added a staff account",
    "staff.role": "Changed a staff member's role",
    "staff.disable": "Disabled a staff account",
    "staff.reset_passphrase": "Reset a staff member's passphrase",
    "staff.change_own_passphrase": "Changed her own passphrase",
    "notes.add": "Added a case note",
    "notes.amend": "Amended a case note",
    "risk.assess": "Recorded a risk assessment",
    "audit.verify": "Checked the audit log",
    "audit.export": "Exported the audit log",
}


def action_words(action: str) -> str:
    if action in ACTION_WORDS:
        return ACTION_WORDS[action]
    if action.startswith("settings."):
        return "Changed a setting"
    if action.startswith("purge"):
        return "Deleted a record for good"
    return action


def _require_manager(session: Session) -> None:
    session.require(session.role is Role.MANAGER, "see the audit log")


def _record(session: Session, action: str, detail: str) -> None:
    session.audit(action, "", detail)


# -- verify ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    count: int  # entries checked (all of them when ok)
    newest_hash: str  # of the newest intact entry: note it outside the vault as an anchor
    message: str
    broken_id: int | None = None


def _n(number: int) -> str:
    return f"{number:,}"


def _broken_message(b: audit_chain.Break) -> str:
    when = stamp_text(b.at)
    if b.kind == "changed":
        return f"Entry {_n(b.row_id)} ({when}) was changed after it was written."
    if b.kind == "deleted" and b.after_id is None:
        return f"The oldest entries, before entry {_n(b.row_id)} ({when}), were deleted."
    if b.kind == "deleted" and b.after_id is not None and b.row_id - b.after_id > 2:
        return (
            f"Entries {_n(b.after_id + 1)} to {_n(b.row_id - 1)} were deleted "
            f"(between {_n(b.after_id)} and {_n(b.row_id)})."
        )
    if b.kind == "deleted":
        return f"An entry between {_n(b.after_id or 0)} and {_n(b.row_id)} was deleted."
    return (
        f"An entry between {_n(b.after_id or 0)} and {_n(b.row_id)} was deleted, or entry "
        f"{_n(b.after_id or 0)} was changed after it was written."
    )


def _verifies(key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def _sig(text: str) -> bytes:
    try:
        return unb64(text)
    except ValueError:
        return b""


def _signature_problem(session: Session) -> tuple[str, int] | None:
    """The first entry whose signature does not verify, in words, with its id.

    Entries written before the vault had keys per account carry none; from the first signed
    entry on, every entry must be signed by a key its signer was granted."""
    eras = _eras(session)
    loaded: dict[tuple[int, int], list[Ed25519PublicKey]] = {}
    signed_since: str | None = None
    for row_id, at, entry_hash, signer, sig in audit_repo.signatures(session.case_db):
        era = next(i for i, e in enumerate(eras) if row_id <= e[0])
        if sig and not _signed_by_whom_it_names(session, eras[era], row_id, signer):
            return (
                f"Entry {_n(row_id)} ({stamp_text(at)}) names an account that did not sign "
                "it: it was written or changed outside Refuge Desk.",
                row_id,
            )
        era = next(i for i, e in enumerate(eras) if row_id <= e[0])
        chain, vault_id = eras[era][1], eras[era][2]
        if not sig:
            if signed_since is not None:
                return (
                    f"Entry {_n(row_id)} ({stamp_text(at)}) is not signed, though every entry "
                    f"since {stamp_text(signed_since)} is: it was written outside Refuge Desk.",
                    row_id,
                )
            continue
        signed_since = signed_since or at
        message = audit_repo.signed_message(vault_id, entry_hash)
        if signer is None:
            keys: list[Ed25519PublicKey] = []
        elif (era, signer) in loaded:
            keys = loaded[(era, signer)]
        else:
            keys = loaded[(era, signer)] = [
                Ed25519PublicKey.from_public_bytes(k)
                for k in chain.signing_keys.get(signer, set())
                if len(k) == 32
            ]
        if not any(_verifies(k, _sig(sig), message) for k in keys):
            return (
                f"Entry {_n(row_id)} ({stamp_text(at)}) does not carry a valid signature of "
                "the account that made it: it was written or changed outside Refuge Desk.",
                row_id,
            )
    return None


_FROM_ROTA = "from the rota file; signed by her: "


def _signed_by_whom_it_names(
    session: Session, era: tuple[float, Chain, str], row_id: int, signer: int | None
) -> bool:
    """An entry that names an account is signed by that account, or (a relief worker's
    entry moved in from the rota file) carries her own valid signature of its content."""
    row = session.case_db.query_one(
        "SELECT at, user_id, action, ref, detail FROM audit_log WHERE id = ?", (row_id,)
    )
    if row is None or row["user_id"] is None:
        return True  # a failed sign-in: nobody was signed in to name
    user_id = int(row["user_id"])
    if signer == user_id:
        return True
    detail = str(row["detail"])
    cut = detail.rfind(_FROM_ROTA)
    if cut < 0:
        return False
    original = detail[: max(0, cut - 2)] if cut else ""
    content = inbox_content(
        era[2], str(row["at"]), user_id, str(row["action"]), str(row["ref"]), original
    )
    keys = era[1].signing_keys.get(user_id, set())
    sig = _sig(detail[cut + len(_FROM_ROTA) :])
    return any(verify_signature(k, sig, content) for k in keys)


def _eras(session: Session) -> list[tuple[float, Chain, str]]:
    """(last entry id, statements, vault id) of each vault the log was written in: a
    restored vault keeps the backed-up vault's statements for the entries made there."""
    out: list[tuple[float, Chain, str]] = []
    current = session.keyfile.chain()
    kept = meta_repo.get(session.case_db, "audit_previous_chains", "")
    if not kept or hashlib.sha256(kept.encode("utf-8")).hexdigest() != current.history:
        kept = "[]"  # not the statements the restorer signed: they vouch for no key
    with contextlib.suppress(ValueError, KeyError, TypeError):
        for era in json.loads(kept):
            statements = [Statement.from_json(s) for s in era["statements"]]
            chain = grants.replay(statements, str(era["vault_id"]), str(era["root"]))
            out.append((int(era["upto"]), chain, str(era["vault_id"])))
    out.sort(key=lambda e: e[0])
    out.append((float("inf"), current, session.keyfile.vault_id))
    return out


def recorded_heads(session: Session) -> list[tuple[str, AuditHead]]:
    """(whose, head) of every audit head bound into a manager's key slot."""
    out = []
    chain = session.keyfile.chain()
    for slot in session.keyfile.slots:
        if slot.kind == USER and slot.head is not None and slot.user_id is not None:
            acc = chain.account(slot.user_id)
            if acc is not None and acc.role == Role.MANAGER.value:
                out.append((_staff_name(session, slot.user_id), slot.head))
    return out


def _staff_name(session: Session, user_id: int) -> str:
    value = session.db.scalar("SELECT full_name FROM staff WHERE id = ?", (user_id,))
    return str(value or f"account {user_id}")


def heads_missing(session: Session, extra: list[tuple[str, AuditHead]] | None = None) -> list[str]:
    """Sentences for each recorded head that is no longer in the chain at its place.
    ``extra``: (when, head) of heads noted elsewhere, ``when`` completing "it held when …"
    (e.g. "the backup X was made")."""
    heads = [(f"{who} last locked or signed out", head) for who, head in recorded_heads(session)]
    out = []
    for when, head in [*heads, *(extra or [])]:
        if not audit_repo.still_at(session.case_db, head.count, head.hash):
            out.append(
                f"The audit log no longer holds the {_n(head.count)} entries it held when "
                f"{when}: entries were deleted and the chain was rebuilt outside Refuge Desk."
            )
    return out


def vault_ids(session: Session) -> set[str]:
    """This vault's ids: its own, and those of the vaults its log was restored from (a backup
    of one of them holds a head of this log)."""
    _require_manager(session)
    ids = {session.keyfile.vault_id, meta_repo.get(session.case_db, "vault_id", "")}
    ids.add(meta_repo.get(session.case_db, "restored_from_vault_id", ""))
    ids.update(vault_id for _upto, _chain, vault_id in _eras(session))
    return ids - {""}


def check_heads(session: Session) -> None:
    """At a manager's sign-in: a loud alarm (and an entry) if recorded heads are gone."""
    problems = heads_missing(session)
    if problems:
        session.alarms.extend(problems)
        session.audit("audit.tampered", "", problems[0][:200])


def record_head(session: Session) -> None:
    """At a manager's lock or sign-out: bind the log's head into her key slot (its
    associated data), so entries removed later cannot be hidden by rebuilding the chain."""
    if session.role is not Role.MANAGER or session.account is None or not session.has_case:
        return
    kek = session.keys.get("kek")
    slot = session.keyfile.slot_of(session.user.id)
    if kek is None or slot is None:
        return
    count, newest = audit_repo.head(session.case_db)
    kf = session.keyfile.copy()
    secret = session.account.secret()
    try:
        kf.put_slot(kf.reseal(slot, kek, secret, AuditHead(count, newest)))
    finally:
        wipe(secret)
    session.folder.save_keyslots(kf)
    session.keyfile = kf


def verify(
    session: Session,
    expect_at_least: int | None = None,
    backup_head: AuditHead | None = None,
    backup_name: str = "",
) -> VerifyResult:
    """Walk the whole chain, check every signature and every recorded head; report the
    first problem in plain words. ``expect_at_least`` counts only the entries that were there
    before this session wrote its own. ``backup_head``: the head a backup recorded (its
    manifest's ``audit_head``), ``backup_name`` the file's name for the sentence."""
    _require_manager(session)
    walk = audit_chain.walk(session.db)
    before_me = min(walk.count, session.audit_base) if session.audit_base else walk.count
    backup = f"the backup {backup_name}" if backup_name else "the backup"
    extra = [(f"{backup} was made", backup_head)] if backup_head is not None else []
    if walk.broken is not None:
        result = VerifyResult(
            False, walk.count, walk.newest_hash, _broken_message(walk.broken), walk.broken.row_id
        )
    elif (bad := _signature_problem(session)) is not None:
        result = VerifyResult(False, walk.count, walk.newest_hash, bad[0], bad[1])
    elif missing := heads_missing(session, extra):
        result = VerifyResult(False, walk.count, walk.newest_hash, missing[0])
    elif expect_at_least is not None and before_me < expect_at_least:
        result = VerifyResult(
            False,
            walk.count,
            walk.newest_hash,
            f"Only {_n(before_me)} entries are left where at least {_n(expect_at_least)} "
            "were noted: the newest entries were removed.",
        )
    else:
        result = VerifyResult(
            True, walk.count, walk.newest_hash, f"All {_n(walk.count)} entries are intact."
        )
    _record(session, "audit.verify", "intact" if result.ok else f"broken at {result.broken_id}")
    return result


def import_inbox(session: Session) -> int:
    """The relief workers' own entries, kept in the rota file (they cannot write the log),
    moved into the log by a session that can. Each keeps her signature of its content."""
    if not session.has_case or session.rota_db_ is None:
        return 0
    rows = rota.inbox(session.rota_db)
    if not rows:
        return 0
    chain = session.keyfile.chain()
    db = session.case_db
    with db.transaction():
        for _id, at, user_id, action, ref, detail, sig in rows:
            content = inbox_content(session.keyfile.vault_id, at, user_id, action, ref, detail)
            keys = chain.signing_keys.get(user_id, set())
            ok = any(verify_signature(k, _sig(sig), content) for k in keys)
            note = (
                f"from the rota file; signed by her: {sig}"
                if ok
                else "from the rota file; her signature did not verify"
            )
            audit_repo.record(
                db,
                at,
                user_id,
                action,
                ref,
                (detail + "; " if detail else "") + note,
                signer=session.signer if session.account is not None else None,
            )
    rota.clear_inbox(session.rota_db, [r[0] for r in rows])
    return len(rows)


# -- list and export -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: str  # ISO instant as stored
    when: str  # local time, for people
    who: str  # staff full name ("" for a failed sign-in: nobody was signed in)
    action: str
    action_text: str
    reference: str
    detail: str


def _day_start(day: dt.date) -> str:
    local = dt.datetime.combine(day, dt.time()).astimezone()
    return local.astimezone(dt.UTC).isoformat(timespec="seconds")


def make_filter(
    user_id: int | None = None,
    reference: str | None = None,
    action: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> Filter:
    """Dates are local days, both included. ``user_id`` SIGNED_OUT: failed sign-ins only."""
    return Filter(
        user_id=None if user_id == SIGNED_OUT else user_id,
        reference=reference or "",
        action=action or "",
        start=_day_start(date_from) if date_from else "",
        end=_day_start(date_to + dt.timedelta(days=1)) if date_to else "",
        signed_out=user_id == SIGNED_OUT,
    )


def _entry(e: Entry) -> AuditEntry:
    who = e.who if e.user_id is not None else ""
    return AuditEntry(
        e.id, e.at, stamp_text(e.at), who, e.action, action_words(e.action), e.ref, e.detail
    )


def query(
    session: Session,
    user_id: int | None = None,
    reference: str | None = None,
    action: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[AuditEntry]:
    """Matching entries, newest first."""
    _require_manager(session)
    f = make_filter(user_id, reference, action, date_from, date_to)
    return [_entry(e) for e in audit_repo.entries(session.db, f, limit, offset)]


def count(
    session: Session,
    user_id: int | None = None,
    reference: str | None = None,
    action: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> int:
    _require_manager(session)
    return audit_repo.count(session.db, make_filter(user_id, reference, action, date_from, date_to))


def actions(session: Session) -> list[tuple[str, str]]:
    """(action, plain words) of every action in the log, for a filter list."""
    _require_manager(session)
    return sorted(
        ((a, action_words(a)) for a in audit_repo.actions(session.db)), key=lambda p: p[1]
    )


CSV_HEADER = ["entry", "at (UTC)", "staff", "action", "what", "reference", "detail", "hash"]


def export_csv(
    session: Session,
    path: Path,
    user_id: int | None = None,
    reference: str | None = None,
    action: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> int:
    """Write the matching entries (oldest first) as UTF-8 CSV, atomically. Residents appear by
    reference only, as in the log. Returns the number of entries written."""
    _require_manager(session)
    f = make_filter(user_id, reference, action, date_from, date_to)
    rows: list[Entry] = []
    page = 5000
    while True:
        got = audit_repo.entries(session.db, f, page, len(rows))
        rows += got
        if len(got) < page:
            break
    lines: list[list[csv_out.Cell]] = [list(CSV_HEADER)]
    for e in reversed(rows):
        who = e.who if e.user_id is not None else "(not signed in)"
        text = [who, e.action, action_words(e.action), e.ref, e.detail]
        lines.append([e.id, e.at, *text, e.hash])
    csv_out.write(path, lines)  # every cell formula-safe
    _record(session, "audit.export", f"{len(rows)} entries")
    return len(rows)


# -- failed sign-ins -------------------------------------------------------------------------
def _failures_path(folder: VaultFolder) -> Path:
    return folder.path / FAILED_SIGNINS_FILE


def _pending(folder: VaultFolder) -> list[str]:
    try:
        data = json.loads(_failures_path(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(data, list):
        return []
    return [t for t in data if isinstance(t, str) and _is_instant(t)][:MAX_PENDING_FAILURES]


def _is_instant(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return len(text) <= 40


def note_failed_signin(folder: VaultFolder, clock: Clock) -> None:
    """Remember when a sign-in failed (only the time: the typed name may be a resident's)."""
    times = _pending(folder)
    if len(times) >= MAX_PENDING_FAILURES:
        return
    times.append(clock().astimezone(dt.UTC).isoformat(timespec="seconds"))
    # A read-only folder must not turn a wrong passphrase into a crash.
    with contextlib.suppress(OSError):
        fs.atomic_write(_failures_path(folder), json.dumps(times).encode())


def record_failed_signins(session: Session) -> None:
    """At a successful sign-in: write the waiting failed attempts into the log, then forget
    them. Best effort: a failure here must not stop her signing in."""
    path = _failures_path(session.folder)
    if not path.exists():
        return
    times = _pending(session.folder)
    written = False
    with contextlib.suppress(Exception):
        db = session.db
        with db.transaction():
            signer = session.signer if session.account is not None else None
            for at in times:
                audit_repo.record(
                    db, at, None, "signin.failed", "", "written at next sign-in", signer=signer
                )
        written = True
    if written:
        with contextlib.suppress(OSError):
            path.unlink()
