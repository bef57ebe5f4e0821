"""The command line documents itself: every command, option and positional has help text,
dates say their forms, every `--help` works, and README's list matches the parser."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from refuge_desk import cli
from refuge_desk.cli import common
from refuge_desk.domain import dates
from refuge_desk.services import sar

README = Path(__file__).resolve().parents[2] / "README.md"
CommandPath = tuple[str, ...]


def _parsers(
    parser: argparse.ArgumentParser, path: CommandPath = ()
) -> Iterator[tuple[CommandPath, argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _parsers(child, (*path, name))


def _is_group(parser: argparse.ArgumentParser) -> bool:
    return any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)


PARSERS = dict(_parsers(cli.build_parser()))
COMMANDS = [path for path, p in PARSERS.items() if path and not _is_group(p)]


def test_every_command_option_and_positional_has_help_text() -> None:
    missing: list[str] = []
    for path, parser in PARSERS.items():
        where = " ".join(("refuge-desk", *path))
        for action in parser._actions:
            name = "/".join(action.option_strings) or str(action.metavar or action.dest)
            if not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"{where} {name}")
            if isinstance(action, argparse._SubParsersAction):
                described = {a.dest: a.help for a in action._choices_actions}
                missing += [f"{where} {c}" for c in action.choices if not described.get(c)]
    assert missing == []
    # The walk really reaches the commands inside groups.
    assert {("users", "add"), ("audit", "verify"), ("retention", "hold"), ("purge",)} <= set(
        COMMANDS
    )


def test_every_date_option_says_the_forms_it_accepts() -> None:
    found = []
    for path, parser in PARSERS.items():
        for action in parser._actions:
            if action.type is common.day:
                found.append((path, action.option_strings[0]))
                assert dates.FORMS in str(action.help), (path, action.option_strings)
    assert sorted(found) == [
        (("audit", "export"), "--from"),
        (("audit", "export"), "--to"),
        (("stats",), "--from"),
        (("stats",), "--to"),
    ]


@pytest.mark.parametrize("path", list(PARSERS), ids=lambda p: " ".join(p) or "refuge-desk")
def test_help_of_every_command_exits_0(
    path: CommandPath, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([*path, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(" ".join(("usage: refuge-desk", *path)))


# -- README ----------------------------------------------------------------------------------
def _readme_entries() -> dict[CommandPath, str]:
    """Each `refuge-desk …` line of README's command block (with its indented continuation
    lines), keyed by the command words it starts with."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## The command line", 1)[1]
    block = section.split("```", 2)[1]
    entries: dict[CommandPath, str] = {}
    current: CommandPath | None = None
    for line in block.splitlines():
        if line.startswith("refuge-desk"):
            words = line.split()[1:]
            path: list[str] = []
            for word in words:
                if not re.fullmatch(r"[a-z][a-z-]*", word):
                    break
                path.append(word)
            current = tuple(path)
            entries[current] = entries.get(current, "") + " " + line
        elif line.startswith(" ") and current is not None:
            entries[current] += " " + line
        else:
            current = None
    return entries


def _options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    common = {"-h", "--help", "--passphrase-stdin"}  # every command has them; said in prose
    return [a for a in parser._actions if not common & set(a.option_strings)]


def test_readme_lists_every_command_and_nothing_else() -> None:
    listed = set(_readme_entries()) - {()}
    assert sorted(listed) == sorted(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_readme_lists_every_option_of_each_command_and_no_other(path: CommandPath) -> None:
    entry = _readme_entries()[path]
    parser = PARSERS[path]
    for action in _options(parser):
        shown = action.option_strings or [str(action.metavar)]
        assert any(re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", entry) for s in shown), (
            path,
            shown,
        )
        for choice in action.choices or ():
            if not isinstance(action, argparse._SubParsersAction):
                assert re.search(rf"[ |]{re.escape(str(choice))}[ |\]]", entry), (path, choice)
    known = {s for a in parser._actions for s in a.option_strings}
    assert set(re.findall(r"(?<![\w-])--[a-z-]+", entry)) <= known, path


def test_readme_lists_what_can_be_withheld_in_a_subject_access_request() -> None:
    entry = _readme_entries()[("sar",)]
    for part in [*sar.RESTRICTED_ITEMS, "marac", "note:ID"]:
        assert part in entry


def test_readme_lists_the_app_options() -> None:
    root = _readme_entries()[()]
    for action in _options(PARSERS[()]):
        for option in action.option_strings:
            assert option in root
