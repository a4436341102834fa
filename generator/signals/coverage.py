"""Coverage: how many of the configured inputs each week's statements rest on (pure).

An input counts as present on an as-of date only with a bar dated that day: crypto, that
calendar day's bar; equities, ETFs and indexes, that E-date. Nothing is carried forward,
so a series that stopped, or had not started yet, is named as missing rather than counted.

The counts travel as issue-only columns (`COVERAGE_COLUMNS`: in `Issue.values` and the
snapshots, not in `signals.csv`); the series without a bar travel as `Unpriced` records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.config import Config
from generator.prices import Prices
from generator.signals.core import altseason_counts

COVERAGE_COLUMNS = (
    "alts_configured",  # alts in the `alts` setting
    "alts_priced",  # of those, with a bar on the as-of date
    "altseason_alts_counted",  # with closes on the as-of date and `altseason_days` earlier
    "altseason_alts_beat",  # of those counted, beating BTC over those days
    "alt_basket_alts_counted",  # with closes on the as-of date and 65 E-days earlier
)
ROLE_ORDER = ("rut", "iwm", "spy", "hyg", "ief", "vix", "btc", "eth")


@dataclass(frozen=True)
class Unpriced:
    """A configured series with no bar on an issue's as-of date."""

    ticker: str
    group: str  # "input" (a role of the score or the further signals), "alt", "flow ETF"
    last_date: dt.date | None  # its last bar before the as-of date; None: none yet


def configured_inputs(config: Config) -> tuple[tuple[str, str], ...]:
    """Every configured series once, with its group: the role tickers (`input`), then the
    other alts (`alt`), then the other small-cap flow ETFs (`flow ETF`)."""
    out: dict[str, str] = {}
    for role in ROLE_ORDER:
        out.setdefault(getattr(config.tickers, role), "input")
    for alt in config.alts:
        out.setdefault(alt, "alt")
    for etf in config.flow_etfs:
        out.setdefault(etf, "flow ETF")
    return tuple(out.items())


def _dates(prices: Prices, ticker: str) -> pd.DatetimeIndex:
    frame = prices.get(ticker)
    if frame is None or frame.empty:
        return pd.DatetimeIndex([])
    return pd.DatetimeIndex(frame.index[frame["close"].notna().to_numpy()])


def unpriced_finder(prices: Prices, config: Config) -> Callable[[dt.date], tuple[Unpriced, ...]]:
    """For an as-of date, every configured series without a bar dated that day (each
    series' dates looked up once, for many dates)."""
    series = [(ticker, group, _dates(prices, ticker)) for ticker, group in
              configured_inputs(config)]

    def unpriced(as_of: dt.date) -> tuple[Unpriced, ...]:
        stamp = pd.Timestamp(as_of)
        out = []
        for ticker, group, dates in series:
            n = int(dates.searchsorted(stamp, side="right"))
            if n == 0 or dates[n - 1] != stamp:
                out.append(Unpriced(ticker, group, dates[n - 1].date() if n else None))
        return tuple(out)

    return unpriced


def unpriced_groups(unpriced: tuple[Unpriced, ...]) -> list[tuple[dt.date | None, list[str]]]:
    """The series without a price grouped by their last price (latest first; series with
    no price yet last), each group in the order of the settings."""
    groups: dict[dt.date | None, list[str]] = {}
    for u in unpriced:
        groups.setdefault(u.last_date, []).append(u.ticker)
    dated = sorted((d for d in groups if d is not None), reverse=True)
    return [(d, groups[d]) for d in dated] + ([(None, groups[None])] if None in groups else [])


def compute_coverage(
    daily: pd.DataFrame, weeks: pd.DataFrame, prices: Prices, config: Config
) -> pd.DataFrame:
    """The `COVERAGE_COLUMNS` of every row of `weeks` (indexed by as-of dates on E; `daily`
    is indexed by E).

    The altseason counts are those of `signals.core.altseason` (so the index is
    `100 × altseason_alts_beat / altseason_alts_counted`); the basket count is that of
    `signals.further.basket_relative` (closes on both E-dates, sampled by calendar date).
    """
    dates = pd.DatetimeIndex(weeks.index)
    btc = prices.get(config.tickers.btc)
    btc_close = pd.Series(dtype="float64") if btc is None else btc["close"].dropna()
    alts = [_close(prices, a) for a in config.alts]
    beat, counted = altseason_counts(btc_close, alts, dates, config.windows.altseason_days)
    priced = np.zeros(len(dates))
    basket = np.zeros(len(dates))
    calendar = pd.DatetimeIndex(daily.index)
    ends = calendar.get_indexer(dates)
    lag = config.windows.relative_strength
    starts = np.where(ends >= lag, ends - lag, -1)
    before = pd.DatetimeIndex([calendar[s] if s >= 0 else pd.NaT for s in starts])
    for alt in alts:
        now = np.isfinite(alt.reindex(dates).to_numpy(dtype="float64"))
        priced += now
        basket += now & np.isfinite(alt.reindex(before).to_numpy(dtype="float64"))
    return pd.DataFrame({
        "alts_configured": float(len(config.alts)),
        "alts_priced": priced,
        "altseason_alts_counted": counted,
        "altseason_alts_beat": beat,
        "alt_basket_alts_counted": basket,
    }, index=pd.DatetimeIndex(weeks.index, name=weeks.index.name),
        columns=list(COVERAGE_COLUMNS))


def _close(prices: Prices, ticker: str) -> pd.Series:
    frame = prices.get(ticker)
    return pd.Series(dtype="float64") if frame is None else frame["close"].dropna()


# --- data caveats -----------------------------------------------------------------------


def etf_tickers(config: Config) -> tuple[str, ...]:
    """The configured ETF series: IWM, SPY, HYG, IEF and the small-cap flow ETFs."""
    roles = (config.tickers.iwm, config.tickers.spy, config.tickers.hyg, config.tickers.ief)
    return tuple(dict.fromkeys((*roles, *config.flow_etfs)))


def total_return_etfs(prices: Prices, config: Config) -> tuple[str, ...]:
    """The ETF series whose `close` equals `adj_close` on every row: their "price" closes
    are dividend-adjusted (total-return) closes (Yahoo's own `Close` never is)."""
    out = []
    for ticker in etf_tickers(config):
        frame = prices.get(ticker)
        if frame is None or frame.empty or "adj_close" not in frame:
            continue
        close, adj = frame["close"].to_numpy("float64"), frame["adj_close"].to_numpy("float64")
        both = np.isfinite(close) & np.isfinite(adj)
        if both.any() and bool(np.all(close[both] == adj[both])) and (
                np.isfinite(close) == np.isfinite(adj)).all():
            out.append(ticker)
    return tuple(out)


def total_return_caveat(tickers: tuple[str, ...], config: Config) -> str:
    """The caveat for ETFs whose close is their total-return close ("" when none is)."""
    if not tickers:
        return ""
    names = tickers[0] if len(tickers) == 1 else ", ".join(tickers[:-1]) + " and " + tickers[-1]
    verb = "has" if len(tickers) == 1 else "have"
    text = (f"In the price data of this build, {names} {verb} close equal to adj_close "
            f"on every row: the closes are dividend-adjusted (total-return) closes, not the "
            f"prices that traded.")
    if config.tickers.iwm in tickers:
        text += (f" {config.tickers.iwm} records and breakouts are therefore breakouts on "
                 f"total-return closes, which rise with every dividend reinvested, and "
                 f"{config.tickers.iwm} levels quoted in the issues never traded; "
                 f"{config.tickers.rut}, an index without dividends, is not affected.")
    return text
