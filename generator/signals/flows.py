"""Estimated ETF net flows from shares outstanding: change in shares × price, per window.

For each shares report dated t: `flow_t = (S_t - S_previous report) × P_t`, with `P_t` the
ETF's last close on or before t. A window (start, end] sums the flows of the reports in
it; it is usable only when a report exists on or before `start` (the baseline), the last
report is at most `FLOW_STALE_DAYS` before `end`, and every report in it has a price.
Nothing is interpolated: a gap makes the window n/a, with the reason in words.

Share splits are not flows. A report whose shares jump by a split ratio `r` (a simple
fraction, 3/2 or more, or 2/3 or less, within `SPLIT_TOLERANCE`) while the price moves by
about `1 / r` since the previous report is a split: its flow is `(S_t - r × S_prev) × P_t`,
what changed beyond the split. A jump of that size *without* a matching price move (a
price history adjusted back for the split, or a data error) cannot be told apart from a
flow, so a window holding it is n/a, never a giant phantom flow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

FLOW_STALE_DAYS = 10  # a shares report older than this at the window end is too old to use
SPLIT_MIN_RATIO = 1.5  # a shares jump this large (or its inverse) is a split or unexplained
SPLIT_TOLERANCE = 0.05  # shares ratio within 5% of a simple fraction r
SPLIT_PRICE_TOLERANCE = 0.15  # and the price ratio within 15% of 1 / r


def split_ratio(shares_ratio: float) -> float | None:
    """The split ratio `r` a shares ratio is close to: a whole or half number (2, 3, 3/2,
    5/2 ...) or the inverse of one (a reverse split: 1/2, 2/3 ...); None when the jump is
    too small to be a split or not near such a ratio."""
    if not (math.isfinite(shares_ratio) and shares_ratio > 0):
        return None
    if 1 / SPLIT_MIN_RATIO < shares_ratio < SPLIT_MIN_RATIO:
        return None
    up = shares_ratio if shares_ratio > 1 else 1 / shares_ratio
    r = float(Fraction(round(up * 2), 2))
    if abs(up / r - 1) > SPLIT_TOLERANCE:
        return None
    return r if shares_ratio > 1 else 1 / r


def is_split(shares_ratio: float, price_ratio: float) -> bool:
    """Shares changed by a split ratio `r` and the price by about `1 / r`."""
    r = split_ratio(shares_ratio)
    return (r is not None and math.isfinite(price_ratio)
            and abs(price_ratio * r - 1) <= SPLIT_PRICE_TOLERANCE)


@dataclass(frozen=True)
class FlowBook:
    """One ETF's shares reports with their cumulative estimated flow, for window sums."""

    ticker: str
    dates: pd.DatetimeIndex
    cumulative: np.ndarray  # running sum of (S_t - S_prev) × P_t over the priced reports
    unpriced: np.ndarray  # running count of reports with no price on or before them
    # running count of split-sized jumps with no matching price move
    unexplained: np.ndarray = field(default_factory=lambda: np.array([]))

    def gap(self, start: pd.Timestamp, end: pd.Timestamp) -> str | None:
        """Why the window (start, end] cannot be summed, or None."""
        if len(self.dates) == 0:
            return f"no shares-outstanding history for {self.ticker} in the store"
        if self.dates[0] > start:
            return (f"the shares-outstanding history of {self.ticker} starts "
                    f"{self.dates[0].date().isoformat()}, after {start.date().isoformat()}")
        last = self.dates[self.dates.searchsorted(end, side="right") - 1]
        if (end - last).days > FLOW_STALE_DAYS:
            return (f"no shares-outstanding report for {self.ticker} in the {FLOW_STALE_DAYS} "
                    f"days to {end.date().isoformat()} (last {last.date().isoformat()})")
        if not math.isfinite(self.flow(start, end)):
            i = self.dates.searchsorted(start, side="right") - 1
            j = self.dates.searchsorted(end, side="right") - 1
            if len(self.unexplained) and self.unexplained[j] > self.unexplained[i]:
                return (f"the shares outstanding of {self.ticker} jump by a split-sized ratio "
                        f"in the window without a matching price move: a split or a data "
                        f"error, not counted as a flow")
            return f"no {self.ticker} price for a shares report in the window"
        return None

    def flow(self, start: pd.Timestamp, end: pd.Timestamp) -> float:
        """Σ (S_t - S_prev) × P_t over reports t in (start, end]."""
        i = self.dates.searchsorted(start, side="right") - 1
        j = self.dates.searchsorted(end, side="right") - 1
        if i < 0 or self.unpriced[j] > self.unpriced[i]:
            return math.nan
        if len(self.unexplained) and self.unexplained[j] > self.unexplained[i]:
            return math.nan
        return float(self.cumulative[j] - self.cumulative[i])


def flow_book(ticker: str, shares: pd.Series | None, close: pd.Series | None) -> FlowBook:
    """Per report date t: flow_t = (S_t - r × S_previous report) × P_t, P_t the last close on
    or before t and r the split ratio of a split between the two reports (else 1);
    cumulated so a window is a difference of two sums."""
    s = pd.Series(dtype="float64") if shares is None else shares.dropna().sort_index()
    if s.empty:
        return FlowBook(ticker, pd.DatetimeIndex([]), np.array([]), np.array([]), np.array([]))
    c = pd.Series(dtype="float64") if close is None else close.dropna().sort_index()
    price = c.reindex(c.index.union(s.index)).ffill().reindex(s.index).to_numpy(dtype="float64")
    held = s.to_numpy(dtype="float64")
    before = np.concatenate([[np.nan], held[:-1]])  # S_prev, rescaled through a split
    jumps = np.zeros(len(held), dtype=bool)
    for k in range(1, len(held)):
        ratio = held[k] / held[k - 1]
        r = split_ratio(ratio)
        if r is None:
            continue
        if is_split(ratio, price[k] / price[k - 1]):
            before[k] = held[k - 1] * r
        else:
            jumps[k] = True
    with np.errstate(invalid="ignore"):
        flows = (held - before) * price
    flows[0] = 0.0  # the first report is only the baseline of the next one
    missing = ~np.isfinite(flows)
    return FlowBook(ticker, pd.DatetimeIndex(s.index), np.cumsum(np.where(missing, 0.0, flows)),
                    np.cumsum(missing), np.cumsum(jumps & ~missing))
