"""The price frame: the contract between the sources, the store and the signals (pure).

A price frame is a DataFrame indexed by a tz-naive daily `DatetimeIndex` named `date`
(ascending, unique, midnight) with float columns `open, high, low, close, adj_close, volume`.
`Prices` maps a Yahoo ticker to its frame (files: `sources.spec.ticker_filename`).
"""

from __future__ import annotations

import io

import pandas as pd

COLUMNS = ("open", "high", "low", "close", "adj_close", "volume")

Prices = dict[str, pd.DataFrame]






def empty_frame() -> pd.DataFrame:
    """A price frame with no rows."""
    index = pd.DatetimeIndex([], name="date", dtype="datetime64[ns]")
    return pd.DataFrame({c: pd.Series([], dtype="float64") for c in COLUMNS}, index=index)


def normalize_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Coerce to the price-frame shape (columns, dtypes, index); does not repair data."""
    out = pd.DataFrame(index=pd.DatetimeIndex(df.index).as_unit("ns"))
    for col in COLUMNS:
        if col in df.columns:
            out[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
        else:
            out[col] = float("nan")
    out.index.name = "date"
    return out


def parse_price_csv(text: str) -> pd.DataFrame:
    """Parse CSV text `date,open,high,low,close,adj_close,volume` into a price frame."""
    df = pd.read_csv(io.StringIO(text), dtype={"date": "string"})
    if "date" not in df.columns or "close" not in df.columns:
        raise ValueError("needs at least the columns date and close")
    df.index = pd.DatetimeIndex(pd.to_datetime(df.pop("date"), format="%Y-%m-%d"))
    if "adj_close" not in df.columns:
        df["adj_close"] = df["close"]
    return normalize_frame(df)




def format_price_csv(df: pd.DataFrame) -> str:
    """CSV text of a price frame: ISO dates, shortest exact floats, empty for missing."""
    lines = [",".join(("date", *COLUMNS))]
    dates = df.index.strftime("%Y-%m-%d")
    cols = [df[c].to_numpy() for c in COLUMNS]
    for i, day in enumerate(dates):
        cells = [day]
        for values in cols:
            v = values[i]
            if v != v:  # NaN
                cells.append("")
            elif float(v).is_integer() and abs(v) < 1e15:
                cells.append(str(int(v)))
            else:
                cells.append(repr(float(v)))
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


