"""ISO weeks, their URL slugs and the as-of calendar (SPEC §4). Pure.

The equity calendar E is the set of `^RUT` dates with a close; an issue covers an ISO week
`YYYY-Www` and its as-of date is the last date of E in that week; the week is complete once
E holds the week's last NYSE session (the exchange calendar below).
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from functools import lru_cache

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


# --- the exchange calendar -----------------------------------------------------------------
# NYSE sessions come from `exchange-calendars` (XNYS: weekends, the holidays by their rules
# and the one-off closures such as 2001-09-11 or 2018-12-05). Built for whole years, from
# explicit bounds so that the answer never depends on today's date, and kept per process.

EXCHANGE = "XNYS"
SPAN = (1970, 2035)  # years always built together: one calendar serves every ticker


@lru_cache(maxsize=16)
def _sessions_of_years(first_year: int, last_year: int) -> pd.DatetimeIndex:
    """NYSE sessions from 1 January `first_year` to 31 December `last_year` (tz-naive).

    The holidays come from the library's rules, so a session is the same whatever range
    is built (bounds are explicit: the library's default range follows today's date).
    """
    with warnings.catch_warnings():  # the library's pandas deprecations are not ours
        warnings.simplefilter("ignore")
        import exchange_calendars

        calendar = exchange_calendars.get_calendar(
            EXCHANGE, start=f"{first_year}-01-01", end=f"{last_year}-12-31")
        sessions = pd.DatetimeIndex(calendar.sessions)
    if sessions.tz is not None:
        sessions = sessions.tz_localize(None)
    # No frequency: the library's custom business day holds its holidays, which a copy of
    # the dates (the build cache's) cannot carry.
    return pd.DatetimeIndex(sessions.as_unit("ns").to_numpy(), name=None)


_HANDED_IN: dict[tuple[int, int], pd.DatetimeIndex] = {}


def span_sessions() -> pd.DatetimeIndex:
    """Every NYSE session of the `SPAN` years (~16,600 dates)."""
    return _sessions_of_years(*SPAN)


def use_span_sessions(sessions: pd.DatetimeIndex) -> None:
    """Take the `SPAN`'s sessions as `span_sessions` made them in an earlier process with
    the same library (the build cache keeps them): loading the calendar takes ~0.3 s."""
    _HANDED_IN[SPAN] = pd.DatetimeIndex(sessions)


def exchange_sessions(start: dt.date | pd.Timestamp, end: dt.date | pd.Timestamp
                      ) -> pd.DatetimeIndex:
    """Every NYSE session from `start` to `end` inclusive (midnight timestamps)."""
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    years = (min(first.year, SPAN[0]), max(first.year, last.year, SPAN[1]))
    sessions = _HANDED_IN.get(years)
    if sessions is None:
        sessions = _sessions_of_years(*years)
    return sessions[(sessions >= first.normalize()) & (sessions <= last.normalize())]


def exchange_closed(dates: pd.DatetimeIndex) -> np.ndarray:
    """True for each date on which the NYSE held no session (weekends and holidays)."""
    dates = pd.DatetimeIndex(dates)
    if dates.empty:
        return np.zeros(0, dtype=bool)
    sessions = exchange_sessions(dates.min(), dates.max())
    return ~pd.DatetimeIndex(dates.normalize()).isin(sessions)


def last_session_of_week(day: dt.date | pd.Timestamp) -> dt.date | None:
    """The last NYSE session of the ISO week holding `day` (None: a week with no session)."""
    stamp = pd.Timestamp(day).normalize()
    monday = stamp - pd.Timedelta(days=stamp.weekday())
    sessions = exchange_sessions(monday, monday + pd.Timedelta(days=6))
    return sessions[-1].date() if len(sessions) else None


def is_provisional(as_of: dt.date, last_session: dt.date | None) -> bool:
    """A week is complete only when its last expected session has a `^RUT` bar.

    `as_of` is the week's last `^RUT` date; `last_session` its last NYSE session. Any week
    can be incomplete (a missing Friday keeps it open), not only the latest.
    """
    return last_session is not None and as_of < last_session
