"""What the boundary checks found, carried to the weeks they touch (pure).

`sources.validate` rejects bad bars before the store and keeps the newest bar's large move
as unconfirmed (`BarProblem`s). Here each problem reaches the issues it touches, so that
no wrong number and no silent change reaches a reader:

- a **rejected bar dated within a week** (after the previous as-of date, on or before this
  one) makes the score components resting on its ticker n/a for that week (the score is
  the mean of the rest, the band follows it), with a notice naming the ticker and the date,
  and the week is not frozen;
- **later weeks** whose look-back still reaches the bar (the score's percentile window plus
  the longest signal window, in E-days) carry the notice: their values are computed
  without the bar;
- a rejected bar **after the latest as-of date** is named on the latest issue, which is not
  frozen by this build;
- a bar on a **closed day** is named on its week only: no signal on E ever used it;
- an **unconfirmed newest bar** is shown, named, and keeps its week provisional;
- an NYSE session with **no bar** of a stock is named on its week and the later weeks
  that reach it; a week whose **last** session has no `^RUT` bar is provisional (`weeks.py`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from generator.config import COMPONENTS, Config
from generator.format import band_of, fmt_date, fmt_num
from generator.prices import MISSING, UNCONFIRMED, BarProblem
from generator.signals.core import composite_score
from generator.signals.issues import COMPONENT_INPUTS, COMPONENT_LABELS, DataNotice, Issue
from generator.signals.weekly import Weekly

MAX_DATES = 5
WHY = {
    "non-finite": "its close was not a finite number",
    "no-close": "it had no close",
    "non-positive": "its close was not positive",
    "conflicting-duplicate": "two rows for that date disagreed",
    "closed-day": "the NYSE was closed that day",
    "stale-run": "the close repeated unchanged, as in a forward-filled series",
    "spike": "its close jumped away from both neighbours and came straight back",
}


def resting_components(ticker: str, config: Config) -> tuple[str, ...]:
    """The score components whose value uses `ticker`."""
    out = []
    for name in COMPONENTS:
        tickers = {getattr(config.tickers, role) for role in COMPONENT_INPUTS[name]}
        if name == "altseason_index":
            tickers |= set(config.alts)
        if ticker in tickers:
            out.append(name)
    return tuple(out)


def reach_days(config: Config) -> int:
    """E-days after a bar during which a later week's values may still rest on it."""
    w = config.windows
    longest = max(w.rut_trend, w.btc_trend, w.relative_strength, w.correlation,
                  w.altseason_days, w.breakout_gap)
    return w.score_lookback + longest


def _spans(as_of: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """(start exclusive, end inclusive) of each week's span: previous as-of, this as-of."""
    ends = as_of.to_numpy(dtype="datetime64[ns]")
    starts = np.r_[np.datetime64("NaT", "ns"), ends[:-1]]
    starts[0] = np.datetime64("1677-09-22", "ns")
    return starts, ends


def _masking(problem: BarProblem) -> bool:
    """A rejected bar that a signal would have used (a closed day's never is)."""
    return problem.rejected and problem.rule != "closed-day"


def mask_weeks(weeks: pd.DataFrame, problems: Sequence[BarProblem], config: Config
               ) -> pd.DataFrame:
    """The weekly table with the components resting on a bar rejected within each week n/a,
    and that week's score and band computed from the remaining components."""
    masking = [p for p in problems if _masking(p)]
    if not masking or weeks.empty:
        return weeks
    starts, ends = _spans(pd.DatetimeIndex(weeks.index))
    out = weeks.copy()
    touched = np.zeros(len(out), dtype=bool)
    for problem in masking:
        names = resting_components(problem.ticker, config)
        if not names:
            continue
        rows = _rows_touching(starts, ends, problem)
        for name in names:
            for col in (name, f"score_{name}"):
                if col in out.columns:
                    out.loc[out.index[rows], col] = math.nan
        touched |= rows
    for pos in np.flatnonzero(touched):
        parts = {n: float(out[f"score_{n}"].iloc[pos]) for n in COMPONENTS}
        score = composite_score(parts, config.weights)
        out.iloc[pos, out.columns.get_loc("score")] = score
        out.iloc[pos, out.columns.get_loc("band")] = band_of(score)
    return out


def checked_weekly(weekly: Weekly, problems: Sequence[BarProblem], config: Config) -> Weekly:
    """`weekly` with its table masked by `mask_weeks` (the same object when nothing is)."""
    if not any(_masking(p) for p in problems):
        return weekly
    return dataclasses.replace(weekly, weeks=mask_weeks(weekly.weeks, problems, config))


def issues_with_notices(issues: list[Issue], problems: Sequence[BarProblem], config: Config,
                        weekly: Weekly) -> list[Issue]:
    """`with_notices` on the spans and the calendar of `weekly`."""
    return with_notices(issues, problems, config, pd.DatetimeIndex(weekly.weeks.index),
                        pd.DatetimeIndex(weekly.daily.index))


def problems_until(problems: Sequence[BarProblem], until: dt.date | None
                   ) -> tuple[BarProblem, ...]:
    """The problems a build as of `until` could have seen (all when `until` is None)."""
    return tuple(p for p in problems if until is None or p.first <= until)


def _rows_touching(starts: np.ndarray, ends: np.ndarray, problem: BarProblem) -> np.ndarray:
    first = np.datetime64(problem.first, "ns")
    last = np.datetime64(problem.last, "ns")
    return (ends >= first) & (starts < last)


def with_notices(issues: list[Issue], problems: Sequence[BarProblem], config: Config,
                 weeks: pd.DatetimeIndex, calendar: pd.DatetimeIndex) -> list[Issue]:
    """Each computed issue with the notices of the problems it touches; an unconfirmed bar in
    its week keeps it provisional. Frozen issues keep the notices they were frozen with.

    `weeks`: the as-of date of every week of E (the spans); `calendar`: E itself.
    """
    if not problems or not issues or weeks.empty:
        return issues
    starts, ends = _spans(weeks)
    reach = reach_days(config)
    firsts = np.array([np.datetime64(p.first, "ns") for p in problems])
    lasts = np.array([np.datetime64(p.last, "ns") for p in problems])
    reaching = np.array([_masking(p) or p.rule == MISSING for p in problems])
    stamps = pd.DatetimeIndex([pd.Timestamp(i.as_of) for i in issues])
    rows = weeks.searchsorted(stamps)
    positions = calendar.searchsorted(stamps, side="right") - 1
    out = []
    for issue, n, position in zip(issues, rows, positions, strict=True):
        if issue.frozen or n >= len(weeks) or weeks[n] != pd.Timestamp(issue.as_of):
            out.append(issue)
            continue
        horizon = np.datetime64(calendar[max(int(position) - reach + 1, 0)], "ns")
        within = (ends[n] >= firsts) & (starts[n] < lasts)
        after = (firsts > ends[n]) if n == len(weeks) - 1 else np.zeros(len(problems), bool)
        earlier = ~within & ~after & reaching & (horizon <= lasts) & (lasts < ends[n])
        found: list[tuple[str, BarProblem]] = [
            ("week" if within[k] else "after" if after[k] else "earlier", problems[k])
            for k in np.flatnonzero(within | after | earlier)]
        if not found:
            out.append(issue)
            continue
        notices = tuple(notice_of(scope, group, config) for scope, group in _grouped(found))
        unconfirmed = any(p.rule == UNCONFIRMED and scope == "week" for scope, p in found)
        out.append(dataclasses.replace(
            issue, data_notices=(*issue.data_notices, *notices),
            provisional=issue.provisional or unconfirmed))
    return out


def _grouped(found: Iterable[tuple[str, BarProblem]]
             ) -> list[tuple[str, list[BarProblem]]]:
    """Problems grouped by (scope, ticker, rule), in the order first seen; bars on closed
    days of several tickers on the same dates (a holiday filled in) make one group."""
    groups: dict[tuple[str, str, str], list[BarProblem]] = {}
    for scope, p in found:
        groups.setdefault((scope, p.ticker, p.rule), []).append(p)
    merged: dict[tuple[str, ...], list[BarProblem]] = {}
    for (scope, ticker, rule), group in groups.items():
        if rule == "closed-day":
            key: tuple[str, ...] = (scope, rule, *(p.first.isoformat() for p in group))
        else:
            key = (scope, ticker, rule)
        merged.setdefault(key, []).extend(group)
    return [(key[0], group) for key, group in merged.items()]


def _dates(group: list[BarProblem]) -> str:
    spans = [fmt_date(p.first) if p.count == 1 else f"{fmt_date(p.first)} to {fmt_date(p.last)}"
             for p in group]
    shown = ", ".join(spans[:MAX_DATES])
    more = len(spans) - MAX_DATES
    return shown + (f" and {more} more" if more > 0 else "")


def notice_of(scope: str, group: list[BarProblem], config: Config) -> DataNotice:
    """The page notice of problems of one ticker and rule, as seen from one issue.

    `scope`: "week" (dated within the issue's week), "earlier" (in its look-back) or
    "after" (after the latest as-of date).
    """
    head = group[0]
    rule = head.rule
    tickers = list(dict.fromkeys(p.ticker for p in group))
    ticker = ", ".join(tickers)
    group = [p for p in group if p.ticker == head.ticker]  # the dates: the same for each
    bars = sum(p.count for p in group)
    if rule == UNCONFIRMED:
        text = (f"{ticker}: the newest close, {fmt_num(head.value)} on {fmt_date(head.last)}, "
                f"is {fmt_num(head.ratio, 1)}× the one before and is not confirmed yet. "
                + ("It is shown as reported; this issue stays provisional until a later bar "
                   "confirms it." if scope == "week" else
                   "It is newer than this issue, which is not frozen until a later bar "
                   "confirms it."))
        return DataNotice("unconfirmed", ticker, head.first, head.last, text, holds=True)
    if rule == MISSING:
        sessions = "an NYSE session" if bars == 1 else f"{bars} NYSE sessions"
        text = (f"{ticker}: no bar for {_dates(group)} ({sessions}). "
                + ("Values using that day are computed without it." if scope != "week" else
                   "This week's values are computed without it."))
        return DataNotice("missing", ticker, head.first, group[-1].last, text)
    if len(tickers) > 1:
        what = f"the bars of {_dates(group)} were"
    elif bars == 1:
        what = f"the bar of {_dates(group)} was"
    else:
        what = f"{bars} bars ({_dates(group)}) were"
    why = WHY[rule]
    if rule == "spike" and len(group) == 1:
        why += f" ({fmt_num(head.value)}, {fmt_num(head.ratio, 1)}× its neighbours)"
    elif rule in ("stale-run", "non-positive") and len(group) == 1:
        why += f" ({fmt_num(head.value)})"
    text = f"{ticker}: {what} rejected: {why}."
    names = [COMPONENT_LABELS[c][0] for c in resting_components(ticker, config)]
    if rule == "closed-day":
        text += " Left out: the exchange held no session."
        holds = False
    elif scope == "week":
        text += (f" Not scored this week for lack of it: {', '.join(names)}." if names
                 else " Values using it are computed without it.")
        holds = True
    elif scope == "after":
        text += " It is newer than this issue, which is not frozen until it is resolved."
        holds = True
    else:
        text += " Values using it are computed without it."
        holds = False
    return DataNotice("rejected", ticker, group[0].first, group[-1].last, text, holds=holds)
