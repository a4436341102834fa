"""Evidence (SPEC §6): crypto's forward returns after small-cap breakouts against every week.

Definitions (all pure; the page text in `evidence_text` restates them for readers):

- Events: archive weeks with `rut_breakout_week`, and separately `iwm_breakout_week`.
- Origins: every archive week's as-of date `t0` (the base rate uses all of them, events
  included).
- Forward return of an asset over `h` weeks: `P(end) / P(t0) - 1`, where `P(t0)` is the
  close on `t0` itself and `P(end)` the last close dated on or before `T = t0 + 7·h`
  calendar days (crypto trades daily, so normally the close on `T`). The window is
  available only once the asset's data reaches `T` (its last date >= `T`); otherwise
  there is no value (and no row in `evidence.csv`).
- `alt-basket`: at each origin and horizon, the mean of the forward returns of the
  configured alts (`alts` setting) that have both ends by the rule above; needs at least
  `altseason_min_alts` (default 5) such alts, otherwise no value. Equal weight, rebalanced
  at every origin; the membership changes as alts list and delist.
- Episodes: event weeks grouped by `stats.group_episodes` with `EPISODE_GAP_DAYS` (an
  event at most that many days after an episode's first event joins it), per event type:
  `rut`, `iwm`, and `any` (either breakout). An episode counts once, from its first week.
- Summary per (event type, asset, horizon): n, median and share positive for the
  episodes and for all weeks; the circular-shift p-value (`stats.shift_p_value`, exact,
  no seed); and only from `MIN_EPISODES` episodes a circular block bootstrap interval of
  `median(episodes) - median(all weeks)` (blocks `stats.block_length(h)` >= h weeks,
  `BLOCK_RESAMPLES` draws from `default_rng` seeded with `SEED`).
- Breadth of the basket: per week and horizon, its members, how many rose and the median
  member (`compute_breadth`); on the page beside each basket figure.

Forward returns use data after each as-of date by construction: they belong here, never
to an issue's frozen numbers. The evidence is recomputed from all data at every build whose
data changed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from generator.config import Config
from generator.evidence.forward import (
    BASKET,
    EVIDENCE_COLUMNS,
    HORIZONS,
    basket_forward_returns,
    close_of,
    compute_breadth,
    compute_forward_table,
    format_evidence_csv,
    forward_returns,
)
from generator.evidence.stats import (
    BLOCK_RESAMPLES,
    LEVEL,
    SEED,
    block_bootstrap_median_difference,
    block_length,
    group_episodes,
    percentile_of,
    shift_p_value,
)
from generator.prices import Prices

__all__ = [  # the forward-return names are re-exported: callers import them from here
    "BASKET", "EVIDENCE_COLUMNS", "HORIZONS", "basket_forward_returns", "compute_forward_table",
    "format_evidence_csv", "forward_returns", "Evidence", "Episode", "EventWeek", "Summary",
    "compute_evidence", "summarize",
]
MIN_EPISODES = 10  # fewer: no interval, only percentiles and the shift test
EPISODE_GAP_DAYS = 42  # events within 6 weeks of an episode's first event join it
EVENT_FLAGS = {"rut": "rut_breakout_week", "iwm": "iwm_breakout_week"}


@dataclass(frozen=True)
class Summary:
    """Episodes vs all weeks for one event type, asset and horizon."""

    event: str
    asset: str
    horizon: int
    n_events: int  # episodes with a complete window (the unit of the comparison)
    median_events: float
    positive_events: float  # share of episode windows with a return above 0
    n_all: int
    median_all: float
    positive_all: float
    low: float  # block-bootstrap interval of median(episodes) - median(all); NaN below
    high: float  # MIN_EPISODES episodes
    p_upper: float = math.nan  # circular-shift test: share of shifts with a median >= observed
    p_lower: float = math.nan  # ... <= observed
    p_value: float = math.nan  # two-sided: min(1, 2 × the smaller)
    block: int = 0  # block length (weeks) of the bootstrap
    coins_rose: int = 0  # basket only: over the episodes' windows, coin-windows that rose
    coins: int = 0  # ... and coin-windows counted
    median_coin: float = math.nan  # basket only: median over episodes of the median coin
    median_coin_all: float = math.nan  # ... over all weeks

    @property
    def difference(self) -> float:
        return self.median_events - self.median_all

    @property
    def has_interval(self) -> bool:
        return math.isfinite(self.low) and math.isfinite(self.high)

    @property
    def excludes_zero(self) -> bool:
        return self.has_interval and (self.low > 0 or self.high < 0)


@dataclass(frozen=True)
class EventWeek:
    """One event week with its index levels and every available forward return."""

    week: str
    as_of: dt.date
    rut: bool
    iwm: bool
    rut_close: float
    iwm_close: float
    returns: Mapping[tuple[str, int], float]  # (asset, horizon) -> return, NaN when n/a


@dataclass(frozen=True)
class Breadth:
    """The alt basket's members over one window: how many had a price, how many rose, and
    the median coin's return."""

    members: int
    rose: int
    median_coin: float


@dataclass(frozen=True)
class Episode:
    """Breakouts close in time, counted once: measured from the first event week's as-of."""

    events: tuple[EventWeek, ...]
    returns: Mapping[tuple[str, int], float]  # (asset, horizon) -> return, NaN when n/a
    percentiles: Mapping[tuple[str, int], float]  # of the return among all weeks' returns
    breadth: Mapping[int, Breadth]  # horizon -> the basket's breadth (where it has a value)

    @property
    def first(self) -> EventWeek:
        return self.events[0]

    @property
    def rut(self) -> bool:
        return any(e.rut for e in self.events)

    @property
    def iwm(self) -> bool:
        return any(e.iwm for e in self.events)


@dataclass(frozen=True)
class Evidence:
    """The event study: the long table of forward returns, the summary and the episodes."""

    table: pd.DataFrame
    summary: tuple[Summary, ...]
    events: tuple[EventWeek, ...]
    assets: tuple[str, ...]
    first_as_of: dt.date
    last_as_of: dt.date
    episodes: tuple[Episode, ...] = ()  # of either breakout (event type "any")
    alt_starts: Mapping[str, dt.date | None] = field(default_factory=dict)  # first close

    def chart_rows(self, asset: str) -> pd.DataFrame:
        """The asset's rows of the table with `episode_start`: the week opens an episode."""
        starts = {ep.first.week for ep in self.episodes}
        rows = self.table[self.table["asset"] == asset].reset_index(drop=True)
        return rows.assign(episode_start=rows["week"].isin(starts))

    def find(self, event: str, asset: str, horizon: int) -> Summary:
        """The summary row of one comparison."""
        for s in self.summary:
            if (s.event, s.asset, s.horizon) == (event, asset, horizon):
                return s
        raise KeyError((event, asset, horizon))


def _stats(values: np.ndarray) -> tuple[int, float, float]:
    if len(values) == 0:
        return 0, math.nan, math.nan
    return len(values), float(np.median(values)), float(np.mean(values > 0))


def event_groups(archive: pd.DataFrame) -> dict[str, list[list[str]]]:
    """Per event type (`rut`, `iwm`, `any`): its episodes, each a list of event weeks.

    `any` takes the weeks with either breakout. Episodes follow `group_episodes` with
    `EPISODE_GAP_DAYS`: events at most that many days after an episode's first event join it.
    """
    out = {}
    flags = {e: archive[f].astype(bool).to_numpy() for e, f in EVENT_FLAGS.items()}
    flags["any"] = flags["rut"] | flags["iwm"]
    for event, hit in flags.items():
        rows = archive[hit]
        groups = group_episodes(pd.DatetimeIndex(rows.index).to_numpy(), EPISODE_GAP_DAYS)
        weeks = [str(w) for w in rows["week"]]
        out[event] = [[weeks[i] for i in g] for g in groups]
    return out


def summarize(
    table: pd.DataFrame, assets: tuple[str, ...], *, resamples: int = BLOCK_RESAMPLES,
    seed: int = SEED, level: float = LEVEL, episodes: dict[str, list[list[str]]] | None = None,
    breadth: pd.DataFrame | None = None,
) -> tuple[Summary, ...]:
    """One `Summary` per event type × asset × horizon (in that order).

    The unit is the episode (its first event week). `episodes` defaults to every event week
    of `rut` and `iwm` as its own episode. With at least `MIN_EPISODES` episodes, a circular
    block bootstrap (blocks `block_length(h)` weeks) gives the interval; always, the
    circular-shift test gives p-values.
    """
    if episodes is None:
        episodes = {e: [[w] for w in table.loc[table[f].astype(bool), "week"].unique()]
                    for e, f in EVENT_FLAGS.items()}
    out = []
    for event, groups in episodes.items():
        starts = {g[0] for g in groups}
        for asset in assets:
            for horizon in HORIZONS:
                rows = table[(table["asset"] == asset) & (table["horizon_weeks"] == horizon)]
                base = rows["forward_return"].to_numpy(dtype="float64")
                is_start = rows["week"].isin(starts).to_numpy()
                hits = base[is_start]
                block = block_length(horizon)
                low = high = math.nan
                if len(hits) >= MIN_EPISODES:
                    low, high = block_bootstrap_median_difference(
                        base, is_start, block, resamples=resamples, seed=seed, level=level)
                p_up, p_down, p_two = shift_p_value(base, np.flatnonzero(is_start))
                extra = {}
                if asset == BASKET and breadth is not None:
                    b = breadth[breadth["horizon_weeks"] == horizon]
                    at = b[b["week"].isin(starts)]
                    extra = dict(
                        coins_rose=int(at["rose"].sum()), coins=int(at["members"].sum()),
                        median_coin=float(np.median(at["median_coin"])) if len(at) else math.nan,
                        median_coin_all=(float(np.median(b["median_coin"])) if len(b)
                                         else math.nan))
                out.append(Summary(event, asset, horizon, *_stats(hits), *_stats(base), low,
                                   high, p_up, p_down, p_two, block, **extra))
    return tuple(out)


def event_weeks(
    archive: pd.DataFrame, table: pd.DataFrame, prices: Prices, config: Config,
    assets: tuple[str, ...],
) -> tuple[EventWeek, ...]:
    """Weeks with either breakout, oldest first, with ^RUT and IWM closes at the as-of date."""
    flags = archive["rut_breakout_week"].astype(bool) | archive["iwm_breakout_week"].astype(bool)
    hits = archive[flags.to_numpy()]
    iwm = close_of(prices, config.tickers.iwm).reindex(hits.index)
    lookup = {(r.week, r.asset, r.horizon_weeks): r.forward_return
              for r in table[table["week"].isin(set(hits["week"]))].itertuples()}
    out = []
    for as_of, row in hits.iterrows():
        returns = {(a, h): float(lookup.get((row["week"], a, h), math.nan))
                   for a in assets for h in HORIZONS}
        out.append(EventWeek(
            week=str(row["week"]), as_of=pd.Timestamp(as_of).date(),
            rut=bool(row["rut_breakout_week"]), iwm=bool(row["iwm_breakout_week"]),
            rut_close=float(row["rut_close"]), iwm_close=float(iwm.loc[as_of]),
            returns=returns,
        ))
    return tuple(out)


def build_episodes(
    events: tuple[EventWeek, ...], groups: list[list[str]], table: pd.DataFrame,
    breadth: pd.DataFrame, assets: tuple[str, ...],
) -> tuple[Episode, ...]:
    """The episodes of `groups` (lists of event weeks), with returns measured from each
    episode's first week, their percentiles among all weeks and the basket's breadth."""
    by_week = {e.week: e for e in events}
    dist = {(a, h): table.loc[(table["asset"] == a) & (table["horizon_weeks"] == h),
                              "forward_return"].to_numpy(dtype="float64")
            for a in assets for h in HORIZONS}
    spread = {(r.week, r.horizon_weeks): Breadth(int(r.members), int(r.rose),
                                                  float(r.median_coin))
              for r in breadth.itertuples()}
    out = []
    for group in groups:
        members = tuple(by_week[w] for w in group)
        first = members[0]
        out.append(Episode(
            events=members,
            returns=dict(first.returns),
            percentiles={k: percentile_of(first.returns[k], dist[k]) for k in dist},
            breadth={h: spread[first.week, h] for h in HORIZONS if (first.week, h) in spread},
        ))
    return tuple(out)


def alt_first_dates(prices: Prices, config: Config) -> dict[str, dt.date | None]:
    """Each configured alt's first close (None without prices)."""
    out: dict[str, dt.date | None] = {}
    for alt in config.alts:
        close = close_of(prices, alt)
        out[alt] = pd.Timestamp(close.index.min()).date() if len(close) else None
    return out


def compute_evidence(
    archive: pd.DataFrame, prices: Prices, config: Config, *, resamples: int = BLOCK_RESAMPLES,
    seed: int = SEED,
) -> Evidence:
    """The whole event study over the archive weeks (all data: forward returns look ahead)."""
    assets = (config.tickers.btc, config.tickers.eth, BASKET)
    table = compute_forward_table(archive, prices, config)
    breadth = compute_breadth(archive, prices, config)
    groups = event_groups(archive)
    events = event_weeks(archive, table, prices, config, assets)
    return Evidence(
        table=table,
        summary=summarize(table, assets, resamples=resamples, seed=seed, episodes=groups,
                          breadth=breadth),
        events=events,
        assets=assets,
        first_as_of=pd.Timestamp(archive.index[0]).date(),
        last_as_of=pd.Timestamp(archive.index[-1]).date(),
        episodes=build_episodes(events, groups["any"], table, breadth, assets),
        alt_starts=alt_first_dates(prices, config),
    )
