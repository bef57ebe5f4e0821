"""The demo vault: fictional staff, rooms and residents, and the seeding that fills it.

Every name is made up by combining lists in many scripts; places are invented. Until case
notes exist as their own records, seeded "notes" are dated paragraphs in the free-notes field.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from refuge_desk.domain.residents import (
    MOVE_ON_TYPES,
    Abuser,
    Child,
    ContactSafety,
    Phone,
    Resident,
    Room,
    Status,
)
from refuge_desk.domain.roles import Role
from refuge_desk.services import auth, rooms
from refuge_desk.services import staff as staff_service
from refuge_desk.services.demo.deadlines import seed_deadlines
from refuge_desk.services.demo.notes import seed_notes
from refuge_desk.services.demo.plans import seed_plans
from refuge_desk.services.demo.risk import seed_risk
from refuge_desk.services.session import Clock, Session, system_clock
from refuge_desk.store import residents_repo, rooms_repo
from refuge_desk.store.vault import VaultFolder

DEMO_USER = "demo"
DEMO_PASSPHRASE = "lantern orbit mango kettle"
DEMO_ORG = "Lighthouse Women's Aid (demo)"
DEMO_REFUGE = "Harbour House (fictional)"
DEMO_ADDRESS = "1 Imaginary Lane, Nowhereton"

GIVEN = [
    "Amira",
    "Fatima",
    "Layla",
    "Noor",
    "Samira",
    "Yasmin",  # Latin
    "أمينة",
    "ليلى",
    "سلمى",
    "نادية",  # Arabic
    "রাবেয়া",
    "শাহানা",
    "মৌসুমী",  # Bengali
    "Ольга",
    "Наталья",
    "Ирина",
    "Оксана",  # Cyrillic
    "Małgorzata",
    "Agnieszka",
    "Żaneta",
    "Katarzyna",  # Polish
    "王芳",
    "李娜",
    "陈静",  # Chinese
    "ሰላም",
    "ሄለን",
    "ትዕግስት",  # Ethiopic
    "सुनीता",
    "प्रिया",
    "ਹਰਪ੍ਰੀਤ",
    "ਜਸਲੀਨ",
    "மீனா",
    "கவிதா",
    "فرزانه",
    "زینب",  # Indic, Farsi
    "Hodan",
    "Ayaan",
    "Precious",
    "Chiamaka",
    "Grace",
    "Siobhan",
    "Beata",
]
FAMILY = [
    "Haddad",
    "Rahman",
    "Begum",
    "Khatun",
    "Nowak",
    "Wiśniewska",
    "Kowalczyk",
    "Иванова",
    "Петренко",
    "Соколова",
    "حداد",
    "الخطيب",
    "চৌধুরী",
    "হক",
    "Okafor",
    "Mensah",
    "Abdi",
    "Warsame",
    "Tesfaye",
    "ገብረሚካኤል",
    "Kaur",
    "Sandhu",
    "शर्मा",
    "வேலு",
    "Moreno",
    "O'Brien",
    "Nguyen",
    "محمدی",
]
CHILD_NAMES = [
    "Adam",
    "Maya",
    "Yusuf",
    "Zofia",
    "Bilal",
    "Ania",
    "Mei",
    "Omar",
    "Lina",
    "Dawit",
    "Ruhi",
    "Ivan",
    "Sara",
    "Tomasz",
    "Nia",
]
LANGUAGES = [
    "English",
    "Arabic",
    "Bengali",
    "Polish",
    "Russian",
    "Ukrainian",
    "Mandarin",
    "Tigrinya",
    "Amharic",
    "Urdu",
    "Punjabi",
    "Tamil",
    "Somali",
    "Farsi",
    "Hindi",
]
SOURCES = [
    "National helpline",
    "Police",
    "Children's services",
    "Self-referral",
    "GP",
    "Another refuge",
    "IDVA service",
]
ALERTS = [
    "Do not disclose presence",
    "Abuser knows her workplace",
    "Interpreter: female only",
    "No photos: risk of location",
]
PLACES = ["Eastmoor", "Fenwick Vale", "Larkhill Green", "Old Tannery estate", "Brinkton"]
NOTE_LINES = [
    "Key-work session held; she is settling in.",
    "Phone call with solicitor.",
    "Benefits appointment booked.",
    "Children enrolled with the school.",
    "Discussed routes to the GP and times to avoid.",
    "Interpreter booked for Friday.",
]


def fictional_name(rng: random.Random) -> str:
    return f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"


def make_resident(
    rng: random.Random,
    today: dt.date,
    room_ids: list[int],
    staff_ids: list[int],
    notes_per_resident: int = 0,
    current: bool | None = None,
) -> Resident:
    name = fictional_name(rng)
    referral = today - dt.timedelta(days=rng.randint(1, 3000))
    if current is True:
        status = Status.RESIDENT
    elif current is False:
        status = rng.choice([Status.MOVED_ON, Status.MOVED_ON, Status.ARCHIVED, Status.REFERRAL])
    else:
        status = rng.choice([Status.RESIDENT] * 3 + [Status.REFERRAL, Status.MOVED_ON])
    arrival = min(today, referral + dt.timedelta(days=rng.randint(0, 20)))
    res = Resident(
        full_name=name,
        preferred_name=name.split()[0] if rng.random() < 0.5 else "",
        aliases=fictional_name(rng) if rng.random() < 0.2 else "",
        date_of_birth=dt.date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28)),
        pronouns="she/her",
        languages=", ".join(sorted(set(rng.sample(LANGUAGES, rng.randint(1, 2))))),
        nationality=rng.choice(
            [
                "British",
                "Polish",
                "Bangladeshi",
                "Eritrean",
                "Syrian",
                "Ukrainian",
                "Nigerian",
                "Somali",
                "Indian",
                "Chinese",
            ]
        ),
        referral_date=referral,
        referral_source=rng.choice(SOURCES),
        status=status,
        key_worker_id=rng.choice(staff_ids) if staff_ids else None,
        alerts=rng.choice(ALERTS) if rng.random() < 0.3 else "",
        phones=[
            Phone(
                f"07700 9{rng.randint(0, 99999):05d}",
                "mobile",
                rng.choice(list(ContactSafety)),
                "weekdays 10–12",
            )
        ],
    )
    if rng.random() < 0.3:
        res.interpreter_needed = True
        res.interpreter_language = res.languages.split(",")[0]
    if status is not Status.REFERRAL:
        res.arrival_date = arrival
        if room_ids and status is Status.RESIDENT:
            res.room_id = rng.choice(room_ids)
    if status in (Status.MOVED_ON, Status.ARCHIVED):
        res.move_on_date = min(today, arrival + dt.timedelta(days=rng.randint(14, 200)))
        res.move_on_destination = f"Housing association flat, {rng.choice(PLACES)}"
        # Derived, not drawn, so the random sequence (and every other demo value) stays put.
        kinds = [k for k in MOVE_ON_TYPES if k]
        res.move_on_type = kinds[len(name) % len(kinds)]
    if status is not Status.REFERRAL:
        res.referral_outcome = "accepted"
    if rng.random() < 0.4:
        res.immigration_status = rng.choice(
            ["Spousal visa", "No leave", "EUSS settled", "Refugee status", "MVDAC applied"]
        )
        res.nrpf = rng.random() < 0.5
    res.abusers = [
        Abuser(name=fictional_name(rng), relationship="ex-partner", known_areas=rng.choice(PLACES))
    ]
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        res.children.append(
            Child(
                full_name=f"{rng.choice(CHILD_NAMES)} {name.split()[-1]}",
                date_of_birth=dt.date(
                    rng.randint(2010, 2025), rng.randint(1, 12), rng.randint(1, 28)
                ),
                school=f"{rng.choice(PLACES)} Primary",
                may_collect="Mother only",
            )
        )
    if notes_per_resident:
        res.notes = "\n".join(
            f"{referral + dt.timedelta(days=i)}: {rng.choice(NOTE_LINES)}"
            for i in range(notes_per_resident)
        )
    return res


def seed(
    session: Session,
    residents: int,
    notes_per_resident: int = 0,
    *,
    seed_value: int = 7,
    current_share: float = 0.02,
) -> int:
    """Add fictional rooms (if none), staff ids as key workers, and N residents."""
    rng = random.Random(seed_value)
    db = session.db
    if not rooms_repo.occupancy(db):
        for i in range(1, 13):
            rooms.save(
                session, Room(name=f"Room {i}", beds=rng.choice([2, 3, 4]), accessible=i in (1, 2))
            )
    free = {r.room.id: r.free for r in rooms_repo.occupancy(db) if r.room.id is not None}
    room_ids = list(free)
    staff_ids = [u.id for u in staff_service.list_staff(session) if u.role is not Role.VOLUNTEER]
    today = session.today()
    now = session.stamp()
    with db.transaction():
        for _ in range(residents):
            current = rng.random() < current_share if residents > 100 else None
            res = make_resident(rng, today, room_ids, staff_ids, notes_per_resident, current)
            _place(res, free, rng)
            residents_repo.insert(db, res, now, session.user.id)
        session.audit("seed", f"{residents} residents")
    return residents


def _place(res: Resident, free: dict[int, int], rng: random.Random) -> None:
    """A resident gets a room with a free bed for her and each child, or stays a referral."""
    if res.status is not Status.RESIDENT:
        return
    need = 1 + len(res.children)
    fits = [room_id for room_id, beds in free.items() if beds >= need]
    if fits:
        res.room_id = rng.choice(fits)
        free[res.room_id] -= need
    else:
        res.status = Status.REFERRAL
        res.room_id = None
        res.arrival_date = None


def create_demo_vault(folder: VaultFolder, clock: Clock = system_clock) -> Session:
    """A throw-away vault of fictional residents with a demo manager and two more staff."""
    session, _ = auth.setup_vault(
        folder,
        auth.Organisation(DEMO_ORG, DEMO_REFUGE, DEMO_ADDRESS),
        DEMO_USER,
        "Demo Manager",
        DEMO_PASSPHRASE,
        clock=clock,
    )
    staff_service.add(
        session,
        "sam.worker",
        "Sam Okafor (fictional)",
        Role.WORKER,
        "violet harbour tuesday pebble",
    )
    staff_service.add(
        session, "relief.jo", "Jo Mensah (fictional)", Role.VOLUNTEER, "cobalt meadow drift anchor"
    )
    seed(session, 36, notes_per_resident=3, seed_value=11)
    seed_plans(session, random.Random(12))
    seed_casework(session, random.Random(13))
    return session


def seed_casework(session: Session, rng: random.Random) -> None:
    """Risk checklists, incidents, case notes, support reviews, orders, immigration, tasks."""
    current = [
        r.id
        for r in residents_repo.list_rows(
            session.db, statuses=(Status.RESIDENT, Status.REFERRAL), sort="reference"
        )
    ]
    seed_risk(session, current, rng)
    seed_notes(session, current, rng)
    seed_deadlines(session, current, rng)


def demo_folder(base: Path) -> VaultFolder:
    return VaultFolder(base / "demo-vault")
