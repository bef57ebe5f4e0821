"""The whole workflow, with sentinel words in six scripts, leaves no plaintext behind.

Builds on tests/test_leaks.py (same scan: UTF-8, UTF-16-LE and UTF-16-BE, whole names and
their words) and goes further: case notes, risk comments and a safety plan; a plan PDF made
and printed; a backup; a subject access request saved as PDF and JSON; the redacted log and
a crash report given an exception that names her; then lock. Scanned: the vault folder, the
backup folder, the private temp folder (and anything new in the system one), HOME and the
XDG folders (settings, data, cache, state) and the log folder. The SAR files are excluded, since she
chose to save them in the clear, but the scan must find the sentinels there (a control).
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from refuge_desk.diagnostics import crash_report, logging_setup
from refuge_desk.domain import risk as rd
from refuge_desk.domain.residents import Abuser, Child, Phone, Resident, Status
from refuge_desk.services import auth, notes, plan_print, plans, residents, risk, sar
from refuge_desk.services.export import backup, keys
from refuge_desk.services.session import Session
from tests.conftest import MANAGER, FakeClock, sign_in_as
from tests.test_leaks import TempWatch, _files_under, _hits

WOMAN = "Ğülşen Żaneta Ñúñez-Ørsted"  # Latin with accents
HEBREW_ALIAS = "שושנה מזרחי"
CHILD = "सुनीता शर्मा"  # Devanagari
ABUSER = "Всеволод Ёлкин"  # Cyrillic
NOTE = "سلمى تحدثت عن القرشي"  # Arabic
RISK_COMMENT = "司徒晓燕说他有刀"  # CJK
PLAN_WORDS = "Γιαγιά Ξανθίππη στο Ηράκλειο"  # Greek, for good measure
LOGGED = "Ōkami Ħelwa Łucja"

SENTINELS = [WOMAN, HEBREW_ALIAS, CHILD, ABUSER, NOTE, RISK_COMMENT, PLAN_WORDS, LOGGED]


def _needles() -> list[str]:
    words = {w for s in SENTINELS for w in s.replace("-", " ").split() if len(w) >= 4}
    return sorted({*SENTINELS, *words})


@pytest.fixture
def private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Path]]:
    """Temp, home, settings and log folders of our own, and the log configured into them."""
    places = {n: tmp_path / n for n in ("tmp", "home", "logs")}
    for p in places.values():
        p.mkdir()
    monkeypatch.setenv("TMPDIR", str(places["tmp"]))
    monkeypatch.setenv("SQLITE_TMPDIR", str(places["tmp"]))
    monkeypatch.setattr(tempfile, "tempdir", str(places["tmp"]))
    monkeypatch.setenv("HOME", str(places["home"]))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(places["home"] / var.lower()))
    monkeypatch.setenv("REFUGE_DESK_LOG_DIR", str(places["logs"]))
    log = logging.getLogger(logging_setup.LOGGER_NAME)
    kept = (list(log.handlers), log.level, log.propagate)
    log_file = logging_setup.configure()
    assert log_file is not None and log_file.parent == places["logs"]
    yield places
    for h in list(log.handlers):
        log.removeHandler(h)
        h.close()
    for h in kept[0]:
        log.addHandler(h)
    log.setLevel(kept[1])
    log.propagate = kept[2]


def _her(session: Session) -> int:
    saved = residents.save(
        session,
        Resident(
            full_name=WOMAN,
            preferred_name=WOMAN.split()[0],
            aliases=HEBREW_ALIAS,
            status=Status.RESIDENT,
            arrival_date=dt.date(2026, 11, 1),
            phones=[Phone("07700 900 555")],
            abusers=[Abuser(name=ABUSER, known_areas=PLAN_WORDS)],
            notes=f"She prefers {HEBREW_ALIAS}.",
            children=[Child(full_name=CHILD, school=f"School of {CHILD}")],
        ),
    )
    assert saved.id is not None
    return saved.id


def _risk(session: Session, rid: int) -> None:
    c = risk.checklist(session, risk.default_checklist_id(session))
    answers = {q.id: rd.AnswerEntry(rd.Answer.NO) for q in c.questions}
    answers[c.questions[0].id] = rd.AnswerEntry(rd.Answer.YES, RISK_COMMENT)
    level = rd.level_for(rd.score(answers), risk.thresholds(session))
    risk.add_assessment(
        session,
        rid,
        rd.AssessmentInput(
            risk.default_checklist_id(session), session.today(), session.user.id, answers, level
        ),
    )


def _plan(session: Session, rid: int) -> None:
    state = plans.start_draft(session, rid)
    assert state.draft is not None
    content = dict(state.draft.content)
    content["worries"] = f"{ABUSER} may come to {PLAN_WORDS}."
    content["code_words"] = [{"word": NOTE, "meaning": "Call 999 now", "who": CHILD}]
    revision = plans.save_draft(session, rid, content, state.draft.revision)
    plans.finalise(session, rid, revision)


def test_no_sentinel_anywhere_but_the_files_she_saved(
    fault_template: Path, tmp_path: Path, private: dict[str, Path]
) -> None:
    watch = TempWatch(private["tmp"])
    clock = FakeClock()
    vault_dir = tmp_path / "vault"
    shutil.copytree(fault_template, vault_dir)
    session = sign_in_as(vault_dir, MANAGER, clock)
    session.folder.acquire()
    rid = _her(session)
    notes.add(session, rid, NOTE)
    _risk(session, rid)
    _plan(session, rid)
    for variant in (plan_print.Variant.RESIDENT, plan_print.Variant.STAFF):
        pdf = plan_print.make_pdf(session, rid, plan_print.PrintOptions(variant=variant))
        assert pdf.data.startswith(b"%PDF")
        plan_print.record_output(session, rid, pdf.what, variant, "print")
    keys.generate_for(session)
    usb = tmp_path / "usb"
    usb.mkdir()
    made = backup.make_backup(session, usb)
    saved = tmp_path / "saved"
    saved.mkdir()
    sar.export(session, rid, saved / "sar.pdf")
    sar.export(session, rid, saved / "sar.json")
    try:
        raise RuntimeError(f"could not file the note of {LOGGED}")
    except RuntimeError as exc:
        logging_setup.log_unexpected(exc, "the leak test")
        report = crash_report.write_report(exc, private["logs"])
    auth.lock(session)
    session.folder.release()

    needles = _needles()
    # Controls: the scan sees her in what she saved, and the log and backup were written.
    assert _hits([saved / "sar.json"], [WOMAN, CHILD, NOTE, RISK_COMMENT])
    log_text = (private["logs"] / logging_setup.FILE_NAME).read_text(encoding="utf-8")
    assert "RuntimeError (message withheld)" in log_text
    assert report is not None and "RuntimeError (message withheld)" in report.read_text("utf-8")
    assert made.path.exists() and made.path.parent == usb

    scanned = [
        *_files_under(vault_dir),
        *_files_under(usb),
        *watch.files(),
        *_files_under(private["home"]),
        *_files_under(private["logs"]),
    ]
    assert {p.name for p in scanned} >= {"vault.db", "keyslots.json", made.path.name}
    assert _hits(scanned, needles) + watch.hits(needles) == []
    assert sorted(p.name for p in saved.iterdir()) == ["sar.json", "sar.pdf"]
