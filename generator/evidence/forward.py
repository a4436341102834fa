"""Forward returns (SPEC §6): per asset and the equal-weight alt basket, the long table of
`evidence.csv` and the basket's breadth. Pure; the rules are in `study.py`'s docstring."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from generator.config import Config
from generator.prices import Prices
from generator.signals.core import format_value

BASKET = "alt-basket"
HORIZONS = (4, 13, 26, 52)
EVIDENCE_COLUMNS = (
    "week", "as_of", "asset", "horizon_weeks", "forward_return",
    "rut_breakout_week", "iwm_breakout_week",
)


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


def close_of(prices: Prices, ticker: str) -> pd.Series:
    frame = prices.get(ticker)
    return pd.Series(dtype="float64") if frame is None else frame["close"].dropna()


def compute_forward_table(archive: pd.DataFrame, prices: Prices, config: Config) -> pd.DataFrame:
    """`evidence.csv` rows: archive week × asset × horizon where the window is available.

    `archive` is indexed by as-of date with `week` and the two breakout flags. Oldest week
    first, then assets (BTC, ETH, basket), then horizons ascending.
    """
    origins = pd.DatetimeIndex(archive.index)
    alts = [close_of(prices, a) for a in config.alts]
    parts = []
    assets = (config.tickers.btc, config.tickers.eth, BASKET)
    for a_rank, asset in enumerate(assets):
        for horizon in HORIZONS:
            if asset == BASKET:
                ret = basket_forward_returns(alts, origins, horizon,
                                             config.windows.altseason_min_alts)
            else:
                ret = forward_returns(close_of(prices, asset), origins, horizon)
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
    days: dict[object, str] = {}  # each origin's date, written once (~40,000 rows, 500 dates)

    def day(value: object) -> str:
        if value not in days:
            days[value] = pd.Timestamp(value).strftime("%Y-%m-%d")
        return days[value]

    rows = table[list(EVIDENCE_COLUMNS)]
    week, as_of, asset, horizon, ret, rut, iwm = (rows[c].tolist() for c in EVIDENCE_COLUMNS)
    cells = zip(map(format_value, week), map(day, as_of), map(format_value, asset),
                (str(int(h)) for h in horizon), map(format_value, ret),
                map(format_value, rut), map(format_value, iwm), strict=True)
    return "\n".join([",".join(EVIDENCE_COLUMNS), *map(",".join, cells)]) + "\n"


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
    alts = [close_of(prices, a) for a in config.alts]
    parts = []
    for horizon in HORIZONS:
        members, rose, median = basket_breadth(alts, origins, horizon,
                                               config.windows.altseason_min_alts)
        part = pd.DataFrame({"week": archive["week"].to_numpy(), "horizon_weeks": horizon,
                             "members": members, "rose": rose, "median_coin": median})
        parts.append(part[members > 0])
    return pd.concat(parts, ignore_index=True)
