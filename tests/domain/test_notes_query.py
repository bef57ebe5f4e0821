"""The note search sanitiser: whatever she types, FTS5 never sees a syntax error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlcipher3
from hypothesis import given, settings
from hypothesis import strategies as st

from refuge_desk.domain import notes as nd

BODIES = [
    "She called the housing office about the bid",
    "NEAR the school AND the park OR not",
    'Quote "marks" and * stars (brackets) {braces} ^caret',
    "Émilie went to the café; Łucja's appointment",
    "فاطمة ذهبت إلى المدرسة",
    "मुझे डर है कि वह मुझे ढूंढ लेगा",
]


@pytest.fixture(scope="module")
def fts() -> Iterator[sqlcipher3.Connection]:
    conn = sqlcipher3.connect(":memory:")
    conn.execute(
        'CREATE VIRTUAL TABLE t USING fts5 (body, tokenize = "unicode61 remove_diacritics 2")'
    )
    conn.executemany("INSERT INTO t (body) VALUES (?)", [(b,) for b in BODIES])
    yield conn
    conn.close()


def matches(conn: sqlcipher3.Connection, typed: str, expand: object = None) -> list[str]:
    query = nd.fts_query(typed, expand)  # type: ignore[arg-type]
    if not query:
        return []
    return [r[0] for r in conn.execute("SELECT body FROM t WHERE t MATCH ?", (query,))]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_is_a_valid_query(fts: sqlcipher3.Connection, typed: str) -> None:
    matches(fts, typed)  # raises on an FTS5 syntax error
    matches(fts, typed, lambda w: [w.lower(), "x" + w.lower()])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                '"',
                "*",
                "(",
                ")",
                "NEAR",
                "AND",
                "OR",
                "NOT",
                ":",
                "^",
                "-",
                "+",
                "{",
                "}",
                "NEAR(",
                "body:",
                "é",
                "ß",
                "\x00",
                " ",
                "ﬁ",
                "😀",
            ]
        ),
        max_size=12,
    )
)
def test_query_syntax_pieces_stay_plain_text(fts: sqlcipher3.Connection, parts: list[str]) -> None:
    matches(fts, "".join(parts))
    matches(fts, " ".join(parts))


def test_words_are_anded_prefixes_and_syntax_words_are_literal(
    fts: sqlcipher3.Connection,
) -> None:
    assert matches(fts, "hous bid") == [BODIES[0]]
    assert matches(fts, "hous school") == []  # both words must match
    assert matches(fts, "NEAR") == [BODIES[1]]
    assert matches(fts, "AND OR") == [BODIES[1]]
    assert matches(fts, '"marks"') == [BODIES[2]]
    assert matches(fts, "emilie cafe") == [BODIES[3]]  # diacritics do not matter
    assert matches(fts, "المدرسة") == [BODIES[4]]
    assert matches(fts, "ढूंढ") == [BODIES[5]]
    assert nd.fts_query('  * "" ( ) ') == ""


def test_short_words_are_exact_and_terms_are_capped() -> None:
    assert nd.fts_query("to") == '"to"'
    assert nd.fts_query("hou") == '"hou"*'
    typed = " ".join(f"word{i}" for i in range(40))
    assert nd.fts_query(typed).count(" AND ") == nd.MAX_TERMS - 1
    assert nd.fts_query("hous", lambda w: ["house", "housing"]) == '("house" OR "housing")'
    assert nd.uses_prefix(nd.fts_query("hous bid")) is True
    assert nd.uses_prefix(nd.fts_query("hous", lambda w: ["housing"])) is False


def test_validate_note() -> None:
    now = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)
    assert nd.validate("Fine", now - dt.timedelta(days=30), now) == []
    assert nd.validate("Fine", now + dt.timedelta(minutes=4), now) == []
    assert nd.validate("   ", now, now) == ["Write the note: the text is empty."]
    assert nd.validate("x" * (nd.MAX_TEXT + 1), now, now)
    assert nd.validate("Fine", now + dt.timedelta(hours=1), now) == [
        "The note's date and time is in the future."
    ]


def test_plain_snippet_marks_the_word() -> None:
    text = "A long note. " * 20 + "She went to the housing office today."
    snippet = nd.plain_snippet(text, ["hous"])
    assert "[housing]" in snippet
    assert snippet.startswith("…")
