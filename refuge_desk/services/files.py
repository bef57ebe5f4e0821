"""Writing a file she chose (a saved PDF): atomically, with a plain sentence on failure."""

from __future__ import annotations

from pathlib import Path

from refuge_desk.domain.errors import UserError
from refuge_desk.store import fs


def save_file(path: Path, data: bytes) -> None:
    """All or nothing: a full disk or pulled USB stick leaves no half file behind."""
    try:
        fs.atomic_write(path, data)
    except OSError as exc:
        reason = exc.strerror or "the disk refused it"
        raise UserError(f"The file could not be saved to {path}: {reason}.") from exc
