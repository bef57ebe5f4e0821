"""Checking a file an organisation wrote (plan templates, risk checklists): every problem is
collected as a plain sentence with where it is, instead of stopping at the first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_PROBLEMS = 30


class FileChecker:
    def __init__(self, allowed: Mapping[str, set[str] | frozenset[str]], max_text: int) -> None:
        self.problems: list[str] = []
        self._allowed = allowed  # what -> the keys an object of that kind may have
        self._max_text = max_text

    def add(self, where: str, what: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"{where}: {what}" if where else what)

    def keys(self, obj: dict[str, Any], what: str, where: str) -> None:
        unknown = sorted(str(k) for k in obj if k not in self._allowed[what])
        if unknown:
            listed = ", ".join(f'"{k}"' for k in unknown[:5])
            self.add(where, f"{listed} is not something a {what} can have (check the spelling).")

    def text(self, obj: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
        value = obj.get(key, "")
        if not isinstance(value, str):
            self.add(where, f'"{key}" must be text.')
            return ""
        value = value.strip()
        if required and not value:
            self.add(where, f'"{key}" is missing or empty.')
        if len(value) > self._max_text:
            self.add(where, f'"{key}" is longer than {self._max_text:,} characters.')
        return str(value)
