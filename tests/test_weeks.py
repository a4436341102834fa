"""ISO weeks, their slugs and paths, the equity calendar and the as-of of each week."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from generator.weeks import (
    WEEK,
    equity_calendar,
    exchange_closed,
    exchange_sessions,
    is_provisional,
    iso_week,
    last_session_of_week,
    week_path,
    week_slug,
    weekly_positions,
)


@pytest.mark.parametrize(
    ("day", "week"),
    [
        (pd.Timestamp("2021-01-01"), "2020-W53"),  # a Friday in the last ISO week of 2020
        (dt.date(2024, 12, 30), "2025-W01"),  # a Monday in the first ISO week of 2025
        (dt.date(2025, 9, 19), "2025-W38"),
        (dt.date(2026, 1, 4), "2026-W01"),  # a Sunday ends its week
        (dt.date(2026, 1, 5), "2026-W02"),
    ],
)
def test_iso_week(day, week):
    assert iso_week(day) == week
    assert WEEK.match(week)


def test_slug_and_path_of_a_week():
    assert week_slug("2025-W38") == "2025-w38"
    assert week_path("2025-W38") == "issues/2025-w38/"
    assert WEEK.match("2025-W38") and not WEEK.match("2025-w38") and not WEEK.match("2025-W8")


def test_equity_calendar_is_the_rut_dates_with_a_close_ascending():
    rut = pd.DataFrame({"close": [2.0, math.nan, 1.0, 3.0]},
                       index=pd.DatetimeIndex(["2024-01-03", "2024-01-04", "2024-01-02",
                                               "2024-01-05"]))
    calendar = equity_calendar(rut)
    assert isinstance(calendar, pd.DatetimeIndex)
    assert list(calendar.strftime("%Y-%m-%d")) == ["2024-01-02", "2024-01-03", "2024-01-05"]


def test_as_of_is_the_last_e_date_of_each_week():
    dates = pd.DatetimeIndex(["2024-12-30", "2024-12-31", "2025-01-02", "2025-01-06"])
    labels, ends = weekly_positions(dates)
    assert labels == ["2025-W01", "2025-W02"]
    assert ends.tolist() == [2, 3]
    labels, ends = weekly_positions(pd.DatetimeIndex(["2020-12-31", "2021-01-01", "2021-01-04"]))
    assert labels == ["2020-W53", "2021-W01"] and ends.tolist() == [1, 2]
    labels, ends = weekly_positions(pd.DatetimeIndex([]))
    assert labels == [] and len(ends) == 0


@pytest.mark.parametrize(
    ("as_of", "provisional"),
    [
        (dt.date(2026, 2, 19), True),  # data stops on Thursday, Friday is a session
        (dt.date(2026, 2, 16), True),  # ... or on Monday (a holiday: Presidents' Day)
        (dt.date(2026, 2, 20), False),  # the week reaches Friday: complete
        (dt.date(2026, 4, 2), False),  # Thursday before Good Friday: the last session
        (dt.date(2025, 11, 28), False),  # the half day after Thanksgiving is a session
        (dt.date(2025, 11, 26), True),  # ... so stopping on Wednesday is not complete
        (dt.date(2025, 7, 3), False),  # 4 July on a Friday: Thursday is the last session
        (dt.date(2026, 12, 24), False),  # Christmas on a Friday: Thursday, a half day
    ],
)
def test_a_week_is_complete_when_its_last_nyse_session_has_a_bar(as_of, provisional):
    assert is_provisional(as_of, last_session_of_week(as_of)) is provisional


def test_any_week_can_be_incomplete_not_only_the_latest():
    # a missing Friday in the middle of history keeps that week open
    assert is_provisional(dt.date(2019, 3, 14), last_session_of_week(dt.date(2019, 3, 14)))
    assert not is_provisional(dt.date(2019, 3, 14), None)  # a week with no session at all


def test_last_session_of_week():
    assert last_session_of_week(dt.date(2026, 3, 30)) == dt.date(2026, 4, 2)  # Good Friday
    assert last_session_of_week(dt.date(2025, 12, 31)) == dt.date(2026, 1, 2)  # ISO 2026-W01
    assert last_session_of_week(dt.date(2026, 2, 21)) == dt.date(2026, 2, 20)  # a Saturday


def test_exchange_closed_days():
    days = pd.DatetimeIndex(["2025-09-01", "2025-09-02", "2018-12-05", "2001-09-11",
                             "2001-09-17", "2026-02-21", "2026-12-25", "1990-01-02"])
    assert exchange_closed(days).tolist() == [True, False, True, True, False, True, True, False]
    assert exchange_closed(pd.DatetimeIndex([])).tolist() == []


def test_exchange_sessions_do_not_depend_on_the_range_asked():
    a = exchange_sessions(dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    b = exchange_sessions(dt.date(1985, 1, 1), dt.date(2040, 12, 31))
    assert a.equals(b[(b >= "2024-01-01") & (b <= "2024-12-31")])
    assert len(a) == 252


def test_sessions_handed_in_by_the_cache_give_the_same_answers():
    from generator import weeks

    kept = weeks.span_sessions()
    days = pd.DatetimeIndex(["2026-11-26", "2026-11-27", "2001-09-11", "2018-12-05",
                             "2026-12-05", "2026-12-07"])
    before = weeks.exchange_closed(days)
    weeks.use_span_sessions(pd.DatetimeIndex(list(kept)))  # a copy, as read back from a file
    try:
        assert (weeks.exchange_closed(days) == before).all()
        assert list(before) == [True, False, True, True, True, False]
        assert weeks.last_session_of_week(dt.date(2026, 11, 26)) == dt.date(2026, 11, 27)
    finally:
        weeks._HANDED_IN.clear()


def test_the_sessions_are_read_back_from_the_store_by_the_next_build(tmp_path):
    """The store keeps the sessions and the next process reads them (a frequency the codec
    cannot write back made every build load the calendar again)."""
    from generator import weeks
    from generator.cache import stages
    from generator.cache.store import Store

    try:
        first = Store(tmp_path, "code")
        stages.exchange_calendar(first)
        first.save(prune=True)
        second = Store(tmp_path, "code")
        stages.exchange_calendar(second)
        assert (second.hits, second.misses) == (1, 0)
        assert weeks._HANDED_IN[weeks.SPAN].equals(weeks.span_sessions())
    finally:
        weeks._HANDED_IN.clear()
