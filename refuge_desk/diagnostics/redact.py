"""An exception as it may be written anywhere: its types and file:line frames, never its
message or values (they may hold a resident's name)."""

from __future__ import annotations

import traceback
from pathlib import Path


def redact_exception(exc: BaseException) -> str:
    """Type names and file:line frames of ``exc`` and what caused it; no messages, no locals."""
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    lines: list[str] = []
    for i, err in enumerate(reversed(chain)):
        if i:
            lines.append("which led to:")
        kind = type(err)
        lines.append(f"{kind.__module__}.{kind.__qualname__} (message withheld)")
        for frame in traceback.extract_tb(err.__traceback__, limit=None):
            lines.append(f"  {_short(frame.filename)}:{frame.lineno} in {frame.name}")
    return "\n".join(lines)


def _short(filename: str) -> str:
    parts = Path(filename).parts
    return "/".join(parts[-2:]) if len(parts) >= 2 else filename
