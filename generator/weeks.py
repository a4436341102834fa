"""ISO weeks, their URL slugs and the as-of calendar (SPEC §4). Pure.

The equity calendar E is the set of `^RUT` dates with a close; an issue covers an ISO week
`YYYY-Www` and its as-of date is the last date of E in that week.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

WEEK = re.compile(r"^(\d{4})-W(\d\d)$")


def equity_calendar(rut: pd.DataFrame) -> pd.DatetimeIndex:
    """E: the dates of `^RUT` rows with a close, ascending."""
    return pd.DatetimeIndex(rut.index[rut["close"].notna()]).sort_values()


def iso_week(day: dt.date | pd.Timestamp) -> str:
    """ISO week label `YYYY-Www` of a date."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_slug(week: str) -> str:
    """URL slug of a week: `2025-W38` -> `2025-w38`."""
    return week.lower()


def week_path(week: str) -> str:
    """Site folder of an issue: `issues/2025-w38/`."""
    return f"issues/{week_slug(week)}/"


def weekly_positions(calendar: pd.DatetimeIndex) -> tuple[list[str], np.ndarray]:
    """ISO week labels and the E-position of each week's as-of date (its last E date)."""
    iso = calendar.isocalendar()
    labels = [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"], strict=True)]
    last: dict[str, int] = {}
    for pos, label in enumerate(labels):
        last[label] = pos
    return list(last), np.fromiter(last.values(), dtype=np.int64, count=len(last))


def is_provisional(as_of: dt.date, latest: bool) -> bool:
    """Only the latest week can be incomplete: its data stops before Friday.

    Earlier weeks are complete by construction (a later trading day exists), and a
    latest week whose data reaches Friday has every trading day it will have.
    """
    return latest and as_of.weekday() < 4
