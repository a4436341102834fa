"""The score's own track record: what followed each week's published score.

Definitions (pure; `track_text.py` restates them for readers):

- Weeks: every archive week with a published score. The score is the one the week's issue
  published: the frozen snapshot's where the week is frozen, else the week's computed
  score (the same point-in-time number until a snapshot exists).
- Groups: `all` (every week), `band` (the published band), `quintile` (Q1 = the fifth of
  weeks with the lowest scores: weeks ranked by score, ties by date, quintile
  `floor(5 × (rank − 1) / n) + 1`; thresholds from the whole record, so the quintiles
  describe the record rather than a rule known at the time).
- Forward returns of `^RUT`, `BTC-USD` and the alt basket over 4, 13, 26 and 52 weeks,
  by the evidence rules (`study.forward_returns`, `study.basket_forward_returns`).
- Per group × asset × horizon: n (weeks with a forward return), independent windows
  (`stats.independent_windows`), median, share positive (return > 0).
- Per asset × horizon, over all weeks: Spearman correlation of score and forward return,
  with a circular block bootstrap interval (blocks `stats.block_length(h)` weeks).
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.config import Config
from generator.evidence.forward import (
    BASKET,
    HORIZONS,
    basket_forward_returns,
    close_of,
    forward_returns,
)
from generator.evidence.stats import (
    BLOCK_RESAMPLES,
    LEVEL,
    SEED,
    block_bootstrap_spearman,
    block_length,
    independent_windows,
    spearman,
)
from generator.format import BANDS, band_of
from generator.prices import Prices
from generator.signals.core import format_value

QUINTILES = ("Q1", "Q2", "Q3", "Q4", "Q5")
TRACK_COLUMNS = (
    "grouping", "group", "asset", "horizon_weeks", "n", "independent_windows", "median",
    "share_positive", "spearman", "spearman_low", "spearman_high",
)


@dataclass(frozen=True)
class TrackRecord:
    """Published scores with their forward returns, and the summary by group."""

    weeks: pd.DataFrame  # as_of index; week, score, band, quintile, "<asset> <h>" returns
    summary: pd.DataFrame  # TRACK_COLUMNS
    assets: tuple[str, ...]

    def row(self, grouping: str, group: str, asset: str, horizon: int) -> pd.Series:
        """The summary row of one group, asset and horizon."""
        return self.summary.iloc[self._positions[(grouping, group, asset, int(horizon))]]

    @functools.cached_property
    def _positions(self) -> dict[tuple[str, str, str, int], int]:
        """Where each (grouping, group, asset, horizon) row sits in `summary` (the first
        such row; the pages ask for many rows of one summary)."""
        s = self.summary
        keys = zip(s["grouping"], s["group"], s["asset"], s["horizon_weeks"], strict=True)
        out: dict[tuple[str, str, str, int], int] = {}
        for n, (grouping, group, asset, horizon) in enumerate(keys):
            out.setdefault((str(grouping), str(group), str(asset), int(horizon)), n)
        return out


def score_quintiles(scores: pd.Series) -> pd.Series:
    """`Q1`…`Q5` per week (index order = date order): rank by score, ties by date."""
    order = np.lexsort((np.arange(len(scores)), scores.to_numpy(dtype="float64")))
    rank = np.empty(len(scores), dtype=np.int64)
    rank[order] = np.arange(1, len(scores) + 1)
    n = len(scores)
    return pd.Series([QUINTILES[(5 * (r - 1)) // n] for r in rank], index=scores.index)


def column(asset: str, horizon: int) -> str:
    """The `weeks` column of one asset's forward return at one horizon."""
    return f"{asset} {horizon}"


def compute_track_weeks(published: pd.DataFrame, prices: Prices, config: Config) -> pd.DataFrame:
    """Weeks with a published score: `week, score, band, quintile` and the forward returns.

    `published` is indexed by as-of date with `week`, `score` and `band` as published (a
    missing band is the score's band, `format.band_of`).
    """
    rows = published[np.isfinite(published["score"].to_numpy(dtype="float64"))]
    rows = rows.sort_index()
    origins = pd.DatetimeIndex(rows.index)
    out = pd.DataFrame({
        "week": rows["week"].astype(str).to_numpy(),
        "score": rows["score"].to_numpy(dtype="float64"),
    }, index=origins)
    bands = rows["band"] if "band" in rows else pd.Series("", index=rows.index)
    out["band"] = [str(b) if isinstance(b, str) and b else band_of(s)
                   for b, s in zip(bands, out["score"], strict=True)]
    out["quintile"] = score_quintiles(out["score"]) if len(out) else []
    alts = [close_of(prices, a) for a in config.alts]
    for asset in track_assets(config):
        for h in HORIZONS:
            if asset == BASKET:
                ret = basket_forward_returns(alts, origins, h, config.windows.altseason_min_alts)
            else:
                ret = forward_returns(close_of(prices, asset), origins, h)
            out[column(asset, h)] = ret
    return out


def track_assets(config: Config) -> tuple[str, ...]:
    """`^RUT`, `BTC-USD`, the alt basket (as configured)."""
    return (config.tickers.rut, config.tickers.btc, BASKET)


def _group_stats(frame: pd.DataFrame, col: str, h: int) -> tuple[int, int, float, float]:
    values = frame[col].to_numpy(dtype="float64")
    ok = np.isfinite(values)  # the column's rows only (not a copy of the whole frame)
    values = values[ok]
    if len(values) == 0:
        return 0, 0, math.nan, math.nan
    return (len(values), independent_windows(frame.index.to_numpy()[ok], h),
            float(np.median(values)), float(np.mean(values > 0)))


def _pairs(weeks: pd.DataFrame, col: str) -> tuple[np.ndarray, np.ndarray]:
    """The scores and forward returns of the weeks with a forward return in `col`."""
    y = weeks[col].to_numpy(dtype="float64")
    ok = np.isfinite(y)
    return weeks["score"].to_numpy(dtype="float64")[ok], y[ok]


def interval_key(x: np.ndarray, y: np.ndarray, block: int, resamples: int, seed: int,
                 level: float) -> str:
    """What a bootstrap interval of `block_bootstrap_spearman` is a function of, as a
    digest: the pairs, in order, and the bootstrap's parameters."""
    h = hashlib.sha256(repr((len(x), int(block), int(resamples), int(seed),
                             float(level))).encode())
    h.update(np.ascontiguousarray(x, dtype="float64").tobytes())
    h.update(np.ascontiguousarray(y, dtype="float64").tobytes())
    return h.hexdigest()


def spearman_jobs(published: pd.DataFrame, prices: Prices, config: Config, *,
                  resamples: int = BLOCK_RESAMPLES, seed: int = SEED, level: float = LEVEL,
                  ) -> dict[str, tuple[np.ndarray, np.ndarray, int]]:
    """The bootstrap intervals the track record of `published` (as `compute_track_weeks`
    takes it) needs, one per asset and horizon, by `interval_key`: the pairs and the
    block length of each (`block_bootstrap_spearman(x, y, block)` with these parameters).

    The intervals are most of the track record's work, and a week's forward returns need
    weeks of later prices: they rest on older weeks, frozen ones as a rule. So a build can
    compute them from the frozen weeks' scores before this week's score is known, and
    `with_intervals` takes each one whose pairs it finds (`known`), by its key."""
    weeks = compute_track_weeks(published, prices, config)
    out: dict[str, tuple[np.ndarray, np.ndarray, int]] = {}
    for asset in track_assets(config):
        for h in HORIZONS:
            x, y = _pairs(weeks, column(asset, h))
            out[interval_key(x, y, block_length(h), resamples, seed, level)] = (
                x, y, block_length(h))
    return out


def summarize_track(weeks: pd.DataFrame, assets: tuple[str, ...], *,
                    resamples: int = BLOCK_RESAMPLES, seed: int = SEED,
                    level: float = LEVEL, intervals: bool = True) -> pd.DataFrame:
    """The summary rows (`TRACK_COLUMNS`): all weeks, then bands, then quintiles; within
    each group the assets, then horizons ascending. The bootstrap intervals as
    `fill_intervals` computes them; none (NaN) without `intervals`."""
    groups = [("all", "All weeks", weeks)]
    groups += [("band", b, weeks[weeks["band"] == b]) for _, _, b in BANDS]
    groups += [("quintile", q, weeks[weeks["quintile"] == q]) for q in QUINTILES]
    records = []
    for grouping, name, frame in groups:
        for asset in assets:
            for h in HORIZONS:
                n, independent, median, positive = _group_stats(frame, column(asset, h), h)
                rho = spearman(*_pairs(frame, column(asset, h))) if grouping == "all" \
                    else math.nan
                records.append((grouping, name, asset, h, n, independent, median, positive,
                                rho, math.nan, math.nan))
    summary = pd.DataFrame.from_records(records, columns=list(TRACK_COLUMNS))
    if intervals:
        fill_intervals(summary, weeks, resamples=resamples, seed=seed, level=level)
    return summary


def fill_intervals(summary: pd.DataFrame, weeks: pd.DataFrame,
                   known: Mapping[str, tuple[float, float]] | None = None, *,
                   resamples: int = BLOCK_RESAMPLES, seed: int = SEED,
                   level: float = LEVEL) -> None:
    """Set `spearman_low` and `spearman_high` of the `all` rows of `summary` (in place):
    the circular block bootstrap interval of the Spearman correlation of score and
    forward return over `weeks`. `known`: intervals computed already (`spearman_jobs`'),
    taken where their key matches (the same pairs and parameters: the same numbers)."""
    known = known or {}
    rows = np.flatnonzero(summary["grouping"].to_numpy() == "all")
    low = summary["spearman_low"].to_numpy(dtype="float64", copy=True)
    high = summary["spearman_high"].to_numpy(dtype="float64", copy=True)
    for row in rows:
        h = int(summary["horizon_weeks"].iat[row])
        x, y = _pairs(weeks, column(str(summary["asset"].iat[row]), h))
        block = block_length(h)
        found = known.get(interval_key(x, y, block, resamples, seed, level)) if known else None
        low[row], high[row] = found or block_bootstrap_spearman(
            x, y, block, resamples=resamples, seed=seed, level=level)
    summary["spearman_low"] = low
    summary["spearman_high"] = high


def compute_track_record(published: pd.DataFrame, prices: Prices, config: Config, *,
                         resamples: int = BLOCK_RESAMPLES, seed: int = SEED,
                         intervals: bool = True) -> TrackRecord:
    """The track record of the published scores (all data: forward returns look ahead).
    Without `intervals`, the bootstrap intervals are left out (NaN): `with_intervals` adds
    them, taking those computed already."""
    assets = track_assets(config)
    weeks = compute_track_weeks(published, prices, config)
    return TrackRecord(weeks=weeks, summary=summarize_track(
        weeks, assets, resamples=resamples, seed=seed, intervals=intervals), assets=assets)


def with_intervals(track: TrackRecord, known: Mapping[str, tuple[float, float]] | None = None,
                   *, resamples: int = BLOCK_RESAMPLES, seed: int = SEED) -> TrackRecord:
    """`track` (made without `intervals`) with its bootstrap intervals (`fill_intervals`)."""
    summary = track.summary.copy()
    fill_intervals(summary, track.weeks, known, resamples=resamples, seed=seed)
    return TrackRecord(weeks=track.weeks, summary=summary, assets=track.assets)


def format_track_csv(summary: pd.DataFrame) -> str:
    """`track-record.csv`: header, rows as given, exact floats, a missing value empty."""
    lines = [",".join(TRACK_COLUMNS)]
    for row in summary[list(TRACK_COLUMNS)].itertuples(index=False, name=None):
        cells = [format_value(c) for c in row[:3]]
        cells += [str(int(row[3])), str(int(row[4])), str(int(row[5]))]
        cells += [format_value(c) for c in row[6:]]
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"
