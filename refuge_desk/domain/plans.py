"""Safety-plan content: the values a worker types, how they compare, and pre-fill.

Content is a plain dict ``{field_id: value}`` stored as JSON inside the vault. The shape of
each value depends on the field's kind:

- text, date, yes_no: a string ("" when empty; a date is ISO "YYYY-MM-DD"; yes_no is
  "yes" / "no" / "")
- checklist: ``{item_id: state}`` with state in CHECK_STATES (missing means not answered)
- contacts: a list of rows ``{name, relationship, number, safe_times, knows}``
- code_words: a list of rows ``{word, meaning, who}``
- children: a list of blocks ``{child_id, name, values: {child_field_id: text}}``
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any

from refuge_desk.domain.plan_template import (
    Audience,
    FieldKind,
    PlanTemplate,
    Prefill,
    TemplateField,
)
from refuge_desk.domain.residents import Child, ContactSafety, Resident
from refuge_desk.domain.text import clean

Content = dict[str, Any]

MAX_FIELD_TEXT = 20_000
MAX_ROWS = 100
CHECK_STATES = ("have", "copy", "needed", "not_applicable")
KNOWS_STATES = ("yes", "no", "not_known")
CONTACT_COLUMNS = ("name", "relationship", "number", "safe_times", "knows")
CODE_WORD_COLUMNS = ("word", "meaning", "who")
DEFAULT_REVIEW_WEEKS = 6
DUE_SOON_DAYS = 7


def _text(value: Any, limit: int = MAX_FIELD_TEXT, multiline: bool = False) -> str:
    """Stored or typed text, cleaned as every text entering the vault (domain/text.py)."""
    return clean(value[:limit], multiline) if isinstance(value, str) else ""


def _rows(value: Any, columns: tuple[str, ...]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    if not isinstance(value, list):
        return rows
    for raw in value[:MAX_ROWS]:
        if not isinstance(raw, dict):
            continue
        row = {col: _text(raw.get(col), 2000) for col in columns}
        if "knows" in row and row["knows"] not in KNOWS_STATES:
            row["knows"] = ""
        if any(v.strip() for v in row.values()):
            rows.append(row)
    return rows


def empty_value(f: TemplateField) -> Any:
    if f.kind in (FieldKind.CHECKLIST,):
        return {}
    if f.kind in (FieldKind.CONTACTS, FieldKind.CODE_WORDS, FieldKind.CHILDREN):
        return []
    return ""


def normalise_value(f: TemplateField, value: Any) -> Any:
    """Coerce whatever was stored or typed into the shape for ``f`` (never raises)."""
    if f.kind is FieldKind.TEXT:
        return _text(value, multiline=True)
    if f.kind is FieldKind.DATE:
        text = _text(value, 10)
        try:
            return dt.date.fromisoformat(text).isoformat() if text else ""
        except ValueError:
            return ""
    if f.kind is FieldKind.YES_NO:
        return value if value in ("yes", "no") else ""
    if f.kind is FieldKind.CHECKLIST:
        known = {i.id for i in f.items}
        if not isinstance(value, dict):
            return {}
        return {k: v for k, v in value.items() if k in known and v in CHECK_STATES}
    if f.kind is FieldKind.CONTACTS:
        return _rows(value, CONTACT_COLUMNS)
    if f.kind is FieldKind.CODE_WORDS:
        return _rows(value, CODE_WORD_COLUMNS)
    if f.kind is FieldKind.CHILDREN:
        blocks: list[dict[str, Any]] = []
        if not isinstance(value, list):
            return blocks
        sub_ids = {c.id for c in f.child_fields}
        for raw in value[:MAX_ROWS]:
            if not isinstance(raw, dict):
                continue
            child_id = raw.get("child_id")
            got = raw.get("values")
            values: dict[Any, Any] = got if isinstance(got, dict) else {}
            blocks.append(
                {
                    "child_id": child_id if isinstance(child_id, int) else None,
                    "name": _text(raw.get("name"), 200),
                    "values": {
                        k: _text(v, multiline=True) for k, v in values.items() if k in sub_ids
                    },
                }
            )
        return blocks
    raise AssertionError(f.kind)


def normalise(template: PlanTemplate, content: Any) -> Content:
    """Every field of the template present, in its shape; unknown keys dropped."""
    source = content if isinstance(content, dict) else {}
    return {f.id: normalise_value(f, source.get(f.id)) for f in template.fields()}


def is_empty(f: TemplateField, value: Any) -> bool:
    if f.kind is FieldKind.CHILDREN:
        return not any(
            any(v.strip() for v in b["values"].values()) for b in normalise_value(f, value)
        )
    value = normalise_value(f, value)
    if isinstance(value, str):
        return not value.strip()
    return not value


def filled_count(template: PlanTemplate, content: Content) -> tuple[int, int]:
    fields = template.fields()
    return sum(not is_empty(f, content.get(f.id)) for f in fields), len(fields)


# --- text form, for comparing versions -------------------------------------------------

_CHECK_WORDS = {
    "have": "have",
    "copy": "copy kept",
    "needed": "needed",
    "not_applicable": "not applicable",
}
_KNOWS_WORDS = {"yes": "knows where she is", "no": "does not know where she is", "not_known": ""}


def value_lines(f: TemplateField, value: Any) -> list[str]:
    """A value as lines of plain text (for the comparison view)."""
    value = normalise_value(f, value)
    if f.kind in (FieldKind.TEXT, FieldKind.DATE):
        return value.splitlines() if value else []
    if f.kind is FieldKind.YES_NO:
        return [value.capitalize()] if value else []
    if f.kind is FieldKind.CHECKLIST:
        return [f"{i.label}: {_CHECK_WORDS[value[i.id]]}" for i in f.items if i.id in value]
    if f.kind is FieldKind.CONTACTS:
        lines = []
        for r in value:
            parts = [r["name"], r["relationship"], r["number"], r["safe_times"]]
            parts.append(_KNOWS_WORDS.get(r["knows"], ""))
            lines.append(" · ".join(p for p in parts if p))
        return lines
    if f.kind is FieldKind.CODE_WORDS:
        return [" · ".join(p for p in (r["word"], r["meaning"], r["who"]) if p) for r in value]
    if f.kind is FieldKind.CHILDREN:
        lines = []
        for b in value:
            for c in f.child_fields:
                text = b["values"].get(c.id, "")
                if text.strip():
                    lines.append(f"{b['name']} - {c.label}: {' '.join(text.split())}")
        return lines
    raise AssertionError(f.kind)


@dataclass(frozen=True, slots=True)
class FieldChange:
    field_id: str
    label: str
    audience: Audience
    before: list[str]
    after: list[str]

    def diff(self) -> list[tuple[str, str]]:
        """Lines tagged " " same, "-" removed, "+" added."""
        out: list[tuple[str, str]] = []
        matcher = difflib.SequenceMatcher(a=self.before, b=self.after, autojunk=False)
        for op, a0, a1, b0, b1 in matcher.get_opcodes():
            if op == "equal":
                out.extend((" ", line) for line in self.before[a0:a1])
            else:
                out.extend(("-", line) for line in self.before[a0:a1])
                out.extend(("+", line) for line in self.after[b0:b1])
        return out


@dataclass(frozen=True, slots=True)
class SectionChanges:
    section_id: str
    title: str
    changes: tuple[FieldChange, ...]


def compare(
    template: PlanTemplate, before: Content, after: Content, other: PlanTemplate | None = None
) -> list[SectionChanges]:
    """What changed, section by section. ``other`` is the template of ``before`` if it differs.

    Fields are matched by id, so a version made with an older template still compares; a
    field only one template has shows as all-added or all-removed.
    """
    old_t = other or template
    old_fields = {f.id: f for f in old_t.fields()}
    result: list[SectionChanges] = []
    for s in template.sections:
        changes = []
        for f in s.fields:
            of = old_fields.get(f.id, f)
            b = value_lines(of, before.get(f.id)) if f.id in old_fields else []
            a = value_lines(f, after.get(f.id))
            if a != b:
                changes.append(FieldChange(f.id, f.label, f.audience, b, a))
        if changes:
            result.append(SectionChanges(s.id, s.title, tuple(changes)))
    new_ids = {f.id for f in template.fields()}
    gone = [f for f in old_t.fields() if f.id not in new_ids]
    removed = [
        FieldChange(f.id, f.label, f.audience, value_lines(f, before.get(f.id)), [])
        for f in gone
        if value_lines(f, before.get(f.id))
    ]
    if removed:
        result.append(
            SectionChanges("_removed", "Fields no longer in the template", tuple(removed))
        )
    return result


# --- pre-fill from the record ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PrefillResult:
    content: Content
    filled: tuple[str, ...]  # labels of fields that were empty and are now filled
    kept: tuple[str, ...]  # labels of fields where the record differs but typing was kept


def _record_text(kind: Prefill, resident: Resident) -> str:
    if kind is Prefill.SAFE_PHONES:
        lines = []
        for p in resident.phones:
            if p.safety is ContactSafety.SAFE and p.number.strip():
                label = f" ({p.label})" if p.label else ""
                times = f" - safe times: {p.safe_times}" if p.safe_times else ""
                lines.append(f"{p.number}{label}{times}")
        if resident.email.strip() and resident.email_safety is ContactSafety.SAFE:
            times = (
                f" - safe times: {resident.email_safe_times}" if resident.email_safe_times else ""
            )
            lines.append(f"{resident.email}{times}")
        return "\n".join(lines)
    if kind is Prefill.LANGUAGES:
        parts = []
        if resident.languages.strip():
            parts.append(f"Languages: {resident.languages.strip()}")
        if resident.interpreter_needed:
            lang = resident.interpreter_language.strip()
            parts.append(f"Interpreter needed{f' ({lang})' if lang else ''}")
        return "\n".join(parts)
    if kind is Prefill.ABUSERS:
        blocks = []
        for a in resident.abusers:
            lines = [a.name or "(name not known)"]
            for label, text in (
                ("Also known as", a.aliases),
                ("Relationship", a.relationship),
                ("Description", a.description),
                ("Vehicle", a.vehicle),
                ("Known areas", a.known_areas),
            ):
                if text.strip():
                    lines.append(f"{label}: {' '.join(text.split())}")
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)
    return ""


def _child_block(f: TemplateField, child: Child) -> dict[str, Any]:
    values: dict[str, str] = {}
    for c in f.child_fields:
        if c.prefill == "school" and child.school.strip():
            values[c.id] = child.school.strip()
        elif c.prefill == "may_collect" and child.may_collect.strip():
            values[c.id] = child.may_collect.strip()
    return {"child_id": child.id, "name": child.full_name, "values": values}


def prefill(template: PlanTemplate, content: Content, resident: Resident) -> PrefillResult:
    """Fill empty fields from the record. Anything already typed is never overwritten."""
    out = normalise(template, content)
    filled: list[str] = []
    kept: list[str] = []
    for f in template.fields():
        if f.prefill is None:
            continue
        if f.prefill is Prefill.CHILDREN:
            blocks: list[dict[str, Any]] = out[f.id]
            by_id = {b["child_id"]: b for b in blocks if b["child_id"] is not None}
            changed = False
            for child in resident.children:
                fresh = _child_block(f, child)
                block = by_id.get(child.id)
                if block is None:
                    blocks.append(fresh)
                    changed = True
                    continue
                for key, text in fresh["values"].items():
                    have = block["values"].get(key, "")
                    if not have.strip():
                        block["values"][key] = text
                        changed = True
                    elif have.strip() != text:
                        kept.append(f"{f.label} ({block['name']})")
            if changed:
                filled.append(f.label)
            continue
        if f.kind is FieldKind.CONTACTS:
            if out[f.id]:
                continue
            rows = [
                {
                    "name": "Me" if not p.label else p.label,
                    "relationship": "",
                    "number": p.number,
                    "safe_times": p.safe_times,
                    "knows": "",
                }
                for p in resident.phones
                if p.safety is ContactSafety.SAFE and p.number.strip()
            ]
            if rows:
                out[f.id] = rows
                filled.append(f.label)
            continue
        text = _record_text(f.prefill, resident)
        if not text:
            continue
        if not out[f.id].strip():
            out[f.id] = text
            filled.append(f.label)
        elif out[f.id].strip() != text.strip():
            kept.append(f.label)
    return PrefillResult(out, tuple(filled), tuple(kept))


# --- plans and versions ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanVersion:
    number: int
    template_id: int
    content: Content
    finalised_at: str
    finalised_by: str  # full name of the worker
    review_date: dt.date | None
    reviewer: str


@dataclass(frozen=True, slots=True)
class PlanReview:
    reviewed_at: str
    reviewed_by: str
    version_number: int
    outcome: str  # "no_change" or "new_version"
    next_review: dt.date | None
    note: str


@dataclass(frozen=True, slots=True)
class DueReview:
    plan_id: int
    resident_id: int
    reference: str
    resident_name: str
    review_date: dt.date
    reviewer: str
    key_worker: str

    def days_left(self, today: dt.date) -> int:
        return (self.review_date - today).days


def review_date_after(day: dt.date, weeks: int) -> dt.date:
    return day + dt.timedelta(weeks=weeks)
