"""The generated sentences that open every issue: what changed since the previous week.

Pure and deterministic: numbers from the issue (point in time) plus a `Context` computed
from data up to the as-of date (record details, the correlation's own history). Nothing
here is hand-written about a particular week.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.format import (
    band_of,
    change_of,
    fmt_below_record,
    fmt_change,
    fmt_corr,
    fmt_date,
    fmt_num,
    fmt_points,
    fmt_score,
    fmt_share,
    plural,
)
from generator.signals.core import breakout_days, record_days
from generator.signals.coverage import Unpriced, unpriced_groups
from generator.signals.issues import Issue
from generator.weeks import iso_week

ALTSEASON, BTC_SEASON = 75.0, 25.0


@dataclass(frozen=True)
class RecordBreak:
    """The record of a week worth describing: the breakout day, else the week's first record."""

    name: str  # "the Russell 2000", "IWM"
    day: dt.date
    close: float
    previous_day: dt.date  # when the level broken was set
    previous_level: float
    days_standing: int  # trading days from previous_day to day
    breakout: bool
    records_in_week: int
    total_return: bool = False  # the closes are dividend-adjusted (close == adj_close)


@dataclass(frozen=True)
class Context:
    """What the sentences need beyond the issue's own numbers (all dated up to as-of)."""

    rut_break: RecordBreak | None = None
    iwm_break: RecordBreak | None = None
    record_day: dt.date | None = None  # when the standing ^RUT record was set
    corr_below: float = math.nan  # % of weekly correlations since corr_since below this one
    corr_above: float = math.nan
    corr_weeks: int = 0
    corr_since: dt.date | None = None


def record_breaks(close: pd.Series, gap: int, name: str) -> dict[str, RecordBreak]:
    """For each ISO week holding a record day, the `RecordBreak` to describe.

    Positions count rows of `close` (E-days on E), as in `breakout_days`; the level broken
    is the highest earlier close, set on the latest earlier record day (or the first close).
    """
    values = close.to_numpy(dtype="float64")
    records = record_days(close).to_numpy()
    breaks = breakout_days(close, gap).to_numpy()
    positions = np.arange(len(values))
    first = np.isfinite(values) & (np.cumsum(np.isfinite(values)) == 1)
    set_at = np.maximum.accumulate(np.where(records | first, positions, -1))
    by_week: dict[str, list[int]] = {}
    for pos in np.flatnonzero(records):
        by_week.setdefault(iso_week(close.index[pos]), []).append(int(pos))
    out = {}
    for week, days in by_week.items():
        pick = next((p for p in days if breaks[p]), days[0])
        prev = int(set_at[pick - 1])
        out[week] = RecordBreak(
            name=name, day=close.index[pick].date(), close=float(values[pick]),
            previous_day=close.index[prev].date(), previous_level=float(values[prev]),
            days_standing=pick - prev, breakout=bool(breaks[pick]), records_in_week=len(days),
        )
    return out


def share_below_above(values: np.ndarray, k: int) -> tuple[float, float, int]:
    """% of the finite `values[:k+1]` strictly below and strictly above `values[k]`, and n."""
    v = values[k]
    history = values[: k + 1]
    history = history[np.isfinite(history)]
    if not math.isfinite(v) or len(history) == 0:
        return math.nan, math.nan, 0
    n = len(history)
    return 100 * np.count_nonzero(history < v) / n, 100 * np.count_nonzero(history > v) / n, n


def compute_contexts(
    daily: pd.DataFrame, weeks: pd.DataFrame, gap: int, iwm_close: pd.Series | None = None,
    iwm_total_return: bool = False,
) -> dict[str, Context]:
    """A `Context` per row of `weeks` (all weeks, indexed by as-of), keyed by ISO week.

    `iwm_total_return`: IWM's closes are dividend-adjusted (its records are then said to be
    on total-return closes)."""
    rut = daily["rut_close"]
    rut_breaks = record_breaks(rut, gap, "the Russell 2000")
    iwm_breaks = record_breaks(iwm_close.reindex(daily.index), gap, "IWM") \
        if iwm_close is not None else {}
    if iwm_total_return:
        iwm_breaks = {w: dataclasses.replace(b, total_return=True) for w, b in iwm_breaks.items()}
    values = rut.to_numpy(dtype="float64")
    records = record_days(rut).to_numpy()
    first = np.isfinite(values) & (np.cumsum(np.isfinite(values)) == 1)
    set_at = np.maximum.accumulate(np.where(records | first, np.arange(len(values)), -1))
    ends = daily.index.get_indexer(weeks.index)
    corr = weeks["btc_rut_corr_90d"].to_numpy(dtype="float64")
    valid = np.flatnonzero(np.isfinite(corr))
    since = weeks.index[valid[0]].date() if len(valid) else None
    out = {}
    for k, (week, e) in enumerate(zip(weeks["week"], ends, strict=True)):
        below, above, n = share_below_above(corr, k)
        out[str(week)] = Context(
            rut_break=rut_breaks.get(week), iwm_break=iwm_breaks.get(week),
            record_day=daily.index[set_at[e]].date() if set_at[e] >= 0 else None,
            corr_below=below, corr_above=above, corr_weeks=n, corr_since=since,
        )
    return out


# --- sentences ---------------------------------------------------------------------------


def _num(x: object) -> float:
    try:
        return float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _and(items: list[str] | tuple[str, ...]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def score_sentence(issue: Issue) -> str:
    """Score, its band, how many components it rests on, and the change since last week,
    like for like when the set of components scored differs between the two weeks."""
    score, band = issue.score, issue.band
    if math.isnan(score):
        return "There is no risk-on score this week: no component had enough data."
    used, total = len(issue.used_components), len(issue.components)
    rests = "all" if used == total else f"{used} of the"
    now = (f"The risk-on score is {fmt_score(score)} of 100 ({band}), the mean of {rests} "
           f"{total} components")
    if issue.previous is None or math.isnan(issue.previous_score):
        return now + ". There is no score for the previous week to compare with."
    change = change_of(score, issue.previous_score)
    moved = f"{fmt_points(change)} from {fmt_score(issue.previous_score)} last week"
    if change == 0:
        moved = f"unchanged from {fmt_score(issue.previous_score)} last week"
    lfl = issue.like_for_like
    if lfl is None:
        if issue.previous_band and issue.previous_band != band:
            return f"{now}, {moved}: the band changed from {issue.previous_band} to {band}."
        return f"{now}, {moved}; the band is unchanged."
    why = []
    if lfl.entered:
        why.append(f"{_and(lfl.entered)} {'was' if len(lfl.entered) == 1 else 'were'} "
                   "scored this week and not last week")
    if lfl.left:
        why.append(f"{_and(lfl.left)} {'was' if len(lfl.left) == 1 else 'were'} "
                   "scored last week and not this week")
    text = f"{now}, {moved}, but that change is not like for like: {'; '.join(why)}."
    if lfl.common == 0:
        text += " No component was scored in both weeks, so there is no like-for-like change."
    else:
        lfl_change = change_of(lfl.score, lfl.previous_score)
        moved_lfl = ("it was unchanged at " + fmt_score(lfl.score) if lfl_change == 0 else
                     f"it went from {fmt_score(lfl.previous_score)} to {fmt_score(lfl.score)}, "
                     f"{fmt_points(lfl_change)}")
        text += (f" On the {plural(lfl.common, 'component')} scored in both weeks "
                 f"{moved_lfl}.")
    if issue.previous_band and issue.previous_band != band:
        same = lfl.common and band_of(lfl.score) == band_of(lfl.previous_score)
        if same:
            text += (f" The band changed from {issue.previous_band} to {band} only because "
                     f"the set of components changed: on the components scored in both weeks "
                     f"it stayed {band_of(lfl.score)}.")
        else:
            text += f" The band changed from {issue.previous_band} to {band}."
    else:
        text += " The band is unchanged."
    return text


def _break_sentence(b: RecordBreak, too: bool = False) -> str:
    subject = b.name[:1].upper() + b.name[1:]
    stood = (f"its previous record of {fmt_num(b.previous_level)} from {fmt_date(b.previous_day)}, "
             f"which had stood for {plural(b.days_standing, 'trading day')}")
    more = f" ({b.records_in_week} record closes this week)" if b.records_in_week > 1 else ""
    closes = (" on total-return closes (its close in this data is dividend-adjusted, so these "
              "levels never traded)") if b.total_return else ""
    if b.breakout:
        return (f"{subject} broke out{' too' if too else ''}{closes}: on {fmt_date(b.day)} it "
                f"closed at {fmt_num(b.close)}, above {stood}{more}.")
    return (f"{subject} set a record close{closes} of {fmt_num(b.close)} on {fmt_date(b.day)}, "
            f"above {stood}{more}.")


def records_sentence(issue: Issue, context: Context) -> str:
    """New records and breakouts with the level broken and how long it stood, or the distance."""
    v = issue.values
    parts = []
    if v.get("rut_record_week") and context.rut_break is not None:
        parts.append(_break_sentence(context.rut_break))
    else:
        since = f" from {fmt_date(context.record_day)}" if context.record_day else ""
        below = fmt_below_record(v.get("rut_drawdown"))
        parts.append(f"No new record for the Russell 2000 this week: it closed at "
                     f"{fmt_num(v.get('rut_close'))}, {below} of "
                     f"{fmt_num(v.get('rut_record_level'))}{since}.")
    if v.get("iwm_breakout_week") and context.iwm_break is not None:
        parts.append(_break_sentence(context.iwm_break, too=bool(v.get("rut_breakout_week"))))
    return " ".join(parts)


def moves_sentence(issue: Issue) -> str | None:
    """The two largest component score moves, or None without a previous week."""
    moves = [c for c in issue.components
             if math.isfinite(c.score) and math.isfinite(c.previous_score)
             and abs(change_of(c.score, c.previous_score)) >= 0.5]
    if issue.previous is None or not moves:
        return None
    moves.sort(key=lambda c: (-abs(change_of(c.score, c.previous_score)), c.name))
    text = " and ".join(f"{c.label} {fmt_change(c.score, c.previous_score)} points "
                        f"(from {fmt_score(c.previous_score)} to {fmt_score(c.score)})"
                        for c in moves[:2])
    return f"The largest component move{'s' if len(moves) > 1 else ''}: {text}."


def correlation_sentence(issue: Issue, context: Context) -> str:
    """The 90-day BTC–RUT correlation, its strength, and its rank in its own history."""
    c = _num(issue.values.get("btc_rut_corr_90d"))
    if math.isnan(c):
        return "The 90-day correlation of Bitcoin with the Russell 2000 is n/a this week."
    size = "weak" if abs(c) < 0.2 else "moderate" if abs(c) < 0.5 else "strong"
    text = (f"Bitcoin's 90-day correlation with the Russell 2000 is {fmt_corr(c)}, a {size} "
            f"{'positive' if c >= 0 else 'negative'} link")
    if context.corr_weeks >= 52 and context.corr_since is not None:
        year = context.corr_since.year
        if context.corr_below >= context.corr_above:
            text += f", higher than {fmt_share(context.corr_below, 0)} of weeks since {year}"
        else:
            text += f", lower than {fmt_share(context.corr_above, 0)} of weeks since {year}"
    return text + "."


def _count(values: dict[str, object], key: str) -> int | None:
    x = _num(values.get(key))
    return int(x) if math.isfinite(x) else None


def altseason_sentence(issue: Issue) -> str:
    """Altseason (>= 75), BTC season (<= 25) or mixed, with how many alts it rests on."""
    v = issue.values
    a = _num(v.get("altseason_index"))
    counted, beat = _count(v, "altseason_alts_counted"), _count(v, "altseason_alts_beat")
    configured = _count(v, "alts_configured")
    days = "90 days"
    when = f"on {fmt_date(issue.as_of)} and {days} earlier"
    if math.isnan(a):
        if math.isnan(_num(v.get("btc_close"))):
            return (f"The altseason index is n/a this week: Bitcoin has no price on "
                    f"{fmt_date(issue.as_of)}.")
        if counted is not None and configured:
            have = "none" if counted == 0 else f"only {counted}"
            return (f"The altseason index is n/a this week: {have} of the {configured} alts "
                    f"{'has' if counted == 1 else 'have'} prices {when}, and it needs 5.")
        return ("The altseason index is n/a this week: it needs Bitcoin and enough alts with "
                "prices on the as-of date and 90 days earlier.")
    if counted is None or beat is None or not configured:  # a snapshot without the counts
        who = {0.0: "none", 100.0: "all"}.get(round(a, 6), f"{fmt_score(a)}%")
        share = f"{who} of the alts with prices beat Bitcoin over the last {days}"
    else:
        have = (f"all {configured} alts have" if counted == configured
                else f"{counted} of the {configured} alts {'has' if counted == 1 else 'have'}")
        who = ("none" if beat == 0 else f"all {counted}" if beat == counted
               else f"{beat} of the {counted}")
        share = (f"{have} prices {when}, and {who} beat Bitcoin over those {days} "
                 f"({fmt_score(a)}%)")
    if a >= ALTSEASON:
        return f"Altseason: {share}; altseason means 75% or more."
    if a <= BTC_SEASON:
        return f"Bitcoin season: {share}; Bitcoin season means 25% or fewer."
    return f"Mixed, neither altseason nor Bitcoin season: {share}."


def unpriced_text(unpriced: tuple[Unpriced, ...]) -> str:
    """`BTC-USD and ETH-USD (last price 28 January 2026); DOT-USD (no price yet)`."""
    return "; ".join(
        f"{_and(tickers)} ({'last price ' + fmt_date(day) if day else 'no price yet'})"
        for day, tickers in unpriced_groups(unpriced))


def inputs_sentence(issue: Issue) -> str:
    """Which configured series have no price on the as-of date (all of them named, grouped
    by their last price), and which components could not be scored."""
    missing = [c.label for c in issue.components if not c.available]
    on = fmt_date(issue.as_of)
    if issue.inputs_configured:
        n, total = len(issue.unpriced), issue.inputs_configured
        if not n:
            text = f"Every one of the {total} configured price series has a price on {on}."
        else:
            verb = "has" if n == 1 else "have"
            text = (f"{n} of the {total} configured price series {verb} no price on {on}: "
                    f"{unpriced_text(issue.unpriced)}.")
    elif issue.stale:  # a snapshot from before coverage was recorded: its core inputs only
        listed = ", ".join(
            f"{s.ticker} ({'last price ' + fmt_date(s.last_date) if s.last_date else 'no data'})"
            for s in issue.stale)
        text = f"Stale or missing inputs: {listed}."
    else:
        text = f"Every input of the score has a price on {on}."
    if missing:
        text += f" Not scored this week: {', '.join(missing)}."
    return text


def compose(issue: Issue, context: Context) -> tuple[str, ...]:
    """The opening sentences of an issue, in reading order."""
    parts = (
        score_sentence(issue),
        records_sentence(issue, context),
        moves_sentence(issue),
        correlation_sentence(issue, context),
        altseason_sentence(issue),
        inputs_sentence(issue),
    )
    return tuple(p for p in parts if p)
