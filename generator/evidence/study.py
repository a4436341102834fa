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
- Summary per (event type, asset, horizon): n, median and share positive for the event
  weeks and for all weeks, and a percentile bootstrap 90% interval of
  `median(events) - median(all weeks)`, resampling the two groups independently with
  `numpy.random.default_rng(SEED)` and `RESAMPLES` draws.

Forward returns use data after each as-of date by construction: they belong here, never
to an issue's frozen numbers. The evidence is recomputed from all data at every build whose
data changed.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from generator.config import Config
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
from generator.signals.core import format_value

BASKET = "alt-basket"
MIN_EPISODES = 10  # fewer: no interval, only percentiles and the shift test
EPISODE_GAP_DAYS = 42  # events within 6 weeks of an episode's first event join it
HORIZONS = (4, 13, 26, 52)
EVENT_FLAGS = {"rut": "rut_breakout_week", "iwm": "iwm_breakout_week"}
EVIDENCE_COLUMNS = (
    "week", "as_of", "asset", "horizon_weeks", "forward_return",
    "rut_breakout_week", "iwm_breakout_week",
)


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


def forward_returns(close: pd.Series, origins: pd.DatetimeIndex, weeks: int) -> np.ndarray:
    """`P(end) / P(t0) - 1` from each origin `t0` over `weeks` weeks; NaN where unavailable.

    `P(t0)`: the close dated `t0` (no fallback). `T = t0 + 7·weeks` days; `P(end)`: the last
    close dated on or before `T`, which must be after `t0`. Available only when the
    series' last date is on or after `T`.
    """
    s = close.dropna()
    s = s[s > 0].sort_index()
    out = np.full(len(origins), np.nan)
    if s.empty or len(origins) == 0:
        return out
    dates = pd.DatetimeIndex(s.index)
    values = s.to_numpy(dtype="float64")
    origins = pd.DatetimeIndex(origins)
    targets = origins + pd.Timedelta(days=7 * weeks)
    start = s.reindex(origins).to_numpy(dtype="float64")
    pos = dates.searchsorted(targets, side="right") - 1
    safe = np.clip(pos, 0, len(dates) - 1)
    ok = (targets <= dates[-1]) & (pos >= 0) & np.isfinite(start)
    ok &= dates[safe] > origins
    out[ok] = values[safe[ok]] / start[ok] - 1
    return out


def basket_forward_returns(
    closes: list[pd.Series], origins: pd.DatetimeIndex, weeks: int, min_members: int
) -> np.ndarray:
    """Equal-weight mean of the members' `forward_returns`; NaN with fewer than `min_members`."""
    if not closes:
        return np.full(len(origins), np.nan)
    stacked = np.vstack([forward_returns(c, origins, weeks) for c in closes])
    counted = np.isfinite(stacked).sum(axis=0)
    total = np.where(np.isfinite(stacked), stacked, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / counted
    mean[counted < max(min_members, 1)] = np.nan
    return mean


def _close(prices: Prices, ticker: str) -> pd.Series:
    frame = prices.get(ticker)
    return pd.Series(dtype="float64") if frame is None else frame["close"].dropna()


def compute_forward_table(archive: pd.DataFrame, prices: Prices, config: Config) -> pd.DataFrame:
    """`evidence.csv` rows: archive week × asset × horizon where the window is available.

    `archive` is indexed by as-of date with `week` and the two breakout flags. Oldest week
    first, then assets (BTC, ETH, basket), then horizons ascending.
    """
    origins = pd.DatetimeIndex(archive.index)
    alts = [_close(prices, a) for a in config.alts]
    parts = []
    assets = (config.tickers.btc, config.tickers.eth, BASKET)
    for a_rank, asset in enumerate(assets):
        for horizon in HORIZONS:
            if asset == BASKET:
                ret = basket_forward_returns(alts, origins, horizon,
                                             config.windows.altseason_min_alts)
            else:
                ret = forward_returns(_close(prices, asset), origins, horizon)
            part = pd.DataFrame({
                "order": np.arange(len(origins)),
                "rank": a_rank,
                "week": archive["week"].to_numpy(),
                "as_of": origins,
                "asset": asset,
                "horizon_weeks": horizon,
                "forward_return": ret,
                "rut_breakout_week": archive["rut_breakout_week"].astype(bool).to_numpy(),
                "iwm_breakout_week": archive["iwm_breakout_week"].astype(bool).to_numpy(),
            })
            parts.append(part[np.isfinite(ret)])
    table = pd.concat(parts, ignore_index=True).sort_values(["order", "rank", "horizon_weeks"])
    return table[list(EVIDENCE_COLUMNS)].reset_index(drop=True)


def format_evidence_csv(table: pd.DataFrame) -> str:
    """CSV text of the forward table: header, rows as given, `true`/`false`, exact floats."""
    lines = [",".join(EVIDENCE_COLUMNS)]
    for row in table[list(EVIDENCE_COLUMNS)].itertuples(index=False, name=None):
        week, as_of, asset, horizon, ret, rut, iwm = row
        cells = (week, pd.Timestamp(as_of).strftime("%Y-%m-%d"), asset, int(horizon), ret, rut, iwm)
        lines.append(",".join(format_value(c) for c in cells))
    return "\n".join(lines) + "\n"


def basket_breadth(
    closes: list[pd.Series], origins: pd.DatetimeIndex, weeks: int, min_members: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per origin: the basket's members (alts with both ends), how many rose (return > 0)
    and the median member's return; members 0 and NaN median where the basket has no value
    (fewer than `min_members`)."""
    n = len(origins)
    if not closes:
        return np.zeros(n, dtype=int), np.zeros(n, dtype=int), np.full(n, np.nan)
    stacked = np.vstack([forward_returns(c, origins, weeks) for c in closes])
    ok = np.isfinite(stacked)
    members = ok.sum(axis=0)
    rose = (np.where(ok, stacked, 0.0) > 0).sum(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: no basket
        median = np.nanmedian(stacked, axis=0)
    low = members < max(min_members, 1)
    members[low] = 0
    rose[low] = 0
    median[low] = np.nan
    return members, rose, median


def compute_breadth(archive: pd.DataFrame, prices: Prices, config: Config) -> pd.DataFrame:
    """The basket's breadth per archive week and horizon: columns `week`, `horizon_weeks`,
    `members`, `rose`, `median_coin` (weeks where the basket has a value)."""
    origins = pd.DatetimeIndex(archive.index)
    alts = [_close(prices, a) for a in config.alts]
    parts = []
    for horizon in HORIZONS:
        members, rose, median = basket_breadth(alts, origins, horizon,
                                               config.windows.altseason_min_alts)
        part = pd.DataFrame({"week": archive["week"].to_numpy(), "horizon_weeks": horizon,
                             "members": members, "rose": rose, "median_coin": median})
        parts.append(part[members > 0])
    return pd.concat(parts, ignore_index=True)


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
    iwm = _close(prices, config.tickers.iwm).reindex(hits.index)
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
        close = _close(prices, alt)
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
