"""A seeded vault with a backup key, and helpers to read and rewrite backups in tests."""

from __future__ import annotations

import gzip
import io
import random
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyrage
import pytest
from pyrage import x25519

from refuge_desk.services import demo, drafts
from refuge_desk.services.demo.plans import seed_plans
from refuge_desk.services.export import keys
from refuge_desk.services.session import Session
from refuge_desk.store.db import Database


@dataclass
class Seeded:
    session: Session
    identity: str
    recipient: str
    dest: Path  # an empty backup folder


@pytest.fixture
def seeded(manager_session: Session, tmp_path: Path) -> Iterator[Seeded]:
    """Fictional residents (notes, children, phones, abusers), plans with versions and
    reviews, a parked draft, and a backup key pair whose public half is in the vault."""
    session = manager_session
    demo.seed(session, 24, notes_per_resident=2, seed_value=3)
    seed_plans(session, random.Random(4), count=6)
    drafts.park(session, "resident", None, {"full_name": "Draft only"})
    identity = keys.generate_for(session)
    dest = tmp_path / "usb"
    dest.mkdir()
    yield Seeded(session, identity, keys.recipient(session), dest)


def snapshot(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Every row of every ordinary table, read with plain SQL (not the export code)."""
    tables = [
        str(r[0])
        for r in db.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'"
        )
    ]
    virtual = [
        str(r[0])
        for r in db.query("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")
    ]
    out: dict[str, list[dict[str, Any]]] = {}
    for t in tables:
        if any(t.startswith(v + "_") for v in virtual):
            continue  # FTS shadow tables: rebuilt, not copied
        rows = db.query(f'SELECT * FROM "{t}"')
        keyed = [dict(zip(r.keys(), tuple(r), strict=True)) for r in rows]
        out[t] = sorted(keyed, key=lambda r: (r.get("id") or 0, repr(r)))
    return out


def unpack(data: bytes, identity: str) -> dict[str, bytes]:
    plain = pyrage.decrypt(data, [x25519.Identity.from_str(identity)])
    with tarfile.open(fileobj=io.BytesIO(plain), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar}  # type: ignore[union-attr]


def repack(members: dict[str, bytes], recipient: str) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return pyrage.encrypt(gzip.compress(raw.getvalue()), [x25519.Recipient.from_str(recipient)])


def rewrite(
    path: Path, identity: str, recipient: str, change: Callable[[dict[str, bytes]], None]
) -> None:
    """Decrypt, change the members, re-encrypt to the same public key (anyone holding it can)."""
    members = unpack(path.read_bytes(), identity)
    change(members)
    path.write_bytes(repack(members, recipient))
