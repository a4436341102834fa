"""Signals of SPEC §4–§5: pure functions on price frames, the weekly table and the score.

Everything is point in time: a value dated `t` uses only rows dated on or before `t`
(expanding maxima, trailing windows, backward shifts), so adding later data never
changes an earlier week.  Daily series live on the equity calendar E (the dates of
`^RUT` closes); crypto is sampled on E by calendar date.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from generator.config import COMPONENTS, Config
from generator.format import band_of
from generator.prices import Prices
from generator.weeks import equity_calendar, weekly_positions

SIGNAL_COLUMNS = (
    "rut_close",
    "rut_record_level",
    "rut_drawdown",
    "rut_record_week",
    "rut_breakout_week",
    "iwm_breakout_week",
    "rut_trend",
    "smallcap_rs_13w",
    "credit_13w",
    "vix",
    "btc_close",
    "btc_trend",
    "btc_rut_corr_90d",
    "altseason_index",
    *(f"score_{name}" for name in COMPONENTS),
    "score",
    "band",
)
CSV_COLUMNS = ("week", "as_of", *SIGNAL_COLUMNS)
BOOL_COLUMNS = ("rut_record_week", "rut_breakout_week", "iwm_breakout_week")

# --- records and breakouts ------------------------------------------------------------


def record_days(close: pd.Series) -> pd.Series:
    """True where the close is strictly above every earlier close (the first value is not).

    Missing values are neither records nor reset anything.
    """
    valid = close.dropna()
    earlier_max = valid.cummax().shift(1)
    records = (valid > earlier_max).reindex(close.index, fill_value=False)
    return records.astype(bool)


def breakout_days(close: pd.Series, gap: int) -> pd.Series:
    """True on record days whose previous record day is at least `gap` positions earlier.

    Positions are those of the series index (E-days when the series lives on E): a break
    of resistance that stood for `gap` or more trading days.
    """
    records = record_days(close).to_numpy()
    positions = np.flatnonzero(records)
    out = np.zeros(len(close), dtype=bool)
    if len(positions) > 1:
        gaps = np.diff(positions)
        out[positions[1:][gaps >= gap]] = True
    return pd.Series(out, index=close.index)


def any_in_week(flags: pd.Series, week_labels: np.ndarray, weeks: list[str]) -> np.ndarray:
    """For each week label, whether any daily flag in that week is true."""
    hit = set(week_labels[flags.to_numpy()])
    return np.array([w in hit for w in weeks], dtype=bool)


# --- trend, drawdown, relative strength -----------------------------------------------


def drawdown(close: pd.Series) -> pd.Series:
    """`close / running maximum - 1`: 0 at a record, negative below it."""
    return close / close.cummax() - 1


def trend(close: pd.Series, window: int) -> pd.Series:
    """`close / mean(last `window` closes incl. today) - 1`; needs a full window."""
    return close / close.rolling(window, min_periods=window).mean() - 1


def ratio_change(numerator: pd.Series, denominator: pd.Series, lag: int) -> pd.Series:
    """`r / r(lag positions earlier) - 1` with `r = numerator / denominator`."""
    r = numerator / denominator
    return r / r.shift(lag) - 1


# --- crypto ---------------------------------------------------------------------------


def btc_trend(btc_close: pd.Series, window: int) -> pd.Series:
    """BTC close over the mean of its last `window` daily closes (every calendar day), - 1."""
    return trend(btc_close.dropna(), window)


def log_returns(close: pd.Series) -> np.ndarray:
    """Log returns between consecutive rows (first is NaN; NaN where either side is)."""
    values = close.to_numpy(dtype="float64")
    out = np.full(len(values), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        out[1:] = np.log(values[1:] / values[:-1])
    return out


def trailing_pair(
    x: np.ndarray, y: np.ndarray, end: int, window: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """`x` and `y` over positions `end-window+1 .. end`; None if it starts before position 1
    (the first return is always missing) or any value in it is missing."""
    start = end - window + 1
    if start < 1:
        return None
    a, b = x[start : end + 1], y[start : end + 1]
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return None
    return a, b


def correlation_at(x: np.ndarray, y: np.ndarray, end: int, window: int) -> float:
    """Pearson correlation of `x[end-window+1 : end+1]` and `y[...]`; NaN if any is missing."""
    pair = trailing_pair(x, y, end, window)
    if pair is None:
        return math.nan
    a, b = pair
    a = a - a.mean()
    b = b - b.mean()
    denom = math.sqrt(float(a @ a) * float(b @ b))
    return float(a @ b) / denom if denom > 0 else math.nan


def altseason_counts(
    btc: pd.Series, alts: list[pd.Series], dates: pd.DatetimeIndex, days: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per date: how many alts beat BTC over the last `days` calendar days, and how many
    count (an alt counts at d with closes on d and on d - `days`, BTC too)."""
    before = dates - pd.Timedelta(days=days)

    def window_return(series: pd.Series) -> np.ndarray:
        s = series.dropna()
        return s.reindex(dates).to_numpy() / s.reindex(before).to_numpy() - 1

    btc_ret = window_return(btc)
    beats = np.zeros(len(dates))
    counted = np.zeros(len(dates))
    for alt in alts:
        ret = window_return(alt)
        ok = np.isfinite(ret) & np.isfinite(btc_ret)
        counted += ok
        beats += ok & (ret > btc_ret)
    return beats, counted


def altseason(
    btc: pd.Series, alts: list[pd.Series], dates: pd.DatetimeIndex, days: int, min_alts: int
) -> pd.Series:
    """100 × share of alts whose return over the last `days` calendar days beats BTC's.

    An alt counts at date d if it has closes on d and on d - `days`; BTC needs both too.
    NaN when fewer than `min_alts` alts count.
    """
    beats, counted = altseason_counts(btc, alts, dates, days)
    with np.errstate(invalid="ignore", divide="ignore"):
        index = 100 * beats / counted
    index[counted < min_alts] = np.nan
    return pd.Series(index, index=dates)


# --- score ----------------------------------------------------------------------------


def percentile_at(values: np.ndarray, end: int, lookback: int, min_values: int) -> float:
    """Percentile (0–100) of `values[end]` among the non-missing `values` of the window.

    The window holds the `lookback` positions ending at `end` (inclusive).  Same as
    pandas `rank(pct=True) * 100` with average ties: (#less + (#equal + 1) / 2) / n × 100.
    NaN when the value is missing or fewer than `min_values` values are present.
    """
    v = values[end]
    if not np.isfinite(v):
        return math.nan
    window = values[max(0, end - lookback + 1) : end + 1]
    window = window[np.isfinite(window)]
    n = len(window)
    if n < min_values:
        return math.nan
    less = int(np.count_nonzero(window < v))
    equal = int(np.count_nonzero(window == v))
    return (less + (equal + 1) / 2) / n * 100


def composite_score(parts: dict[str, float], weights: dict[str, float]) -> float:
    """Weighted mean of the available component scores (equal weights by default)."""
    total = weight_sum = 0.0
    for name, value in parts.items():
        w = weights.get(name, 0.0)
        if w > 0 and value == value:
            total += w * value
            weight_sum += w
    return total / weight_sum if weight_sum > 0 else math.nan


# --- the tables -----------------------------------------------------------------------


def _on(prices: Prices, ticker: str, column: str, dates: pd.DatetimeIndex) -> pd.Series:
    """A ticker's column sampled on `dates` (NaN where absent or no such ticker)."""
    frame = prices.get(ticker)
    if frame is None or frame.empty:
        return pd.Series(np.nan, index=dates)
    return frame[column].reindex(dates)


def _series(prices: Prices, ticker: str) -> pd.Series:
    frame = prices.get(ticker)
    if frame is None or frame.empty:
        return pd.Series(dtype="float64")
    return frame["close"].dropna()


def compute_daily(prices: Prices, config: Config) -> pd.DataFrame:
    """Daily components on E (the whole history), plus the inputs the charts need."""
    t, w = config.tickers, config.windows
    rut = prices.get(t.rut)
    if rut is None or rut["close"].notna().sum() == 0:
        raise ValueError(f"no {t.rut} closes: the equity calendar is empty")
    dates = equity_calendar(rut)
    rut_close = rut["close"].reindex(dates)
    iwm_close = _on(prices, t.iwm, "close", dates)
    btc_series = _series(prices, t.btc)
    btc_on_e = btc_series.reindex(dates)

    daily = pd.DataFrame(index=dates)
    daily["rut_close"] = rut_close
    daily["rut_record_level"] = rut_close.cummax()
    daily["rut_drawdown"] = drawdown(rut_close)
    daily["rut_record_day"] = record_days(rut_close)
    daily["rut_breakout_day"] = breakout_days(rut_close, w.breakout_gap)
    daily["iwm_breakout_day"] = breakout_days(iwm_close, w.breakout_gap)
    daily["rut_trend"] = trend(rut_close, w.rut_trend)
    iwm_adj = _on(prices, t.iwm, "adj_close", dates)
    spy_adj = _on(prices, t.spy, "adj_close", dates)
    daily["rs_ratio"] = iwm_adj / spy_adj
    daily["smallcap_rs_13w"] = ratio_change(iwm_adj, spy_adj, w.relative_strength)
    daily["credit_13w"] = ratio_change(
        _on(prices, t.hyg, "adj_close", dates),
        _on(prices, t.ief, "adj_close", dates),
        w.relative_strength,
    )
    daily["vix"] = _on(prices, t.vix, "close", dates)
    daily["btc_close"] = btc_on_e
    daily["btc_trend"] = btc_trend(btc_series, w.btc_trend).reindex(dates)
    daily["altseason_index"] = altseason(
        btc_series,
        [_series(prices, a) for a in config.alts],
        dates,
        w.altseason_days,
        w.altseason_min_alts,
    )
    daily["rut_log_return"] = log_returns(rut_close)
    daily["btc_log_return"] = log_returns(btc_on_e)
    return daily


def compute_weeks(daily: pd.DataFrame, config: Config) -> pd.DataFrame:
    """One row per ISO week of E (all history), values at each week's as-of date.

    Indexed by the as-of date; columns `week` and every signal column, plus `rs_ratio`.
    """
    w = config.windows
    dates = pd.DatetimeIndex(daily.index)
    labels, ends = weekly_positions(dates)
    iso = dates.isocalendar()
    day_weeks = np.array([f"{y}-W{k:02d}" for y, k in zip(iso["year"], iso["week"], strict=True)])
    weeks = daily.iloc[ends][
        ["rut_close", "rut_record_level", "rut_drawdown", "rut_trend", "smallcap_rs_13w",
         "credit_13w", "vix", "btc_close", "btc_trend", "altseason_index", "rs_ratio"]
    ].copy()
    weeks.insert(0, "week", labels)
    weeks["rut_record_week"] = any_in_week(daily["rut_record_day"], day_weeks, labels)
    weeks["rut_breakout_week"] = any_in_week(daily["rut_breakout_day"], day_weeks, labels)
    weeks["iwm_breakout_week"] = any_in_week(daily["iwm_breakout_day"], day_weeks, labels)
    rut_lr = daily["rut_log_return"].to_numpy()
    btc_lr = daily["btc_log_return"].to_numpy()
    weeks["btc_rut_corr_90d"] = [correlation_at(rut_lr, btc_lr, e, w.correlation) for e in ends]
    parts: dict[str, np.ndarray] = {}
    for name in COMPONENTS:
        values = daily[name].to_numpy(dtype="float64")
        pct = np.array(
            [percentile_at(values, e, w.score_lookback, w.score_min_values) for e in ends]
        )
        parts[name] = 100 - pct if name == "vix" else pct
        weeks[f"score_{name}"] = parts[name]
    weeks["score"] = [
        composite_score({n: float(parts[n][i]) for n in COMPONENTS}, config.weights)
        for i in range(len(ends))
    ]
    weeks["band"] = [band_of(s) for s in weeks["score"]]
    weeks.index.name = "as_of"
    return weeks[["week", *SIGNAL_COLUMNS, "rs_ratio"]]


def archive_weeks(weeks: pd.DataFrame, config: Config) -> pd.DataFrame:
    """The archive: weeks whose as-of date is on or after `archive_start`."""
    return weeks[weeks.index >= pd.Timestamp(config.archive_start)]


def compute_signals(prices: Prices, config: Config) -> pd.DataFrame:
    """The signals table of SPEC §7: one row per archive week, `week, as_of` + §5 columns."""
    weeks = archive_weeks(compute_weeks(compute_daily(prices, config), config), config)
    table = weeks.reset_index()
    table["as_of"] = table["as_of"].dt.strftime("%Y-%m-%d")
    return table[list(CSV_COLUMNS)]


def format_value(value: object) -> str:
    """One CSV cell: `true`/`false`, shortest exact float, empty when missing."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        return "" if value != value else repr(float(value))
    if value is None:
        return ""
    return str(value)


def format_signals_csv(table: pd.DataFrame) -> str:
    """CSV text of a signals table (SPEC §7): header, rows oldest first, LF line ends."""
    columns = list(table.columns)
    lines = [",".join(columns)]
    for row in table.itertuples(index=False, name=None):
        lines.append(",".join(format_value(v) for v in row))
    return "\n".join(lines) + "\n"
