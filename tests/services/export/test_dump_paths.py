"""The dump is built by SQLite's json_object when it can (fast) and by Python when a value is
a BLOB; both give the same rows back."""

from __future__ import annotations

import json

from refuge_desk.domain.residents import Child, Resident
from refuge_desk.services import residents
from refuge_desk.services.export.format import decode_row, encode_row, table_jsonl, table_rows
from refuge_desk.services.session import Session


def test_fast_path_matches_the_python_encoder(manager_session: Session) -> None:
    residents.save(
        manager_session,
        Resident(
            full_name='Zoë "Ż" O\'Neill\nسارة 王',
            notes="tab\there\u0000nul",
            nrpf=True,
            children=[Child(full_name="Kid")],
        ),
    )
    db = manager_session.db
    for table in ("residents", "children", "meta", "audit_log"):
        fast, count = table_jsonl(db, table)
        slow = b"".join(encode_row(r) for r in table_rows(db, table))
        assert count == len(slow.splitlines())
        assert [decode_row(x) for x in fast.splitlines()] == [
            decode_row(x) for x in slow.splitlines()
        ]


def test_a_blob_falls_back_to_base64(manager_session: Session) -> None:
    db = manager_session.db
    db.execute("CREATE TABLE extra_blobs (id INTEGER PRIMARY KEY, data BLOB)")
    db.execute("INSERT INTO extra_blobs (data) VALUES (x'00ff10')")
    buf, count = table_jsonl(db, "extra_blobs")
    assert count == 1
    assert json.loads(buf)["data"] == {"$base64": "AP8Q"}
    assert decode_row(bytes(buf).strip()) == {"id": 1, "data": b"\x00\xff\x10"}
