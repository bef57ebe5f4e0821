from __future__ import annotations

import pytest

from refuge_desk.services import auth
from refuge_desk.services.session import Session
from refuge_desk.store.db import DatabaseError


def test_lock_closes_and_zeroes_even_when_the_audit_write_fails(manager_session, monkeypatch):
    def disk_full(*_args: object) -> None:
        raise DatabaseError("database or disk is full")

    monkeypatch.setattr(Session, "audit", disk_full)
    key = manager_session.data_key
    auth.lock(manager_session)
    assert not manager_session.is_open
    assert bytes(key) == bytes(len(key))
    with pytest.raises(Exception, match="locked"):
        manager_session.db  # noqa: B018 - touching the locked vault says so plainly
