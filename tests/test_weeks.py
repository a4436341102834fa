"""ISO weeks, their slugs and paths, the equity calendar and the as-of of each week."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from generator.weeks import (
    WEEK,
    equity_calendar,
    is_provisional,
    iso_week,
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
    ("as_of", "latest", "provisional"),
    [
        (dt.date(2026, 2, 19), True, True),  # the latest week, data stops on Thursday
        (dt.date(2026, 2, 16), True, True),  # ... or on Monday
        (dt.date(2026, 2, 20), True, False),  # the latest week reaches Friday: complete
        (dt.date(2026, 2, 19), False, False),  # an earlier week ending on a Thursday holiday
    ],
)
def test_only_the_latest_week_stopping_before_friday_is_provisional(as_of, latest, provisional):
    assert is_provisional(as_of, latest) is provisional
