"""Further signals (SPEC §5): extra weekly columns, published after the contract columns.

All point in time on the equity calendar E, like `signals`: the value of a week uses only
rows dated on or before its as-of date. A value that cannot be computed is NaN, and
`Extended.reasons` says why in words (the page shows "n/a" and that reason).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.config import Config
from generator.format import fmt_corr, fmt_num, fmt_pct, fmt_usd
from generator.prices import Prices
from generator.signals.core import correlation_at, log_returns, trailing_pair
from generator.signals.flows import FlowBook, flow_book

EXTENDED_COLUMNS = (
    "eth_btc_13w",
    "alt_basket_vs_btc_13w",
    "btc_rut_corr_52w",
    "btc_rut_beta_90d",
    "smallcap_flows_13w",
    "smallcap_flows_ytd",
)
EXTENDED_LABELS = {
    "eth_btc_13w": ("ETH vs BTC", "13-week change of the ETH/BTC price ratio"),
    "alt_basket_vs_btc_13w": ("Alt basket vs BTC",
                              "13-week return of the equal-weight alt basket relative to BTC"),
    "btc_rut_corr_52w": ("BTC–RUT correlation (52 weeks)",
                         "correlation of weekly log returns, as-of to as-of"),
    "btc_rut_beta_90d": ("BTC beta to the Russell 2000",
                         "BTC's daily log-return beta on ^RUT over 90 trading days"),
    "smallcap_flows_13w": ("Small-cap ETF flows, 13 weeks",
                           "estimated net flows: change in shares outstanding × price"),
    "smallcap_flows_ytd": ("Small-cap ETF flows, year to date",
                           "estimated net flows since 31 December"),
}
CORR_WEEKS = 52


@dataclass(frozen=True)
class Extended:
    """Extra weekly columns (indexed like the weekly table) and why each NaN is missing."""

    values: pd.DataFrame
    reasons: pd.DataFrame  # same shape, "" where the value exists


def beta_at(y: np.ndarray, x: np.ndarray, end: int, window: int) -> float:
    """`cov(x, y) / var(x)` over positions `end-window+1 .. end` (slope of y on x); NaN if any
    value is missing or x is constant."""
    pair = trailing_pair(x, y, end, window)
    if pair is None:
        return math.nan
    a, b = pair
    a = a - a.mean()
    var = float(a @ a)
    return float(a @ (b - b.mean())) / var if var > 0 else math.nan


def basket_relative(
    alts: list[pd.Series], btc: pd.Series, dates: pd.DatetimeIndex, lag: int, min_alts: int
) -> tuple[np.ndarray, np.ndarray]:
    """`(1 + basket) / (1 + btc) - 1` over `lag` E-days, and the number of alts counted.

    basket = mean of the alts' simple returns from E-date `d-lag` to `d` (closes on both
    days, sampled by calendar date); NaN with fewer than `min_alts` alts or no BTC return.
    """
    def ret(s: pd.Series) -> np.ndarray:
        on = s.dropna().reindex(dates).to_numpy(dtype="float64")
        out = np.full(len(on), np.nan)
        out[lag:] = on[lag:] / on[:-lag] - 1
        return out

    stacked = np.vstack([ret(a) for a in alts]) if alts else np.full((1, len(dates)), np.nan)
    counted = np.isfinite(stacked).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        basket = np.where(np.isfinite(stacked), stacked, 0.0).sum(axis=0) / counted
        rel = (1 + basket) / (1 + ret(btc)) - 1
    rel[(counted < min_alts) | ~np.isfinite(rel)] = np.nan
    return rel, counted


def compute_extended(
    daily: pd.DataFrame, weeks: pd.DataFrame, prices: Prices, config: Config,
    shares: Mapping[str, pd.Series] | None = None,
) -> Extended:
    """The extra columns for every row of `weeks` (indexed by as-of dates on E).

    - `eth_btc_13w`: `r / r(L E-days earlier) - 1`, `r = ETH close / BTC close` on E,
      L = `windows.relative_strength` (65).
    - `alt_basket_vs_btc_13w`: `basket_relative` over the same L with the `alts` setting.
    - `btc_rut_corr_52w`: Pearson correlation of the last 52 weekly log returns of BTC and
      ^RUT, closes at consecutive as-of dates.
    - `btc_rut_beta_90d`: `beta_at` of BTC's daily log returns on ^RUT's, the same 90 E-day
      returns as `btc_rut_corr_90d`.
    - `smallcap_flows_13w` / `_ytd`: Σ over `flow_etfs` of `FlowBook.flow` from the E-date L
      days earlier / from 31 December of the previous year, to the as-of date, in USD;
      NaN unless every ETF has shares reports covering the window.
    """
    t, w = config.tickers, config.windows
    dates = pd.DatetimeIndex(daily.index)
    ends = dates.get_indexer(weeks.index)
    lag = w.relative_strength
    btc = _close(prices, t.btc)
    eth_on = _close(prices, t.eth).reindex(dates)
    btc_on = btc.reindex(dates)
    ratio = (eth_on / btc_on).to_numpy(dtype="float64")
    eth_btc = np.full(len(dates), np.nan)
    eth_btc[lag:] = ratio[lag:] / ratio[:-lag] - 1
    basket, counted = basket_relative([_close(prices, a) for a in config.alts], btc, dates, lag,
                                      w.altseason_min_alts)
    rut_w = log_returns(weeks["rut_close"])
    btc_w = log_returns(weeks["btc_close"])
    rut_lr = daily["rut_log_return"].to_numpy()
    btc_lr = daily["btc_log_return"].to_numpy()
    books = [flow_book(e, (shares or {}).get(e), _close(prices, e)) for e in config.flow_etfs]
    bounds = _bounds_of(prices)
    rows, why = [], []
    for k, (as_of, e) in enumerate(zip(weeks.index, ends, strict=True)):
        start_13w = dates[e - lag] if e >= lag else dates[0] - pd.Timedelta(days=1)
        year_start = pd.Timestamp(as_of.year - 1, 12, 31)
        values = {
            "eth_btc_13w": eth_btc[e],
            "alt_basket_vs_btc_13w": basket[e],
            "btc_rut_corr_52w": correlation_at(rut_w, btc_w, k, CORR_WEEKS),
            "btc_rut_beta_90d": beta_at(btc_lr, rut_lr, e, w.correlation),
            "smallcap_flows_13w": _flows(books, start_13w, as_of)[0],
            "smallcap_flows_ytd": _flows(books, year_start, as_of)[0],
        }
        rows.append(values)
        why.append({
            name: "" if math.isfinite(v) else _reason(name, config, bounds, books, counted[e],
                                                       start_13w, year_start, as_of, e < lag)
            for name, v in values.items()
        })
    index = pd.DatetimeIndex(weeks.index, name=weeks.index.name)
    return Extended(pd.DataFrame(rows, index=index, columns=list(EXTENDED_COLUMNS)),
                    pd.DataFrame(why, index=index, columns=list(EXTENDED_COLUMNS)))


def _close(prices: Prices, ticker: str) -> pd.Series:
    frame = prices.get(ticker)
    return pd.Series(dtype="float64") if frame is None else frame["close"].dropna()


def _flows(
    books: list[FlowBook], start: pd.Timestamp, end: pd.Timestamp
) -> tuple[float, list[str]]:
    gaps = [g for b in books if (g := b.gap(start, end)) is not None]
    if gaps or not books:
        return math.nan, gaps or ["no small-cap ETFs configured (flow_etfs)"]
    return sum(b.flow(start, end) for b in books), []


def _reason(name: str, config: Config, bounds: Bounds, books: list[FlowBook], counted: int,
            start_13w: pd.Timestamp, year_start: pd.Timestamp, as_of: pd.Timestamp,
            short: bool) -> str:
    """Why value `name` of the week ending `as_of` is missing, in words."""
    t, w = config.tickers, config.windows
    since = f"{w.relative_strength} trading days earlier ({start_13w.date().isoformat()})"
    if name in ("eth_btc_13w", "alt_basket_vs_btc_13w", "smallcap_flows_13w") and short:
        return f"needs {w.relative_strength} trading days of {t.rut} history before the as-of date"
    if name == "eth_btc_13w":
        gap = _gap(bounds, t.eth, as_of, start_13w) or _gap(bounds, t.btc, as_of, start_13w)
        return gap or f"needs {t.eth} and {t.btc} closes on the as-of date and {since}"
    if name == "alt_basket_vs_btc_13w":
        gap = _gap(bounds, t.btc, as_of, start_13w)
        alts = f"{counted} alt has" if counted == 1 else f"{counted} alts have"
        return gap or (f"only {alts} closes on the as-of date and {since}; "
                       f"the basket needs {w.altseason_min_alts}")
    if name in ("btc_rut_corr_52w", "btc_rut_beta_90d"):
        gap = _gap(bounds, t.btc, as_of, as_of)
        if name == "btc_rut_corr_52w":
            need = f"closes on {CORR_WEEKS + 1} consecutive weekly as-of dates"
        else:
            need = f"closes on each of the last {w.correlation + 1} trading days"
        return gap or f"needs {t.btc} and {t.rut} {need}"
    start = start_13w if name == "smallcap_flows_13w" else year_start
    gaps = _flows(books, start, as_of)[1]
    empty = [b.ticker for b in books if len(b.dates) == 0]
    if len(empty) == len(gaps) and empty:
        return f"no shares-outstanding history for {', '.join(empty)} in the store"
    return "; ".join(gaps)


Bounds = Callable[[str], tuple[pd.Timestamp, pd.Timestamp] | None]


def _bounds_of(prices: Prices) -> Bounds:
    """First and last date with a close per ticker (None: no closes), each worked out once."""
    cache: dict[str, tuple[pd.Timestamp, pd.Timestamp] | None] = {}

    def bounds(ticker: str) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        if ticker not in cache:
            close = _close(prices, ticker)
            cache[ticker] = None if close.empty else (close.index[0], close.index[-1])
        return cache[ticker]

    return bounds


def _gap(bounds: Bounds, ticker: str, *days: pd.Timestamp) -> str | None:
    """What keeps `ticker` from having closes on `days`: none at all, starts or ends too soon."""
    span = bounds(ticker)
    if span is None:
        return f"no {ticker} prices in the source"
    first, last = span
    if first > min(days):
        return f"{ticker} prices start on {first.date().isoformat()}"
    if last < max(days):
        return f"{ticker} prices end on {last.date().isoformat()}"
    return None




def display_value(name: str, value: float) -> str:
    """A further signal formatted for people (percent, correlation, beta or dollars)."""
    if name.startswith("smallcap_flows"):
        return fmt_usd(value)
    if name == "btc_rut_corr_52w":
        return fmt_corr(value)
    if name == "btc_rut_beta_90d":
        return fmt_num(value)
    return fmt_pct(value)


@dataclass(frozen=True)
class FurtherRow:
    """One line of an issue's "further signals" table."""

    name: str
    label: str
    meaning: str
    display: str  # formatted value, or "n/a"
    note: str  # why the value is n/a ("" when it is not)


def further_rows(values: Mapping[str, object], notes: Mapping[str, str]) -> list[FurtherRow]:
    """The further signals of an issue for people, each n/a with its reason."""
    rows = []
    for name in EXTENDED_COLUMNS:
        raw = values.get(name)
        value = float(raw) if isinstance(raw, (int, float)) else math.nan
        note = ""
        if not math.isfinite(value):
            note = notes.get(name) or "not recorded when this issue was frozen"
        label, meaning = EXTENDED_LABELS[name]
        if name == "alt_basket_vs_btc_13w":
            meaning += _basket_coverage(values)
        rows.append(FurtherRow(name, label, meaning, display_value(name, value), note))
    return rows


def _basket_coverage(values: Mapping[str, object]) -> str:
    """`; 9 of the 13 alts have closes on both dates` (empty when not recorded)."""
    counted, configured = values.get("alt_basket_alts_counted"), values.get("alts_configured")
    if not isinstance(counted, (int, float)) or not isinstance(configured, (int, float)):
        return ""
    if not (math.isfinite(counted) and math.isfinite(configured)) or configured <= 0:
        return ""
    n, total = int(counted), int(configured)
    have = f"all {total} alts have" if n == total else (
        f"{n} of the {total} alts {'has' if n == 1 else 'have'}")
    return f"; {have} closes on both dates"


def reasons_at(extended: Extended, as_of: pd.Timestamp) -> dict[str, str]:
    """The non-empty reasons of one week, by column."""
    row = extended.reasons.loc[as_of]
    return {k: str(v) for k, v in row.items() if v}
