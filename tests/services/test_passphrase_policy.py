"""NIST SP 800-63B-4 passphrase rules: length 15-256, no composition rules, no weak ones."""

from __future__ import annotations

from refuge_desk.services import passphrase_policy
from refuge_desk.services.passphrase_policy import ADVICE, MAX_LENGTH, MIN_LENGTH, assess

NAME = "Philippa Montgomery-Hawthorne"
ORG = "Northern Lights Womens Aid"


def test_fourteen_characters_are_refused() -> None:
    result = assess("jazz pylon oxe")
    assert len("jazz pylon oxe") == MIN_LENGTH - 1
    assert not result.ok
    assert "Use at least 15 characters (14 so far)." in result.problems


def test_fifteen_strong_characters_are_accepted() -> None:
    passphrase = "jazz pylon oxen"
    assert len(passphrase) == MIN_LENGTH
    result = assess(passphrase)
    assert result.ok, result.problems
    assert result.score >= 3
    assert result.hint == "Good passphrase."


def test_fifteen_weak_characters_are_refused() -> None:
    result = assess("aaaaaaaaaaaaaaa")
    assert not result.ok
    assert any("easy to guess" in p for p in result.problems)


def test_over_256_characters_are_refused_and_256_accepted() -> None:
    words = "orbit kettle mango lantern quiver saffron "
    long = (words * 10)[:MAX_LENGTH]
    assert assess(long).ok
    too_long = long + "z"
    result = assess(too_long)
    assert not result.ok
    assert "Use at most 256 characters." in result.problems


def test_common_and_weak_passwords_are_refused() -> None:
    for weak in ("password123456789", "iloveyou12345678", "qwertyuiopasdfgh", "123456789012345"):
        result = assess(weak)
        assert not result.ok, weak
        assert result.score < 3
        assert result.hint == ADVICE


def test_names_of_the_user_and_the_organisation_are_refused() -> None:
    inputs = [NAME, ORG]
    for own in (NAME, NAME.lower(), ORG, f"  {ORG}  "):
        result = assess(own, inputs)
        assert not result.ok, own
        assert any("name or the organisation's name" in p for p in result.problems)
    # The name with a little decoration is still easy to guess for someone who knows her.
    assert not assess("Montgomery-Hawthorne 1", inputs).ok


def test_three_random_words_are_accepted_without_composition_rules() -> None:
    for good in (
        "copper falcon pillow",
        "plum vortex kiwi",
        "kettle orbit mango lantern",
        "żurawina kompas lato",
        "синий чайник облако",
    ):
        result = assess(good, [NAME, ORG])
        assert result.ok, (good, result.problems)
        assert result.problems == []


def test_empty_passphrase_is_refused_with_advice() -> None:
    result = assess("")
    assert not result.ok
    assert result.hint == ADVICE
    assert result.label == "Very weak"


def test_easy_to_guess_is_one_clean_sentence() -> None:
    problems = passphrase_policy.assess("qwertyuiopasdfgh").problems
    assert problems == ["This is easy to guess (similar to a commonly used password)."]
    for weak in ["aaaaaaaaaaaaaaaaaa", "passwordpassword1", "12345678901234567"]:
        for problem in passphrase_policy.assess(weak).problems:
            assert ": " not in problem
            assert problem.endswith(".")
            assert problem[0].isupper()
