"""The redacted log: exception types and file:line only; owner-only file; plain sentences."""

from __future__ import annotations

import logging
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from refuge_desk.cli import guarded
from refuge_desk.diagnostics import logging_setup
from refuge_desk.domain.errors import VaultInUse

SECRET = "Żaneta Секретова"


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = logging_setup.configure(tmp_path / "logs")
    assert path is not None
    yield path
    for handler in list(logging_setup.logger.handlers):
        logging_setup.logger.removeHandler(handler)
        handler.close()


def _fail_with_resident_data() -> None:
    resident_name = SECRET  # a local that a traceback printer with locals would show
    try:
        int(resident_name)
    except ValueError as exc:
        raise RuntimeError(f"could not save {resident_name}") from exc


def _caught() -> BaseException:
    try:
        _fail_with_resident_data()
    except RuntimeError as exc:
        return exc
    raise AssertionError("expected a failure")


def test_logged_exceptions_keep_types_and_lines_but_no_messages(log_file: Path) -> None:
    logging_setup.log_unexpected(_caught(), "a test")

    text = log_file.read_text(encoding="utf-8")
    assert SECRET not in text and "Секретова" not in text
    assert "builtins.ValueError (message withheld)" in text
    assert "builtins.RuntimeError (message withheld)" in text
    assert "diagnostics/test_logging_setup.py:" in text
    assert "in _fail_with_resident_data" in text


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_log_file_is_readable_by_its_owner_only(log_file: Path) -> None:
    logging_setup.logger.warning("a line")
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600


def test_log_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REFUGE_DESK_LOG_DIR", str(tmp_path / "elsewhere"))
    try:
        path = logging_setup.configure(None)
        assert path == tmp_path / "elsewhere" / logging_setup.FILE_NAME
    finally:
        for handler in list(logging_setup.logger.handlers):
            logging_setup.logger.removeHandler(handler)
            handler.close()


def test_guarded_turns_a_bug_into_one_plain_sentence(
    log_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert guarded(_fail_with_resident_data, log_file) == 1

    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("Something unexpected went wrong.")
    [report] = log_file.parent.glob("crash-*.txt")
    assert f"{report.name} in {log_file.parent}" in err  # where the report is, not what it says
    assert SECRET not in err and "Traceback" not in err
    assert "RuntimeError" in log_file.read_text(encoding="utf-8")
    assert "RuntimeError" in report.read_text(encoding="utf-8")
    assert SECRET.encode() not in report.read_bytes()


def test_excepthook_shows_a_plain_sentence_and_logs_redacted(
    log_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    import threading

    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    shown: list[str] = []
    logging_setup.install_excepthook(shown.append)

    bug = _caught()
    sys.excepthook(type(bug), bug, bug.__traceback__)
    known = VaultInUse("The vault is in use.")
    sys.excepthook(type(known), known, None)

    assert shown == [logging_setup.GENERIC_MESSAGE, "The vault is in use."]
    text = log_file.read_text(encoding="utf-8")
    assert "RuntimeError" in text and SECRET not in text


def test_another_handlers_cached_traceback_is_not_reused(log_file: Path) -> None:
    bug = _caught()
    record = logging.LogRecord(
        "refuge_desk", logging.ERROR, __file__, 1, "failed", (), (type(bug), bug, bug.__traceback__)
    )
    logging.Formatter().format(record)  # caches the full, unredacted traceback text
    assert SECRET in (record.exc_text or "")

    logging_setup.logger.handle(record)

    assert SECRET not in log_file.read_text(encoding="utf-8")
