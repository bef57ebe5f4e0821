"""Crash reports: owner-only files with types and code lines, never what the error said."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
import textwrap
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from refuge_desk.diagnostics import crash_report, logging_setup
from refuge_desk.domain.errors import VaultInUse

SENTINEL = "Żaneta Секретова 王秀英 فاطمة"
PIECES = [SENTINEL, *SENTINEL.split()]


def _needles() -> list[bytes]:
    return [p.encode(enc) for p in PIECES for enc in ("utf-8", "utf-16-le", "utf-16-be")]


def _leaks(path: Path) -> list[bytes]:
    data = path.read_bytes()
    return [n for n in _needles() if n in data]


def _save_her(record: dict[str, str]) -> None:
    resident_name = record["name"]  # a local a traceback printer with locals would show
    try:
        int(resident_name)
    except ValueError as exc:
        raise RuntimeError(f"could not save {resident_name}") from exc


def _caught() -> BaseException:
    try:
        _save_her({"name": SENTINEL})
    except RuntimeError as exc:
        return exc
    raise AssertionError("expected a failure")


def _reports(folder: Path) -> list[Path]:
    return sorted(folder.glob("crash-*.txt"))


@pytest.fixture
def hooks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Our excepthooks for one test, and the redacted log in tmp_path."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    assert logging_setup.configure(tmp_path / "log") is not None
    yield
    for handler in list(logging_setup.logger.handlers):
        logging_setup.logger.removeHandler(handler)
        handler.close()


def test_the_scan_would_see_her_in_an_ordinary_traceback(tmp_path: Path) -> None:
    control = tmp_path / "control.txt"
    bug = _caught()
    control.write_text("".join(traceback.format_exception(bug)), encoding="utf-16")
    assert _leaks(control)


def test_a_report_holds_types_and_frames_but_no_message_or_locals(tmp_path: Path) -> None:
    when = dt.datetime(2026, 3, 4, 5, 6, 7)
    path = crash_report.write_report(_caught(), tmp_path / "logs", now=when)

    assert path is not None and path.parent == tmp_path / "logs"
    assert path.name == f"crash-20260304-050607-{os.getpid()}.txt"
    assert _leaks(path) == []
    text = path.read_text(encoding="utf-8")
    assert "builtins.ValueError (message withheld)" in text
    assert "builtins.RuntimeError (message withheld)" in text
    assert "diagnostics/test_crash_report.py:" in text and "in _save_her" in text
    assert f"thread: {threading.current_thread().name}" in text
    assert "time: 2026-03-04T05:06:07" in text
    assert f"app version: {crash_report._app_version()}" in text
    assert "PySide6" in text  # pytest-qt has loaded it, so its version is named
    assert str(tmp_path) not in text and os.getcwd() not in text
    assert [p.name for p in (tmp_path / "logs").iterdir()] == [path.name]  # no temp left


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_a_report_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        path = crash_report.write_report(_caught(), tmp_path)
    finally:
        os.umask(old)
    assert path is not None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_two_crashes_in_one_second_keep_both_reports(tmp_path: Path) -> None:
    when = dt.datetime(2026, 1, 1, 12, 0, 0)
    first = crash_report.write_report(_caught(), tmp_path, now=when)
    second = crash_report.write_report(_caught(), tmp_path, now=when)
    assert first is not None and second is not None and first != second
    assert _reports(tmp_path) == sorted([first, second])


def test_only_the_newest_twenty_reports_are_kept(tmp_path: Path) -> None:
    start = dt.datetime(2026, 5, 1, 9, 0, 0)
    written = []
    for minute in range(25):
        path = crash_report.write_report(
            _caught(), tmp_path, now=start + dt.timedelta(minutes=minute)
        )
        assert path is not None
        written.append(path)

    assert crash_report.MAX_REPORTS == 20
    assert _reports(tmp_path) == sorted(written[5:])


def test_a_folder_that_cannot_be_written_gives_none_without_raising(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the log folder should be", encoding="utf-8")

    assert crash_report.write_report(_caught(), blocker / "logs") is None
    assert crash_report.enable_fault_handler(blocker / "logs") is None


@pytest.mark.usefixtures("hooks")
def test_the_excepthook_writes_a_report_for_a_bug_and_none_for_a_user_error(
    tmp_path: Path,
) -> None:
    shown: list[str] = []
    reports = tmp_path / "reports"
    logging_setup.install_excepthook(shown.append, report_dir=reports)

    bug = _caught()
    sys.excepthook(type(bug), bug, bug.__traceback__)
    (report,) = _reports(reports)
    known = VaultInUse("The vault is in use.")
    sys.excepthook(type(known), known, None)

    assert _reports(reports) == [report]
    assert _leaks(report) == []
    assert "builtins.RuntimeError (message withheld)" in report.read_text(encoding="utf-8")
    assert shown == [logging_setup.crash_message(report), "The vault is in use."]
    assert shown[0].startswith("Something unexpected went wrong.")
    assert report.name in shown[0] and str(reports) in shown[0]
    assert not any(p in shown[0] for p in PIECES)


@pytest.mark.usefixtures("hooks")
def test_a_bug_in_another_thread_is_reported_with_that_threads_name(tmp_path: Path) -> None:
    shown: list[str] = []
    logging_setup.install_excepthook(shown.append, report_dir=tmp_path)

    worker = threading.Thread(target=_save_her, args=({"name": SENTINEL},), name="saver")
    worker.start()
    worker.join(timeout=10)

    (report,) = _reports(tmp_path)
    assert "thread: saver" in report.read_text(encoding="utf-8")
    assert _leaks(report) == []
    assert shown == [logging_setup.crash_message(report)]


def test_without_a_report_the_sentence_is_the_generic_one() -> None:
    assert logging_setup.crash_message(None) == logging_setup.GENERIC_MESSAGE
    assert logging_setup.message_for(_caught()) == logging_setup.GENERIC_MESSAGE


CHILD = textwrap.dedent(
    """
    import faulthandler, sys
    from pathlib import Path
    from refuge_desk import os_protect
    from refuge_desk.diagnostics import crash_report

    def hold_her_and_crash(folder):
        resident_name = "".join(chr(c) for c in CODES)  # only ever in memory
        handle = crash_report.enable_fault_handler(folder)
        assert handle is not None and resident_name
        faulthandler._sigsegv()

    os_protect.disable_core_dumps()  # the crash must not leave a core file behind
    hold_her_and_crash(Path(sys.argv[1]))
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_hard_crash_leaves_frames_in_the_native_record_but_no_values(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    script = CHILD.replace("CODES", repr([ord(c) for c in SENTINEL]))
    result = subprocess.run(
        [sys.executable, "-c", script, str(folder)],
        capture_output=True,
        timeout=60,
        cwd=tmp_path,
    )

    assert result.returncode != 0
    native = folder / crash_report.NATIVE_FILE_NAME
    text = native.read_text(encoding="utf-8", errors="replace")
    assert "Fatal Python error" in text, (result.stderr, text)
    assert "in hold_her_and_crash" in text
    assert _leaks(native) == []
    assert stat.S_IMODE(native.stat().st_mode) == 0o600
    assert list(folder.iterdir()) == [native]
