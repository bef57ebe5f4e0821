"""Safety-plan templates: the sections and fields a plan is made of, read from JSON.

The file format is documented in resources/templates/README.md. ``parse_template`` checks a
file completely and reports every problem as a plain sentence, so an organisation that edits
its own template in a text editor learns exactly what to fix.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import string
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from refuge_desk.domain.errors import ValidationError
from refuge_desk.domain.file_check import FileChecker

FORMAT = 1
MAX_TEMPLATE_BYTES = 2_000_000
MAX_KEEP_SAFE = 200  # printed in every page's footer
MAX_TITLE = 120
_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")


class FieldKind(StrEnum):
    TEXT = "text"  # guided free text, with prompts for the worker
    CHECKLIST = "checklist"  # items, each have / copy kept / needed / not applicable
    CONTACTS = "contacts"  # name, relationship, number, safe times, knows where she is
    CODE_WORDS = "code_words"  # code word or signal, what it means, agreed with
    CHILDREN = "children"  # one block per child of the household, with sub-fields
    DATE = "date"
    YES_NO = "yes_no"


class Audience(StrEnum):
    RESIDENT = "resident"  # printed on her copy
    STAFF = "staff"  # staff copy only

    @property
    def label(self) -> str:
        return "Resident copy" if self is Audience.RESIDENT else "Staff only"


class Prefill(StrEnum):
    """Where a field can be filled from the resident's record."""

    CHILDREN = "children"  # children blocks: name, school, who may collect
    SAFE_PHONES = "safe_phones"  # her numbers marked safe, with safe times
    LANGUAGES = "languages"  # languages and interpreter
    ABUSERS = "abusers"  # staff-only summary of the abuser(s)


PREFILL_KINDS: dict[Prefill, tuple[FieldKind, ...]] = {
    Prefill.CHILDREN: (FieldKind.CHILDREN,),
    Prefill.SAFE_PHONES: (FieldKind.TEXT, FieldKind.CONTACTS),
    Prefill.LANGUAGES: (FieldKind.TEXT,),
    Prefill.ABUSERS: (FieldKind.TEXT,),
}

# Child sub-fields that can come from the child's record.
CHILD_PREFILL = ("school", "may_collect")


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class ChildField:
    id: str
    label: str
    prompts: tuple[str, ...] = ()
    prefill: str = ""  # one of CHILD_PREFILL, or ""
    her_prompts: tuple[str, ...] = ()  # in her own voice, for her blank form


@dataclass(frozen=True, slots=True)
class TemplateField:
    id: str
    kind: FieldKind
    label: str
    audience: Audience
    prompts: tuple[str, ...] = ()
    items: tuple[ChecklistItem, ...] = ()
    child_fields: tuple[ChildField, ...] = ()
    prefill: Prefill | None = None
    # Prompts in the first person ("What worries me most?"), printed on the blank form she
    # fills in; ``prompts`` speak to the worker ("what is she most afraid of?").
    her_prompts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TemplateSection:
    id: str
    title: str
    fields: tuple[TemplateField, ...]

    @property
    def audience(self) -> Audience:
        """Staff only when every field is; such a section never reaches her copy."""
        if all(f.audience is Audience.STAFF for f in self.fields):
            return Audience.STAFF
        return Audience.RESIDENT


# Fixed words on printed copies that a template may translate.
FIXED_LABELS: dict[str, str] = {
    "page_of": "Page {page} of {pages}",
    "version": "Version {number}, agreed {date}",
    "draft": "DRAFT - not yet agreed",
    "blank": "To fill in by hand",
    "review_date": "Review date",
    "reviewer": "Reviewed with",
    "have": "Have",
    "copy": "Copy kept",
    "needed": "Needed",
    "not_applicable": "Not applicable",
    "name": "Name",
    "relationship": "Relationship",
    "number": "Number",
    "safe_times": "Safe times",
    "knows": "Knows where I am?",
    "code_word": "Code word or signal",
    "meaning": "What it means",
    "agreed_with": "Agreed with",
    "yes": "Yes",
    "no": "No",
    "not_known": "Not known",
    "child": "Child",
    "date": "{day} {month} {year}",
    "months": "January, February, March, April, May, June, July, August, September, "
    "October, November, December",
}


@dataclass(frozen=True, slots=True)
class Translation:
    language: str
    name: str = ""
    title: str = ""
    keep_safe: str = ""
    sections: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    items: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    # Her first-person prompts in this language, by field id (or "field.child_field").
    prompts: dict[str, tuple[str, ...]] = field(default_factory=dict)


def month_names(text: str) -> list[str]:
    """The twelve month names of a "months" label (comma-separated)."""
    return [m.strip() for m in text.split(",")]


@dataclass(frozen=True, slots=True)
class PlanTemplate:
    key: str
    version: int
    name: str
    language: str
    title: str
    keep_safe: str
    sections: tuple[TemplateSection, ...]
    translations: dict[str, Translation] = field(default_factory=dict)
    description: str = ""

    def fields(self) -> list[TemplateField]:
        return [f for s in self.sections for f in s.fields]

    def field(self, field_id: str) -> TemplateField:
        for f in self.fields():
            if f.id == field_id:
                return f
        raise KeyError(field_id)

    def section_of(self, field_id: str) -> TemplateSection:
        for s in self.sections:
            if any(f.id == field_id for f in s.fields):
                return s
        raise KeyError(field_id)

    @property
    def languages(self) -> list[str]:
        return [self.language, *sorted(k for k in self.translations if k != self.language)]

    def words(self, language: str | None = None) -> Words:
        return Words(self, self.translations.get(language or "") if language else None)


@dataclass(frozen=True, slots=True)
class Words:
    """Headings in one language, falling back to the template's own words."""

    template: PlanTemplate
    tr: Translation | None

    @property
    def language(self) -> str:
        return self.tr.language if self.tr else self.template.language

    @property
    def title(self) -> str:
        return (self.tr and self.tr.title) or self.template.title

    @property
    def keep_safe(self) -> str:
        return (self.tr and self.tr.keep_safe) or self.template.keep_safe

    def section(self, s: TemplateSection) -> str:
        return (self.tr and self.tr.sections.get(s.id)) or s.title

    def field(self, f: TemplateField) -> str:
        return (self.tr and self.tr.fields.get(f.id)) or f.label

    def child_field(self, f: TemplateField, c: ChildField) -> str:
        return (self.tr and self.tr.fields.get(f"{f.id}.{c.id}")) or c.label

    def item(self, f: TemplateField, item: ChecklistItem) -> str:
        return (self.tr and self.tr.items.get(f"{f.id}.{item.id}")) or item.label

    @property
    def own_language(self) -> bool:
        return self.tr is None or self.tr.language == self.template.language

    def her_prompts(self, f: TemplateField, c: ChildField | None = None) -> tuple[str, ...]:
        """Her first-person prompts in this language only: none rather than another's."""
        key = f"{f.id}.{c.id}" if c else f.id
        translated = self.tr.prompts.get(key, ()) if self.tr else ()
        if not self.own_language:
            return translated
        return translated or (c.her_prompts if c else f.her_prompts)

    def date(self, day: dt.date) -> str:
        """ "14 January 2027" in this language; 14/01/2027 where it has no month names."""
        months = ""
        if self.tr and "months" in self.tr.labels:
            months = self.tr.labels["months"]
        elif self.own_language:
            own = self.template.translations.get(self.template.language)
            if own and "months" in own.labels:
                months = own.labels["months"]
            elif self.language.split("-")[0] == "en":
                months = FIXED_LABELS["months"]
        if not months:
            return f"{day.day:02d}/{day.month:02d}/{day.year}"
        return self.label("date").format(
            day=day.day, month=month_names(months)[day.month - 1], year=day.year
        )

    def label(self, key: str) -> str:
        if self.tr and key in self.tr.labels:
            return self.tr.labels[key]
        own = self.template.translations.get(self.template.language)
        if own and key in own.labels:
            return own.labels[key]
        return FIXED_LABELS[key]


class TemplateError(ValidationError):
    """A template file that cannot be used; ``problems`` says what to fix."""


# --- parsing ---------------------------------------------------------------------------


# The keys each kind of object may have: anything else is a typo or a feature we do not
# have (e.g. a staff-only child field), and silently ignoring it could print what should not be.
_KEYS = {
    "template": {
        "format",
        "id",
        "version",
        "name",
        "language",
        "title",
        "keep_safe",
        "description",
        "sections",
        "translations",
    },
    "section": {"id", "title", "fields"},
    "field": {
        "id",
        "kind",
        "label",
        "audience",
        "prompts",
        "her_prompts",
        "items",
        "child_fields",
        "prefill",
    },
    "item": {"id", "label"},
    "child field": {"id", "label", "prompts", "her_prompts", "prefill"},
    "translation": {
        "name",
        "title",
        "keep_safe",
        "sections",
        "fields",
        "items",
        "labels",
        "prompts",
    },
}


class _Checker(FileChecker):
    def __init__(self) -> None:
        super().__init__(_KEYS, max_text=2000)

    def ident(self, obj: dict[str, Any], where: str, seen: set[str]) -> str:
        value = obj.get("id")
        if not isinstance(value, str) or not _ID.match(value):
            self.add(
                where,
                '"id" must be short lower-case letters, digits, "-" or "_" (e.g. "safe_contacts").',
            )
            return ""
        if value in seen:
            self.add(where, f'the id "{value}" is used twice.')
        seen.add(value)
        return value

    def prompts(self, obj: dict[str, Any], where: str, key: str = "prompts") -> tuple[str, ...]:
        raw = obj.get(key, [])
        if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
            self.add(where, f'"{key}" must be a list of text.')
            return ()
        return tuple(p.strip() for p in raw if p.strip())

    def string_map(self, obj: dict[str, Any], key: str, where: str) -> dict[str, str]:
        raw = obj.get(key, {})
        if not isinstance(raw, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
        ):
            self.add(where, f'"{key}" must map names to text.')
            return {}
        return {k: v.strip() for k, v in raw.items() if v.strip()}


def _describe(obj: dict[str, Any], what: str, index: int) -> str:
    label = obj.get("title") or obj.get("label") or obj.get("id")
    return f"{what} {index}" + (f' ("{label}")' if isinstance(label, str) and label else "")


def _parse_field(c: _Checker, raw: Any, where: str, seen: set[str]) -> TemplateField | None:
    if not isinstance(raw, dict):
        c.add(where, "must be an object with an id, kind, label and audience.")
        return None
    c.keys(raw, "field", where)
    fid = c.ident(raw, where, seen)
    label = c.text(raw, "label", where)
    kind_raw = raw.get("kind")
    try:
        kind = FieldKind(str(kind_raw))
    except ValueError:
        kinds = ", ".join(k.value for k in FieldKind)
        c.add(where, f'the kind "{kind_raw}" is not known. Kinds are: {kinds}.')
        return None
    audience_raw = raw.get("audience")
    try:
        audience = Audience(str(audience_raw))
    except ValueError:
        c.add(where, '"audience" must be "resident" (her copy) or "staff" (staff only).')
        return None
    prompts = c.prompts(raw, where)
    her_prompts = c.prompts(raw, where, "her_prompts")
    items: list[ChecklistItem] = []
    if kind is FieldKind.CHECKLIST:
        raw_items = raw.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            c.add(where, 'a checklist needs a list of "items".')
        else:
            item_ids: set[str] = set()
            for i, it in enumerate(raw_items, 1):
                iw = f"{where}, item {i}"
                if not isinstance(it, dict):
                    c.add(iw, 'must be an object with an "id" and a "label".')
                    continue
                c.keys(it, "item", iw)
                items.append(ChecklistItem(c.ident(it, iw, item_ids), c.text(it, "label", iw)))
    child_fields: list[ChildField] = []
    if kind is FieldKind.CHILDREN:
        raw_cf = raw.get("child_fields")
        if not isinstance(raw_cf, list) or not raw_cf:
            c.add(where, 'a children field needs a list of "child_fields".')
        else:
            cf_ids: set[str] = set()
            for i, cf in enumerate(raw_cf, 1):
                cw = f"{where}, child field {i}"
                if not isinstance(cf, dict):
                    c.add(cw, 'must be an object with an "id" and a "label".')
                    continue
                c.keys(cf, "child field", cw)
                child_prefill = cf.get("prefill", "")
                if child_prefill not in ("", *CHILD_PREFILL):
                    c.add(cw, f'"prefill" must be one of: {", ".join(CHILD_PREFILL)}.')
                    child_prefill = ""
                child_fields.append(
                    ChildField(
                        c.ident(cf, cw, cf_ids),
                        c.text(cf, "label", cw),
                        c.prompts(cf, cw),
                        str(child_prefill),
                        c.prompts(cf, cw, "her_prompts"),
                    )
                )
    prefill: Prefill | None = None
    if "prefill" in raw:
        try:
            prefill = Prefill(raw["prefill"])
        except ValueError:
            names = ", ".join(p.value for p in Prefill)
            c.add(where, f'"prefill" must be one of: {names}.')
        else:
            if kind not in PREFILL_KINDS[prefill]:
                c.add(where, f'"prefill": "{prefill}" does not fit a {kind.value} field.')
                prefill = None
            elif prefill is Prefill.ABUSERS and audience is not Audience.STAFF:
                c.add(where, 'the abuser\'s details can only fill a "staff" field.')
                prefill = None
    return TemplateField(
        fid, kind, label, audience, prompts, tuple(items), tuple(child_fields), prefill, her_prompts
    )


def _label_problem(key: str, text: str) -> str:
    """A fixed label must keep exactly its {placeholders} and nothing else in braces."""
    if key not in FIXED_LABELS:
        return ""
    if key == "months" and (len(month_names(text)) != 12 or not all(month_names(text))):
        return 'the label "months" must be the twelve month names, separated by commas.'
    needed = sorted(set(re.findall(r"\{(\w+)\}", FIXED_LABELS[key])))
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        parts = None
    names = sorted({p[1] for p in parts or [] if p[1] is not None})
    if parts is None or names != needed or any(p[2] or p[3] for p in parts or []):
        if needed:
            wanted = " and ".join("{" + n + "}" for n in needed)
            return f'the label "{key}" must contain {wanted} and no other {{ or }}.'
        return f'the label "{key}" cannot contain {{ or }}.'
    return ""


def _parse_translation(c: _Checker, lang: str, raw: Any) -> Translation | None:
    where = f'Translation "{lang}"'
    if not isinstance(raw, dict):
        c.add(where, "must be an object.")
        return None
    c.keys(raw, "translation", where)
    labels = c.string_map(raw, "labels", where)
    for key in labels:
        if key not in FIXED_LABELS:
            c.add(where, f'the label "{key}" is not one Refuge Desk prints.')
    for key, text in labels.items():
        problem = _label_problem(key, text)
        if problem:
            c.add(where, problem)
    keep_safe = c.text(raw, "keep_safe", where, required=False)
    if len(keep_safe) > MAX_KEEP_SAFE:
        c.add(where, f'"keep_safe" must be at most {MAX_KEEP_SAFE} characters.')
    prompts: dict[str, tuple[str, ...]] = {}
    raw_prompts = raw.get("prompts", {})
    if not isinstance(raw_prompts, dict):
        c.add(where, '"prompts" must map field ids to lists of text.')
        raw_prompts = {}
    for key, value in raw_prompts.items():
        lines = c.prompts({"prompts": value}, f'{where}, prompts for "{key}"')
        if lines:
            prompts[str(key)] = lines
    return Translation(
        language=lang,
        name=c.text(raw, "name", where, required=False),
        title=c.text(raw, "title", where, required=False),
        keep_safe=keep_safe,
        sections=c.string_map(raw, "sections", where),
        fields=c.string_map(raw, "fields", where),
        items=c.string_map(raw, "items", where),
        labels=labels,
        prompts=prompts,
    )


def parse_template(text: str | bytes) -> PlanTemplate:
    """Read and check a template file. Raises TemplateError listing every problem."""
    if isinstance(text, bytes):
        if len(text) > MAX_TEMPLATE_BYTES:
            raise TemplateError(["The template file is too large to be a template (over 2 MB)."])
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TemplateError(["The template file is not UTF-8 text."]) from None
    if len(text) > MAX_TEMPLATE_BYTES:
        raise TemplateError(["The template file is too large to be a template (over 2 MB)."])
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TemplateError(
            [f"The template is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."]
        ) from None
    except RecursionError:
        raise TemplateError(["The template is not valid JSON (nested too deeply)."]) from None
    if not isinstance(raw, dict):
        raise TemplateError(["The template must be a JSON object."])
    c = _Checker()
    c.keys(raw, "template", "Template")
    if raw.get("format") != FORMAT:
        c.add("", f'"format" must be {FORMAT} (this is the only template format there is).')
    key = c.ident(raw, "Template", set())
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= 1_000_000:
        c.add("Template", '"version" must be a whole number, 1 or more.')
        version = 1
    name = c.text(raw, "name", "Template")
    language = c.text(raw, "language", "Template")
    title = c.text(raw, "title", "Template")
    keep_safe = c.text(raw, "keep_safe", "Template")
    if len(keep_safe) > MAX_KEEP_SAFE:
        c.add("Template", f'"keep_safe" must be at most {MAX_KEEP_SAFE} characters.')
    if len(title) > MAX_TITLE:
        c.add("Template", f'"title" must be at most {MAX_TITLE} characters.')
    description = c.text(raw, "description", "Template", required=False)
    sections: list[TemplateSection] = []
    raw_sections = raw.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        c.add("Template", 'needs a list of "sections".')
        raw_sections = []
    section_ids: set[str] = set()
    field_ids: set[str] = set()
    for si, rs in enumerate(raw_sections, 1):
        if not isinstance(rs, dict):
            c.add(f"Section {si}", "must be an object with an id, title and fields.")
            continue
        where = _describe(rs, "Section", si)
        c.keys(rs, "section", where)
        sid = c.ident(rs, where, section_ids)
        stitle = c.text(rs, "title", where)
        raw_fields = rs.get("fields")
        if not isinstance(raw_fields, list) or not raw_fields:
            c.add(where, 'needs a list of "fields".')
            continue
        parsed: list[TemplateField] = []
        for fi, rf in enumerate(raw_fields, 1):
            fw = f"{where}, {_describe(rf, 'field', fi) if isinstance(rf, dict) else f'field {fi}'}"
            f = _parse_field(c, rf, fw, field_ids)
            if f is not None:
                parsed.append(f)
        sections.append(TemplateSection(sid, stitle, tuple(parsed)))
    translations: dict[str, Translation] = {}
    raw_tr = raw.get("translations", {})
    if not isinstance(raw_tr, dict):
        c.add("Template", '"translations" must map a language code to its words.')
        raw_tr = {}
    for lang, rt in raw_tr.items():
        if not re.match(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$", lang):
            c.add("Template", f'"{lang}" is not a language code such as "ar" or "pt-BR".')
            continue
        t = _parse_translation(c, lang, rt)
        if t is not None:
            translations[lang] = t
    if c.problems:
        raise TemplateError(c.problems)
    return PlanTemplate(
        key=key,
        version=version,
        name=name,
        language=language,
        title=title,
        keep_safe=keep_safe,
        sections=tuple(sections),
        translations=translations,
        description=description,
    )
