"""`import-residents` and `seed` through the real command."""

from __future__ import annotations

import re
from pathlib import Path

from refuge_desk.services import auth, residents
from refuge_desk.store.vault import VaultFolder
from tests.cli.conftest import Cli
from tests.conftest import MANAGER, VOLUNTEER, WORKER

NAMES = ("Ładysława Szczęsna", "زينب الحمدان", "Оксана Гриценко")
HEADER = "full_name,preferred_name,date_of_birth,arrival_date,languages,phone,notes,abuser_name"


def _write_csv(path: Path, lines: list[str]) -> Path:
    # Excel's "CSV UTF-8" starts with a byte-order mark.
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    return path


def _names_by_reference(vault: Path) -> dict[str, str]:
    session = auth.sign_in(VaultFolder(vault), MANAGER[0], MANAGER[2])
    try:
        return {row.reference: row.full_name for row in residents.list_residents(session)}
    finally:
        session.close()


def test_import_prints_line_and_reference_but_never_a_name(
    cli: Cli, vault: Path, tmp_path: Path
) -> None:
    csv_file = _write_csv(
        tmp_path / "residents.csv",
        [
            HEADER,
            f"{NAMES[0]},Łada,1990-04-02,2026-01-05,Polish,07700 900001,,",
            "",
            f'{NAMES[1]},,15/08/1985,,Arabic,,"Notes, with a comma",Karim',
            f"{NAMES[2]},Оксана,,2026-02-01,Ukrainian,,,",
        ],
    )

    result = cli(
        "import-residents",
        vault,
        csv_file,
        "--user",
        WORKER[0],
        "--passphrase-stdin",
        stdin=[WORKER[2]],
    )

    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    pairs = [re.fullmatch(r"line (\d+): (R-\d+)", line) for line in out[:-1]]
    assert all(pairs), out
    lines = [int(m.group(1)) for m in pairs if m]
    refs = [m.group(2) for m in pairs if m]
    assert lines == [2, 4, 5]  # the blank CSV line 3 is skipped, numbering follows the file
    assert out[-1] == "Imported 3 residents."
    assert _names_by_reference(vault) == dict(zip(refs, NAMES, strict=True))
    for name in NAMES:
        for part in name.split():
            assert part not in result.stdout and part not in result.stderr


def test_import_with_bad_lines_reports_each_and_imports_nothing(
    cli: Cli, vault: Path, tmp_path: Path
) -> None:
    csv_file = _write_csv(
        tmp_path / "residents.csv",
        [
            HEADER,
            f"{NAMES[0]},,1990-04-02,,,,,",
            f"{NAMES[1]},,31/31/1985,,,,,",  # line 3: not a date
            ",Nameless,,,,,,",  # line 4: no full name
            f"{NAMES[2]},,,2026-02-01,,no digits,,",  # line 5: a phone with no digits
        ],
    )

    result = cli(
        "import-residents",
        vault,
        csv_file,
        "--user",
        MANAGER[0],
        "--passphrase-stdin",
        stdin=[MANAGER[2]],
    )

    assert result.returncode == 1
    assert result.stdout == ""
    problems = result.stderr.splitlines()
    assert [p.split(":")[0] for p in problems] == ["Line 3", "Line 4", "Line 5"]
    assert "is not a date" in problems[0]
    assert "Full name is required." in problems[1]
    assert "no digits" in problems[2]
    assert _names_by_reference(vault) == {}


def test_import_by_a_volunteer_is_refused(cli: Cli, vault: Path, tmp_path: Path) -> None:
    csv_file = _write_csv(tmp_path / "residents.csv", [HEADER, f"{NAMES[0]},,,,,,,"])
    result = cli(
        "import-residents",
        vault,
        csv_file,
        "--user",
        VOLUNTEER[0],
        "--passphrase-stdin",
        stdin=[VOLUNTEER[2]],
    )
    assert result.returncode == 1
    assert result.stderr == (
        "Your role (Relief / volunteer) does not allow you to import residents.\n"
    )


def test_seed_adds_fictional_residents(cli: Cli, vault: Path) -> None:
    result = cli(
        "seed",
        vault,
        "--user",
        MANAGER[0],
        "--residents",
        "7",
        "--notes-per-resident",
        "2",
        "--passphrase-stdin",
        stdin=[MANAGER[2]],
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "Added 7 fictional residents.\n"
    names = _names_by_reference(vault)
    assert len(names) == 7
    assert all(name.strip() for name in names.values())


def test_import_prints_a_check_for_a_mixed_script_name_without_the_name(
    cli: Cli, vault: Path, tmp_path: Path
) -> None:
    csv_file = _write_csv(
        tmp_path / "residents.csv", ["full_name", "\u0410nnabel Quinton", "Оксана Гриценко"]
    )
    result = cli(
        "import-residents",
        vault,
        csv_file,
        "--user",
        WORKER[0],
        "--passphrase-stdin",
        stdin=[WORKER[2]],
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "line 2: R-0001",
        "  check: Full name mixes Latin and Cyrillic letters within a word: the А (word 1, "
        "letter 1) is Cyrillic but looks like the Latin A.",
        "line 3: R-0002",
        "Imported 2 residents.",
    ]
    assert "nnabel" not in result.stdout and "Quinton" not in result.stdout
