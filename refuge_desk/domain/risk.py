"""Risk: the checklist, its score and level, professional judgement, incidents and MARAC.

Pure rules, no database. The checklist file format is described in
resources/checklists/README.md; ``parse_checklist`` reports every problem as a plain sentence.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from refuge_desk.domain.errors import ValidationError
from refuge_desk.domain.file_check import FileChecker
from refuge_desk.domain.text import MULTILINE, multiline_text

FORMAT = 1
MAX_CHECKLIST_BYTES = 500_000
MAX_QUESTIONS = 100
MAX_COMMENT = 2000
MAX_TEXT = 4000
DEFAULT_MEDIUM = 10
DEFAULT_HIGH = 14
ESCALATION_INCIDENTS = 3
_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")

# The factors a question may cover (DOMAIN.md), with words for people.
FACTORS: dict[str, str] = {
    "current_injuries": "Current injuries",
    "fear": "Fear",
    "isolation": "Isolation",
    "depression_suicidal": "Depression or suicidal thoughts",
    "separation": "Recent separation",
    "child_contact": "Conflict over child contact",
    "stalking": "Stalking and constant contact",
    "pregnancy": "Pregnancy or new baby",
    "children_not_his": "Children not the abuser's",
    "hurt_children": "Abuser hurt the children",
    "threats_children": "Threats to hurt or kill the children",
    "frequency": "Abuse getting more frequent",
    "severity": "Abuse getting worse",
    "coercive_control": "Coercive control and jealousy",
    "weapons": "Weapons or objects used",
    "threats_to_kill": "Threats to kill",
    "strangulation": "Strangulation, choking, suffocation or drowning",
    "sexual_abuse": "Sexual abuse",
    "honour": "Other people threatening her (\u201chonour\u201d)",
    "hurt_others": "Abuser has hurt others",
    "hurt_pets": "Abuser hurt pets",
    "financial": "Financial problems",
    "abuser_problems": "Abuser's drug, alcohol or mental-health problems",
    "abuser_suicide": "Abuser's suicide threats",
    "breaches": "Breaches of bail or orders",
    "history_violence": "Abuser's history of violence",
    "other": "Other",
}


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    NOT_KNOWN = "not_known"

    @property
    def label(self) -> str:
        return {"yes": "Yes", "no": "No", "not_known": "Not known"}[self.value]


class Level(StrEnum):
    STANDARD = "standard"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return ("standard", "medium", "high").index(self.value)

    @property
    def label(self) -> str:
        return {"standard": "Standard", "medium": "Medium", "high": "High"}[self.value]

    @property
    def words(self) -> str:
        return f"{self.label} risk"


@dataclass(frozen=True, slots=True)
class Thresholds:
    medium: int = DEFAULT_MEDIUM
    high: int = DEFAULT_HIGH

    def problems(self) -> list[str]:
        if not 1 <= self.medium < self.high <= 200:
            return [
                "The medium threshold must be at least 1 and lower than the high threshold "
                "(at most 200)."
            ]
        return []


def score(answers: dict[str, AnswerEntry]) -> int:
    """The score is the number of "yes" answers."""
    return sum(1 for a in answers.values() if a.answer is Answer.YES)


def level_for(points: int, thresholds: Thresholds) -> Level:
    if points >= thresholds.high:
        return Level.HIGH
    if points >= thresholds.medium:
        return Level.MEDIUM
    return Level.STANDARD


def judgement_problems(scored: Level, chosen: Level, reason: str) -> list[str]:
    """Professional judgement may raise the level (with a reason) and never lower it."""
    if chosen.rank < scored.rank:
        return [
            f"Professional judgement can raise the risk level but never lower it: the answers "
            f"make this {scored.words.lower()}, so it cannot be recorded as "
            f"{chosen.words.lower()}."
        ]
    if chosen.rank > scored.rank and not reason.strip():
        return [f"Say why you raised the level to {chosen.words.lower()} (the reason is kept)."]
    return []


# --- the checklist -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    text: str
    factor: str
    help: str = ""


@dataclass(frozen=True, slots=True)
class Checklist:
    key: str
    version: int
    name: str
    questions: tuple[Question, ...]
    thresholds: Thresholds = Thresholds()
    description: str = ""

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


class ChecklistError(ValidationError):
    """A checklist file that cannot be used; ``problems`` says what to fix."""


_KEYS = {
    "checklist": {"format", "key", "version", "name", "description", "thresholds", "questions"},
    "question": {"id", "text", "factor", "help"},
    "thresholds": {"medium", "high"},
}


class _Checker(FileChecker):
    def __init__(self) -> None:
        super().__init__(_KEYS, max_text=1000)

    def ident(self, value: Any, where: str, key: str, example: str) -> str:
        if not isinstance(value, str) or not _ID.match(value):
            self.add(
                where,
                f'"{key}" must be short lower-case letters, digits, "-" or "_" (e.g. "{example}").',
            )
            return ""
        return value

    def whole(self, value: Any, where: str, key: str, lo: int, hi: int) -> int | None:
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            self.add(where, f'"{key}" must be a whole number from {lo} to {hi:,}.')
            return None
        return value


def _decode(data: str | bytes) -> Any:
    if isinstance(data, bytes):
        if len(data) > MAX_CHECKLIST_BYTES:
            raise ChecklistError(["The file is too large to be a risk checklist (over 500 KB)."])
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ChecklistError(["The checklist file is not UTF-8 text."]) from None
    if len(data) > MAX_CHECKLIST_BYTES:
        raise ChecklistError(["The file is too large to be a risk checklist (over 500 KB)."])
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise ChecklistError(
            [f"The checklist is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."]
        ) from None
    except RecursionError:
        raise ChecklistError(["The checklist is not valid JSON (nested too deeply)."]) from None


def _question(c: _Checker, raw: Any, index: int, seen: set[str]) -> Question | None:
    where = f"Question {index}"
    if not isinstance(raw, dict):
        c.add(where, 'must be an object with an "id", "text" and "factor".')
        return None
    c.keys(raw, "question", where)
    qid = c.ident(raw.get("id"), where, "id", "threats_to_kill")
    if qid and qid in seen:
        c.add(where, f'the id "{qid}" is used twice.')
    seen.add(qid)
    text = c.text(raw, "text", where)
    factor = raw.get("factor")
    if not isinstance(factor, str) or factor not in FACTORS:
        c.add(
            where,
            f'the factor "{factor}" is not known. Use one of the factors listed in the '
            'README (for example "fear" or "strangulation"), or "other".',
        )
        factor = "other"
    return Question(qid, text, str(factor), c.text(raw, "help", where, required=False))


def parse_checklist(data: str | bytes) -> Checklist:
    """Read and check a checklist file. Raises ChecklistError listing every problem."""
    raw = _decode(data)
    if not isinstance(raw, dict):
        raise ChecklistError(["The checklist must be a JSON object."])
    c = _Checker()
    c.keys(raw, "checklist", "Checklist")
    if raw.get("format") != FORMAT:
        c.add("", f'"format" must be {FORMAT} (this is the only checklist format there is).')
    key = c.ident(raw.get("key"), "Checklist", "key", "our-checklist")
    version = c.whole(raw.get("version"), "Checklist", "version", 1, 1_000_000) or 1
    name = c.text(raw, "name", "Checklist")
    description = c.text(raw, "description", "Checklist", required=False)
    questions: list[Question] = []
    raw_questions = raw.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        c.add("Checklist", 'needs a list of "questions".')
        raw_questions = []
    elif len(raw_questions) > MAX_QUESTIONS:
        c.add("Checklist", f"has more than {MAX_QUESTIONS} questions.")
        raw_questions = []
    seen: set[str] = set()
    for i, rq in enumerate(raw_questions, 1):
        q = _question(c, rq, i, seen)
        if q is not None:
            questions.append(q)
    thresholds = Thresholds()
    raw_t = raw.get("thresholds", {"medium": DEFAULT_MEDIUM, "high": DEFAULT_HIGH})
    if not isinstance(raw_t, dict):
        c.add("Checklist", '"thresholds" must be an object with "medium" and "high".')
    else:
        c.keys(raw_t, "thresholds", "Thresholds")
        medium = c.whole(raw_t.get("medium"), "Thresholds", "medium", 1, 200)
        high = c.whole(raw_t.get("high"), "Thresholds", "high", 1, 200)
        if medium is not None and high is not None:
            thresholds = Thresholds(medium, high)
            for problem in thresholds.problems():
                c.add("Thresholds", problem)
            if questions and high > len(questions):
                c.add(
                    "Thresholds",
                    f'"high" is {high} but there are only {len(questions)} questions, '
                    "so no one could ever score as high risk.",
                )
    if c.problems:
        raise ChecklistError(c.problems)
    return Checklist(key, version, name, tuple(questions), thresholds, description)


# --- assessments -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnswerEntry:
    answer: Answer
    comment: str = ""


@dataclass(frozen=True, slots=True)
class AssessmentInput:
    """What the checklist dialog sends. ``level`` is the level after professional judgement."""

    checklist_id: int
    assessed_on: dt.date
    asked_by_id: int | None
    answers: dict[str, AnswerEntry]
    level: Level
    raised_reason: str = ""
    interpreter: bool = False
    interpreter_note: str = ""


@dataclass(frozen=True, slots=True)
class Assessment:
    id: int
    resident_id: int
    checklist_id: int
    assessed_on: dt.date
    asked_by_id: int | None
    asked_by: str
    interpreter: bool
    interpreter_note: str
    answers: dict[str, AnswerEntry]
    score: int
    scored_level: Level
    level: Level
    raised_reason: str
    thresholds: Thresholds
    created_at: str

    @property
    def raised(self) -> bool:
        return self.level.rank > self.scored_level.rank


def dump_answers(answers: dict[str, AnswerEntry]) -> str:
    return json.dumps(
        {k: [v.answer.value, v.comment] for k, v in answers.items()},
        ensure_ascii=False,
        sort_keys=True,
    )


def load_answers(text: str) -> dict[str, AnswerEntry]:
    try:
        raw = json.loads(text) if text else {}
    except json.JSONDecodeError:
        return {}
    out: dict[str, AnswerEntry] = {}
    for k, v in raw.items() if isinstance(raw, dict) else ():
        try:
            out[str(k)] = AnswerEntry(Answer(v[0]), str(v[1]) if len(v) > 1 else "")
        except (ValueError, TypeError, IndexError, KeyError):
            continue
    return out


def assessment_problems(checklist: Checklist, data: AssessmentInput, today: dt.date) -> list[str]:
    problems: list[str] = []
    if data.assessed_on > today:
        problems.append("The date of the checklist cannot be in the future.")
    if data.assessed_on.year < 1990:
        problems.append("The date of the checklist is too far in the past.")
    known = {q.id for q in checklist.questions}
    unknown = sorted(set(data.answers) - known)
    if unknown:
        problems.append(f"These answers are not questions of this checklist: {', '.join(unknown)}.")
    missing = [i for i, q in enumerate(checklist.questions, 1) if q.id not in data.answers]
    if missing:
        shown = ", ".join(str(i) for i in missing[:10]) + ("…" if len(missing) > 10 else "")
        problems.append(
            f"Answer every question (yes, no or not known). Not answered: question {shown}."
            if len(missing) == 1
            else f"Answer every question (yes, no or not known). Not answered: questions {shown}."
        )
    if any(len(a.comment) > MAX_COMMENT for a in data.answers.values()):
        problems.append(f"A comment is longer than {MAX_COMMENT:,} characters.")
    if data.interpreter and not data.interpreter_note.strip():
        problems.append("Say which language (and who interpreted) when an interpreter was used.")
    if len(data.interpreter_note) > 200 or len(data.raised_reason) > MAX_TEXT:
        problems.append("The interpreter note or the reason is too long.")
    return problems


# --- incidents ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IncidentInput:
    occurred_on: dt.date
    what_happened: str = field(metadata=MULTILINE)
    reported_to_police: bool = False
    police_reference: str = ""
    reported_by: str = ""


@dataclass(frozen=True, slots=True)
class Incident:
    id: int
    resident_id: int
    occurred_on: dt.date
    what_happened: str
    reported_to_police: bool
    police_reference: str
    reported_by: str
    created_at: str
    created_by: str


def incident_problems(data: IncidentInput, today: dt.date) -> list[str]:
    problems: list[str] = []
    if data.occurred_on > today:
        problems.append("The date of the incident cannot be in the future.")
    if not data.what_happened.strip():
        problems.append("Say briefly what happened.")
    if len(data.what_happened) > MAX_TEXT:
        problems.append(f"What happened is longer than {MAX_TEXT:,} characters.")
    if len(data.police_reference) > 100 or len(data.reported_by) > 200:
        problems.append("The police reference or who reported it is too long.")
    if data.police_reference.strip() and not data.reported_to_police:
        problems.append(
            "There is a police reference but \u201creported to police\u201d is not ticked."
        )
    return problems


# --- MARAC -------------------------------------------------------------------------------


class Criterion(StrEnum):
    VISIBLE_HIGH_RISK = "visible_high_risk"
    PROFESSIONAL_JUDGEMENT = "professional_judgement"
    ESCALATION = "escalation"
    REPEAT = "repeat"

    @property
    def short(self) -> str:
        return {
            "visible_high_risk": "High score",
            "professional_judgement": "Judgement",
            "escalation": "Escalation",
            "repeat": "Repeat",
        }[self.value]

    @property
    def words(self) -> str:
        return {
            "visible_high_risk": "Visible high risk: the checklist score is at the high threshold",
            "professional_judgement": "Professional judgement: the level was raised to high",
            "escalation": f"Escalation: {ESCALATION_INCIDENTS} or more incidents in the last "
            "12 months",
            "repeat": "Repeat: an incident within 12 months of the last MARAC referral",
        }[self.value]


def months_before(day: dt.date, months: int) -> dt.date:
    return months_after(day, -months)


def months_after(day: dt.date, months: int) -> dt.date:
    """Calendar months later (29 Feb + 12 months = 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True, slots=True)
class MaracFlags:
    """Which referral criteria apply today, and which of them no referral has answered yet."""

    met: tuple[Criterion, ...]
    open: tuple[Criterion, ...]
    last_referral: dt.date | None = None

    @property
    def short_labels(self) -> tuple[str, ...]:
        return tuple(c.short for c in self.open)


NO_FLAGS = MaracFlags((), ())


def marac_flags(
    latest: Assessment | None,
    incident_dates: list[dt.date],
    referral_dates: list[dt.date],
    today: dt.date,
) -> MaracFlags:
    """The four MARAC criteria for one resident.

    (1) visible high risk: the latest score reached the high threshold used for it;
    (2) professional judgement: the latest level was raised to high by judgement;
    (3) escalation: 3 or more incidents from the same day 12 months ago up to today;
    (4) repeat: an incident after the last referral and no later than 12 months after it.
    A criterion is "open" while no referral has been made since the event behind it.
    """
    incidents = sorted(d for d in incident_dates if d <= today)
    referrals = sorted(d for d in referral_dates if d <= today)
    last_ref = referrals[-1] if referrals else None
    met: list[Criterion] = []
    since: dict[Criterion, dt.date] = {}
    if latest is not None:
        if latest.score >= latest.thresholds.high:
            met.append(Criterion.VISIBLE_HIGH_RISK)
            since[Criterion.VISIBLE_HIGH_RISK] = latest.assessed_on
        elif latest.level is Level.HIGH:
            met.append(Criterion.PROFESSIONAL_JUDGEMENT)
            since[Criterion.PROFESSIONAL_JUDGEMENT] = latest.assessed_on
    year_ago = months_before(today, 12)
    recent = [d for d in incidents if d >= year_ago]
    if len(recent) >= ESCALATION_INCIDENTS:
        met.append(Criterion.ESCALATION)
        since[Criterion.ESCALATION] = recent[-1]
    if last_ref is not None:
        window_end = months_after(last_ref, 12)
        repeats = [d for d in incidents if last_ref < d <= window_end]
        if repeats:
            met.append(Criterion.REPEAT)
            since[Criterion.REPEAT] = repeats[-1]
    # A referral on or after the event answers it; a repeat is by definition after the last one.
    opened = tuple(c for c in met if last_ref is None or last_ref < since[c])
    return MaracFlags(tuple(met), opened, last_ref)


def parse_criteria(text: str) -> tuple[Criterion, ...]:
    out: list[Criterion] = []
    for part in text.split(","):
        try:
            out.append(Criterion(part.strip()))
        except ValueError:
            continue
    return tuple(out)


@dataclass(frozen=True, slots=True)
class ReferralInput:
    referred_on: dt.date
    agency: str
    criteria: tuple[Criterion, ...] = ()
    meeting_on: dt.date | None = None
    outcome: str = multiline_text()
    consent: bool = False
    lawful_basis: str = multiline_text()
    decided_by: str = ""


@dataclass(frozen=True, slots=True)
class Referral:
    id: int
    resident_id: int
    referred_on: dt.date
    agency: str
    criteria: tuple[Criterion, ...]
    meeting_on: dt.date | None
    outcome: str
    consent: bool
    lawful_basis: str
    decided_by: str
    updated_at: str
    updated_by: str


def referral_problems(data: ReferralInput, today: dt.date) -> list[str]:
    problems: list[str] = []
    if data.referred_on > today:
        problems.append("The referral date cannot be in the future.")
    if not data.agency.strip():
        problems.append("Say which MARAC or agency the referral went to.")
    if data.meeting_on is not None and data.meeting_on < data.referred_on:
        problems.append("The meeting date cannot be before the referral date.")
    if not data.consent and not data.lawful_basis.strip():
        problems.append("Record her consent to share, or the lawful basis for sharing without it.")
    if not data.decided_by.strip():
        problems.append("Say who decided to make the referral.")
    if any(len(t) > MAX_TEXT for t in (data.outcome, data.lawful_basis)) or any(
        len(t) > 200 for t in (data.agency, data.decided_by)
    ):
        problems.append("One of the texts is too long.")
    return problems


# --- reviews -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewDue:
    due_on: dt.date
    reason: str  # "first" (never assessed), "scheduled" or "incident"

    def is_due(self, today: dt.date) -> bool:
        return self.due_on <= today

    @property
    def words(self) -> str:
        return {
            "first": "no risk checklist yet",
            "scheduled": "regular review",
            "incident": "an incident since the last checklist",
        }[self.reason]


def review_due(
    assessed_on: dt.date | None,
    incident_after: dt.date | None,
    weeks: int,
    start: dt.date,
) -> ReviewDue:
    """When the next checklist is due: ``weeks`` after the last, at once after an incident.

    ``incident_after`` is the first incident later than the latest checklist; ``start`` is
    when a first checklist became due (arrival) for someone never assessed.
    """
    if assessed_on is None:
        return ReviewDue(start, "first")
    scheduled = assessed_on + dt.timedelta(weeks=weeks)
    if incident_after is not None and incident_after <= scheduled:
        return ReviewDue(incident_after, "incident")
    return ReviewDue(scheduled, "scheduled")


@dataclass(frozen=True, slots=True)
class RiskSummary:
    """One resident's risk at a glance (residents list, record header, home screen)."""

    resident_id: int
    level: Level | None
    score: int | None
    assessed_on: dt.date | None
    flags: tuple[str, ...] = ()  # short labels of the open MARAC criteria
    review: ReviewDue | None = None
    review_due: bool = False
    raised: bool = False

    @property
    def label(self) -> str:
        if self.level is None:
            return "Not assessed"
        return f"{self.level.label} ({self.score})"


@dataclass(frozen=True, slots=True)
class ChecklistInfo:
    id: int
    key: str
    version: int
    name: str
    questions: int


@dataclass(frozen=True, slots=True)
class Point:
    """One checklist on the chart."""

    assessed_on: dt.date
    score: int
    level: Level
    raised: bool
