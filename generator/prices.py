"""The price frame: the contract between the sources, the store and the signals (pure).

A price frame is a DataFrame indexed by a tz-naive daily `DatetimeIndex` named `date`
(ascending, unique, midnight) with float columns `open, high, low, close, adj_close, volume`.
`Prices` maps a Yahoo ticker to its frame (files: `sources.spec.ticker_filename`).
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass

import pandas as pd

COLUMNS = ("open", "high", "low", "close", "adj_close", "volume")

Prices = dict[str, pd.DataFrame]

# Why a bar was rejected at the boundary (or kept unconfirmed): `BarProblem.rule`.
REJECT_RULES = ("non-finite", "no-close", "non-positive", "conflicting-duplicate",
                "closed-day", "stale-run", "spike")
UNCONFIRMED = "unconfirmed"  # the newest bar's large move, kept until a later bar confirms it
MISSING = "missing-session"  # an NYSE session with no bar, between a ticker's first and last


@dataclass(frozen=True)
class BarProblem:
    """A bar (or a run of bars) of one ticker that failed a boundary check, or is unconfirmed.

    `value` is the close seen on `last` (NaN when there was none); `ratio` how far it sat from
    its neighbour(s) for a spike or an unconfirmed move, else NaN. A rejected bar never
    reaches the store or the signals; an unconfirmed one (`rule == UNCONFIRMED`) is kept;
    `MISSING` names sessions with no bar at all (nothing to reject).
    """

    ticker: str
    first: dt.date
    last: dt.date
    count: int
    rule: str
    value: float = math.nan
    ratio: float = math.nan

    @property
    def rejected(self) -> bool:
        return self.rule in REJECT_RULES

    def to_plain(self) -> dict[str, object]:
        """JSON-ready fields (dates as ISO text, NaN and infinities as None)."""
        def num(x: float) -> float | None:
            return float(x) if math.isfinite(x) else None
        return {"ticker": self.ticker, "first": self.first.isoformat(),
                "last": self.last.isoformat(), "count": self.count, "rule": self.rule,
                "value": num(self.value), "ratio": num(self.ratio)}

    @classmethod
    def from_plain(cls, doc: dict[str, object]) -> BarProblem:
        """The problem `to_plain` describes."""
        def num(x: object) -> float:
            return math.nan if x is None else float(x)  # type: ignore[arg-type]
        return cls(str(doc["ticker"]), dt.date.fromisoformat(str(doc["first"])),
                   dt.date.fromisoformat(str(doc["last"])), int(doc["count"]),  # type: ignore[call-overload]
                   str(doc["rule"]), num(doc.get("value")), num(doc.get("ratio")))


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


