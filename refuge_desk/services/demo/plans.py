"""Fictional safety plans for the demo vault: agreed versions, open drafts, reviews due.

Her own words come partly in her language, so the demo shows plans in many scripts.
"""

from __future__ import annotations

import datetime as dt
import random

from refuge_desk.domain.residents import Status
from refuge_desk.services import plans, residents
from refuge_desk.services.session import Session
from refuge_desk.store import plans_repo

# A line in her own words, by the language listed first on her record (fictional, generic).
OWN_WORDS = {
    "Arabic": "أخاف أن يعرف مكان المدرسة. أريد أن يكون أطفالي بأمان.",
    "Bengali": "আমি ভয় পাই সে আমাকে খুঁজে পাবে। আমার সন্তানদের নিরাপদ রাখতে চাই।",
    "Polish": "Boję się, że znajdzie mnie przez znajomych. Chcę, żeby dzieci były bezpieczne.",
    "Russian": "Я боюсь, что он найдёт меня через родственников.",
    "Ukrainian": "Я боюся, що він знайде мене через друзів.",
    "Mandarin": "我担心他会通过朋友找到我。我希望孩子们安全。",
    "Tigrinya": "ንሱ ክረኽበኒ እዩ ኢለ እፈርሕ።",
    "Amharic": "እሱ ያገኘኛል ብዬ እፈራለሁ። ልጆቼ ደህና እንዲሆኑ እፈልጋለሁ።",
    "Urdu": "مجھے ڈر ہے کہ وہ مجھے ڈھونڈ لے گا۔ میں اپنے بچوں کو محفوظ رکھنا چاہتی ہوں۔",
    "Punjabi": "ਮੈਨੂੰ ਡਰ ਹੈ ਕਿ ਉਹ ਮੈਨੂੰ ਲੱਭ ਲਵੇਗਾ।",
    "Tamil": "அவர் என்னைக் கண்டுபிடிப்பார் என்று பயப்படுகிறேன்.",
    "Farsi": "می‌ترسم که او مرا پیدا کند. می‌خواهم بچه‌هایم در امان باشند.",
    "Hindi": "मुझे डर है कि वह मुझे ढूंढ लेगा। मैं अपने बच्चों को सुरक्षित रखना चाहती हूं।",
}
WORRIES = [
    "That he finds out which town I am in through his cousins.",
    "Meeting his family at the market on Saturdays.",
    "The children's school being contacted by him.",
]
STRENGTHS = [
    "My sister believes me and calls every evening.",
    "I know the bus routes now and I have a friend at the college.",
    "My faith group; walking in the park with the children.",
]
AVOID = [
    "Brinkton high street and the old flat; his work at the depot.",
    "The Eastmoor mosque car park on Fridays; his mother's road.",
    "Larkhill Green leisure centre; taxis from the rank by the station.",
]


def seed_plans(session: Session, rng: random.Random, count: int = 14) -> int:
    """Plans for up to ``count`` current residents, with a spread of review dates."""
    rows = [
        r for r in residents.list_residents(session, statuses=(Status.RESIDENT,)) if r.reference
    ][:count]
    today = session.today()
    made = 0
    for i, row in enumerate(rows):
        res = residents.get(session, row.id)
        state = plans.start_draft(session, row.id)
        assert state.draft is not None
        content = dict(state.draft.content)
        language = (res.languages.split(",")[0] or "English").strip()
        own = OWN_WORDS.get(language, "")
        content["worries"] = "\n".join(x for x in (rng.choice(WORRIES), own) if x)
        content["strengths"] = rng.choice(STRENGTHS)
        content["avoid"] = rng.choice(AVOID)
        content["documents"] = {
            "passport": rng.choice(["have", "needed", "copy"]),
            "visa": rng.choice(["needed", "copy", "not_applicable"]),
            "birth_certificates": "copy",
            "bank_cards": "have",
            "keys": "have",
        }
        content["safe_contacts"] = [
            {
                "name": "My sister",
                "relationship": "sister",
                "number": "07700 900" + f"{rng.randrange(1000):03d}",
                "safe_times": "evenings",
                "knows": "yes",
            },
            {
                "name": "Helpline",
                "relationship": "",
                "number": "0808 2000 247",
                "safe_times": "24 hours",
                "knows": "not_known",
            },
        ]
        content["code_words"] = [
            {"word": "Is the kettle on?", "meaning": "Call 999 now", "who": "Sister, staff"}
        ]
        content["phone_checked"] = "yes"
        content["take"] = "Passport, medication, charger, the children's red book."
        content["risk_notes"] = "Fictional staff note: risk reviewed at key-work session."
        revision = plans.save_draft(session, row.id, content, state.draft.revision)
        if i % 5 == 4:  # an open first draft, never agreed
            made += 1
            continue
        plans.finalise(session, row.id, revision)
        if i % 3 == 0:  # a second version with a change, agreed later
            again = plans.start_draft(session, row.id)
            assert again.draft is not None
            changed = dict(again.draft.content)
            changed["going_out"] = "Vary the route to the GP; go with a friend on Tuesdays."
            rev2 = plans.save_draft(session, row.id, changed, again.draft.revision)
            plans.finalise(session, row.id, rev2)
        plan = plans_repo.plan_for(session.db, row.id)
        assert plan is not None
        # A spread of dates so the reviews list has overdue, due-soon and later plans.
        offset = [-9, -2, 3, 6, 20, 35][i % 6]
        with session.db.transaction():
            plans_repo.set_review(session.db, plan.id, today + dt.timedelta(days=offset), None)
        made += 1
    return made
