"""Subject access request: everything held about one resident and her children.

A manager prepares it. Restricted parts (immigration, move-on, the abuser's details, the
staff-only parts of her safety plan) are listed for the manager to include or withhold; the
decision is recorded. The result is a readable PDF (made in memory, any script) and a JSON
file, both written only where the manager chooses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from refuge_desk.domain import plans as plan_domain
from refuge_desk.domain.errors import NotFound, ValidationError
from refuge_desk.domain.plan_template import Audience
from refuge_desk.domain.residents import Resident, to_plain
from refuge_desk.services import plans, sar_casework, settings
from refuge_desk.services.files import save_file
from refuge_desk.services.pdf.document import PageSetup, PrintDocument, Section, TextBlock
from refuge_desk.services.session import Session
from refuge_desk.store import audit_repo, plans_repo, residents_repo

FORMAT_VERSION = 1
RESTRICTED_ITEMS: dict[str, str] = {
    "immigration": "Immigration status and recourse to public funds",
    "move_on": "Move-on date and destination",
    "abusers": "What we hold about the person she fled (names, description, vehicle, areas)",
    "staff_plan": "Staff-only parts of her safety plan (staff risk notes)",
}
_RESIDENT_LABELS = {
    "reference": "Reference",
    "full_name": "Full name",
    "preferred_name": "Preferred name",
    "aliases": "Previous names and aliases",
    "date_of_birth": "Date of birth",
    "pronouns": "Pronouns",
    "languages": "Languages",
    "interpreter_needed": "Interpreter needed",
    "interpreter_language": "Interpreter language",
    "nationality": "Nationality",
    "immigration_status": "Immigration status",
    "nrpf": "No recourse to public funds",
    "email": "Email",
    "email_safety": "Email safe to use",
    "email_safe_times": "Email safe times",
    "alerts": "Alerts",
    "referral_date": "Referral date",
    "referral_source": "Referral source",
    "arrival_date": "Arrival date",
    "status": "Status",
    "move_on_date": "Move-on date",
    "move_on_destination": "Move-on destination",
    "move_on_type": "Kind of move-on",
    "referral_outcome": "Referral outcome",
    "decline_reason": "Why the referral was declined",
    "notes": "Notes",
    "created_at": "Record created",
    "created_by": "Created by",
    "updated_at": "Last changed",
    "updated_by": "Last changed by",
}
_FIELD_ITEM = {
    "immigration_status": "immigration",
    "nrpf": "immigration",
    "move_on_date": "move_on",
    "move_on_destination": "move_on",
    "move_on_type": "move_on",
}
WITHHELD = "[withheld by a manager]"
_OUTCOMES = {
    "new_version": "Agreed a new version.",
    "no_change": "Reviewed together, no changes.",
}


@dataclass(frozen=True, slots=True)
class SarResult:
    data: dict[str, Any]
    withheld: tuple[str, ...]


def restricted_items(session: Session, resident_id: int) -> dict[str, str]:
    """Every part a manager may withhold for this resident: the fixed parts, MARAC referrals,
    and each of her restricted case notes (``note:<id>``)."""
    session.require(session.role.manages_staff, "prepare a subject access request")
    items = dict(RESTRICTED_ITEMS)
    items[sar_casework.MARAC_ITEM] = sar_casework.MARAC_WHAT
    items.update(sar_casework.restricted_notes(session, resident_id))
    return items


def _check(session: Session, resident_id: int, withhold: set[str]) -> dict[str, str]:
    items = restricted_items(session, resident_id)
    unknown = sorted(withhold - set(items))
    if unknown:
        raise ValidationError(
            [f"Unknown part to withhold: {u}. Parts: {', '.join(items)}." for u in unknown]
        )
    return items


def collect(session: Session, resident_id: int, withhold: set[str] | None = None) -> SarResult:
    """Everything held about her, with the withheld parts replaced by a marker."""
    withhold = set(withhold or ())
    session.require(session.role.manages_staff, "prepare a subject access request")
    resident = residents_repo.get(session.db, resident_id)
    if resident is None:
        raise NotFound("That resident's record no longer exists.")
    items = _check(session, resident_id, withhold)
    record = _resident_data(resident, withhold)
    data: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "prepared_at": session.stamp(),
        "prepared_by": session.user.full_name,
        "organisation": settings.org_info(session).org_name,
        "resident": record,
        "children": [to_plain(c) for c in resident.children],
        "safety_plan": _plan_data(session, resident_id, withhold),
        "case_work": sar_casework.collect(session, resident_id, withhold),
        "record_history": [
            {"at": at, "by": who, "action": action, "ref": ref}
            for at, who, action, ref in audit_repo.for_reference(session.db, resident.reference)
        ],
        # A withheld note is named by date, type and author: never by its words.
        "withheld": [{"part": key, "what": items[key].split(": “")[0]} for key in sorted(withhold)],
    }
    return SarResult(data, tuple(sorted(withhold)))


def _resident_data(resident: Resident, withhold: set[str]) -> dict[str, Any]:
    plain = to_plain(resident)
    plain.pop("children", None)
    plain.pop("id", None)
    plain.pop("room_id", None)
    plain.pop("key_worker_id", None)
    plain.pop("version", None)
    for key, item in _FIELD_ITEM.items():
        if item in withhold:
            plain[key] = WITHHELD
    if "abusers" in withhold:
        plain["abusers"] = WITHHELD
    return dict(plain)


def _plan_data(session: Session, resident_id: int, withhold: set[str]) -> dict[str, Any]:
    state = plans.get(session, resident_id)
    if not state.exists:
        return {}
    row = plans_repo.plan_for(session.db, resident_id)
    assert row is not None
    versions = []
    for info in sorted(state.versions, key=lambda v: v.number):
        template, version = plans.version(session, resident_id, info.number)
        fields = []
        for section in template.sections:
            for f in section.fields:
                staff = f.audience is Audience.STAFF
                lines = plan_domain.value_lines(f, version.content.get(f.id))
                if not lines:
                    continue
                if staff and "staff_plan" in withhold:
                    lines = [WITHHELD]
                fields.append(
                    {
                        "section": section.title,
                        "field": f.label,
                        "staff_only": staff,
                        "text": "\n".join(lines),
                    }
                )
        versions.append(
            {
                "version": version.number,
                "agreed_at": version.finalised_at,
                "agreed_by": version.finalised_by,
                "review_date": version.review_date.isoformat() if version.review_date else None,
                "template": f"{template.key} v{template.version}",
                "fields": fields,
            }
        )
    reviews = [
        {
            "at": r.reviewed_at,
            "by": r.reviewed_by,
            "version": r.version_number,
            "outcome": r.outcome,
            "note": r.note,
        }
        for r in plans.reviews(session, resident_id)
    ]
    return {"versions": versions, "reviews": reviews, "open_draft": state.draft is not None}


def to_json(result: SarResult) -> bytes:
    return json.dumps(result.data, ensure_ascii=False, indent=2).encode("utf-8")


def _text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return "\n".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {_text(v)}" for k, v in value.items() if _text(v))
    return str(value)


def to_document(result: SarResult) -> PrintDocument:
    d = result.data
    res = d["resident"]
    about = tuple(
        TextBlock(label, _text(res.get(key)))
        for key, label in _RESIDENT_LABELS.items()
        if _text(res.get(key))
    )
    sections = [Section("About you", about)]
    contact = [TextBlock("Phone numbers", _text(res.get("phones")))] if res.get("phones") else []
    if res.get("abusers"):
        contact.append(TextBlock("The person you fled", _text(res.get("abusers"))))
    if contact:
        sections.append(Section("Contact details and safety", tuple(contact)))
    for child in d["children"]:
        blocks = tuple(
            TextBlock(k.replace("_", " ").capitalize(), _text(v))
            for k, v in child.items()
            if k != "id" and _text(v)
        )
        sections.append(Section("Your children", blocks, subheading=child.get("full_name", "")))
    plan = d["safety_plan"]
    for version in plan.get("versions", []):
        blocks = tuple(
            TextBlock(f"{f['section']} — {f['field']}", f["text"], staff_only=f["staff_only"])
            for f in version["fields"]
        )
        sections.append(
            Section(
                f"Safety plan, version {version['version']}",
                blocks or (TextBlock("", "(empty)"),),
                subheading=f"Agreed {version['agreed_at'][:10]} by {version['agreed_by']}",
            )
        )
    if plan.get("reviews"):
        sections.append(
            Section(
                "Safety plan reviews",
                tuple(
                    TextBlock(
                        f"{r['at'][:10]} — {r['by']}",
                        f"{_OUTCOMES.get(r['outcome'], r['outcome'])} {r['note']}".strip(),
                    )
                    for r in plan["reviews"]
                ),
            )
        )
    sections.extend(sar_casework.sections(d.get("case_work", {})))
    if d["record_history"]:
        sections.append(
            Section(
                "Who opened or changed your record",
                (
                    TextBlock(
                        "",
                        "\n".join(
                            f"{h['at'][:16].replace('T', ' ')} · {h['by'] or 'system'} · "
                            f"{h['action']}"
                            for h in d["record_history"]
                        ),
                    ),
                ),
            )
        )
    if d["withheld"]:
        sections.append(
            Section(
                "Information withheld",
                tuple(TextBlock(w["what"], "Withheld by a manager.") for w in d["withheld"]),
            )
        )
    return PrintDocument(
        title="Your records",
        header_lines=(
            f"{res.get('full_name', '')} ({res.get('reference', '')})",
            f"Prepared {d['prepared_at'][:10]} by {d['prepared_by']} for {d['organisation']}",
        ),
        sections=tuple(sections),
        keep_safe="This copy holds personal information: keep it somewhere safe.",
        version_line="Subject access request",
        page_label="Page {page} of {pages}",
        metadata_title="Records",
    )


def to_pdf(result: SarResult) -> bytes:
    # reportlab and the fonts load on first print, not at start-up.
    from refuge_desk.services.pdf.render import render_pdf

    return render_pdf(to_document(result), PageSetup())


def export(
    session: Session, resident_id: int, path: Path, withhold: set[str] | None = None
) -> SarResult:
    """Write the SAR as PDF or JSON (by the file's suffix) where the manager chose, atomically;
    the decision on each restricted part is recorded."""
    suffix = path.suffix.lower()
    if suffix not in (".pdf", ".json"):
        raise ValidationError(["The file name must end in .pdf or .json."])
    result = collect(session, resident_id, withhold)
    save_file(path, to_pdf(result) if suffix == ".pdf" else to_json(result))
    record(session, result, suffix[1:])
    return result


def record(session: Session, result: SarResult, how: str) -> None:
    """Audit one SAR leaving the building (saved as pdf/json, or printed) and what was
    withheld; by reference only."""
    reference = result.data["resident"]["reference"]
    decided = ",".join(result.withheld) or "none"
    action = "sar.print" if how == "print" else "sar.export"
    detail = "" if how == "print" else f" {how}"
    with session.db.transaction():
        session.audit(action, f"{reference}{detail} withheld:{decided}")
