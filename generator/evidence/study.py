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
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.config import Config
from generator.evidence.stats import LEVEL, RESAMPLES, SEED, bootstrap_medians, percentile_interval
from generator.prices import Prices
from generator.signals.core import format_value

BASKET = "alt-basket"
HORIZONS = (4, 13, 26, 52)
EVENT_FLAGS = {"rut": "rut_breakout_week", "iwm": "iwm_breakout_week"}
EVIDENCE_COLUMNS = (
    "week", "as_of", "asset", "horizon_weeks", "forward_return",
    "rut_breakout_week", "iwm_breakout_week",
)


@dataclass(frozen=True)
class Summary:
    """Events vs all weeks for one event type, asset and horizon."""

    event: str
    asset: str
    horizon: int
    n_events: int
    median_events: float
    positive_events: float  # share of event windows with a return above 0
    n_all: int
    median_all: float
    positive_all: float
    low: float  # bootstrap interval of median(events) - median(all)
    high: float

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
class Evidence:
    """The event study: the long table of forward returns, the summary and the events."""

    table: pd.DataFrame
    summary: tuple[Summary, ...]
    events: tuple[EventWeek, ...]
    assets: tuple[str, ...]
    first_as_of: dt.date
    last_as_of: dt.date

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


def _stats(values: np.ndarray) -> tuple[int, float, float]:
    if len(values) == 0:
        return 0, math.nan, math.nan
    return len(values), float(np.median(values)), float(np.mean(values > 0))


def summarize(
    table: pd.DataFrame, assets: tuple[str, ...], *, resamples: int = RESAMPLES, seed: int = SEED,
    level: float = LEVEL,
) -> tuple[Summary, ...]:
    """One `Summary` per event type × asset × horizon (in that order)."""
    groups = {}
    for asset in assets:
        for horizon in HORIZONS:
            rows = table[(table["asset"] == asset) & (table["horizon_weeks"] == horizon)]
            base = rows["forward_return"].to_numpy(dtype="float64")
            medians = (bootstrap_medians(base, resamples=resamples, seed=seed, stream=1)
                       if len(base) >= 2 else None)
            groups[asset, horizon] = rows, base, medians
    out = []
    for event, flag in EVENT_FLAGS.items():
        for asset in assets:
            for horizon in HORIZONS:
                rows, base, base_medians = groups[asset, horizon]
                hits = rows.loc[rows[flag].astype(bool), "forward_return"].to_numpy(dtype="float64")
                low = high = math.nan
                if len(hits) >= 2 and base_medians is not None:
                    hit_medians = bootstrap_medians(hits, resamples=resamples, seed=seed, stream=0)
                    low, high = percentile_interval(hit_medians, base_medians, level)
                out.append(Summary(event, asset, horizon, *_stats(hits), *_stats(base), low, high))
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


def compute_evidence(
    archive: pd.DataFrame, prices: Prices, config: Config, *, resamples: int = RESAMPLES,
    seed: int = SEED,
) -> Evidence:
    """The whole event study over the archive weeks (all data: forward returns look ahead)."""
    assets = (config.tickers.btc, config.tickers.eth, BASKET)
    table = compute_forward_table(archive, prices, config)
    return Evidence(
        table=table,
        summary=summarize(table, assets, resamples=resamples, seed=seed),
        events=event_weeks(archive, table, prices, config, assets),
        assets=assets,
        first_as_of=pd.Timestamp(archive.index[0]).date(),
        last_as_of=pd.Timestamp(archive.index[-1]).date(),
    )

