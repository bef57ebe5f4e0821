"""The plan page's save schedule, on its own: no Qt, no vault."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from refuge_desk.ui.plans.autosave import AUTOSAVE_MS, MAX_UNSAVED_MS, SaveSchedule, Touch


def test_a_save_comes_three_seconds_after_the_last_change() -> None:
    schedule = SaveSchedule()
    assert schedule.touched(100.0) == Touch(first=True, save_in_ms=AUTOSAVE_MS)
    assert schedule.touched(101.0) == Touch(first=False, save_in_ms=AUTOSAVE_MS)
    assert schedule.dirty


def test_steady_typing_is_saved_ten_seconds_after_the_first_unsaved_change() -> None:
    schedule = SaveSchedule()
    schedule.touched(100.0)
    assert schedule.touched(109.0).save_in_ms == 1000
    assert schedule.touched(110.5).save_in_ms == 0  # overdue: save at once


def test_after_a_save_the_ten_seconds_start_again() -> None:
    schedule = SaveSchedule()
    schedule.touched(100.0)
    schedule.saved()
    assert not schedule.dirty
    assert schedule.touched(150.0) == Touch(first=True, save_in_ms=AUTOSAVE_MS)


def test_a_stale_plan_stops_the_tries_until_a_reload() -> None:
    schedule = SaveSchedule()
    schedule.touched(100.0)
    schedule.refused(stale=True)
    assert schedule.dirty  # the typing is still hers, unsaved
    assert schedule.touched(101.0) == Touch(first=False, save_in_ms=None)
    schedule.refused(stale=False)  # a later plain refusal does not undo it
    assert schedule.stale
    schedule.reset()
    assert not schedule.dirty and not schedule.stale
    assert schedule.touched(200.0).save_in_ms == AUTOSAVE_MS


def test_a_refusal_that_is_not_stale_keeps_trying() -> None:
    schedule = SaveSchedule()
    schedule.touched(100.0)
    schedule.refused(stale=False)
    assert schedule.touched(102.0).save_in_ms == AUTOSAVE_MS


@given(st.lists(st.floats(min_value=0.0, max_value=30.0), min_size=1, max_size=40))
def test_no_change_waits_longer_than_either_limit(gaps: list[float]) -> None:
    """Whatever her rhythm, the save asked for is never more than 3 s after her last change
    nor more than 10 s after her first unsaved one."""
    schedule = SaveSchedule()
    now, first = 0.0, 0.0
    for gap in gaps:
        now += gap
        touch = schedule.touched(now)
        if touch.first:
            first = now
        assert touch.save_in_ms is not None
        assert 0 <= touch.save_in_ms <= AUTOSAVE_MS
        assert now + touch.save_in_ms / 1000 <= max(now, first + MAX_UNSAVED_MS / 1000) + 1e-3
        if touch.save_in_ms == 0:
            schedule.saved()  # the timer fires at once
