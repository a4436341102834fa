"""Weekly issues: the numbers a page shows, gathered from the weekly table (pure)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from generator.config import COMPONENTS, Config
from generator.prices import Prices
from generator.signals.core import SIGNAL_COLUMNS
from generator.signals.coverage import (
    Unpriced,
    configured_inputs,
    unpriced_finder,
    unpriced_groups,
)
from generator.weeks import is_provisional, last_session_of_week, week_path, week_slug

ISSUE_WINDOW_WEEKS = 156  # three years of weekly points in an issue's charts
CHART_COLUMNS = (
    "score", "rut_close", "rut_record_level", "rut_breakout_week", "iwm_breakout_week",
    "rs_ratio", "smallcap_rs_13w", "btc_rut_corr_90d", "altseason_index", "btc_close", "vix",
)

COMPONENT_LABELS = {
    "rut_trend": ("Russell 2000 trend", "^RUT close vs its 200-day average"),
    "rut_drawdown": ("Russell 2000 drawdown", "distance below the all-time closing record"),
    "smallcap_rs_13w": ("Small caps vs large caps", "13-week change of IWM / SPY (total return)"),
    "credit_13w": ("Credit appetite", "13-week change of HYG / IEF (total return)"),
    "vix": ("Volatility (VIX)", "^VIX close; a low VIX scores high"),
    "btc_trend": ("Bitcoin trend", "BTC close vs its 200-day average"),
    "altseason_index": ("Altcoin season", "share of alts beating BTC over 90 days"),
}
COMPONENT_UNITS = {
    "rut_trend": "pct",
    "rut_drawdown": "pct",
    "smallcap_rs_13w": "pct",
    "credit_13w": "pct",
    "vix": "num",
    "btc_trend": "pct",
    "altseason_index": "index",
}
# Which input tickers (by role) each component needs.
COMPONENT_INPUTS = {
    "rut_trend": ("rut",),
    "rut_drawdown": ("rut",),
    "smallcap_rs_13w": ("iwm", "spy"),
    "credit_13w": ("hyg", "ief"),
    "vix": ("vix",),
    "btc_trend": ("btc",),
    "altseason_index": ("btc",),
}


@dataclass(frozen=True)
class Component:
    """One line of the score table."""

    name: str
    label: str
    meaning: str
    unit: str
    value: float
    score: float
    previous_score: float
    weight: float

    @property
    def available(self) -> bool:
        return not math.isnan(self.score)

    @property
    def change(self) -> float:
        return self.score - self.previous_score


@dataclass(frozen=True)
class LikeForLike:
    """The score's change on the components scored in both weeks, when the set differs."""

    entered: tuple[str, ...]  # labels of components scored this week, not last week
    left: tuple[str, ...]  # labels of components scored last week, not this week
    common: int  # how many components were scored in both weeks
    score: float  # this week's score on those components (NaN when there are none)
    previous_score: float  # last week's score on those components

    @property
    def change(self) -> float:
        return self.score - self.previous_score


def weighted_mean(pairs: list[tuple[float, float]]) -> float:
    """Weighted mean of (value, weight) pairs; NaN when there are none."""
    total = sum(w for _, w in pairs)
    return sum(v * w for v, w in pairs) / total if total > 0 else math.nan


def like_for_like(components: tuple[Component, ...]) -> LikeForLike | None:
    """The change on the components scored in both weeks, or None when the same components
    were scored both weeks (the score's own change is then like for like)."""
    used = [c for c in components if c.weight > 0]
    now = {c.name for c in used if math.isfinite(c.score)}
    before = {c.name for c in used if math.isfinite(c.previous_score)}
    if now == before:
        return None
    both = [c for c in used if c.name in now & before]
    return LikeForLike(
        entered=tuple(c.label for c in used if c.name in now - before),
        left=tuple(c.label for c in used if c.name in before - now),
        common=len(both),
        score=weighted_mean([(c.score, c.weight) for c in both]),
        previous_score=weighted_mean([(c.previous_score, c.weight) for c in both]),
    )


@dataclass(frozen=True)
class StaleInput:
    """An input whose data ends before the issue's as-of date."""

    ticker: str
    last_date: dt.date | None


@dataclass(frozen=True)
class DataNotice:
    """A page notice about an input (`signals.quality`): a bar rejected at the boundary, or
    the newest bar unconfirmed. `holds`: the week may not be frozen while it stands."""

    kind: str  # "rejected" or "unconfirmed"
    ticker: str
    first: dt.date
    last: dt.date
    text: str
    holds: bool = False


@dataclass(frozen=True)
class Issue:
    """Everything one weekly page shows, point in time at `as_of`."""

    week: str
    as_of: dt.date
    values: dict[str, object]
    previous: dict[str, object] | None
    components: tuple[Component, ...]
    provisional: bool
    stale: tuple[StaleInput, ...] = field(default_factory=tuple)
    # The rows its charts draw. A cached build reads a frozen issue's only to draw a chart
    # the store lacks: there it is a `cache.store.StoredValue` until then.
    window: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False, repr=False)
    frozen: bool = False
    backfilled: bool = False
    narrative: tuple[str, ...] = ()  # the generated "what changed" sentences
    notes: dict[str, str] = field(default_factory=dict)  # why a further signal is n/a
    # Coverage: every configured series (score inputs, ETH, each alt, the flow ETFs) without
    # a bar on the as-of date, and how many series are configured (0: not recorded).
    unpriced: tuple[Unpriced, ...] = ()
    inputs_configured: int = 0
    data_notices: tuple[DataNotice, ...] = ()  # rejected or unconfirmed inputs (quality.py)
    last_session: dt.date | None = None  # the week's last NYSE session (None: frozen)

    @property
    def slug(self) -> str:
        return week_slug(self.week)

    @property
    def path(self) -> str:
        return week_path(self.week)

    @property
    def score(self) -> float:
        return float(self.values["score"])  # type: ignore[arg-type]

    @property
    def band(self) -> str:
        return str(self.values["band"] or "")

    @property
    def previous_score(self) -> float:
        if self.previous is None:
            return math.nan
        return float(self.previous["score"])  # type: ignore[arg-type]

    @property
    def previous_band(self) -> str:
        return "" if self.previous is None else str(self.previous["band"] or "")

    @property
    def used_components(self) -> tuple[Component, ...]:
        return tuple(c for c in self.components if c.available and c.weight > 0)

    @property
    def like_for_like(self) -> LikeForLike | None:
        """The change on the components scored in both weeks, when the set changed."""
        if self.previous is None or math.isnan(self.previous_score) or math.isnan(self.score):
            return None
        return like_for_like(self.components)

    @property
    def unpriced_groups(self) -> list[tuple[dt.date | None, list[str]]]:
        """The series without a price on the as-of date, grouped by their last price."""
        return unpriced_groups(self.unpriced)

    @property
    def every_input_priced(self) -> bool:
        """Every configured series has a bar on the as-of date (known, and true)."""
        return self.inputs_configured > 0 and not self.unpriced

    @property
    def incomplete(self) -> bool:
        """The week's last NYSE session has no `^RUT` bar (yet): its data stops before it."""
        return self.last_session is not None and self.as_of < self.last_session

    @property
    def breakout(self) -> bool:
        return bool(self.values["rut_breakout_week"] or self.values["iwm_breakout_week"])


def make_components(
    values: dict[str, object], previous: dict[str, object] | None, weights: dict[str, float]
) -> tuple[Component, ...]:
    """The score table of an issue from its values and last week's."""
    return tuple(
        Component(
            name=name,
            label=COMPONENT_LABELS[name][0],
            meaning=COMPONENT_LABELS[name][1],
            unit=COMPONENT_UNITS[name],
            value=_num(values.get(name)),
            score=_num(values.get(f"score_{name}")),
            previous_score=_num(previous.get(f"score_{name}")) if previous else math.nan,
            weight=float(weights.get(name, 0.0)),
        )
        for name in COMPONENTS
    )


def build_issues(
    archive: pd.DataFrame, weeks: pd.DataFrame, config: Config, prices: Prices,
    columns: tuple[str, ...] = SIGNAL_COLUMNS, only: set[str] | None = None,
) -> list[Issue]:
    """Issues for every archive row (indexed by as-of), each with last week's values.

    `weeks` is the full weekly table (for chart windows reaching before the archive).
    `only`: build just these weeks (their last-week values still come from the row before).
    """
    issues: list[Issue] = []
    previous: dict[str, object] | None = None
    if len(archive):  # the week before the first one shown, so a --since build agrees
        before = weeks[weeks.index < archive.index[0]].tail(1).reset_index()
        if len(before) and all(k in before.columns for k in columns):
            row = before.to_dict("records")[0]
            previous = {k: _clean(row[k]) for k in ("week", *columns)}
    chart_rows = weeks[list(CHART_COLUMNS)]
    ends = weeks.index.searchsorted(archive.index, side="right")
    stale_of = _stale_finder(prices, config)
    unpriced_of = unpriced_finder(prices, config)
    configured = len(configured_inputs(config))
    records = archive.reset_index().to_dict("records")
    for i, row in enumerate(records):
        as_of = row["as_of"].date()
        values = {k: _clean(row[k]) for k in ("week", *columns)}
        if only is None or values["week"] in only:
            end = int(ends[i])
            last_session = last_session_of_week(as_of)
            issues.append(
                Issue(
                    week=str(row["week"]),
                    as_of=as_of,
                    values=values,
                    previous=previous,
                    components=make_components(values, previous, config.weights),
                    provisional=is_provisional(as_of, last_session),
                    last_session=last_session,
                    stale=stale_of(as_of),
                    unpriced=unpriced_of(as_of),
                    inputs_configured=configured,
                    window=chart_rows.iloc[max(0, end - ISSUE_WINDOW_WEEKS) : end],
                )
            )
        previous = values
    return issues


def _stale_finder(prices: Prices, config: Config) -> Callable[[dt.date], tuple[StaleInput, ...]]:
    """Core inputs with no row on a given as-of date (missing entirely, or ending earlier),
    for many dates, each input's dates looked up once."""
    roles = ("iwm", "spy", "hyg", "ief", "vix", "btc")
    tickers = [getattr(config.tickers, role) for role in roles]
    indexes = {t: (prices[t].index if t in prices and not prices[t].empty else None)
               for t in tickers}

    def stale(as_of: dt.date) -> tuple[StaleInput, ...]:
        stamp = pd.Timestamp(as_of)
        out = []
        for ticker in tickers:
            index = indexes[ticker]
            if index is None:
                out.append(StaleInput(ticker, None))
                continue
            n = index.searchsorted(stamp, side="right")
            if n == 0 or index[n - 1] < stamp:
                out.append(StaleInput(ticker, index[n - 1].date() if n else None))
        return tuple(out)

    return stale


def _clean(value: object) -> object:
    if hasattr(value, "item"):
        value = value.item()  # numpy scalar -> Python
    return value


def _num(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
