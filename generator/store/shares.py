"""The shares-outstanding store `data/shares/<TICKER>.csv` (`date,shares`): parse, merge, write.

Like the price store it only grows: a merge is the union of dates, a fetched value
replaces a stored one only when it is a positive number, and nothing is ever removed.
A series here is float shares indexed by a tz-naive daily `DatetimeIndex` named `date`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from generator.errors import DataError
from generator.store.naming import ticker_filename
from generator.writer import write_atomic


def empty_shares() -> pd.Series:
    """A shares series with no rows."""
    return pd.Series([], dtype="float64", index=pd.DatetimeIndex([], name="date"), name="shares")


def normalize_shares(raw: pd.Series | None) -> pd.Series:
    """Yahoo's reply -> one positive value per exchange-local day (the day's last report).

    `Ticker.get_shares_full()` gives a tz-aware index with possibly several rows per day,
    or None; both are handled. Non-numeric and non-positive values are dropped.
    """
    if raw is None or len(raw) == 0:
        return empty_shares()
    index = pd.DatetimeIndex(raw.index)
    if index.tz is not None:
        index = index.tz_localize(None)  # wall-clock time in the exchange's zone
    values = pd.to_numeric(pd.Series(list(raw), index=index.normalize()), errors="coerce")
    values = values[values > 0].astype("float64")
    values = values.groupby(level=0).last().sort_index()
    values.index = pd.DatetimeIndex(values.index, name="date").as_unit("ns")
    return values.rename("shares")


def merge_shares(old: pd.Series, new: pd.Series) -> pd.Series:
    """Union by date; a fetched positive value wins, a missing one keeps the stored row."""
    fresh = new[new > 0]
    if fresh.empty:
        return old
    merged = fresh.combine_first(old).sort_index()
    merged.index = pd.DatetimeIndex(merged.index, name="date").as_unit("ns")
    return merged.astype("float64").rename("shares")


def parse_shares_csv(text: str) -> pd.Series:
    """Parse `date,shares` CSV text."""
    df = pd.read_csv(io.StringIO(text), dtype={"date": "string"})
    if list(df.columns) != ["date", "shares"]:
        raise ValueError(f"expected the columns date,shares, got {','.join(df.columns)}")
    index = pd.DatetimeIndex(pd.to_datetime(df["date"], format="%Y-%m-%d"), name="date")
    values = pd.Series(pd.to_numeric(df["shares"]).to_numpy("float64"), index=index.as_unit("ns"))
    if not index.is_unique or not index.is_monotonic_increasing:
        raise ValueError("dates must be unique and ascending")
    if values.isna().any() or (values <= 0).any():
        raise ValueError("every row needs a positive number of shares")
    return values.rename("shares")


def format_shares_csv(shares: pd.Series) -> str:
    """CSV text: ISO dates, whole numbers without a decimal point."""
    lines = ["date,shares"]
    for day, value in zip(shares.index.strftime("%Y-%m-%d"), shares.to_numpy(), strict=True):
        v = float(value)
        lines.append(f"{day},{int(v) if v.is_integer() else repr(v)}")
    return "\n".join(lines) + "\n"


def load_shares(directory: Path, tickers: Iterable[str]) -> dict[str, pd.Series]:
    """Read `<TICKER>.csv` for each ticker that has one; raise DataError for a corrupt file."""
    out: dict[str, pd.Series] = {}
    for ticker in tickers:
        path = Path(directory) / ticker_filename(ticker)
        if not path.is_file():
            continue
        try:
            out[ticker] = parse_shares_csv(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DataError(f"{path}: corrupt shares file: {exc}") from None
    return out


def write_shares(directory: Path, shares: Mapping[str, pd.Series]) -> list[str]:
    """Write each (already merged) series when its bytes change; return those tickers."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    changed = []
    for ticker in sorted(shares):
        path = directory / ticker_filename(ticker)
        data = format_shares_csv(shares[ticker]).encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            continue
        write_atomic(path, data, durable=True)
        changed.append(ticker)
    return changed

