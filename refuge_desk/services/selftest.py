"""`refuge-desk --self-test`: prove a build can make a vault, write, read, and leak nothing."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from refuge_desk.domain.residents import Resident, Status
from refuge_desk.services import auth, residents
from refuge_desk.services.session import Session, system_clock
from refuge_desk.store.vault import VaultFolder

SENTINELS = ("Selftest Ωmega-Żaneta", "اختبار ذاتي", "স্বপরীক্ষা")


def run(out: Callable[[str], object] = print) -> int:
    base = Path(tempfile.mkdtemp(prefix="refuge-desk-selftest-"))
    folder = VaultFolder(base / "vault")
    try:
        session, _ = auth.setup_vault(
            folder,
            auth.Organisation("Self-test org", "Self-test refuge"),
            "selftest",
            "Self Test",
            "quartz lagoon whistle ember",
            clock=system_clock,
        )
        name = " ".join(SENTINELS)
        saved = residents.save(session, Resident(full_name=name, status=Status.REFERRAL))
        session.close()
        session = auth.sign_in(folder, "selftest", "quartz lagoon whistle ember", full_check=True)
        back = residents.get(session, saved.id or 0)
        plan_problem = (
            _plan_problem(session, saved.id or 0)
            or _casework_problem(session, saved.id or 0)
            or _backup_problem(session, base)
        )
        session.close()
        if plan_problem:
            out(f"self-test FAILED: {plan_problem}")
            return 1
        if back.full_name != name:
            out("self-test FAILED: the resident read back differs")
            return 1
        for path in folder.path.iterdir():
            blob = path.read_bytes()
            for s in SENTINELS:
                for enc in ("utf-8", "utf-16-le", "utf-16-be"):
                    if s.encode(enc) in blob:
                        out(f"self-test FAILED: plaintext found in {path.name}")
                        return 1
        problem = _pdf_problem()
        if problem:
            out(f"self-test FAILED: {problem}")
            return 1
        import PySide6.QtCharts
        import PySide6.QtPdf
        import PySide6.QtWidgets  # noqa: F401

        out("self-test ok")
        return 0
    finally:
        folder.release()
        shutil.rmtree(base, ignore_errors=True)


def _casework_problem(session: Session, resident_id: int) -> str:
    """The bundled risk checklist loads, a case note is found by search, the home screen builds."""
    from refuge_desk.services import home, notes, risk

    try:
        questions = risk.checklist(session, risk.default_checklist_id(session)).questions
        notes.add(session, resident_id, "Self-test note about housing")
        found = notes.search(session, "housing").hits
        home.build(session)
    except Exception as exc:  # reported, not raised: the self-test prints one line
        return f"case work: {type(exc).__name__}: {exc}"
    if len(questions) != 24 or not found:
        return "case work: the risk checklist or note search did not come back whole"
    return ""


def _backup_problem(session: Session, base: Path) -> str:
    """A backup made and verified (pyrage and the archive code work in this build)."""
    from refuge_desk.services.export import backup, keys
    from refuge_desk.services.export.verify import verify_backup

    identity = keys.generate_for(session)
    folder = base / "backups"
    folder.mkdir(mode=0o700)
    made = backup.make_backup(session, folder)
    problems = verify_backup(made.path, identity)
    return f"a backup did not verify: {problems[0]}" if problems else ""


def _plan_problem(session: Session, resident_id: int) -> str:
    """A plan from the bundled template, agreed and printed (discreet) in memory."""
    from refuge_desk.services import plan_print, plans

    state = plans.start_draft(session, resident_id)
    if state.draft is None or not state.draft.template.sections:
        return "the bundled safety-plan template was not found"
    content = dict(state.draft.content, worries=" ".join(SENTINELS))
    revision = plans.save_draft(session, resident_id, content, state.draft.revision)
    plans.finalise(session, resident_id, revision)
    options = plan_print.PrintOptions(variant=plan_print.Variant.DISCREET)
    pdf = plan_print.make_pdf(session, resident_id, options, 1)
    if not pdf.data.startswith(b"%PDF") or pdf.what != "v1":
        return "a safety plan could not be printed"
    return ""


def _pdf_problem() -> str:
    """Render the sentinels to PDF in memory: the bundled fonts must be found and embedded."""
    from refuge_desk.services.pdf.document import PageSetup, PrintDocument, Section, TextBlock
    from refuge_desk.services.pdf.render import render_pdf

    doc = PrintDocument(
        title="Self-test",
        header_lines=(),
        sections=(Section("Fonts", (TextBlock("Scripts", " ".join(SENTINELS)),)),),
        keep_safe="",
        version_line="",
        page_label="{page}/{pages}",
    )
    pdf = render_pdf(doc, PageSetup())
    if not pdf.startswith(b"%PDF"):
        return "the PDF renderer made no PDF"
    for font in (b"NotoSans-Regular", b"NotoNaskhArabic-Regular", b"NotoSansBengali-Regular"):
        if font not in pdf:
            return f"the bundled font {font.decode()} was not embedded in the PDF"
    from refuge_desk.services.pdf.recovery_sheet import RecoverySheet, render_recovery_sheet

    sheet = render_recovery_sheet(RecoverySheet("Org", "Refuge", "v", "today", "ABCD-EFGH"))
    if not sheet.startswith(b"%PDF"):
        return "the recovery sheet (with its QR code) could not be made"
    return ""
