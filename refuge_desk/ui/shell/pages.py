"""What the main window expects of every screen that can hold resident data, and the set of
screens one sign-in builds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol, cast, runtime_checkable

from PySide6.QtWidgets import QStackedWidget, QWidget


@runtime_checkable
class LockablePage(Protocol):
    def clear(self) -> None:
        """Forget every resident fact held in models and widgets (called on lock)."""

    def refresh(self) -> None:
        """Reload from the session (called after unlock and when shown)."""


class DraftHolder(Protocol):
    def has_unsaved_changes(self) -> bool: ...

    def draft_payload(self) -> dict[str, Any]:
        """The typed state, JSON-serialisable, to park in the vault on lock."""

    def restore_draft(self, payload: dict[str, Any]) -> None: ...


class Pages:
    """The pages of one sign-in, by section name, in the window's workspace stack."""

    def __init__(self, stack: QStackedWidget) -> None:
        self._stack = stack
        self._pages: dict[str, QWidget] = {}

    def add(self, name: str, page: QWidget) -> None:
        if not isinstance(page, LockablePage):
            raise TypeError(f"{type(page).__name__} cannot be cleared on lock")
        self._pages[name] = page
        self._stack.addWidget(page)

    def get(self, name: str) -> QWidget | None:
        return self._pages.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self._pages

    def __iter__(self) -> Iterator[QWidget]:
        return iter(list(self._pages.values()))

    def refresh(self, name: str) -> None:
        page = self._pages.get(name)
        if page is not None:
            cast(LockablePage, page).refresh()

    def refresh_all(self, but: tuple[QWidget | None, ...] = ()) -> None:
        for page in self:
            if page not in but:
                cast(LockablePage, page).refresh()

    def clear_all(self) -> None:
        for page in self:
            cast(LockablePage, page).clear()

    def drop_all(self) -> None:
        for page in self:
            self._stack.removeWidget(page)
            page.deleteLater()
        self._pages.clear()
