"""Subject access request: everything about her and her children, restricted parts decided
by a manager and the decision recorded."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from refuge_desk.domain.errors import PermissionDenied, ValidationError
from refuge_desk.domain.residents import Abuser, Child, Resident
from refuge_desk.services import plans, residents, sar
from refuge_desk.services.session import Session
from refuge_desk.store import audit_repo
from tests.conftest import WORKER, FakeClock, sign_in_as


@pytest.fixture
def resident_id(manager_session: Session) -> int:
    res = residents.save(
        manager_session,
        Resident(
            full_name="Zeynep Yılmaz",
            immigration_status="Spouse visa, expires 2027",
            nrpf=True,
            abusers=[Abuser(name="Murat Yılmaz", vehicle="Black van")],
            children=[Child(full_name="Elif Yılmaz", school="Oak Primary")],
        ),
    )
    assert res.id is not None
    state = plans.start_draft(manager_session, res.id)
    assert state.draft is not None
    content = dict(state.draft.content, worries="Okulda beni bulur.", risk_notes="STAFFNOTE")
    rev = plans.save_draft(manager_session, res.id, content, state.draft.revision)
    plans.finalise(manager_session, res.id, rev)
    residents.get(manager_session, res.id)  # a view, recorded
    return res.id


def test_everything_is_there_when_nothing_is_withheld(
    manager_session: Session, resident_id: int, tmp_path: Path
) -> None:
    out = tmp_path / "sar.json"
    sar.export(manager_session, resident_id, out)
    data = json.loads(out.read_text("utf-8"))
    assert data["resident"]["full_name"] == "Zeynep Yılmaz"
    assert data["resident"]["immigration_status"] == "Spouse visa, expires 2027"
    assert data["resident"]["abusers"][0]["vehicle"] == "Black van"
    assert data["children"][0]["school"] == "Oak Primary"
    texts = [f["text"] for f in data["safety_plan"]["versions"][0]["fields"]]
    assert "Okulda beni bulur." in texts and "STAFFNOTE" in texts
    actions = [h["action"] for h in data["record_history"]]
    assert (
        "resident.create" in actions and "resident.view" in actions and "plan.finalise" in actions
    )
    assert data["withheld"] == []
    ref = data["resident"]["reference"]
    assert ("sar.export", f"{ref} json withheld:none") in [
        (a, r) for _at, _who, a, r in audit_repo.recent(manager_session.db, 5)
    ]


def test_withheld_parts_are_marked_and_the_decision_recorded(
    manager_session: Session, resident_id: int, tmp_path: Path
) -> None:
    out = tmp_path / "sar.pdf"
    result = sar.export(manager_session, resident_id, out, {"abusers", "staff_plan"})
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert "Zeynep Yılmaz" in text and "Okulda beni bulur." in text
    assert "Black van" not in text and "STAFFNOTE" not in text
    assert "Spouse visa" in text  # not withheld
    assert "Information withheld" in text
    assert result.withheld == ("abusers", "staff_plan")
    ref = result.data["resident"]["reference"]
    assert ("sar.export", f"{ref} pdf withheld:abusers,staff_plan") in [
        (a, r) for _at, _who, a, r in audit_repo.recent(manager_session.db, 5)
    ]
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert reader.metadata.title == "Records" and not reader.metadata.author


def test_only_a_manager_and_only_known_parts(
    manager_session: Session, resident_id: int, vault_dir: Path, clock: FakeClock, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match="Unknown part to withhold: diary"):
        sar.collect(manager_session, resident_id, {"diary"})
    with pytest.raises(ValidationError, match=r"\.pdf or \.json"):
        sar.export(manager_session, resident_id, tmp_path / "sar.txt")
    worker = sign_in_as(vault_dir, WORKER, clock)
    try:
        with pytest.raises(PermissionDenied):
            sar.collect(worker, resident_id)
    finally:
        worker.close()
    assert not list(tmp_path.glob("sar*"))


def test_case_work_is_in_the_sar_and_each_restricted_note_can_be_withheld(
    manager_session, tmp_path
):
    from refuge_desk.domain.residents import Resident, Status
    from refuge_desk.services import notes, residents

    her = residents.save(
        manager_session,
        Resident(
            full_name="Nadia Rahman", status=Status.RESIDENT, arrival_date=manager_session.today()
        ),
    )
    assert her.id is not None
    notes.add(manager_session, her.id, "Open key-work note about housing forms.")
    secret = notes.add(
        manager_session,
        her.id,
        "Restricted: police intelligence shared in confidence.",
        restricted=True,
    )
    items = sar.restricted_items(manager_session, her.id)
    key = f"note:{secret.id}"
    assert key in items and "police intelligence" in items[key] and "marac" in items
    full = sar.collect(manager_session, her.id)
    bodies = [n["body"] for n in full.data["case_work"]["case_notes"]]
    assert any("police intelligence" in b for b in bodies) and len(bodies) == 2
    held = sar.export(manager_session, her.id, tmp_path / "sar.json", {key})
    text = (tmp_path / "sar.json").read_text(encoding="utf-8")
    assert "police intelligence" not in text and "housing forms" in text
    assert held.withheld == (key,)
    pdf = sar.to_pdf(held)
    from io import BytesIO

    from pypdf import PdfReader

    words = " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    assert "housing forms" in words and "police intelligence" not in words
    assert "Case notes" in words
    # the decision is recorded, by reference and item only
    from refuge_desk.store import audit_repo

    trail = [a for _, _, a, r in audit_repo.for_reference(manager_session.db, her.reference)]
    assert "sar.export" in trail
