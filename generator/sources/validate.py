"""Validation of price frames at the boundary: repair what is unambiguous, reject what is wrong.

Pure functions, no I/O. Every warning names the ticker and the date(s) concerned, so the
site owner can find the row in `data/prices/<TICKER>.csv` or on Yahoo.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from generator.prices import empty_frame, normalize_frame

FLAG_MOVE = 0.5  # a single-day close move above 50% is flagged on indices/ETFs
SPIKE_RATIO = 10.0  # x10 up and back (or the mirror) within one day is a bad print
NO_MOVE_FLAGS = ("^VIX",)  # series whose genuine spikes exceed 50%: never flagged
MAX_LISTED_DATES = 5


def is_crypto(ticker: str) -> bool:
    """True for a Yahoo crypto pair such as `BTC-USD` (traded every calendar day)."""
    return ticker.upper().endswith("-USD")


def validate_prices(
    ticker: str, df: pd.DataFrame, *, today: dt.date | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Return the repaired price frame of `ticker` and warnings about what was changed."""
    warnings: list[str] = []
    frame = _clean_index(ticker, df, warnings)
    if frame.empty:
        return frame, warnings
    frame = _fill_adj_close(ticker, frame, warnings)
    frame = _drop(ticker, frame, frame["close"].isna(), "with no close", warnings)
    positive = (frame["close"] > 0) & ~(frame["adj_close"] <= 0)
    frame = _drop(ticker, frame, ~positive, "with a non-positive close or adj_close", warnings)
    frame = _blank_non_positive(ticker, frame, warnings)
    if today is not None:
        future = frame.index > pd.Timestamp(today)
        frame = _drop(ticker, frame, future, f"dated after {today.isoformat()}", warnings)
    if not is_crypto(ticker):
        frame = _drop(ticker, frame, frame.index.day_of_week >= 5, "dated on a weekend", warnings)
        frame = _drop(ticker, frame, spike_mask(frame["close"]), "with a one-day spike", warnings)
        if ticker.upper() not in NO_MOVE_FLAGS:
            warnings.extend(_flag_moves(ticker, frame["close"]))
    return frame, warnings


def staleness_days(df: pd.DataFrame, today: dt.date) -> int | None:
    """Calendar days from the last row of `df` to `today` (None when `df` has no rows)."""
    if df.empty:
        return None
    return (today - pd.Timestamp(df.index.max()).date()).days


def spike_mask(close: pd.Series) -> np.ndarray:
    """Rows whose close jumps >= 10x (or <= 1/10) and returns the next day: isolated bad prints."""
    values = close.to_numpy(dtype="float64")
    mask = np.zeros(len(values), dtype=bool)
    if len(values) < 3:
        return mask
    into = values[1:-1] / values[:-2]
    back = values[2:] / values[1:-1]
    up = (into >= SPIKE_RATIO) & (back <= 1 / SPIKE_RATIO)
    down = (into <= 1 / SPIKE_RATIO) & (back >= SPIKE_RATIO)
    mask[1:-1] = up | down
    return mask


def format_dates(index: pd.Index) -> str:
    """`2024-01-02, 2024-01-03` (the first few, then how many more)."""
    days = [pd.Timestamp(d).strftime("%Y-%m-%d") for d in index]
    shown = ", ".join(days[:MAX_LISTED_DATES])
    more = len(days) - MAX_LISTED_DATES
    return shown + (f" and {more} more" if more > 0 else "")


def _clean_index(ticker: str, df: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    """Naive midnight dates, ascending, unique (the last of duplicates kept), price columns."""
    if df.empty:
        return empty_frame()
    index = pd.DatetimeIndex(df.index)
    if index.tz is not None:
        index = index.tz_localize(None)  # wall-clock time of the exchange -> its local date
    frame = df.copy()
    frame.index = pd.DatetimeIndex(index.normalize(), freq=None)  # normalize() infers a freq
    frame = frame.sort_index(kind="stable")
    duplicated = frame.index.duplicated(keep="last")
    if duplicated.any():
        dates = format_dates(frame.index[duplicated].unique())
        warnings.append(f"{ticker}: kept the last of duplicate rows for {dates}")
        frame = frame[~duplicated]
    return normalize_frame(frame)


def _fill_adj_close(ticker: str, frame: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    """Use close as adj_close when no adj_close is known at all."""
    if frame["adj_close"].notna().any():
        return frame
    warnings.append(f"{ticker}: no adj_close, using close instead (dividends not included)")
    frame = frame.copy()
    frame["adj_close"] = frame["close"]
    return frame


def _drop(
    ticker: str, frame: pd.DataFrame, mask: np.ndarray | pd.Series, why: str, warnings: list[str]
) -> pd.DataFrame:
    """Drop the rows of `mask`, with one warning listing their dates."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return frame
    count = int(mask.sum())
    noun = "row" if count == 1 else "rows"
    warnings.append(f"{ticker}: dropped {count} {noun} {why}: {format_dates(frame.index[mask])}")
    return frame[~mask]


def _blank_non_positive(ticker: str, frame: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    """Set non-positive open/high/low to missing (the close of the row stays usable)."""
    bad = frame[["open", "high", "low"]] <= 0
    rows = bad.any(axis=1).to_numpy()
    if not rows.any():
        return frame
    frame = frame.copy()
    frame[["open", "high", "low"]] = frame[["open", "high", "low"]].mask(bad)
    dates = format_dates(frame.index[rows])
    warnings.append(f"{ticker}: blanked non-positive open/high/low on {dates}")
    return frame


def _flag_moves(ticker: str, close: pd.Series) -> list[str]:
    """One warning per single-day close move above 50% (kept: it may be genuine)."""
    change = close / close.shift(1) - 1
    flagged = change[change.abs() > FLAG_MOVE]
    return [
        f"{ticker}: close moved {move:+.0%} in one day on {day:%Y-%m-%d} (kept; please check)"
        for day, move in flagged.items()
    ]

