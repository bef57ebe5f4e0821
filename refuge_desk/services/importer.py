"""Import residents from a spreadsheet (UTF-8 CSV with a header row). All or nothing.

Every value is cleaned as typed text is (domain/text.py); a name that mixes Latin with
look-alike Cyrillic or Greek letters is imported as written, with a warning for its line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from refuge_desk.domain import dates
from refuge_desk.domain.errors import UserError, ValidationError
from refuge_desk.domain.residents import (
    Abuser,
    Phone,
    Resident,
    Status,
    name_warnings,
    validate_resident,
)
from refuge_desk.domain.text import clean
from refuge_desk.services.session import Session
from refuge_desk.store import residents_repo, rooms_repo

COLUMNS = (
    "full_name",
    "preferred_name",
    "date_of_birth",
    "arrival_date",
    "room",
    "languages",
    "phone",
    "notes",
    "abuser_name",
)
MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000


@dataclass(frozen=True, slots=True)
class Imported:
    line: int
    reference: str
    warnings: tuple[str, ...] = ()  # plain sentences about this line's names, never its values


def read_csv(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) pairs, or ValidationError listing what is wrong with the file."""
    if len(data) > MAX_BYTES:
        raise UserError("The file is larger than 50 MB; split it into smaller files.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(
            "The file is not UTF-8 text. In Excel, use Save As → “CSV UTF-8 (comma delimited)”."
        ) from exc
    if not text.strip():
        raise UserError("The file is empty.")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise UserError("The header row of the file cannot be read as CSV.") from exc
    names = [clean(h).strip().lower() for h in header]
    problems: list[str] = []
    unknown = [h for h in names if h and h not in COLUMNS]
    if unknown:
        problems.append(
            f"Line 1: unknown column(s) {', '.join(unknown)}; the columns are {', '.join(COLUMNS)}."
        )
    if "full_name" not in names:
        problems.append("Line 1: the column full_name is required.")
    dupes = sorted({h for h in names if h and names.count(h) > 1})
    if dupes:
        problems.append(f"Line 1: column(s) {', '.join(dupes)} appear more than once.")
    if problems:
        raise ValidationError(problems)
    rows: list[tuple[int, dict[str, str]]] = []
    next_line = reader.line_num + 1
    while True:
        start = next_line
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ValidationError([f"Line {start}: this line is not valid CSV ({exc})."]) from exc
        next_line = reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(names):
            problems.append(f"Line {start}: {len(values)} values but only {len(names)} columns.")
            continue
        row = {names[i]: values[i] for i in range(len(values)) if names[i]}
        rows.append((start, row))
        if len(rows) > MAX_ROWS:
            raise UserError(f"The file has more than {MAX_ROWS:,} rows; split it.")
    if problems:
        raise ValidationError(problems)
    return rows


def _to_resident(
    session: Session, line: int, row: dict[str, str], rooms: dict[str, int]
) -> tuple[Resident | None, list[str]]:
    problems: list[str] = []

    def get(col: str) -> str:
        return clean(row.get(col, "")).strip()

    res = Resident(
        full_name=get("full_name"),
        preferred_name=get("preferred_name"),
        languages=get("languages"),
        notes=clean(row.get("notes", ""), multiline=True).strip(),
    )
    for col in ("date_of_birth", "arrival_date"):
        if get(col):
            try:
                setattr(res, col, dates.parse_day(get(col)))
            except ValueError:
                problems.append(
                    f"Line {line}: {col} “{get(col)}” is not a date (use {dates.FORMS})."
                )
    if get("room"):
        room_id = rooms.get(get("room").casefold())
        if room_id is None:
            problems.append(f"Line {line}: there is no room called “{get('room')}”.")
        res.room_id = room_id
    if get("phone"):
        # Unknown safety on import: treat as NOT safe until a worker checks with her.
        res.phones = [Phone(number=get("phone"))]
    if get("abuser_name"):
        res.abusers = [Abuser(name=get("abuser_name"))]
    if res.arrival_date and res.arrival_date <= session.today():
        res.status = Status.RESIDENT
    problems += [f"Line {line}: {p}" for p in validate_resident(res, session.today())]
    return (None if problems else res), problems


def import_residents(session: Session, data: bytes) -> list[Imported]:
    """Every row valid → all added in one transaction; otherwise nothing, every problem listed."""
    session.require(session.role.edits_residents, "import residents")
    rows = read_csv(data)
    if not rows:
        raise UserError("The file has a header row but no residents.")
    rooms = {
        r.room.name.casefold(): r.room.id
        for r in rooms_repo.occupancy(session.db)
        if r.room.id is not None
    }
    problems: list[str] = []
    ready: list[tuple[int, Resident]] = []
    for line, row in rows:
        res, errs = _to_resident(session, line, row, rooms)
        problems += errs
        if res is not None:
            ready.append((line, res))
    if problems:
        raise ValidationError(problems)
    out: list[Imported] = []
    now = session.stamp()
    with session.db.transaction():
        for line, res in ready:
            _, ref = residents_repo.insert(session.db, res, now, session.user.id)
            out.append(Imported(line, ref, tuple(name_warnings(res))))
        session.audit("residents.import", f"{len(out)} rows")
    return out


def import_file(session: Session, path: Path) -> list[Imported]:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise UserError(f"The file {path} does not exist.") from exc
    except OSError as exc:
        raise UserError(f"The file {path} cannot be read.") from exc
    return import_residents(session, data)
