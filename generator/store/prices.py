"""The committed price store `data/prices/<TICKER>.csv`: load, merge, write atomically.

The store only grows: a merge is the union of dates, a fetched row replaces a stored one
only when it has a valid close, and an empty or partial fetch never removes a row.

Yahoo restates history: a new dividend rescales every earlier `adj_close`, a split every
earlier price. A fetch starts ten days before the last stored date, so the overlap shows
the restatement; `merge_prices` rescales the older stored rows by the same factor so the
series stays on one basis (otherwise each dividend would be lost at the seam).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from generator.errors import DataError
from generator.prices import (
    COLUMNS,
    Prices,
    format_price_csv,
    normalize_frame,
    parse_price_csv,
)
from generator.sources.validate import format_dates, quarantine
from generator.store.naming import ticker_filename
from generator.writer import write_atomic

JUDGED = ("closed-day", "stale-run", "spike")  # rules that judge a row by its neighbours
RESTATE_TOLERANCE = 1e-5  # relative; Yahoo's float32 noise is ~1e-7, a dividend >= ~1e-4
PRICE_COLUMNS = ("open", "high", "low", "close")


def load_store(prices_dir: Path, tickers: Iterable[str]) -> Prices:
    """Read the stored frame of each ticker that has a file; raise DataError for a corrupt one."""
    prices: Prices = {}
    for ticker in tickers:
        path = Path(prices_dir) / ticker_filename(ticker)
        if path.is_file():
            prices[ticker] = load_store_file(path)
    return prices


def load_price_csv(path: Path) -> pd.DataFrame:
    """Read one price CSV file into a price frame (no checks)."""
    return parse_price_csv(Path(path).read_text(encoding="utf-8"))


def load_store_file(path: Path) -> pd.DataFrame:
    """Read one store CSV and check its invariants; raise DataError naming the file."""
    try:
        df = load_price_csv(path)
    except (OSError, ValueError) as exc:  # pandas parser errors are ValueErrors
        raise DataError(f"{path}: corrupt price file: {exc}") from None
    problem = check_store_frame(df)
    if problem:
        raise DataError(f"{path}: corrupt price file: {problem}")
    return df


def merge_prices(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Union by date of stored `old` and fetched `new`; new rows win only with a valid close."""
    old = normalize_frame(old)
    fresh = normalize_frame(new)
    close = fresh["close"].to_numpy()
    fresh = fresh[np.isfinite(close) & (close > 0)]
    if fresh.empty:
        return old
    old = _rebase(old, fresh)
    merged = fresh.combine_first(old)  # new values; a missing new cell keeps the stored one
    return normalize_frame(merged[list(COLUMNS)].sort_index())


def merge_checked(ticker: str, old: pd.DataFrame, new: pd.DataFrame
                  ) -> tuple[pd.DataFrame, list[str]]:
    """`merge_prices`, then the boundary checks on the merged frame, and the warnings.

    The fetched rows are judged with their stored neighbours (a bar that was the newest
    yesterday is judged again now that it has a neighbour on each side: the fetch always
    re-reads the last ten days), and a rejected one is not written. Older stored rows are
    never dropped for a judgement (a closed day, a stale run, a spike: the build leaves them
    out of the signals and names them), so the store is never shortened; a row that breaks
    the store itself (no finite positive close) goes wherever it is.
    """
    merged = merge_prices(old, new)
    clean, warnings, problems = quarantine(ticker, merged)
    fresh = normalize_frame(new).index
    if fresh.empty:
        return clean, warnings
    keep = pd.DatetimeIndex([], dtype="datetime64[ns]")
    for p in problems:
        if p.rule in JUDGED and pd.Timestamp(p.last) < fresh.min():
            span = merged.index[(merged.index >= pd.Timestamp(p.first))
                                & (merged.index <= pd.Timestamp(p.last))]
            keep = keep.union(span)
    if keep.empty:
        return clean, warnings
    kept = merged.loc[keep].replace([np.inf, -np.inf], np.nan)
    warnings.append(f"{ticker}: {len(kept)} older stored row(s) kept in the store though "
                    f"the checks leave them out of the signals: {format_dates(keep)}")
    return normalize_frame(pd.concat([clean, kept]).sort_index()), warnings


def restatement_factors(old: pd.DataFrame, new: pd.DataFrame) -> tuple[float, float]:
    """(price, adj_close) factors by which `new` restates `old` on their shared dates (1.0: none).

    A factor counts only when the first two shared dates agree on it: a split or dividend
    rescales every earlier day alike, while a one-day correction changes one day.
    """
    return (
        _factor(old["close"], new["close"]),
        _factor(old["adj_close"], new["adj_close"]),
    )


def write_store(prices_dir: Path, prices: Mapping[str, pd.DataFrame]) -> list[str]:
    """Write each (already merged) frame to its CSV when the bytes change; return those tickers."""
    prices_dir = Path(prices_dir)
    prices_dir.mkdir(parents=True, exist_ok=True)
    changed: list[str] = []
    for ticker in sorted(prices):
        path = prices_dir / ticker_filename(ticker)
        frame = normalize_frame(prices[ticker])
        if np.isinf(frame.to_numpy()).any() or frame["close"].isna().any():
            raise DataError(f"{path}: refusing to store {ticker}: a non-finite or missing "
                            "close (the boundary checks should have rejected it)")
        data = format_price_csv(frame).encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            continue
        write_atomic(path, data, durable=True)
        changed.append(ticker)
    return changed


def check_store_frame(df: pd.DataFrame) -> str | None:
    """What breaks the store invariants of a frame read from disk, if anything (pure)."""
    if df.index.hasnans:
        return "a row has no valid date"
    if not df.index.is_unique:
        return "dates are repeated"
    if not df.index.is_monotonic_increasing:
        return "dates are not in ascending order"
    if df["close"].isna().any():
        return "a row has no close"
    return None


def _factor(old: pd.Series, new: pd.Series) -> float:
    """The common ratio new/old on the first two shared valid dates, else 1.0."""
    both = pd.concat([old.rename("old"), new.rename("new")], axis=1, join="inner").dropna()
    both = both[(both["old"] > 0) & (both["new"] > 0)]
    if len(both) < 2:
        return 1.0
    first, second = (both["new"] / both["old"]).iloc[:2]
    if abs(second / first - 1) > RESTATE_TOLERANCE or abs(first - 1) <= RESTATE_TOLERANCE:
        return 1.0
    return float(first)


def _rebase(old: pd.DataFrame, fresh: pd.DataFrame) -> pd.DataFrame:
    """Rescale stored rows older than the fetch onto the basis of the fetch."""
    price, adj = restatement_factors(old, fresh)
    if price == 1.0 and adj == 1.0:
        return old
    older = old.index < old.index.intersection(fresh.index).min()
    old = old.copy()
    if price != 1.0:
        old.loc[older, list(PRICE_COLUMNS)] *= price
        old.loc[older, "volume"] = np.round(old.loc[older, "volume"] / price)
    if adj != 1.0:
        old.loc[older, "adj_close"] *= adj
    return old
