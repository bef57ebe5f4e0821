"""No resident or staff name reaches the disk in plaintext, in UTF-8 or UTF-16.

A whole workflow runs through the services; then every byte of every file in the vault
folder (db, -wal, -shm, keyslots, lock, throttle, upgrade copy) and every temp file made
during the test is searched for every name.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pytest

from refuge_desk.domain.errors import WrongCredentials
from refuge_desk.domain.residents import Abuser, Child, Phone, Resident, Room, Status
from refuge_desk.domain.roles import Role
from refuge_desk.services import auth, drafts, importer, residents, rooms, staff
from refuge_desk.store.vault import VaultFolder, copy_before_migration
from tests.conftest import MANAGER, FakeClock

ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be")
SENTINEL = "Sentinel Żółć Сигнал 哨兵 প্রহরী حارس"

STAFF_NAME = "Małgorzata Wiśniewska"
SAVED = {
    "arabic": ("نورهان الحسيني", "ريم الحسيني"),
    "bengali": ("সুলতানা পারভীন", "তানভীর পারভীন"),
    "cyrillic": ("Светлана Дмитриевна", "Ярослава Дмитриевна"),
    "polish": ("Grażyna Brzęczyszczykiewicz", "Jędrzej Brzęczyszczykiewicz"),
    "chinese": ("欧阳娜娜", "欧阳小明"),
}
ABUSER = "Bogusław Szczęśniak"
ALIAS = "Nurhan Husseini"
IMPORTED = [
    "ياسمينة القحطاني",
    "মৌসুমী চৌধুরী",
    "Людмила Прокофьева",
    "Jadwiga Źdźbłowska",
    "司马燕燕",
]
IMPORTED_ABUSER = "Władysław Kołodziejczyk"
DRAFTED = "Зарина Мирзоева"


def _needles() -> list[str]:
    names = [STAFF_NAME, ABUSER, ALIAS, IMPORTED_ABUSER, DRAFTED, *IMPORTED]
    for woman, child in SAVED.values():
        names += [woman, child]
    words = {w for n in names for w in n.split() if len(w) >= 3}
    return sorted({*names, *(n.casefold() for n in names), *words})


def _encoded(needles: Iterable[str]) -> list[tuple[str, str, bytes]]:
    return [(n, enc, n.encode(enc)) for n in needles for enc in ENCODINGS]


def _files_under(root: Path) -> list[Path]:
    out = []
    for dirpath, _dirs, names in os.walk(root):
        out += [Path(dirpath) / n for n in names]
    return [p for p in out if p.is_file() and not p.is_symlink()]


def _hits(files: Iterable[Path], needles: list[str]) -> list[str]:
    encoded = _encoded(needles)
    found = []
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:
            continue  # someone else's temp file vanished or is private
        found += [f"{path}: {n!r} as {enc}" for n, enc, b in encoded if b in data]
    return found


class TempWatch:
    """Temp files: our own redirected temp folder, plus anything new in the system one.

    The system folder is shared with every other process on the machine (another test worker,
    a pip install), whose files are not ours: they are searched for whole names only, since a
    three-letter fragment of a name turns up by chance in any large binary file.
    """

    MIN_OUTSIDE = 8

    def __init__(self, private: Path) -> None:
        self.private = private
        self.system = Path(tempfile.gettempdir())
        self.before = {
            p.name: p.stat().st_mtime for p in self.system.iterdir() if not p.is_symlink()
        }

    def files(self) -> list[Path]:
        """Every file in our own temp folder."""
        return _files_under(self.private)

    def system_files(self) -> list[Path]:
        out: list[Path] = []
        for entry in self.system.iterdir():
            if entry.is_symlink() or entry == self.private:
                continue
            if entry.name not in self.before:
                out += _files_under(entry) if entry.is_dir() else [entry]
            elif entry.is_file() and entry.stat().st_mtime != self.before[entry.name]:
                out.append(entry)
        return out

    def hits(self, needles: list[str]) -> list[str]:
        """Needles found in our temp folder, or (whole names) in new system temp files."""
        whole = [n for n in needles if len(n) >= self.MIN_OUTSIDE]
        return _hits(self.files(), needles) + _hits(self.system_files(), whole)


@pytest.fixture
def temp_watch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TempWatch:
    watch = TempWatch(tmp_path / "private-tmp")
    watch.private.mkdir()
    # Everything that asks for a temp folder (Python, SQLite) gets one we can scan whole.
    monkeypatch.setenv("TMPDIR", str(watch.private))
    monkeypatch.setenv("SQLITE_TMPDIR", str(watch.private))
    monkeypatch.setattr(tempfile, "tempdir", str(watch.private))
    return watch


def test_the_scan_finds_plaintext(temp_watch: TempWatch, tmp_path: Path) -> None:
    """The scan is real: it finds a sentinel in a plain file, in each encoding and place."""
    for enc in ENCODINGS:
        (temp_watch.private / f"plain-{enc}.txt").write_bytes(
            b"before " + SENTINEL.encode(enc) + b" after"
        )
    fd, system_file = tempfile.mkstemp(dir=temp_watch.system, prefix="refuge-leak-control-")
    try:
        os.write(fd, ("x" + SENTINEL).encode("utf-16-le"))
        os.close(fd)
        hits = temp_watch.hits([SENTINEL])
    finally:
        os.unlink(system_file)
    assert len(hits) == 4, hits
    assert sum(system_file in h for h in hits) == 1
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "plain.db").write_bytes(SENTINEL.casefold().encode("utf-8"))
    assert _hits(_files_under(folder), [SENTINEL.casefold()])
    assert not _hits(_files_under(folder), ["Something else entirely"])


def test_no_name_on_disk_after_a_whole_workflow(temp_watch: TempWatch, tmp_path: Path) -> None:
    clock = FakeClock()
    temp_control = temp_watch.private / "control.txt"
    temp_control.write_bytes(SENTINEL.encode("utf-16-le"))
    folder = VaultFolder(tmp_path / "vault")
    session, _recovery = auth.setup_vault(
        folder, auth.Organisation("Leak Test Aid", "House"), *MANAGER, clock=clock
    )
    folder.acquire()  # as the app does: vault.lock is part of the folder
    vault_control = folder.path / "control.txt"
    vault_control.write_bytes(SENTINEL.encode("utf-8"))
    staff.add(session, "gosia", STAFF_NAME, Role.WORKER, "orchid tandem walrus ember")
    room = rooms.save(session, Room(name="Room 1", beds=6))
    for i, (woman, child) in enumerate(SAVED.values()):
        residents.save(
            session,
            Resident(
                full_name=woman,
                preferred_name=woman.split()[0],
                aliases=ALIAS if i == 0 else "",
                status=Status.RESIDENT,
                room_id=room.id,
                arrival_date=dt.date(2026, 11, 1),
                phones=[Phone("07700 900 00" + str(i))],
                abusers=[Abuser(name=ABUSER, known_areas=woman)],
                notes=f"Notes about {woman} and {child}.",
                children=[Child(full_name=child, school=f"School of {child}")],
            ),
        )
    # Renaming leaves the old name in freed pages; secure_delete and encryption cover it.
    first = residents.get(session, residents.list_residents(session)[0].id)
    first.preferred_name = "N."
    residents.save(session, first)

    csv_path = tmp_path / "from-excel.csv"
    lines = ["full_name,preferred_name,room,abuser_name,notes"]
    lines += [
        f'{n},{n.split()[0]},Room 1,{IMPORTED_ABUSER},"about {n}\nsecond line"' for n in IMPORTED
    ]
    csv_path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8"))
    assert len(importer.import_file(session, csv_path)) == len(IMPORTED)
    csv_path.unlink()  # the user's own file, not ours to judge

    assert [r.full_name for r in residents.list_residents(session, search="Людм")] == [IMPORTED[2]]
    drafts.park(session, drafts.RESIDENT, None, {"full_name": DRAFTED, "notes": DRAFTED})
    copy_before_migration(folder, session.db, clock())  # an upgrade copy in the folder
    with pytest.raises(WrongCredentials):  # leaves signin-throttle.json behind
        auth.sign_in(
            folder, "gosia", "not her passphrase at all", clock=clock, seconds=clock.seconds
        )
    residents.save(session, Resident(full_name="Late Edit"))  # fresh pages in the WAL

    needles = [*_needles(), SENTINEL]
    expected_vault = [f"{vault_control}: {SENTINEL!r} as utf-8"]
    expected_temp = [f"{temp_control}: {SENTINEL!r} as utf-16-le"]
    open_files = {p.name for p in _files_under(folder.path)}
    assert {
        "vault.db",
        "vault.db-wal",
        "vault.db-shm",
        "keyslots.json",
        "vault.lock",
        "signin-throttle.json",
    } <= open_files
    assert any(n.startswith("vault-v") and n.endswith(".db") for n in open_files)
    # The scan finds the plain control files, and nothing else.
    assert _hits(_files_under(folder.path), needles) == expected_vault
    assert temp_watch.hits(needles) == expected_temp

    auth.lock(session)
    folder.release()
    assert _hits(_files_under(folder.path), needles) == expected_vault
    assert temp_watch.hits(needles) == expected_temp
    assert not csv_path.exists()
