"""No test may wait on a real modal dialog: opening one fails the test at once, naming it.

A real ``exec()`` blocks in Qt's own event loop until someone answers, and nobody does in a
test run: the run hangs until CI's limit. The app runs every modal thing through
``ui/common/dialogs.Dialogs`` (tests answer through ``ScriptedDialogs``), so here every
blocking entry point of Qt is replaced, for the whole run, by one that raises
``RealModalDialog`` with the dialog's title. The raise may happen inside a Qt slot, where the
app might catch it; so each test also fails at its end if it opened one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtPrintSupport import QPageSetupDialog, QPrintDialog
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QFileDialog,
    QFontDialog,
    QInputDialog,
    QMenu,
    QMessageBox,
    QProgressDialog,
)


class RealModalDialog(AssertionError):
    """A test reached a real modal dialog (it would have waited for ever)."""


opened: list[str] = []

_BLOCKING_CLASSES = (
    QDialog,
    QMessageBox,
    QFileDialog,
    QInputDialog,
    QProgressDialog,
    QColorDialog,
    QFontDialog,
    QPrintDialog,
    QPageSetupDialog,
)
_STATIC_BOXES: dict[type, tuple[str, ...]] = {
    QMessageBox: ("critical", "warning", "information", "question", "about", "aboutQt"),
    QFileDialog: (
        "getOpenFileName",
        "getOpenFileNames",
        "getSaveFileName",
        "getExistingDirectory",
        "getOpenFileUrl",
        "getOpenFileUrls",
        "getSaveFileUrl",
        "getExistingDirectoryUrl",
    ),
    QInputDialog: ("getText", "getMultiLineText", "getInt", "getDouble", "getItem"),
    QColorDialog: ("getColor",),
    QFontDialog: ("getFont",),
}


def refuse(kind: str, title: str) -> None:
    what = f"{kind} {title!r}"
    opened.append(what)
    raise RealModalDialog(
        f"A test opened a real modal {what}, which would wait for ever. Run it through "
        "Dialogs.run / Dialogs.confirm (refuge_desk/ui/common/dialogs.py) and answer it with "
        "ScriptedDialogs."
    )


def _refusing_exec(self: Any, *_args: object, **_kwargs: object) -> int:
    refuse(type(self).__name__, self.windowTitle() or self.objectName() or "(untitled)")
    return 0


def _refusing_static(owner: type, name: str) -> Callable[..., Any]:
    def refused(*args: object, **kwargs: object) -> Any:
        title = kwargs.get("title") or kwargs.get("caption")
        if title is None:
            title = next((a for a in args if isinstance(a, str)), "(untitled)")
        refuse(f"{owner.__name__}.{name}", str(title))

    return staticmethod(refused)


def install() -> None:
    for cls in _BLOCKING_CLASSES:
        for name in ("exec", "exec_"):
            setattr(cls, name, _refusing_exec)
    QMenu.exec = _refusing_exec  # type: ignore[method-assign,assignment]
    for owner, names in _STATIC_BOXES.items():
        for name in names:
            setattr(owner, name, _refusing_static(owner, name))


def pytest_configure(config: pytest.Config) -> None:
    install()


@pytest.fixture(autouse=True)
def no_real_modal_dialogs() -> Iterator[None]:
    before = len(opened)
    yield
    new = opened[before:]
    del opened[before:]
    if new:
        pytest.fail("This test opened a real modal dialog: " + "; ".join(new), pytrace=False)
