"""NIST SP 800-63B-4: length 15-256, no composition rules, block common and weak ones."""

from __future__ import annotations

from dataclasses import dataclass

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from refuge_desk.domain.errors import ValidationError

MIN_LENGTH = 15
MAX_LENGTH = 256
MIN_SCORE = 3
ADVICE = "Tip: three or four random words you can remember, like “kettle orbit mango lantern”."
_SCORED_PREFIX = 64  # zxcvbn slows down sharply on long input; 64 characters decide the score
_COMMON = frozenset(FREQUENCY_LISTS.get("passwords", []))

_LABELS = ["Very weak", "Weak", "Fair", "Strong", "Very strong"]


@dataclass(frozen=True, slots=True)
class Assessment:
    ok: bool
    score: int  # 0-4
    label: str
    problems: list[str]
    hint: str


def _mostly_names(passphrase: str, names: list[str]) -> bool:
    rest = passphrase.casefold()
    for word in sorted({w.casefold() for w in names if len(w) > 2}, key=len, reverse=True):
        rest = rest.replace(word, "")
    return len("".join(ch for ch in rest if ch.isalnum())) < 10


def assess(passphrase: str, user_inputs: list[str] | tuple[str, ...] = ()) -> Assessment:
    problems: list[str] = []
    n = len(passphrase)
    if n < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters ({n} so far).")
    if n > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    inputs = [w for text in user_inputs for w in text.split() if len(w) > 2]
    inputs += [t for t in user_inputs if t]
    if not passphrase:
        return Assessment(False, 0, _LABELS[0], problems, ADVICE)
    result = zxcvbn(passphrase[:_SCORED_PREFIX], user_inputs=inputs)
    score = int(result["score"])
    if passphrase.strip().lower() in _COMMON:
        problems.append("This is a commonly used password; choose another.")
        score = 0
    if n >= MIN_LENGTH and _mostly_names(passphrase, inputs):
        problems.append("Do not build it from your name or the organisation's name.")
        score = min(score, 1)
    if score < MIN_SCORE and n >= MIN_LENGTH:
        feedback = result.get("feedback") or {}
        problems.append(_easy_to_guess(str(feedback.get("warning") or "")))
    hint = ADVICE if score < MIN_SCORE or n < MIN_LENGTH else "Good passphrase."
    return Assessment(not problems, score, _LABELS[max(0, min(score, 4))], problems, hint)


def _easy_to_guess(warning: str) -> str:
    """One sentence: zxcvbn's warning ("This is similar to a commonly used password.") as
    the reason in brackets: "This is easy to guess (similar to a commonly used password)."
    """
    reason = warning.strip().rstrip(".").strip()
    if reason.lower().startswith("this is "):
        reason = reason[len("this is ") :]
    if not reason:
        return "This is easy to guess."
    return f"This is easy to guess ({reason[0].lower()}{reason[1:]})."


def check_new_passphrase(passphrase: str, confirm: str | None, user_inputs: list[str]) -> None:
    """Raise ValidationError listing what is wrong with a new passphrase (and its repeat)."""
    problems: list[str] = []
    if confirm is not None and passphrase != confirm:
        problems.append("The two passphrases are not the same.")
    problems += assess(passphrase, user_inputs).problems
    if problems:
        raise ValidationError(problems)
