"""Schema steps keyed on PRAGMA user_version. Each step runs in one transaction.

Never edit a released step: add a new one. ``LATEST`` is the version this build writes.
"""

from __future__ import annotations

from collections.abc import Callable

from refuge_desk.store import audit_chain
from refuge_desk.store.db import Database
from refuge_desk.store.rota import OUTBOX_SCHEMA

V1_CORE = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE staff (
    id         INTEGER PRIMARY KEY,
    username   TEXT NOT NULL UNIQUE COLLATE NOCASE,
    full_name  TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('manager', 'worker', 'volunteer')),
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES staff(id),
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES staff(id)
);

CREATE TABLE rooms (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    beds       INTEGER NOT NULL CHECK (beds > 0),
    accessible INTEGER NOT NULL DEFAULT 0,
    notes      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES staff(id),
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES staff(id)
);

CREATE TABLE residents (
    id                   INTEGER PRIMARY KEY,
    ref_no               INTEGER NOT NULL UNIQUE,
    reference            TEXT NOT NULL UNIQUE,
    full_name            TEXT NOT NULL,
    preferred_name       TEXT NOT NULL DEFAULT '',
    aliases              TEXT NOT NULL DEFAULT '',
    date_of_birth        TEXT,
    pronouns             TEXT NOT NULL DEFAULT '',
    languages            TEXT NOT NULL DEFAULT '',
    interpreter_needed   INTEGER NOT NULL DEFAULT 0,
    interpreter_language TEXT NOT NULL DEFAULT '',
    nationality          TEXT NOT NULL DEFAULT '',
    immigration_status   TEXT NOT NULL DEFAULT '',
    nrpf                 INTEGER NOT NULL DEFAULT 0,
    email                TEXT NOT NULL DEFAULT '',
    email_safety         TEXT NOT NULL DEFAULT 'unsafe',
    email_safe_times     TEXT NOT NULL DEFAULT '',
    alerts               TEXT NOT NULL DEFAULT '',
    referral_date        TEXT,
    referral_source      TEXT NOT NULL DEFAULT '',
    arrival_date         TEXT,
    room_id              INTEGER REFERENCES rooms(id) ON DELETE SET NULL,
    key_worker_id        INTEGER REFERENCES staff(id),
    status               TEXT NOT NULL
                         CHECK (status IN ('referral', 'resident', 'moved_on', 'archived')),
    move_on_date         TEXT,
    move_on_destination  TEXT NOT NULL DEFAULT '',
    notes                TEXT NOT NULL DEFAULT '',
    child_count          INTEGER NOT NULL DEFAULT 0,
    created_at           TEXT NOT NULL,
    created_by           INTEGER REFERENCES staff(id),
    updated_at           TEXT NOT NULL,
    updated_by           INTEGER REFERENCES staff(id)
);
CREATE INDEX residents_name ON residents (full_name COLLATE NOCASE, id);
CREATE INDEX residents_preferred ON residents (preferred_name COLLATE NOCASE, id);
CREATE INDEX residents_status ON residents (status, ref_no);
CREATE INDEX residents_arrival ON residents (arrival_date, id);
CREATE INDEX residents_room ON residents (room_id, id);
CREATE INDEX residents_key_worker ON residents (key_worker_id, id);
CREATE INDEX residents_children ON residents (child_count, id);

CREATE TABLE resident_phones (
    id          INTEGER PRIMARY KEY,
    resident_id INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    number      TEXT NOT NULL,
    label       TEXT NOT NULL DEFAULT '',
    safety      TEXT NOT NULL DEFAULT 'unsafe' CHECK (safety IN ('safe', 'unsafe')),
    safe_times  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX resident_phones_resident ON resident_phones (resident_id);

CREATE TABLE abusers (
    id           INTEGER PRIMARY KEY,
    resident_id  INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    aliases      TEXT NOT NULL DEFAULT '',
    relationship TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    vehicle      TEXT NOT NULL DEFAULT '',
    known_areas  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX abusers_resident ON abusers (resident_id);

CREATE TABLE children (
    id            INTEGER PRIMARY KEY,
    resident_id   INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    full_name     TEXT NOT NULL,
    date_of_birth TEXT,
    school        TEXT NOT NULL DEFAULT '',
    may_collect   TEXT NOT NULL DEFAULT '',
    notes         TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    created_by    INTEGER REFERENCES staff(id),
    updated_at    TEXT NOT NULL,
    updated_by    INTEGER REFERENCES staff(id)
);
CREATE INDEX children_resident ON children (resident_id);

-- Names, aliases and reference, searchable by word prefix in any script. '-' separates
-- words, so "Jones" finds "Smith-Jones" and "Zahra" finds "al-Zahra"; a typed "R-00" is a
-- phrase query ("r" then "00*") and still finds references.
CREATE VIRTUAL TABLE residents_fts USING fts5 (
    reference, full_name, preferred_name, aliases,
    content = 'residents', content_rowid = 'id',
    tokenize = "unicode61 remove_diacritics 2",
    prefix = '1 2 3'
);
CREATE TRIGGER residents_fts_ai AFTER INSERT ON residents BEGIN
    INSERT INTO residents_fts (rowid, reference, full_name, preferred_name, aliases)
    VALUES (new.id, new.reference, new.full_name, new.preferred_name, new.aliases);
END;
CREATE TRIGGER residents_fts_ad AFTER DELETE ON residents BEGIN
    INSERT INTO residents_fts (residents_fts, rowid, reference, full_name, preferred_name, aliases)
    VALUES ('delete', old.id, old.reference, old.full_name, old.preferred_name, old.aliases);
END;
CREATE TRIGGER residents_fts_au AFTER UPDATE OF reference, full_name, preferred_name, aliases
ON residents BEGIN
    INSERT INTO residents_fts (residents_fts, rowid, reference, full_name, preferred_name, aliases)
    VALUES ('delete', old.id, old.reference, old.full_name, old.preferred_name, old.aliases);
    INSERT INTO residents_fts (rowid, reference, full_name, preferred_name, aliases)
    VALUES (new.id, new.reference, new.full_name, new.preferred_name, new.aliases);
END;

CREATE TRIGGER children_count_ai AFTER INSERT ON children BEGIN
    UPDATE residents SET child_count = child_count + 1 WHERE id = new.resident_id;
END;
CREATE TRIGGER children_count_ad AFTER DELETE ON children BEGIN
    UPDATE residents SET child_count = child_count - 1 WHERE id = old.resident_id;
END;
"""

V2_DRAFTS_AND_AUDIT = """
-- Edits parked on lock or crash-safety autosave; payload is JSON, inside the encrypted vault.
CREATE TABLE drafts (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES staff(id),
    kind       TEXT NOT NULL,
    record_id  INTEGER,
    payload    TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (user_id, kind, record_id)
);

-- Who did what, by reference, never by name.
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    user_id INTEGER REFERENCES staff(id),
    action  TEXT NOT NULL,
    ref     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
"""

# The residents list sorts by (column, ref_no). V1's sort indexes end in id, so SQLite still
# had to sort each run of equal names; these match the ORDER BY exactly (status by its CASE
# rank), so every column but room and key worker is read in order without a sort.
V3_LIST_SORT_INDEXES = """
DROP INDEX residents_name;
DROP INDEX residents_preferred;
DROP INDEX residents_arrival;
DROP INDEX residents_children;
CREATE INDEX residents_name_sort ON residents (full_name COLLATE NOCASE, ref_no);
CREATE INDEX residents_preferred_sort ON residents (preferred_name COLLATE NOCASE, ref_no);
CREATE INDEX residents_arrival_sort ON residents (arrival_date, ref_no);
CREATE INDEX residents_children_sort ON residents (child_count, ref_no);
CREATE INDEX residents_status_sort ON residents (
    (CASE status WHEN 'referral' THEN 0 WHEN 'resident' THEN 1 WHEN 'moved_on' THEN 2 ELSE 3 END),
    ref_no
);
"""

# A save names the version it was opened at, so a colleague's newer save is never overwritten
# silently (updated_at alone has one-second resolution).
V4_RESIDENT_VERSION = """
ALTER TABLE residents ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
"""

# Safety plans: one plan per resident, a draft being edited, frozen versions, reviews.
# Templates are kept in the vault so every version prints with the words it was agreed in.
V5_SAFETY_PLANS = """
CREATE TABLE plan_templates (
    id           INTEGER PRIMARY KEY,
    template_key TEXT NOT NULL,
    version      INTEGER NOT NULL,
    name         TEXT NOT NULL,
    body         TEXT NOT NULL,
    added_at     TEXT NOT NULL,
    added_by     INTEGER REFERENCES staff(id),
    UNIQUE (template_key, version)
);

CREATE TABLE safety_plans (
    id               INTEGER PRIMARY KEY,
    resident_id      INTEGER NOT NULL UNIQUE REFERENCES residents(id) ON DELETE CASCADE,
    latest_version   INTEGER NOT NULL DEFAULT 0,
    draft_template   INTEGER REFERENCES plan_templates(id),
    draft_content    TEXT,
    draft_revision   INTEGER NOT NULL DEFAULT 0,
    draft_updated_at TEXT,
    draft_updated_by INTEGER REFERENCES staff(id),
    review_date      TEXT,
    reviewer_id      INTEGER REFERENCES staff(id),
    created_at       TEXT NOT NULL,
    created_by       INTEGER REFERENCES staff(id)
);
CREATE INDEX safety_plans_review ON safety_plans (review_date);

CREATE TABLE plan_versions (
    id           INTEGER PRIMARY KEY,
    plan_id      INTEGER NOT NULL REFERENCES safety_plans(id) ON DELETE CASCADE,
    number       INTEGER NOT NULL,
    template_id  INTEGER NOT NULL REFERENCES plan_templates(id),
    content      TEXT NOT NULL,
    finalised_at TEXT NOT NULL,
    finalised_by INTEGER NOT NULL REFERENCES staff(id),
    review_date  TEXT,
    reviewer_id  INTEGER REFERENCES staff(id),
    UNIQUE (plan_id, number)
);

CREATE TABLE plan_reviews (
    id             INTEGER PRIMARY KEY,
    plan_id        INTEGER NOT NULL REFERENCES safety_plans(id) ON DELETE CASCADE,
    version_number INTEGER NOT NULL,
    reviewed_at    TEXT NOT NULL,
    reviewed_by    INTEGER NOT NULL REFERENCES staff(id),
    outcome        TEXT NOT NULL CHECK (outcome IN ('no_change', 'new_version')),
    next_review    TEXT,
    note           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX plan_reviews_plan ON plan_reviews (plan_id, id);
"""

# Categories funders count: what happened to a referral (and why one was declined) and the
# kind of move-on, beside the existing free text.
V6_OUTCOMES = """
ALTER TABLE residents ADD COLUMN referral_outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE residents ADD COLUMN decline_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE residents ADD COLUMN move_on_type TEXT NOT NULL DEFAULT '';
"""

# Move-on transfers between refuges, in and out: the id inside each package makes a second
# import of the same package detectable.
V7_TRANSFERS = """
CREATE TABLE transfers (
    id               INTEGER PRIMARY KEY,
    transfer_id      TEXT NOT NULL,
    direction        TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    resident_id      INTEGER REFERENCES residents(id) ON DELETE SET NULL,
    other_vault      TEXT NOT NULL,
    other_reference  TEXT NOT NULL,
    at               TEXT NOT NULL,
    by_user          INTEGER REFERENCES staff(id),
    UNIQUE (transfer_id, direction)
);
"""

# Issue 5 — case work. Risk checklists (wording kept in the vault by key+version, like plan
# templates), incidents, MARAC referrals, case notes (never edited: an amendment is a new row
# pointing at the original; FTS5 for search), support needs, court orders, immigration and
# money, tasks. Automatic tasks are computed from these dates; only their "done" marks are kept.
V8_CASEWORK = """
CREATE TABLE risk_checklists (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL,
    version     INTEGER NOT NULL,
    name        TEXT NOT NULL,
    body        TEXT NOT NULL,
    added_at    TEXT NOT NULL,
    added_by    INTEGER REFERENCES staff(id),
    UNIQUE (key, version)
);

CREATE TABLE risk_assessments (
    id               INTEGER PRIMARY KEY,
    resident_id      INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    checklist_id     INTEGER NOT NULL REFERENCES risk_checklists(id),
    assessed_on      TEXT NOT NULL,
    asked_by         INTEGER REFERENCES staff(id),
    interpreter      INTEGER NOT NULL DEFAULT 0,
    interpreter_note TEXT NOT NULL DEFAULT '',
    answers          TEXT NOT NULL,
    score            INTEGER NOT NULL,
    scored_level     TEXT NOT NULL CHECK (scored_level IN ('standard', 'medium', 'high')),
    level            TEXT NOT NULL CHECK (level IN ('standard', 'medium', 'high')),
    raised_reason    TEXT NOT NULL DEFAULT '',
    threshold_medium INTEGER NOT NULL,
    threshold_high   INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    created_by       INTEGER REFERENCES staff(id)
);
CREATE INDEX risk_assessments_resident ON risk_assessments (resident_id, assessed_on, id);

CREATE TABLE incidents (
    id                 INTEGER PRIMARY KEY,
    resident_id        INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    occurred_on        TEXT NOT NULL,
    what_happened      TEXT NOT NULL,
    reported_to_police INTEGER NOT NULL DEFAULT 0,
    police_reference   TEXT NOT NULL DEFAULT '',
    reported_by        TEXT NOT NULL DEFAULT '',
    created_at         TEXT NOT NULL,
    created_by         INTEGER REFERENCES staff(id)
);
CREATE INDEX incidents_resident ON incidents (resident_id, occurred_on);

CREATE TABLE marac_referrals (
    id           INTEGER PRIMARY KEY,
    resident_id  INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    referred_on  TEXT NOT NULL,
    agency       TEXT NOT NULL,
    criteria     TEXT NOT NULL DEFAULT '',
    meeting_on   TEXT,
    outcome      TEXT NOT NULL DEFAULT '',
    consent      INTEGER NOT NULL DEFAULT 0,
    lawful_basis TEXT NOT NULL DEFAULT '',
    decided_by   TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    created_by   INTEGER REFERENCES staff(id),
    updated_at   TEXT NOT NULL,
    updated_by   INTEGER REFERENCES staff(id)
);
CREATE INDEX marac_referrals_resident ON marac_referrals (resident_id, referred_on);

CREATE TABLE case_notes (
    id          INTEGER PRIMARY KEY,
    resident_id INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    happened_at TEXT NOT NULL,
    note_type   TEXT NOT NULL
                CHECK (note_type IN ('key_work', 'phone', 'incident', 'safeguarding', 'other')),
    body        TEXT NOT NULL,
    restricted  INTEGER NOT NULL DEFAULT 0,
    amends_id   INTEGER REFERENCES case_notes(id) ON DELETE CASCADE,
    author_id   INTEGER REFERENCES staff(id),
    created_at  TEXT NOT NULL
);
CREATE INDEX case_notes_resident ON case_notes (resident_id, happened_at, id);
CREATE INDEX case_notes_amends ON case_notes (amends_id);
CREATE INDEX case_notes_when ON case_notes (happened_at, id);
CREATE TRIGGER case_notes_never_edited BEFORE UPDATE ON case_notes BEGIN
    SELECT RAISE(ABORT, 'case notes are never edited in place: add an amendment');
END;
CREATE VIRTUAL TABLE case_notes_fts USING fts5 (
    body,
    content = 'case_notes', content_rowid = 'id',
    tokenize = "unicode61 remove_diacritics 2"
);
CREATE TRIGGER case_notes_fts_ai AFTER INSERT ON case_notes BEGIN
    INSERT INTO case_notes_fts (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER case_notes_fts_ad AFTER DELETE ON case_notes BEGIN
    INSERT INTO case_notes_fts (case_notes_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;

CREATE TABLE support_reviews (
    id          INTEGER PRIMARY KEY,
    resident_id INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    stage       TEXT NOT NULL CHECK (stage IN ('entry', 'review', 'exit')),
    reviewed_on TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  INTEGER REFERENCES staff(id)
);
CREATE INDEX support_reviews_resident ON support_reviews (resident_id, reviewed_on, id);

CREATE TABLE support_needs (
    review_id  INTEGER NOT NULL REFERENCES support_reviews(id) ON DELETE CASCADE,
    area       TEXT NOT NULL,
    need_level TEXT NOT NULL CHECK (need_level IN ('none', 'low', 'medium', 'high')),
    goal       TEXT NOT NULL DEFAULT '',
    outcome    TEXT NOT NULL DEFAULT '',
    comment    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (review_id, area)
);

CREATE TABLE court_orders (
    id               INTEGER PRIMARY KEY,
    resident_id      INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    order_type       TEXT NOT NULL,
    protected_people TEXT NOT NULL DEFAULT '',
    conditions       TEXT NOT NULL DEFAULT '',
    starts_on        TEXT,
    expires_on       TEXT,
    court            TEXT NOT NULL DEFAULT '',
    notes            TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    created_by       INTEGER REFERENCES staff(id),
    updated_at       TEXT NOT NULL,
    updated_by       INTEGER REFERENCES staff(id)
);
CREATE INDEX court_orders_resident ON court_orders (resident_id);
CREATE INDEX court_orders_expiry ON court_orders (expires_on);

CREATE TABLE immigration (
    resident_id        INTEGER PRIMARY KEY REFERENCES residents(id) ON DELETE CASCADE,
    visa_type          TEXT NOT NULL DEFAULT '',
    visa_expires_on    TEXT,
    documents_with_abuser TEXT NOT NULL DEFAULT '',
    mvdac_applied_on   TEXT,
    mvdac_granted_on   TEXT,
    solicitor          TEXT NOT NULL DEFAULT '',
    rent_paid_by       TEXT NOT NULL DEFAULT '',
    notes              TEXT NOT NULL DEFAULT '',
    updated_at         TEXT NOT NULL,
    updated_by         INTEGER REFERENCES staff(id)
);
CREATE INDEX immigration_visa_expiry ON immigration (visa_expires_on);
CREATE INDEX immigration_mvdac ON immigration (mvdac_granted_on);

CREATE TABLE immigration_applications (
    id          INTEGER PRIMARY KEY,
    resident_id INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    deadline_on TEXT,
    submitted_on TEXT,
    decision    TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    created_by  INTEGER REFERENCES staff(id),
    updated_at  TEXT NOT NULL,
    updated_by  INTEGER REFERENCES staff(id)
);
CREATE INDEX immigration_applications_deadline ON immigration_applications (deadline_on);
CREATE INDEX immigration_applications_resident ON immigration_applications (resident_id);

CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY,
    resident_id INTEGER REFERENCES residents(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    details     TEXT NOT NULL DEFAULT '',
    due_on      TEXT,
    assignee_id INTEGER REFERENCES staff(id),
    done_at     TEXT,
    done_by     INTEGER REFERENCES staff(id),
    created_at  TEXT NOT NULL,
    created_by  INTEGER REFERENCES staff(id)
);
CREATE INDEX tasks_open ON tasks (done_at, due_on);
CREATE INDEX tasks_resident ON tasks (resident_id);

CREATE TABLE auto_tasks_done (
    key     TEXT PRIMARY KEY,
    done_at TEXT NOT NULL,
    done_by INTEGER REFERENCES staff(id)
) WITHOUT ROWID;
"""

# Issue 6 — trust. The audit log becomes a hash chain (existing entries chained in id order);
# a record's version goes in `detail`. Legal hold stops a resident being purged. Field-level
# change history keeps old and new values (purged with her).
V9_TRUST = """
ALTER TABLE audit_log ADD COLUMN detail TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_user ON audit_log (user_id, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_ref ON audit_log (ref, id);
ALTER TABLE residents ADD COLUMN legal_hold INTEGER NOT NULL DEFAULT 0;
ALTER TABLE residents ADD COLUMN legal_hold_reason TEXT NOT NULL DEFAULT '';
CREATE TABLE change_history (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    user_id   INTEGER REFERENCES staff(id),
    entity    TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    ref       TEXT NOT NULL DEFAULT '',
    field     TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX change_history_entity ON change_history (entity, entity_id, field, id);
CREATE INDEX change_history_ref ON change_history (ref, id);
"""


# Keys per account (issue "roles enforced by keys"):
# - audit entries carry who signed them and the Ed25519 signature of their hash;
# - a restricted case note keeps its text sealed (``sealed``: nonce || AES-256-GCM) under its
#   own key, which ``note_keys`` holds wrapped for its author and for the managers; its
#   ``body`` is then empty and nothing of it goes into the shared search index;
# - ``rota_outbox`` notes, inside each change's transaction, what the rota file must copy.
V10_KEYS = (
    """
ALTER TABLE audit_log ADD COLUMN signer INTEGER;
ALTER TABLE audit_log ADD COLUMN sig TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_hash ON audit_log (hash);
ALTER TABLE case_notes ADD COLUMN sealed BLOB;
CREATE TABLE note_keys (
    note_id   INTEGER NOT NULL REFERENCES case_notes(id) ON DELETE CASCADE,
    recipient TEXT NOT NULL,
    epoch     INTEGER NOT NULL,
    wrapped   BLOB NOT NULL,
    PRIMARY KEY (note_id, recipient)
) WITHOUT ROWID;
INSERT INTO case_notes_fts (case_notes_fts, rowid, body)
    SELECT 'delete', id, body FROM case_notes WHERE restricted = 1;
DROP TRIGGER case_notes_fts_ai;
DROP TRIGGER case_notes_fts_ad;
CREATE TRIGGER case_notes_fts_ai AFTER INSERT ON case_notes WHEN new.restricted = 0 BEGIN
    INSERT INTO case_notes_fts (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER case_notes_fts_ad AFTER DELETE ON case_notes WHEN old.restricted = 0 BEGIN
    INSERT INTO case_notes_fts (case_notes_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
DROP TRIGGER case_notes_never_edited;
-- Never edited, with one exception: a restricted note written before keys per account has
-- its text sealed once (the same text, now readable only with its key).
CREATE TRIGGER case_notes_never_edited BEFORE UPDATE ON case_notes
WHEN NOT (
    old.restricted = 1 AND new.restricted = 1 AND old.sealed IS NULL
    AND new.sealed IS NOT NULL AND new.body = ''
    AND new.id = old.id AND new.resident_id = old.resident_id
    AND new.happened_at = old.happened_at AND new.note_type = old.note_type
    AND new.amends_id IS old.amends_id AND new.author_id IS old.author_id
    AND new.created_at = old.created_at
)
BEGIN
    SELECT RAISE(ABORT, 'case notes are never edited in place: add an amendment');
END;
"""
    + OUTBOX_SCHEMA
)


def _v9(db: Database) -> None:
    db.executescript(V9_TRUST)
    audit_chain.chain_existing(db)


Step = Callable[[Database], None]


def _script(sql: str) -> Step:
    def run(db: Database) -> None:
        db.executescript(sql)

    return run


STEPS: list[tuple[int, Step]] = [
    (1, _script(V1_CORE)),
    (2, _script(V2_DRAFTS_AND_AUDIT)),
    (3, _script(V3_LIST_SORT_INDEXES)),
    (4, _script(V4_RESIDENT_VERSION)),
    (5, _script(V5_SAFETY_PLANS)),
    (6, _script(V6_OUTCOMES)),
    (7, _script(V7_TRANSFERS)),
    (8, _script(V8_CASEWORK)),
    (9, _v9),
    (10, _script(V10_KEYS)),
]
LATEST = STEPS[-1][0]


def pending(db: Database) -> list[int]:
    current = db.user_version
    return [v for v, _ in STEPS if v > current]


def migrate(db: Database, target: int = LATEST) -> None:
    """Apply every step above the current version up to ``target``, one transaction each."""
    for version, step in STEPS:
        if version <= db.user_version or version > target:
            continue
        with db.transaction():
            step(db)
            db.execute(f"PRAGMA user_version = {version}")
