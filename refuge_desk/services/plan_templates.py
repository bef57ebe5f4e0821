"""Safety-plan templates: the bundled default and any an organisation imports.

Templates live inside the vault, keyed by (id, version), so a finalised plan always prints
with the exact words it was agreed in, even after the organisation changes its template.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from refuge_desk.domain.errors import UserError
from refuge_desk.domain.plan_template import PlanTemplate, TemplateError, parse_template
from refuge_desk.services.paths import resource_path
from refuge_desk.services.session import Session
from refuge_desk.store import plans_repo

DEFAULT_KEY = "uk-default"


@dataclass(frozen=True, slots=True)
class TemplateInfo:
    id: int
    key: str
    version: int
    name: str
    languages: tuple[str, ...]
    sections: int


@functools.lru_cache(maxsize=32)
def parse_cached(body: str) -> PlanTemplate:
    """Templates are immutable once stored, so parsing each body once is enough."""
    return parse_template(body)


def bundled_files() -> list[Path]:
    return sorted(resource_path("templates").glob("*.json"))


def ensure_bundled(session: Session) -> None:
    """Put the templates that ship with the app into the vault (once per version)."""
    db = session.db
    for path in bundled_files():
        body = path.read_text(encoding="utf-8")
        template = parse_cached(body)
        if plans_repo.template_by_key(db, template.key, template.version) is None:
            with db.transaction():
                plans_repo.add_template(
                    db, template.key, template.version, template.name, body, session.stamp(), None
                )


def _info(row: plans_repo.TemplateRow) -> TemplateInfo:
    t = parse_cached(row.body)
    return TemplateInfo(row.id, row.key, row.version, row.name, tuple(t.languages), len(t.sections))


def available(session: Session) -> list[TemplateInfo]:
    """The newest version of each template, the default first."""
    session.require(session.role.sees_case_detail, "work on safety plans")
    ensure_bundled(session)
    newest: dict[str, plans_repo.TemplateRow] = {}
    for row in plans_repo.templates(session.db):
        if row.key not in newest or row.version > newest[row.key].version:
            newest[row.key] = row
    rows = sorted(newest.values(), key=lambda r: (r.key != DEFAULT_KEY, r.name.casefold()))
    return [_info(r) for r in rows]


def default_id(session: Session) -> int:
    ensure_bundled(session)
    row = plans_repo.newest_template(session.db, DEFAULT_KEY)
    if row is None:  # the resources folder was damaged; say so plainly
        raise UserError("The default safety-plan template is missing from this installation.")
    return row.id


def load(session: Session, template_id: int) -> PlanTemplate:
    row = plans_repo.template(session.db, template_id)
    if row is None:
        raise UserError("The template this plan was made with is missing from the vault.")
    return parse_cached(row.body)


def newest_id(session: Session, template_id: int) -> int:
    """The newest stored version of the same template (a new draft starts from it)."""
    row = plans_repo.template(session.db, template_id)
    if row is None:
        return default_id(session)
    newest = plans_repo.newest_template(session.db, row.key)
    return newest.id if newest else row.id


def newest_of(session: Session, template: PlanTemplate) -> PlanTemplate:
    """The newest stored version of ``template`` (a blank form is printed with it)."""
    ensure_bundled(session)
    row = plans_repo.newest_template(session.db, template.key)
    return parse_cached(row.body) if row is not None else template


def import_template(session: Session, data: bytes) -> TemplateInfo:
    """Check and store an organisation's own template. Changes nothing if it is broken."""
    session.require(session.role.manages_settings, "add safety-plan templates")
    template = parse_template(data)  # TemplateError lists every problem
    body = data.decode("utf-8-sig")
    db = session.db
    ensure_bundled(session)
    existing = plans_repo.template_by_key(db, template.key, template.version)
    if existing is not None:
        if parse_cached(existing.body) == template:
            raise UserError(
                f'"{template.name}" version {template.version} is already in the vault.'
            )
        raise TemplateError(
            [
                f'A different template with id "{template.key}" and version '
                f'{template.version} is already in the vault. Raise "version" in the file '
                "to add your changed copy; plans keep the version they were agreed with."
            ]
        )
    with db.transaction():
        new_id = plans_repo.add_template(
            db,
            template.key,
            template.version,
            template.name,
            body,
            session.stamp(),
            session.user.id,
        )
        session.audit("template.import", f"{template.key} v{template.version}")
    row = plans_repo.template(db, new_id)
    assert row is not None
    return _info(row)
