"""Estimated ETF net flows from shares outstanding: change in shares × price, per window.

For each shares report dated t: `flow_t = (S_t - S_previous report) × P_t`, with `P_t` the
ETF's last close on or before t. A window (start, end] sums the flows of the reports in
it; it is usable only when a report exists on or before `start` (the baseline), the last
report is at most `FLOW_STALE_DAYS` before `end`, and every report in it has a price.
Nothing is interpolated: a gap makes the window n/a, with the reason in words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

FLOW_STALE_DAYS = 10  # a shares report older than this at the window end is too old to use


@dataclass(frozen=True)
class FlowBook:
    """One ETF's shares reports with their cumulative estimated flow, for window sums."""

    ticker: str
    dates: pd.DatetimeIndex
    cumulative: np.ndarray  # running sum of (S_t - S_prev) × P_t over the priced reports
    unpriced: np.ndarray  # running count of reports with no price on or before them

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
            return f"no {self.ticker} price for a shares report in the window"
        return None

    def flow(self, start: pd.Timestamp, end: pd.Timestamp) -> float:
        """Σ (S_t - S_prev) × P_t over reports t in (start, end]."""
        i = self.dates.searchsorted(start, side="right") - 1
        j = self.dates.searchsorted(end, side="right") - 1
        if i < 0 or self.unpriced[j] > self.unpriced[i]:
            return math.nan
        return float(self.cumulative[j] - self.cumulative[i])


def flow_book(ticker: str, shares: pd.Series | None, close: pd.Series | None) -> FlowBook:
    """Per report date t: flow_t = (S_t - S_previous report) × P_t, P_t the last close on or
    before t; cumulated so a window is a difference of two sums."""
    s = pd.Series(dtype="float64") if shares is None else shares.dropna().sort_index()
    if s.empty:
        return FlowBook(ticker, pd.DatetimeIndex([]), np.array([]), np.array([]))
    c = pd.Series(dtype="float64") if close is None else close.dropna().sort_index()
    price = c.reindex(c.index.union(s.index)).ffill().reindex(s.index).to_numpy(dtype="float64")
    flows = np.diff(s.to_numpy(dtype="float64"), prepend=np.nan) * price
    flows[0] = 0.0  # the first report is only the baseline of the next one
    missing = ~np.isfinite(flows)
    return FlowBook(ticker, pd.DatetimeIndex(s.index), np.cumsum(np.where(missing, 0.0, flows)),
                    np.cumsum(missing))
