"""Vault-wide settings (inside the encrypted vault)."""

from __future__ import annotations

from dataclasses import dataclass

from refuge_desk.domain.errors import ValidationError
from refuge_desk.services import history
from refuge_desk.services.session import Session
from refuge_desk.store import meta_repo

AUTO_LOCK_DEFAULT = 5
AUTO_LOCK_RANGE = (1, 30)
# How often each current resident's risk checklist is due again (the risk page's "due" list,
# the home page and the automatic tasks all read it here).
RISK_REVIEW_WEEKS_KEY = "risk_review_weeks"
RISK_REVIEW_WEEKS_DEFAULT = 6
RISK_REVIEW_WEEKS_RANGE = (1, 26)


@dataclass(frozen=True, slots=True)
class OrgInfo:
    org_name: str
    refuge_name: str
    refuge_address: str
    vault_id: str


def org_info(session: Session) -> OrgInfo:
    db = session.db
    return OrgInfo(
        meta_repo.get(db, "org_name"),
        meta_repo.get(db, "refuge_name"),
        meta_repo.get(db, "refuge_address"),
        meta_repo.get(db, "vault_id"),
    )


def auto_lock_minutes(session: Session) -> int:
    raw = meta_repo.get(session.db, "auto_lock_minutes", str(AUTO_LOCK_DEFAULT))
    try:
        value = int(raw)
    except ValueError:
        return AUTO_LOCK_DEFAULT
    lo, hi = AUTO_LOCK_RANGE
    return min(hi, max(lo, value))


def set_auto_lock_minutes(session: Session, minutes: int) -> None:
    session.require(session.role.manages_settings, "change settings")
    lo, hi = AUTO_LOCK_RANGE
    if not lo <= minutes <= hi:
        raise ValidationError([f"Auto-lock must be between {lo} and {hi} minutes."])
    with session.db.transaction():
        history.put_setting(session, "auto_lock_minutes", str(minutes))
        session.audit("settings.auto_lock", str(minutes))


def risk_review_weeks(session: Session) -> int:
    """The setting, kept in its range; the default until a manager sets one (or if what is
    stored is not a number)."""
    raw = meta_repo.get(session.db, RISK_REVIEW_WEEKS_KEY)
    try:
        weeks = int(raw) if raw else RISK_REVIEW_WEEKS_DEFAULT
    except ValueError:
        return RISK_REVIEW_WEEKS_DEFAULT
    lo, hi = RISK_REVIEW_WEEKS_RANGE
    return min(hi, max(lo, weeks))


def set_risk_review_weeks(session: Session, weeks: int) -> None:
    session.require(session.role.manages_settings, "change settings")
    lo, hi = RISK_REVIEW_WEEKS_RANGE
    if not lo <= weeks <= hi:
        raise ValidationError([f"Risk reviews must be between {lo} and {hi} weeks apart."])
    with session.db.transaction():
        history.put_setting(session, RISK_REVIEW_WEEKS_KEY, str(weeks))
        session.audit("settings.risk_review_weeks", str(weeks))


# -- what the laptop may give away (issue 6) ---------------------------------------------------
CLIPBOARD_SECONDS_DEFAULT = 30
CLIPBOARD_SECONDS_RANGE = (10, 300)


@dataclass(frozen=True, slots=True)
class Protections:
    allow_screen_capture: bool = False  # only for a training session
    clipboard_clear_seconds: int = CLIPBOARD_SECONDS_DEFAULT
    lock_on_minimise: bool = True


def protections(session: Session) -> Protections:
    db = session.db
    try:
        seconds = int(meta_repo.get(db, "clipboard_clear_seconds", str(CLIPBOARD_SECONDS_DEFAULT)))
    except ValueError:
        seconds = CLIPBOARD_SECONDS_DEFAULT
    lo, hi = CLIPBOARD_SECONDS_RANGE
    return Protections(
        meta_repo.get(db, "allow_screen_capture", "0") == "1",
        min(hi, max(lo, seconds)),
        meta_repo.get(db, "lock_on_minimise", "1") == "1",
    )


def set_protections(session: Session, value: Protections) -> None:
    session.require(session.role.manages_settings, "change settings")
    lo, hi = CLIPBOARD_SECONDS_RANGE
    if not lo <= value.clipboard_clear_seconds <= hi:
        raise ValidationError([f"The clipboard is cleared after {lo} to {hi} seconds."])
    with session.db.transaction():
        put = history.put_setting
        put(session, "allow_screen_capture", "1" if value.allow_screen_capture else "0")
        put(session, "clipboard_clear_seconds", str(value.clipboard_clear_seconds))
        put(session, "lock_on_minimise", "1" if value.lock_on_minimise else "0")
        session.audit(
            "settings.protections",
            f"capture:{int(value.allow_screen_capture)} clipboard:{value.clipboard_clear_seconds} "
            f"minimise:{int(value.lock_on_minimise)}",
        )
