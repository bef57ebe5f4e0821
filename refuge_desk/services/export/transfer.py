"""Move-on transfer: one resident's file to another refuge's Refuge Desk.

The package is an age file protected by a one-time passphrase (six random words) that the
worker reads to the receiving refuge by phone; it opens with the standard `age` tool too.
Inside: a gzip tar with `manifest.json` and `resident.json` (her record, children, every
version of her safety plan with the templates they were agreed with, and her notes if the
worker chose). The receiving vault imports her as a NEW resident with a "transferred from"
record; the same package imported twice is refused.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import secrets
import tarfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyrage

from refuge_desk import __version__
from refuge_desk.domain.errors import NotFound, UserError, ValidationError
from refuge_desk.domain.notes import Note, NoteType
from refuge_desk.domain.residents import (
    Abuser,
    Child,
    ContactSafety,
    Phone,
    Resident,
    Status,
    to_plain,
    validate_resident,
)
from refuge_desk.domain.text import clean, clean_record
from refuge_desk.services import note_seal
from refuge_desk.services import notes as notes_service
from refuge_desk.services import plans as plans_service
from refuge_desk.services.files import save_file
from refuge_desk.services.session import Session
from refuge_desk.store import meta_repo, notes_repo, plans_repo, residents_repo, values

FORMAT_VERSION = 1
KIND = "transfer"
MAX_PACKAGE_BYTES = 50_000_000
WORDS = 6
UNREADABLE = (
    "This transfer file could not be opened: the passphrase is wrong, or the file is damaged "
    "or not a Refuge Desk transfer. Nothing was imported."
)


@dataclass(frozen=True, slots=True)
class TransferOut:
    data: bytes
    passphrase: str
    transfer_id: str


@dataclass(frozen=True, slots=True)
class TransferIn:
    resident_id: int
    reference: str
    from_reference: str
    versions: int


def one_time_passphrase() -> str:
    """Six random everyday words (about 80 bits): easy to read out by phone, hard to guess."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    pool = [
        w for w in FREQUENCY_LISTS["english_wikipedia"][:20000] if w.isalpha() and 4 <= len(w) <= 8
    ]
    return " ".join(secrets.choice(pool) for _ in range(WORDS))


def _require(session: Session) -> None:
    session.require(session.role.edits_residents, "transfer residents between refuges")


def _package(resident: dict[str, Any], manifest: dict[str, Any]) -> bytes:
    body = json.dumps(resident, ensure_ascii=False, indent=1).encode("utf-8")
    head = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, data in (("resident.json", body), ("manifest.json", head)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


def note_choices(session: Session, resident_id: int) -> list[Note]:
    """Her case notes this worker may see (amendments follow their original), oldest first."""
    out: list[Note] = []
    offset = 0
    while True:
        page = notes_service.list_notes(session, resident_id, notes_service.MAX_PAGE, offset)
        for note in page.notes:
            out.append(note)
            out.extend(note.amendments)
        offset += len(page.notes)
        if not page.notes or offset >= page.total:
            break
    out.sort(key=lambda n: (n.happened_at, n.id))
    return out


def _case_notes(
    session: Session, resident_id: int, note_ids: list[int] | None
) -> list[dict[str, object]]:
    chosen = note_choices(session, resident_id)
    if note_ids is not None:
        wanted = set(note_ids)
        unknown = wanted - {n.id for n in chosen}
        if unknown:
            raise ValidationError(
                [
                    f"Note {i} is not one of her case notes that you may see."
                    for i in sorted(unknown)
                ]
            )
        chosen = [n for n in chosen if n.id in wanted]
    return [
        {
            "id": n.id,
            "happened_at": n.happened_at.isoformat(),
            "type": str(n.note_type),
            "text": n.text,
            "restricted": n.restricted,
            "amends_id": n.amends_id,
            "author": n.author,
        }
        for n in chosen
    ]


def build(
    session: Session,
    resident_id: int,
    include_notes: bool = True,
    note_ids: list[int] | None = None,
) -> TransferOut:
    """The encrypted package, in memory, and the passphrase to read out. Records the transfer.

    ``include_notes`` sends her general notes and case notes (``note_ids`` to choose which
    case notes; None = every one this worker may see)."""
    _require(session)
    res = residents_repo.get(session.db, resident_id)
    if res is None:
        raise NotFound("That resident's record no longer exists.")
    record = to_plain(res)
    for key in ("id", "room_id", "key_worker_id", "version", "created_by", "updated_by"):
        record.pop(key, None)
    for child in record["children"]:
        child.pop("id", None)
    if not include_notes:
        record["notes"] = ""
    case_notes = _case_notes(session, resident_id, note_ids) if include_notes else []
    versions = []
    state = plans_service.get(session, resident_id)
    plan = plans_repo.plan_for(session.db, resident_id)
    for info in sorted(state.versions, key=lambda v: v.number):
        assert plan is not None  # she has versions, so she has a plan
        row = plans_repo.version(session.db, plan.id, info.number)
        assert row is not None
        template = plans_repo.template(session.db, row.template_id)
        assert template is not None
        versions.append(
            {
                "number": row.number,
                "content": json.loads(row.content),
                "agreed_at": row.finalised_at,
                "agreed_by": row.finalised_by,
                "template": {
                    "key": template.key,
                    "version": template.version,
                    "body": template.body,
                },
            }
        )
    transfer_id = str(uuid.uuid4())
    manifest = {
        "format_version": FORMAT_VERSION,
        "kind": KIND,
        "transfer_id": transfer_id,
        "app_version": __version__,
        "created_at": session.stamp(),
        "from_vault": meta_repo.get(session.db, "vault_id"),
        "from_reference": res.reference,
        "notes_included": include_notes,
    }
    payload = _package(
        {"resident": record, "plan_versions": versions, "case_notes": case_notes}, manifest
    )
    passphrase = one_time_passphrase()
    data = pyrage.passphrase.encrypt(payload, passphrase)
    with session.db.transaction():
        session.db.execute(
            "INSERT INTO transfers (transfer_id, direction, resident_id, other_vault, "
            "other_reference, at, by_user) VALUES (?, 'out', ?, '', ?, ?, ?)",
            (transfer_id, resident_id, res.reference, session.stamp(), session.user.id),
        )
        session.audit(
            "transfer.out",
            f"{res.reference} notes:{'yes' if include_notes else 'no'} "
            f"case notes:{len(case_notes)}",
        )
    return TransferOut(data, passphrase, transfer_id)


def write(
    session: Session,
    resident_id: int,
    path: Path,
    include_notes: bool = True,
    note_ids: list[int] | None = None,
) -> TransferOut:
    out = build(session, resident_id, include_notes, note_ids)
    save_file(path, out.data)
    return out


def _open(data: bytes, passphrase: str) -> tuple[dict[str, Any], dict[str, Any]]:
    if len(data) > MAX_PACKAGE_BYTES:
        raise UserError("This file is too large to be a transfer. Nothing was imported.")
    try:
        plain = pyrage.passphrase.decrypt(data, " ".join(passphrase.split()))
        with tarfile.open(fileobj=io.BytesIO(gzip.decompress(plain)), mode="r") as tar:
            members = {m.name: m for m in tar.getmembers()}
            if set(members) != {"resident.json", "manifest.json"}:
                raise ValueError("members")
            files = {
                name: json.loads(tar.extractfile(m).read())  # type: ignore[union-attr]
                for name, m in members.items()
            }
    except Exception as exc:  # wrong passphrase, tampering, truncation, not age: all one answer
        raise UserError(UNREADABLE) from exc
    manifest, body = files["manifest.json"], files["resident.json"]
    if not isinstance(manifest, dict) or manifest.get("kind") != KIND:
        raise UserError(UNREADABLE)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise UserError(
            "This transfer was made by a newer Refuge Desk. Update Refuge Desk, then import it."
        )
    return manifest, body


def _resident_from(raw: dict[str, Any]) -> Resident:
    def date(value: Any) -> dt.date | None:
        return dt.date.fromisoformat(value) if value else None

    res = Resident(
        full_name=str(raw.get("full_name", "")),
        preferred_name=str(raw.get("preferred_name", "")),
        aliases=str(raw.get("aliases", "")),
        date_of_birth=date(raw.get("date_of_birth")),
        pronouns=str(raw.get("pronouns", "")),
        languages=str(raw.get("languages", "")),
        interpreter_needed=bool(raw.get("interpreter_needed")),
        interpreter_language=str(raw.get("interpreter_language", "")),
        nationality=str(raw.get("nationality", "")),
        immigration_status=str(raw.get("immigration_status", "")),
        nrpf=bool(raw.get("nrpf")),
        email=str(raw.get("email", "")),
        email_safety=ContactSafety(raw.get("email_safety", "unsafe")),
        email_safe_times=str(raw.get("email_safe_times", "")),
        alerts=str(raw.get("alerts", "")),
        referral_date=date(raw.get("referral_date")),
        referral_source=str(raw.get("referral_source", "")),
        notes=str(raw.get("notes", "")),
        status=Status.REFERRAL,  # she arrives as a referral; the receiving refuge decides
        phones=[
            Phone(
                str(p.get("number", "")),
                str(p.get("label", "")),
                ContactSafety(p.get("safety", "unsafe")),
                str(p.get("safe_times", "")),
            )
            for p in raw.get("phones", [])
        ],
        abusers=[
            Abuser(
                **{
                    k: str(a.get(k, ""))
                    for k in (
                        "name",
                        "aliases",
                        "relationship",
                        "description",
                        "vehicle",
                        "known_areas",
                    )
                }
            )
            for a in raw.get("abusers", [])
        ],
        children=[
            Child(
                full_name=str(c.get("full_name", "")),
                date_of_birth=date(c.get("date_of_birth")),
                school=str(c.get("school", "")),
                may_collect=str(c.get("may_collect", "")),
                notes=str(c.get("notes", "")),
            )
            for c in raw.get("children", [])
        ],
    )
    return res


def receive(session: Session, data: bytes, passphrase: str) -> TransferIn:
    """Import a package as a new resident. All or nothing; a second import is refused."""
    _require(session)
    manifest, body = _open(data, passphrase)
    db = session.db
    transfer_id = str(manifest.get("transfer_id", ""))
    earlier = db.query_one(
        "SELECT r.reference FROM transfers t LEFT JOIN residents r ON r.id = t.resident_id "
        "WHERE t.transfer_id = ? AND t.direction = 'in'",
        (transfer_id,),
    )
    if earlier is not None:
        raise UserError(
            "This transfer was already imported "
            f"(as {earlier['reference'] or 'a resident since deleted'}). "
            "Nothing was imported again."
        )
    try:
        resident = clean_record(_resident_from(body["resident"]))
        versions = [_version_from(v) for v in body.get("plan_versions", [])]
        case_notes = [_note_from(n) for n in body.get("case_notes", [])]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UserError(UNREADABLE) from exc
    problems = validate_resident(resident, session.today() + dt.timedelta(days=366))
    if problems:
        raise ValidationError(["The transferred record is not valid here:", *problems])
    now = session.stamp()
    from_ref = str(manifest.get("from_reference", ""))
    with db.transaction():
        rid, reference = residents_repo.insert(db, resident, now, session.user.id)
        if versions:
            plan_id = plans_repo.create_plan(db, rid, now, session.user.id)
            for v in versions:
                t = v["template"]
                row = plans_repo.template_by_key(db, str(t["key"]), int(t["version"]))
                if row is None:
                    template_id = plans_repo.add_template(
                        db,
                        str(t["key"]),
                        int(t["version"]),
                        str(t["key"]),
                        str(t["body"]),
                        now,
                        session.user.id,
                    )
                else:
                    template_id = row.id
                plans_repo.add_version(
                    db,
                    plan_id,
                    int(v["number"]),
                    template_id,
                    json.dumps(v["content"], ensure_ascii=False, sort_keys=True),
                    str(v["agreed_at"]),
                    session.user.id,
                    None,
                    None,
                )
        _insert_notes(session, rid, case_notes, from_ref, now)
        db.execute(
            "INSERT INTO transfers (transfer_id, direction, resident_id, other_vault, "
            "other_reference, at, by_user) VALUES (?, 'in', ?, ?, ?, ?, ?)",
            (transfer_id, rid, str(manifest.get("from_vault", "")), from_ref, now, session.user.id),
        )
        session.audit("transfer.in", f"{reference} from {from_ref}")
    return TransferIn(rid, reference, from_ref, len(versions))


def _version_from(raw: dict[str, Any]) -> dict[str, Any]:
    """Checked before anything is written: a damaged version refuses the whole package."""
    t = raw["template"]
    return {
        "number": int(raw["number"]),
        "content": dict(raw["content"]),
        "agreed_at": str(raw["agreed_at"]),
        "template": {"key": str(t["key"]), "version": int(t["version"]), "body": str(t["body"])},
    }


def _note_from(raw: dict[str, Any]) -> dict[str, Any]:
    note_type = str(raw["type"])
    if note_type not in {t.value for t in NoteType}:
        note_type = NoteType.OTHER.value
    return {
        "id": int(raw["id"]),
        "happened_at": values.to_stamp(dt.datetime.fromisoformat(str(raw["happened_at"]))),
        "type": note_type,
        "text": clean(str(raw["text"]), multiline=True),
        "restricted": bool(raw.get("restricted")),
        "amends_id": int(raw["amends_id"]) if raw.get("amends_id") is not None else None,
        "author": clean(str(raw.get("author", ""))),
    }


def _insert_notes(
    session: Session,
    resident_id: int,
    case_notes: list[dict[str, Any]],
    from_ref: str,
    now: str,
) -> None:
    """Notes arrive as written there: who wrote them is kept in words (she has no account
    here); an amendment stays linked when its original came too. A restricted one is sealed
    as it is written (its key for the managers and for her, who received it), never left as
    plain text under the case key for a later manager sign-in to seal."""

    db, user_id = session.db, session.user.id
    new_ids: dict[int, int] = {}
    for n in sorted(case_notes, key=lambda n: (n["amends_id"] is not None, n["happened_at"])):
        who = n["author"] or "a colleague"
        body = f"[Transferred from {from_ref}; written there by {who}]\n{n['text']}"
        amends = new_ids.get(n["amends_id"]) if n["amends_id"] is not None else None
        restricted = bool(n["restricted"])
        if restricted and note_seal.can_seal(session):
            note_id = notes_repo.next_id(db)
            sealed, key = note_seal.seal_new(session, note_id, resident_id, user_id, body)
            db.execute(
                "INSERT INTO case_notes (id, resident_id, happened_at, note_type, body, "
                "restricted, amends_id, author_id, created_at, sealed) "
                "VALUES (?, ?, ?, ?, '', 1, ?, ?, ?, ?)",
                (note_id, resident_id, n["happened_at"], n["type"], amends, user_id, now, sealed),
            )
            note_seal.store_keys(session, note_id, key, user_id, None, resident_id)
            new_ids[n["id"]] = note_id
            continue
        new_ids[n["id"]] = db.execute(
            "INSERT INTO case_notes (resident_id, happened_at, note_type, body, restricted, "
            "amends_id, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                resident_id,
                n["happened_at"],
                n["type"],
                body,
                int(restricted),
                amends,
                user_id,
                now,
            ),
        )


def transferred_from(session: Session, resident_id: int) -> str:
    """ "Transferred from another refuge (their R-0042) on 2026-11-24", or ""."""
    row = session.db.query_one(
        "SELECT other_reference, at FROM transfers WHERE resident_id = ? AND direction = 'in'",
        (resident_id,),
    )
    if row is None:
        return ""
    return (
        f"Transferred from another refuge (their {row['other_reference']}) on {str(row['at'])[:10]}"
    )
