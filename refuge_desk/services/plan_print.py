"""What each printed copy of a safety plan may show, decided in one place.

- staff copy: everything, staff-only fields marked, her full name and the refuge;
- resident copy: resident fields only, abusers' names blanked out, no refuge address;
- discreet copy: as the resident copy, under a neutral title, with her first name or initials
  only, and no refuge name or address, surname, abuser's name or version line — for paper
  that may be found;
- blank form: the template with her household filled in, to complete by hand in a session.

The result is a PrintDocument; services/pdf/render.py lays it out in memory.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from refuge_desk.domain import plans as plan_domain
from refuge_desk.domain.errors import NotFound, ValidationError
from refuge_desk.domain.plan_template import (
    Audience,
    ChildField,
    FieldKind,
    PlanTemplate,
    TemplateField,
    TemplateSection,
    Words,
)
from refuge_desk.domain.plans import Content
from refuge_desk.domain.redaction import Redactor, name_tokens
from refuge_desk.domain.residents import Resident, initials
from refuge_desk.services import plan_templates, plans, settings
from refuge_desk.services.files import save_file
from refuge_desk.services.pdf.document import (
    Block,
    ChecklistBlock,
    ChecklistRow,
    PageSetup,
    Paper,
    PrintDocument,
    Section,
    TableBlock,
    TextBlock,
)
from refuge_desk.services.session import Session
from refuge_desk.store import residents_repo

DEFAULT_DISCREET_TITLE = "My notes"
MAX_TITLE = 60
WRITE_LINES = 5
BLANK_TABLE_ROWS = 4
CHECK_COLUMNS = ("have", "copy", "needed", "not_applicable")
LATEST: Literal["latest"] = "latest"


class Variant(StrEnum):
    STAFF = "staff"
    RESIDENT = "resident"
    DISCREET = "discreet"
    BLANK = "blank"

    @property
    def label(self) -> str:
        return {
            Variant.STAFF: "Staff copy (everything)",
            Variant.RESIDENT: "Her copy (resident fields only)",
            Variant.DISCREET: "Discreet copy (safe if found)",
            Variant.BLANK: "Blank form to fill in by hand",
        }[self]


class NameOnCopy(StrEnum):
    FIRST = "first"
    INITIALS = "initials"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class PrintOptions:
    variant: Variant = Variant.RESIDENT
    paper: Paper = Paper.A4
    large_print: bool = False
    language: str = ""  # "" = the template's own language
    discreet_title: str = DEFAULT_DISCREET_TITLE
    discreet_name: NameOnCopy = NameOnCopy.FIRST

    @property
    def setup(self) -> PageSetup:
        return PageSetup(self.paper, self.large_print)


@dataclass(frozen=True, slots=True)
class Prepared:
    document: PrintDocument
    what: str  # "v3", "draft" or "blank": for the audit entry
    notes: tuple[str, ...] = field(default=())  # plain sentences for the worker


@dataclass(frozen=True, slots=True)
class PlanPdf:
    data: bytes
    what: str
    notes: tuple[str, ...]


Which = int | Literal["draft", "latest"] | None


def _date_text(value: dt.date | str | None, words: Words) -> str:
    """Dates read as words in the copy's language: "14 January 2027", never 2027-01-14."""
    if not value:
        return ""
    return words.date(value if isinstance(value, dt.date) else dt.date.fromisoformat(value))


def _stamp_date(stamp: str) -> dt.date:
    moment = dt.datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone().date()


def _given_name(full_name: str) -> str:
    """The given name: after the comma in "HASSAN, Amina", else the first word."""
    if "," in full_name:
        after = full_name.split(",", 1)[1].split()
        return after[0] if after else ""
    parts = full_name.split()
    return parts[0] if len(parts) > 1 else ""  # one word (e.g. 王秀英): cannot tell


def _first_name(resident: Resident) -> str:
    if resident.preferred_name.strip():
        return resident.preferred_name.strip()
    return _given_name(resident.full_name)


def _one_line(text: str) -> str:
    return ", ".join(p.strip() for p in re.split(r"[\n,]+", text) if p.strip())


@dataclass(slots=True)
class _Builder:
    template: PlanTemplate
    words: Words
    content: Content
    variant: Variant
    resident: Resident
    redact: Redactor
    first_names_only: bool
    blank: bool  # no answers: headings, prompts and room to write
    redacted_in: list[str] = field(default_factory=list)

    @property
    def staff(self) -> bool:
        return self.variant is Variant.STAFF

    def text(self, label: str, value: str) -> str:
        if self.staff:
            return value
        out = self.redact(value)
        if out != value and label not in self.redacted_in:
            self.redacted_in.append(label)
        return out

    def field_blocks(self, f: TemplateField, value: Any) -> list[Block]:
        w = self.words
        label = w.field(f)
        staff_only = f.audience is Audience.STAFF
        empty = plan_domain.is_empty(f, value)
        if empty and not self.blank:
            return []
        if f.kind in (FieldKind.TEXT, FieldKind.DATE, FieldKind.YES_NO):
            if self.blank:
                lines = WRITE_LINES if f.kind is FieldKind.TEXT else 1
                prompts = self.prompts(f) if f.kind is FieldKind.TEXT else ()
                if f.kind is FieldKind.YES_NO:
                    return [self.yes_no_boxes(label, staff_only)]
                return [TextBlock(label, "", prompts, staff_only, lines)]
            if f.kind is FieldKind.DATE:
                shown = _date_text(value, w)
            elif f.kind is FieldKind.YES_NO:
                shown = w.label(value)
            else:
                shown = self.text(label, value)
            return [TextBlock(label, shown, (), staff_only)]
        if f.kind is FieldKind.CHECKLIST:
            columns = tuple(w.label(c) for c in CHECK_COLUMNS)
            ticks = tuple(
                ChecklistRow(
                    w.item(f, item),
                    None
                    if self.blank or item.id not in value
                    else CHECK_COLUMNS.index(value[item.id]),
                )
                for item in f.items
            )
            return [ChecklistBlock(label, columns, ticks, staff_only)]
        if f.kind is FieldKind.CONTACTS:
            columns = tuple(
                w.label(c) for c in ("name", "relationship", "number", "safe_times", "knows")
            )
            rows: tuple[tuple[str, ...], ...] = tuple(
                (
                    self.text(label, r["name"]),
                    self.text(label, r["relationship"]),
                    self.text(label, r["number"]),
                    self.text(label, r["safe_times"]),
                    w.label(r["knows"]) if r["knows"] else "",
                )
                for r in ([] if self.blank else value)
            )
            return [
                TableBlock(label, columns, rows, staff_only, BLANK_TABLE_ROWS if self.blank else 0)
            ]
        if f.kind is FieldKind.CODE_WORDS:
            columns = tuple(w.label(c) for c in ("code_word", "meaning", "agreed_with"))
            words: tuple[tuple[str, ...], ...] = tuple(
                tuple(self.text(label, r[c]) for c in plan_domain.CODE_WORD_COLUMNS)
                for r in ([] if self.blank else value)
            )
            return [
                TableBlock(label, columns, words, staff_only, BLANK_TABLE_ROWS if self.blank else 0)
            ]
        raise AssertionError(f.kind)

    def prompts(self, f: TemplateField, c: ChildField | None = None) -> tuple[str, ...]:
        """A blank form's hints: the worker's on the staff copy, else hers, in one language."""
        if self.staff:
            return c.prompts if c else f.prompts
        return self.words.her_prompts(f, c)

    def yes_no_boxes(self, label: str, staff_only: bool) -> ChecklistBlock:
        w = self.words
        return ChecklistBlock(
            label, (w.label("yes"), w.label("no")), (ChecklistRow("", None),), staff_only
        )

    def child_name(self, name: str) -> str:
        if self.first_names_only:
            parts = name.split()
            name = parts[0] if parts else ""
        return self.text(self.words.label("child"), name)

    def children_sections(self, s: TemplateSection, f: TemplateField, value: Any) -> list[Section]:
        w = self.words
        staff_only = f.audience is Audience.STAFF
        blocks_out: list[Section] = []
        for block in value:
            texts: list[Block] = []
            for c in f.child_fields:
                if self.first_names_only and c.prefill == "school":
                    continue  # the school's name says where the children are
                text = block["values"].get(c.id, "")
                sub_label = w.child_field(f, c)
                if self.blank:
                    texts.append(TextBlock(sub_label, "", self.prompts(f, c), staff_only, 2))
                elif text.strip():
                    texts.append(TextBlock(sub_label, self.text(sub_label, text), (), staff_only))
            if texts:
                title = w.section(s) if not blocks_out else ""
                blocks_out.append(
                    Section(title, tuple(texts), staff_only, self.child_name(block["name"]))
                )
        return blocks_out

    def sections(self) -> list[Section]:
        out: list[Section] = []
        for s in self.template.sections:
            fields = [f for f in s.fields if self.staff or f.audience is Audience.RESIDENT]
            blocks: list[Block] = []
            child_sections: list[Section] = []
            for f in fields:
                value = self.content.get(f.id, plan_domain.empty_value(f))
                if f.kind is FieldKind.CHILDREN:
                    child_sections.extend(self.children_sections(s, f, value))
                else:
                    blocks.extend(self.field_blocks(f, value))
            staff_only = all(f.audience is Audience.STAFF for f in fields) if fields else False
            if blocks:
                out.append(Section(self.words.section(s), tuple(blocks), staff_only))
                for cs in child_sections:
                    out.append(Section("", cs.blocks, cs.staff_only, cs.subheading))
            else:
                out.extend(child_sections)
        return out


# Words too general to blank out of her text just because the refuge's name or address has them.
GENERIC_PLACE_WORDS = frozenset(
    """
    street st road rd lane ln avenue ave close way drive dr court ct house flat flats place
    square crescent terrace gardens garden park hill grove row walk mews green view yard the
    and of for in at on by women women's womens woman aid refuge refuges trust centre center
    project service services support domestic abuse violence charity home homes north south
    east west upper lower new old great little saint
    """.split()  # noqa: SIM905
)


@functools.lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Everyday English words (zxcvbn's lists): matched as names only when capitalised."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["english_wikipedia"][:20000]) | frozenset(
        FREQUENCY_LISTS["us_tv_and_film"][:20000]
    )


def _place_terms(text: str) -> set[str]:
    """A name or address: each line and comma part whole, and each distinctive word."""
    terms: set[str] = set()
    for part in re.split(r"[\n,]+", text):
        part = part.strip()
        if len(part) >= 3:
            terms.add(part)
        for word in re.split(r"\s+", part):
            word = word.strip('.()[]"')
            if len(word) >= 3 and word.casefold().replace("’", "'") not in GENERIC_PLACE_WORDS:
                terms.add(word)
    # A postcode ("LS1 4AB") is two words: keep it whole as well.
    for postcode in re.findall(r"\b[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}\b", text):
        terms.add(postcode)
    return terms


def _own_name_terms(resident: Resident) -> set[str]:
    """Her surnames and previous names, and her children's surnames (first names stay)."""
    own = name_tokens(resident.full_name)
    for line in resident.aliases.splitlines():
        own |= name_tokens(line)
    given = _given_name(resident.full_name)
    keep = {given.casefold()} if given else set()
    for child in resident.children:
        parts = child.full_name.split()
        own |= name_tokens(" ".join(parts[1:]))
        keep |= {p.casefold() for p in parts[:1]}
    return {t for t in own if t.casefold() not in keep}


def _redactor(resident: Resident, variant: Variant, org: settings.OrgInfo) -> Redactor:
    if variant is Variant.STAFF:
        return Redactor.of(())
    phrases: set[str] = set()
    for a in resident.abusers:
        for text in (a.name, *a.aliases.splitlines()):
            if text.strip():
                phrases.add(text.strip())
                phrases |= name_tokens(text)
    if variant is not Variant.DISCREET:
        # Her copy keeps her own and her children's names, even where the abuser shares a
        # surname: "Karim Hassan" and "Karim" go, "Yusuf Hassan" stays.
        own = name_tokens(resident.full_name) | name_tokens(resident.preferred_name)
        for child in resident.children:
            own |= name_tokens(child.full_name)
        folded = {t.casefold() for t in own}
        phrases = {p for p in phrases if p.casefold() not in folded}
    if variant is Variant.DISCREET:
        phrases |= _own_name_terms(resident)
        for text in (org.refuge_name, org.org_name, org.refuge_address):
            phrases |= _place_terms(text)
    return Redactor.of(phrases, common_words())


def _header(
    resident: Resident, options: PrintOptions, org: settings.OrgInfo, words: Words
) -> tuple[str, ...]:
    name = _first_name(resident)
    if options.variant is Variant.STAFF:
        lines = [f"{resident.full_name} ({resident.reference})"]
        place = ", ".join(p for p in (org.refuge_name, _one_line(org.refuge_address)) if p)
        if place:
            lines.append(place)
        lines.append("Staff copy: includes staff-only information. Never give it to her.")
        return tuple(lines)
    if options.variant is Variant.DISCREET:
        if options.discreet_name is NameOnCopy.FIRST:
            return (name,) if name else ()
        if options.discreet_name is NameOnCopy.INITIALS:
            return (initials(resident.full_name),)
        return ()
    lines = [resident.full_name if options.variant is Variant.BLANK else name]
    if org.refuge_name:
        lines.append(org.refuge_name)
    return tuple(line for line in lines if line)


def _check_options(options: PrintOptions, template: PlanTemplate) -> list[str]:
    problems = []
    title = options.discreet_title.strip()
    if options.variant is Variant.DISCREET and not title:
        problems.append('Give the discreet copy a title, such as "My notes".')
    if len(title) > MAX_TITLE:
        problems.append(f"The title must be at most {MAX_TITLE} characters.")
    if options.language and options.language not in template.languages:
        problems.append("This template has no words in the chosen language.")
    return problems


def prepare(session: Session, resident_id: int, options: PrintOptions, which: Which) -> Prepared:
    """Choose what this copy shows. ``which``: a version number, plans.DRAFT, LATEST (the
    latest version, else the draft, else a blank form) or None (a blank form)."""
    session.require(session.role.sees_case_detail, "print safety plans")
    resident = residents_repo.get(session.db, resident_id)
    if resident is None:
        raise NotFound("That resident's record no longer exists.")
    state = plans.get(session, resident_id)
    if which == LATEST:
        which = state.latest_version or (plans.DRAFT if state.draft else None)
    variant = options.variant
    review_date: dt.date | None = state.review_date
    reviewer = state.reviewer
    version_line = ""
    watermark = ""
    blank = which is None or variant is Variant.BLANK
    if blank:
        if state.draft is not None:
            template = state.draft.template
        elif state.latest_version:
            template = plans.version(session, resident_id, state.latest_version)[0]
        else:
            template = plan_templates.load(session, plan_templates.default_id(session))
        template = plan_templates.newest_of(session, template)  # nothing on it was agreed
        content = plan_domain.normalise(template, {})
        for f in template.fields():
            if f.kind is FieldKind.CHILDREN:
                content[f.id] = [
                    {"child_id": c.id, "name": c.full_name, "values": {}} for c in resident.children
                ]
        what = "blank"
    elif which == plans.DRAFT:
        if state.draft is None:
            raise NotFound("There is no open draft to print.")
        template, content = state.draft.template, state.draft.content
        what = "draft"
    else:
        assert which is not None
        template, version = plans.version(session, resident_id, int(which))
        content = version.content
        review_date, reviewer = version.review_date, version.reviewer
        what = f"v{version.number}"
    problems = _check_options(options, template)
    if problems:
        raise ValidationError(problems)
    words = template.words(options.language or None)
    if blank:
        version_line = words.label("blank")
    elif what == "draft":
        watermark = words.label("draft")
    else:
        _, version = plans.version(session, resident_id, int(which))  # type: ignore[arg-type]
        version_line = words.label("version").format(
            number=version.number,
            date=_date_text(_stamp_date(version.finalised_at), words),
        )
    org = settings.org_info(session)
    builder = _Builder(
        template,
        words,
        content,
        variant,
        resident,
        _redactor(resident, variant, org),
        variant is Variant.DISCREET,
        blank,
    )
    sections = builder.sections()
    # Review date and reviewer go under the name on page 1 (not as a last, near-empty page).
    review_line = ""
    blank_field = "_" * 18
    if blank:
        review_line = (
            f"{words.label('review_date')}: {blank_field}   "
            f"{words.label('reviewer')}: {blank_field}"
        )
    elif what != "draft" and review_date is not None:
        review_line = f"{words.label('review_date')}: {_date_text(review_date, words)}"
        if reviewer and variant is not Variant.DISCREET:
            review_line += f" · {words.label('reviewer')}: {reviewer}"
    discreet = variant is Variant.DISCREET
    title = options.discreet_title.strip() if discreet else words.title
    notes = [
        f"Words that could identify her or the abuser are left blank (____) in: {label}."
        for label in builder.redacted_in
    ]
    if discreet and options.discreet_name is NameOnCopy.FIRST:
        shown = _first_name(resident)
        if not shown or builder.redact(shown) != shown:
            options = replace(options, discreet_name=NameOnCopy.NONE)
            notes.append(
                "Her first name could not be told apart from her surname, so the discreet "
                "copy shows no name. Set her preferred name on her record to show one."
            )
    missing = _unprintable(sections, title)
    if missing:
        notes.append(
            "These characters have no font here and would print as empty boxes: "
            + " ".join(missing[:12])
        )
    document = PrintDocument(
        title=title,
        header_lines=_header(resident, options, org, words)
        + ((review_line,) if review_line else ()),
        sections=tuple(sections),
        keep_safe=words.keep_safe,
        version_line="" if discreet else version_line,
        page_label=words.label("page_of"),
        watermark=watermark,
        language=words.language,
        metadata_title=title,
    )
    return Prepared(document, what, tuple(notes))


LANGUAGE_CODES = {
    "english": "en", "arabic": "ar", "polish": "pl", "urdu": "ur", "bengali": "bn",
    "bangla": "bn", "sylheti": "bn", "punjabi": "pa", "farsi": "fa", "persian": "fa",
    "dari": "fa", "pashto": "ps", "somali": "so", "tigrinya": "ti", "amharic": "am",
    "romanian": "ro", "russian": "ru", "ukrainian": "uk", "tamil": "ta", "hindi": "hi",
    "gujarati": "gu", "turkish": "tr", "kurdish": "ku", "french": "fr", "spanish": "es",
    "portuguese": "pt", "chinese": "zh", "mandarin": "zh", "cantonese": "zh",
    "vietnamese": "vi", "lithuanian": "lt", "albanian": "sq", "hebrew": "he",
}  # fmt: skip


def language_for(template: PlanTemplate, languages: str) -> str:
    """Headings in her first language the template has words for ("" = its own language)."""
    for raw in re.split(r"[,;/\n]+", languages):
        name = raw.strip().split("(")[0].strip().casefold()
        if not name:
            continue
        code = LANGUAGE_CODES.get(name, name if name in template.languages else "")
        if not code:
            code = next(
                (c for c, t in template.translations.items() if t.name.casefold() == name), ""
            )
        if code == template.language:
            return ""
        if code in template.translations:
            return code
    return ""


def resident_languages(session: Session, resident_id: int) -> str:
    resident = residents_repo.get(session.db, resident_id)
    return resident.languages if resident else ""


def template_for(session: Session, resident_id: int, which: Which) -> PlanTemplate:
    """The template a copy of ``which`` is printed with (for its language choices)."""
    state = plans.get(session, resident_id)
    if which == LATEST:
        which = state.latest_version or (plans.DRAFT if state.draft else None)
    if which == plans.DRAFT and state.draft is not None:
        return state.draft.template
    if isinstance(which, int):
        return plans.version(session, resident_id, which)[0]
    if state.draft is not None:
        return state.draft.template
    if state.latest_version:
        return plans.version(session, resident_id, state.latest_version)[0]
    return plan_templates.load(session, plan_templates.default_id(session))


def _unprintable(sections: list[Section], title: str) -> list[str]:
    # The fonts (and reportlab) load on first print, not at start-up.
    from refuge_desk.services.pdf.fonts import printable

    texts = [title]
    for s in sections:
        texts += [s.title, s.subheading]
        for b in s.blocks:
            texts.append(b.label)
            if isinstance(b, TextBlock):
                texts.append(b.text)
            elif isinstance(b, TableBlock):
                texts += [c for row in b.rows for c in row]
    missing: list[str] = []
    for ch in "".join(texts):
        if ch not in missing and not printable(ch):
            missing.append(ch)
    return missing


def make_pdf(
    session: Session, resident_id: int, options: PrintOptions, which: Which = LATEST
) -> PlanPdf:
    """The PDF bytes, in memory. Nothing is written to disk and nothing is audited yet:
    call ``record_output`` when she actually prints or saves it."""
    # reportlab and the fonts load on first print, not at start-up.
    from refuge_desk.services.pdf.render import render_pdf

    prepared = prepare(session, resident_id, options, which)
    return PlanPdf(render_pdf(prepared.document, options.setup), prepared.what, prepared.notes)


def save_pdf(
    session: Session, resident_id: int, pdf: PlanPdf, variant: Variant, path: Path
) -> None:
    """The one place a plan PDF reaches the disk: where she chose, written atomically, and
    recorded. The file is NOT encrypted; the caller has warned her."""
    save_file(path, pdf.data)
    record_output(session, resident_id, pdf.what, variant, "save")


def reference_of(session: Session, resident_id: int) -> str:
    view = residents_repo.rota(session.db, resident_id)
    return view.reference if view else f"id-{resident_id}"


def record_output(
    session: Session, resident_id: int, what: str, variant: Variant, action: str
) -> None:
    """Audit one print or save: who, when (the entry), which version and which copy."""
    assert action in ("print", "save")
    reference = reference_of(session, resident_id)
    with session.db.transaction():
        session.audit(f"plan.{action}", f"{reference} {what} {variant.value}")
