"""A private, rotating log file whose tracebacks carry no data.

Exception messages and local variables may hold resident names, so the log keeps only the
exception's type and the file:line frames of its traceback, never ``str(exc)``.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from refuge_desk.diagnostics import crash_report
from refuge_desk.diagnostics.redact import redact_exception
from refuge_desk.domain.errors import UserError
from refuge_desk.services import paths

LOGGER_NAME = "refuge_desk"
FILE_NAME = "refuge-desk.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
GENERIC_MESSAGE = (
    "Something unexpected went wrong. A report without any personal data was written to "
    "the log file."
)

logger = logging.getLogger(LOGGER_NAME)


class RedactingFormatter(logging.Formatter):
    def formatException(self, ei: Any) -> str:
        exc = ei[1] if ei else None
        return redact_exception(exc) if isinstance(exc, BaseException) else ""

    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have cached an unredacted traceback on the record.
        cached = record.exc_text
        record.exc_text = None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached


class PrivateFileHandler(RotatingFileHandler):
    """Rotating log file readable by its owner only (0600), rotated files included."""

    def _open(self) -> IO[str]:  # type: ignore[override]  # any text stream will do
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def configure(log_dir: Path | None = None, level: int = logging.INFO) -> Path | None:
    """Send the ``refuge_desk`` logger to ``log_dir`` (default ``paths.log_dir()``).

    Returns the log file's path, or None when the folder cannot be written (logging then
    goes nowhere rather than stopping the app). Safe to call more than once.
    """
    target = Path(log_dir) if log_dir is not None else paths.log_dir()
    for old in list(logger.handlers):
        logger.removeHandler(old)
        old.close()
    logger.setLevel(level)
    logger.propagate = False  # never into a root handler with an unredacted formatter
    try:
        paths.make_private_dir(target)
        handler: logging.Handler = PrivateFileHandler(
            target / FILE_NAME,
            maxBytes=MAX_BYTES,
            backupCount=BACKUPS,
            encoding="utf-8",
            delay=True,
        )
    except OSError:
        logger.addHandler(logging.NullHandler())
        return None
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    return target / FILE_NAME


def log_unexpected(exc: BaseException, where: str = "") -> None:
    """Log an exception nobody planned for (redacted by the formatter)."""
    logger.error(
        "Unexpected error%s",
        f" in {where}" if where else "",
        exc_info=(type(exc), exc, exc.__traceback__),
    )


def crash_message(report: Path | None) -> str:
    """The sentence after an unexpected error: where its report is, never what it said."""
    if report is None:
        return GENERIC_MESSAGE
    return (
        "Something unexpected went wrong. A report without any personal data was saved as "
        f"{report.name} in {report.parent}."
    )


def message_for(exc: BaseException, report: Path | None = None) -> str:
    """What a person is shown: a UserError's own sentence, otherwise the generic one."""
    return str(exc) if isinstance(exc, UserError) else crash_message(report)


def install_excepthook(
    show: Callable[[str], None] | None = None, report_dir: Path | None = None
) -> None:
    """Uncaught exceptions (any thread) go to the redacted log; ``show`` gets a plain sentence.

    With ``report_dir``, an unexpected (non-UserError) exception also leaves a redacted crash
    report there (``crash_report.write_report``), and the sentence names that file.
    """

    def handle(exc: BaseException, thread_name: str) -> None:
        report: Path | None = None
        if not isinstance(exc, UserError):
            log_unexpected(exc, "an uncaught exception")
            if report_dir is not None:
                report = crash_report.write_report(exc, report_dir, thread_name=thread_name)
        if show is not None:
            try:
                show(message_for(exc, report))
            except Exception as inner:  # the error display itself failed: log, stay up
                log_unexpected(inner, "the error display")

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        handle(exc, threading.current_thread().name)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if isinstance(args.exc_value, KeyboardInterrupt):
            sys.__excepthook__(args.exc_type, args.exc_value, args.exc_traceback)
        elif args.exc_value is not None:
            name = args.thread.name if args.thread is not None else "unknown thread"
            handle(args.exc_value, name)

    sys.excepthook = hook
    threading.excepthook = thread_hook
