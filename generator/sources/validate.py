"""Validation of price frames at the boundary: quarantine what is wrong, name every bar.

Pure functions, no I/O. `validate_prices` runs on every frame that enters the build or the
store — a CSV file, a stored file, a Yahoo download, a merged store frame — and returns the
frame without the rejected bars, the command-line warnings, and one `BarProblem` per
rejected bar (or run of bars) or unconfirmed newest bar, for the page notices.

Rules (each named with the ticker and the date(s) concerned):

- **non-finite**: a close or adj_close that is ±inf is rejected (an infinite open, high, low
  or volume is blanked; the close stays usable);
- **no-close**: a row with no close is rejected;
- **non-positive**: a close or adj_close <= 0 is rejected (open/high/low <= 0 blanked);
- **conflicting-duplicate**: two rows for one date that disagree are both rejected (which
  one is right cannot be told); identical duplicates are merged into one row;
- **closed-day**: a stock, ETF or index bar on a day the NYSE held no session (weekends,
  holidays: `generator.weeks.exchange_closed`) is rejected; crypto trades every day;
- **stale-run**: a close unchanged for more consecutive bars than the asset allows
  (`STALE_RUN`: a forward-filled series) keeps its first bar; the repeats are rejected;
- **spike**: a bar at least k× away from both neighbours in the same direction (up and
  back, or down and back) is rejected; k per asset in `spike_ratio`;
- **missing-session**: an NYSE session between a stock's first and last bar with no bar
  is named (nothing is rejected; the signals simply lack that day);
- **unconfirmed**: the newest bar at least k× away from the one before is kept, but the
  page says so and its week stays provisional until a later bar confirms it (a later bar
  that reverts makes it a spike).

The thresholds were set against the real history in `../shared/data/market` (1987–2026):
the largest up-and-back move there is 1.10× for indices and ETFs, 1.39× for ^VIX, 1.18×
for BTC and ETH and 1.59× for the other crypto; the longest run of equal closes is 4 bars
(HYG, UUP) for ETFs, 3 for ^VIX and 2 for crypto.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from generator.prices import MISSING, UNCONFIRMED, BarProblem, empty_frame, normalize_frame
from generator.weeks import exchange_closed, exchange_sessions

FLAG_MOVE = 0.5  # a single-day close move above 50% is flagged on indices/ETFs
NO_MOVE_FLAGS = ("^VIX",)  # series whose genuine spikes exceed 50%: never flagged
MAX_LISTED_DATES = 5
PRICE_COLUMNS = ("open", "high", "low")
STALE_RUN = {"crypto": 3, "other": 4}  # most consecutive bars allowed with one unchanged close
SPIKE_RATIO = {"index-etf": 1.5, "volatile": 2.0, "crypto": 3.0}
VOLATILE = ("^VIX", "BTC-USD", "ETH-USD")  # k = 2: ^VIX jumps, BTC and ETH are deep markets

WHY = {  # the command line's words for each rule
    "non-finite": "with a non-finite close or adj_close",
    "no-close": "with no close",
    "non-positive": "with a non-positive close or adj_close",
    "conflicting-duplicate": "with conflicting duplicate rows for one date",
    "closed-day": "dated on a day the NYSE was closed",
    "stale-run": "repeating an unchanged close (a forward-filled series?)",
    "spike": "with a one-day spike (up and back)",
}


class MalformedFrame(ValueError):
    """A frame that cannot be read as one ticker's daily bars (its message says why)."""


def is_crypto(ticker: str) -> bool:
    """True for a Yahoo crypto pair such as `BTC-USD` (traded every calendar day)."""
    return ticker.upper().endswith("-USD")


def spike_ratio(ticker: str) -> float:
    """k of the spike rule for `ticker`: 1.5 for indices and ETFs, 2 for ^VIX, BTC and ETH,
    3 for the other crypto."""
    if ticker.upper() in VOLATILE:
        return SPIKE_RATIO["volatile"]
    return SPIKE_RATIO["crypto" if is_crypto(ticker) else "index-etf"]


def stale_run_limit(ticker: str) -> int:
    """Most consecutive bars allowed to share one close: 3 for crypto, 4 otherwise."""
    return STALE_RUN["crypto" if is_crypto(ticker) else "other"]


def check_frame(ticker: str, df: pd.DataFrame) -> None:
    """Raise MalformedFrame when `df` is not one ticker's bars: repeated columns (e.g. two
    adjusted-close columns) or an index mixing time zones."""
    if df.columns.has_duplicates:
        repeated = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        raise MalformedFrame(f"malformed reply for {ticker}: repeated column(s) "
                             f"{', '.join(repeated)}")
    index = df.index
    if isinstance(index, pd.DatetimeIndex):
        return
    zones = {str(getattr(x, "tzinfo", None)) for x in index}
    if len(zones) > 1:
        raise MalformedFrame(f"malformed reply for {ticker}: dates in {len(zones)} time zones "
                             f"({', '.join(sorted(zones))})")
    try:
        pd.DatetimeIndex(index)
    except (TypeError, ValueError) as exc:
        raise MalformedFrame(f"malformed reply for {ticker}: dates not readable ({exc})") from None


def validate_prices(
    ticker: str, df: pd.DataFrame, *, today: dt.date | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """The frame of `ticker` with the rejected bars removed, and the warnings (see `quarantine`)."""
    frame, warnings, _ = quarantine(ticker, df, today=today)
    return frame, warnings


def quarantine(
    ticker: str, df: pd.DataFrame, *, today: dt.date | None = None
) -> tuple[pd.DataFrame, list[str], list[BarProblem]]:
    """(clean frame, warnings, problems) of `ticker`: every rule of the module docstring.

    Raises MalformedFrame for a frame that is not one ticker's bars (`check_frame`).
    """
    check_frame(ticker, df)
    warnings: list[str] = []
    problems: list[BarProblem] = []
    if df.empty:
        return empty_frame(), warnings, problems
    frame = _clean_index(ticker, df, warnings, problems)
    if frame.empty:
        return frame, warnings, problems
    frame = _fill_adj_close(ticker, frame, warnings)
    close, adj = frame["close"], frame["adj_close"]
    infinite = np.isinf(close.to_numpy()) | np.isinf(adj.to_numpy())
    frame = _reject(ticker, frame, infinite, "non-finite", warnings, problems)
    frame = _blank(ticker, frame, lambda part: np.isinf(part), "infinite", warnings,
                   (*PRICE_COLUMNS, "volume"))
    frame = _reject(ticker, frame, frame["close"].isna().to_numpy(), "no-close", warnings,
                    problems)
    positive = (frame["close"] > 0) & ~(frame["adj_close"] <= 0)
    frame = _reject(ticker, frame, ~positive.to_numpy(), "non-positive", warnings, problems)
    frame = _blank(ticker, frame, lambda part: part <= 0, "non-positive", warnings,
                   PRICE_COLUMNS)
    if today is not None:
        future = frame.index > pd.Timestamp(today)
        if future.any():
            warnings.append(f"{ticker}: dropped {_rows(int(future.sum()))} dated after "
                            f"{today.isoformat()}: {format_dates(frame.index[future])}")
            frame = frame[~future]
    if not is_crypto(ticker):
        frame = _reject(ticker, frame, exchange_closed(frame.index), "closed-day", warnings,
                        problems)
    frame = _reject_stale_runs(ticker, frame, warnings, problems)
    frame = _reject(ticker, frame, spike_mask(frame["close"], spike_ratio(ticker)), "spike",
                    warnings, problems, ratios=_spike_ratios(frame["close"]))
    if not is_crypto(ticker):
        problems.extend(_missing_sessions(ticker, _days(df).dropna().sort_values(), warnings))
    problems.extend(_unconfirmed(ticker, frame["close"]))
    if not is_crypto(ticker) and ticker.upper() not in NO_MOVE_FLAGS:
        warnings.extend(_flag_moves(ticker, frame["close"]))
    return frame, warnings, problems


def staleness_days(df: pd.DataFrame, today: dt.date) -> int | None:
    """Calendar days from the last row of `df` to `today` (None when `df` has no rows)."""
    if df.empty:
        return None
    return (today - pd.Timestamp(df.index.max()).date()).days


def spike_mask(close: pd.Series, ratio: float = SPIKE_RATIO["index-etf"]) -> np.ndarray:
    """Rows at least `ratio`× above both neighbours (or at most 1/`ratio` of both): a bar
    that jumps and comes straight back is a bad print. The first and last rows never are."""
    values = close.to_numpy(dtype="float64")
    mask = np.zeros(len(values), dtype=bool)
    if len(values) < 3:
        return mask
    into = values[1:-1] / values[:-2]
    back = values[2:] / values[1:-1]
    up = (into >= ratio) & (back <= 1 / ratio)
    down = (into <= 1 / ratio) & (back >= ratio)
    mask[1:-1] = up | down
    return mask


def format_dates(index: pd.Index) -> str:
    """`2024-01-02, 2024-01-03` (the first few, then how many more)."""
    days = [pd.Timestamp(d).strftime("%Y-%m-%d") for d in index]
    shown = ", ".join(days[:MAX_LISTED_DATES])
    more = len(days) - MAX_LISTED_DATES
    return shown + (f" and {more} more" if more > 0 else "")


def describe(problem: BarProblem) -> str:
    """One command-line line for a problem (the page words are in `signals.quality`)."""
    if problem.rule == MISSING:
        return (f"{problem.ticker}: no bar for {problem.count} NYSE session(s) from "
                f"{problem.first.isoformat()} to {problem.last.isoformat()}")
    if problem.rejected:
        span = (problem.first.isoformat() if problem.count == 1
                else f"{problem.first.isoformat()} to {problem.last.isoformat()}")
        return f"{problem.ticker}: rejected {_bars(problem.count)} {WHY[problem.rule]}: {span}"
    return (f"{problem.ticker}: the newest close, {problem.value:g} on "
            f"{problem.last.isoformat()}, is {problem.ratio:.3g}x the one before; kept "
            "as unconfirmed, its week stays provisional until a later bar confirms it")


# --- the rules ---------------------------------------------------------------------------


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def _bars(n: int) -> str:
    return f"{n} bar" if n == 1 else f"{n} bars"


def _clean_index(ticker: str, df: pd.DataFrame, warnings: list[str],
                 problems: list[BarProblem]) -> pd.DataFrame:
    """Naive midnight dates, ascending; identical duplicates merged, conflicting ones rejected."""
    frame = normalize_frame(df)
    frame.index = _days(df)
    frame = frame[frame.index.notna()].sort_index(kind="stable")
    repeated = frame.index.duplicated(keep=False)
    if not repeated.any():
        return frame
    same = frame[repeated].fillna(np.inf).groupby(level=0).nunique().le(1).all(axis=1)
    conflicting = same.index[~same.to_numpy()]
    identical = same.index[same.to_numpy()]
    if len(identical):
        warnings.append(f"{ticker}: merged identical duplicate rows for {format_dates(identical)}")
    mask = frame.index.isin(conflicting)
    if mask.any():
        for day in conflicting:
            closes = frame.loc[[day], "close"].to_numpy()
            problems.append(BarProblem(ticker, day.date(), day.date(), 1,
                                       "conflicting-duplicate", float(closes[-1])))
        warnings.append(f"{ticker}: rejected {_bars(len(conflicting))} "
                        f"{WHY['conflicting-duplicate']}: {format_dates(conflicting)}")
        frame = frame[~mask]
    return frame[~frame.index.duplicated(keep="first")]


def _days(df: pd.DataFrame) -> pd.DatetimeIndex:
    """The local date of each row: tz-aware times -> the exchange's wall clock, midnight."""
    index = pd.DatetimeIndex(df.index)
    if index.tz is not None:
        index = index.tz_localize(None)  # wall-clock time of the exchange -> its local date
    return pd.DatetimeIndex(index.normalize(), freq=None, name="date").as_unit("ns")


def _fill_adj_close(ticker: str, frame: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    """Use close as adj_close when no adj_close is known at all."""
    if frame["adj_close"].notna().any():
        return frame
    warnings.append(f"{ticker}: no adj_close, using close instead (dividends not included)")
    frame = frame.copy()
    frame["adj_close"] = frame["close"]
    return frame


def _reject(
    ticker: str, frame: pd.DataFrame, mask: np.ndarray, rule: str, warnings: list[str],
    problems: list[BarProblem], ratios: np.ndarray | None = None,
) -> pd.DataFrame:
    """Remove the rows of `mask`: one problem per bar, one warning listing their dates."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return frame
    closes = frame["close"].to_numpy()
    for pos in np.flatnonzero(mask):
        day = frame.index[pos].date()
        ratio = float(ratios[pos]) if ratios is not None else float("nan")
        problems.append(BarProblem(ticker, day, day, 1, rule, float(closes[pos]), ratio))
    count = int(mask.sum())
    warnings.append(f"{ticker}: rejected {_bars(count)} {WHY[rule]}: "
                    f"{format_dates(frame.index[mask])}")
    return frame[~mask]


def _blank(ticker: str, frame: pd.DataFrame, bad_of, what: str, warnings: list[str],
           columns: tuple[str, ...]) -> pd.DataFrame:
    """Set bad open/high/low (or volume) cells to missing; the close of the row stays usable."""
    part = frame[list(columns)]
    bad = bad_of(part)
    rows = bad.any(axis=1).to_numpy()
    if not rows.any():
        return frame
    frame = frame.copy()
    frame[list(columns)] = part.mask(bad)
    names = "/".join(c for c in columns if bad[c].any())
    warnings.append(f"{ticker}: blanked {what} {names} on {format_dates(frame.index[rows])}")
    return frame


def _reject_stale_runs(ticker: str, frame: pd.DataFrame, warnings: list[str],
                       problems: list[BarProblem]) -> pd.DataFrame:
    """Reject the repeats of a close unchanged for more bars than `stale_run_limit` allows."""
    close = frame["close"].to_numpy()
    if len(close) <= stale_run_limit(ticker):
        return frame
    starts = np.flatnonzero(np.r_[True, close[1:] != close[:-1]])
    lengths = np.diff(np.r_[starts, len(close)])
    mask = np.zeros(len(close), dtype=bool)
    for start, length in zip(starts, lengths, strict=True):
        if length > stale_run_limit(ticker):
            mask[start + 1 : start + length] = True
            first, last = frame.index[start + 1].date(), frame.index[start + length - 1].date()
            problems.append(BarProblem(ticker, first, last, int(length - 1), "stale-run",
                                       float(close[start])))
    if mask.any():
        warnings.append(f"{ticker}: rejected {_bars(int(mask.sum()))} {WHY['stale-run']}: "
                        f"{format_dates(frame.index[mask])}")
    return frame[~mask]


def _missing_sessions(ticker: str, days: pd.DatetimeIndex, warnings: list[str]
                      ) -> list[BarProblem]:
    """One problem per run of NYSE sessions with no row at all (a rejected bar is named by
    its own rule), between the first and the last row."""
    if len(days) < 2:
        return []
    sessions = exchange_sessions(days[0], days[-1])
    missing = ~sessions.isin(days)
    if not missing.any():
        return []
    positions = np.flatnonzero(missing)
    runs = np.split(positions, np.flatnonzero(np.diff(positions) > 1) + 1)
    warnings.append(f"{ticker}: no bar for {int(missing.sum())} NYSE session(s): "
                    f"{format_dates(sessions[missing])}")
    return [BarProblem(ticker, sessions[run[0]].date(), sessions[run[-1]].date(), len(run),
                       MISSING) for run in runs]


def _spike_ratios(close: pd.Series) -> np.ndarray:
    """How far each bar sits from the nearer of its two neighbours (>= 1; NaN at the ends)."""
    values = close.to_numpy(dtype="float64")
    out = np.full(len(values), np.nan)
    if len(values) >= 3:
        mid, before, after = values[1:-1], values[:-2], values[2:]
        up = np.minimum(mid / before, mid / after)
        down = np.minimum(before / mid, after / mid)
        out[1:-1] = np.maximum(up, down)
    return out


def _unconfirmed(ticker: str, close: pd.Series) -> list[BarProblem]:
    """The newest bar, when at least k× away from the one before (no later bar yet)."""
    if len(close) < 2:
        return []
    last, before = float(close.iloc[-1]), float(close.iloc[-2])
    move = last / before
    k = spike_ratio(ticker)
    if move >= k or move <= 1 / k:
        day = close.index[-1].date()
        return [BarProblem(ticker, day, day, 1, UNCONFIRMED, last, max(move, 1 / move))]
    return []


def _flag_moves(ticker: str, close: pd.Series) -> list[str]:
    """One warning per single-day close move above 50% (kept: it may be genuine)."""
    change = close / close.shift(1) - 1
    flagged = change[change.abs() > FLAG_MOVE]
    return [
        f"{ticker}: close moved {move:+.0%} in one day on {day:%Y-%m-%d} (kept; please check)"
        for day, move in flagged.items()
    ]
