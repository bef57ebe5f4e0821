"""What the main window expects of every screen that can hold resident data."""

from __future__ import annotations

from typing import Any, Protocol


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
