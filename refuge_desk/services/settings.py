"""Vault-wide settings (inside the encrypted vault)."""

from __future__ import annotations

from dataclasses import dataclass

from refuge_desk.domain.errors import ValidationError
from refuge_desk.services.session import Session
from refuge_desk.store import meta_repo

AUTO_LOCK_DEFAULT = 5
AUTO_LOCK_RANGE = (1, 30)


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
        meta_repo.put(session.db, "auto_lock_minutes", str(minutes))
        session.audit("settings.auto_lock", str(minutes))
