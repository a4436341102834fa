"""How old the prices are by the build clock (pure: the build date is passed in).

Each input should have reached a day: an equity or index the last NYSE session before the
build's date (that day's bar may not be final until after the US close, so the build's own
day is never expected), a crypto pair the day before the build (its daily bars are UTC
days). An input whose newest price is older than that day is stale. The site's own age is
the newest `^RUT` date: it sets the weeks the site shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from generator.config import Config
from generator.weeks import exchange_closed

TradingDay = Callable[[dt.date], bool]


def weekday(day: dt.date) -> bool:
    """Monday to Friday (weekends only, no holidays)."""
    return day.weekday() < 5


def nyse_session(day: dt.date) -> bool:
    """The NYSE held a session on `day` (its calendar: weekends, holidays, closures)."""
    return not bool(exchange_closed(pd.DatetimeIndex([pd.Timestamp(day)]))[0])


def last_trading_day(before: dt.date, is_trading_day: TradingDay = nyse_session) -> dt.date:
    """The last trading day strictly before `before`."""
    day = before - dt.timedelta(days=1)
    while not is_trading_day(day):
        day -= dt.timedelta(days=1)
    return day


@dataclass(frozen=True)
class InputAge:
    """One input whose newest price is older than the day it should have reached."""

    ticker: str
    last_date: dt.date | None  # None: no price at all
    expected: dt.date


@dataclass(frozen=True)
class DataAge:
    """The age of the site's prices on the build's date."""

    build_date: dt.date
    newest: dt.date  # the newest `^RUT` date: the latest issue's as-of date or later
    expected: dt.date  # the last trading day the prices should have reached
    expected_crypto: dt.date  # the last UTC day a crypto pair should have reached
    stale_inputs: tuple[InputAge, ...] = ()

    @property
    def stale(self) -> bool:
        """The site's prices stop before the last trading day they should have reached."""
        return self.newest < self.expected

    @property
    def days(self) -> int:
        """Calendar days from the newest price to the build's date."""
        return (self.build_date - self.newest).days


def _last(frame: pd.DataFrame | None) -> dt.date | None:
    if frame is None or frame.empty:
        return None
    return pd.Timestamp(frame.index.max()).date()


def compute_data_age(
    config: Config, prices: Mapping[str, pd.DataFrame], build_date: dt.date,
    is_trading_day: TradingDay = nyse_session,
) -> DataAge | None:
    """The age of `prices` on `build_date`; None when there is no `^RUT` price at all."""
    newest = _last(prices.get(config.tickers.rut))
    if newest is None:
        return None
    equity_day = last_trading_day(build_date, is_trading_day)
    crypto_day = build_date - dt.timedelta(days=1)
    crypto = {config.tickers.btc, config.tickers.eth, *config.alts}
    stale = []
    for ticker in config.all_tickers:
        expected = crypto_day if ticker in crypto else equity_day
        last = _last(prices.get(ticker))
        if last is None or last < expected:
            stale.append(InputAge(ticker, last, expected))
    return DataAge(build_date, newest, equity_day, crypto_day, tuple(stale))
