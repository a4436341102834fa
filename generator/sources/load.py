"""Where prices come from: the store `data/prices/` (kept current from Yahoo), `csv:DIR`, or
`sample`.

Reading is split in two so the cache wing can keep the parsed result: `read_inputs` reads
the bytes of every file a source has (I/O), `parse_inputs` turns them into validated price
frames and shares series (pure). The `sample` source reads nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from pathlib import Path

import pandas as pd

from generator import clock
from generator.config import Config
from generator.errors import DataError, UserError
from generator.prices import BarProblem, Prices, empty_frame, parse_price_csv
from generator.sources.spec import parse_source, source_folders, ticker_filename
from generator.sources.validate import MalformedFrame, is_crypto, quarantine, validate_prices
from generator.sources.yahoo import FetchResult
from generator.store.prices import check_store_frame, load_store, merge_checked, write_store
from generator.store.shares import load_shares, merge_shares, parse_shares_csv, write_shares

YAHOO_LABEL = "Yahoo Finance via yfinance"


@dataclass(frozen=True)
class Loaded:
    """Validated prices from one source, with what went wrong on the way."""

    prices: Prices
    label: str
    sample: bool = False
    failures: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    shares: dict[str, pd.Series] = field(default_factory=dict)  # shares outstanding, for flows
    problems: tuple[BarProblem, ...] = ()  # bars rejected or unconfirmed at the boundary
    unreachable: str | None = None  # the fetch found Yahoo unreachable: what showed it


@dataclass(frozen=True)
class Inputs:
    """The raw files of a source: `{ticker: bytes}` of prices and of shares outstanding."""

    kind: str  # "store" or "csv"
    label: str
    prices: dict[str, tuple[Path, bytes]]
    shares: dict[str, tuple[Path, bytes]]


def import_into_store(config: Config, spec: str) -> FetchResult:
    """`riskon fetch --source csv:DIR`: merge the configured tickers' CSV files into the store.

    Each file goes through the same validation as a CSV build and the same merge as a
    Yahoo fetch (`data/prices/` only grows). A ticker without a file in DIR, or whose file
    has no valid row, is a failure and keeps its stored file; shares outstanding are
    merged from `DIR/shares/` when that folder exists.
    """
    kind, _ = parse_source(spec)
    if kind != "csv":
        raise UserError(f"--source {spec!r}: fetch imports only from csv:DIR (or Yahoo by "
                        "default)")
    inputs = read_inputs(spec, config)
    assert inputs is not None
    stored = load_store(config.prices_dir, config.all_tickers)
    today = clock.today()
    merged: Prices = {}
    failures: dict[str, str] = {}
    notes: list[str] = []
    for ticker in config.all_tickers:
        if ticker not in inputs.prices:
            failures[ticker] = f"no file {ticker_filename(ticker)} in {spec[4:]}"
            continue
        path, data = inputs.prices[ticker]
        try:
            frame = parse_price_csv(data.decode("utf-8"))
        except (ValueError, KeyError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            failures[ticker] = f"{path}: not a price CSV ({exc})"
            continue
        try:
            clean, found = validate_prices(ticker, frame, today=today)
        except MalformedFrame as exc:
            failures[ticker] = f"{path}: {exc}"
            continue
        notes.extend(found)
        if clean.empty:
            failures[ticker] = f"{path}: no valid row"
            continue
        # quarantined bars are never stored (the merged frame is checked again)
        merged[ticker], again = merge_checked(ticker, stored.get(ticker, empty_frame()), clean)
        notes.extend(n for n in again if n not in notes)
    write_store(config.prices_dir, merged)
    shares_folder = Path(spec[4:]).expanduser() / "shares"
    if shares_folder.is_dir():
        old = load_shares(config.shares_dir, config.flow_etfs)
        new = load_shares(shares_folder, config.flow_etfs)
        write_shares(config.shares_dir, {t: merge_shares(old[t], s) if t in old else s
                                         for t, s in new.items()})
    return FetchResult(prices=merged, failures=failures, warnings=notes)


def read_inputs(spec: str, config: Config) -> Inputs | None:
    """The bytes of every configured ticker's file in the source (None for `sample`)."""
    kind, folder = parse_source(spec)
    folders = source_folders(spec, config)
    if folders is None:
        return None
    prices_folder, shares_folder = folders
    if kind == "csv" and not prices_folder.is_dir():
        raise DataError(f"{prices_folder}: no such folder for --source csv:DIR")
    return Inputs(
        kind="csv" if kind == "csv" else "store",
        label=f"CSV files in {prices_folder.name}/" if kind == "csv" else YAHOO_LABEL,
        prices=_read(prices_folder, config.all_tickers),
        shares=_read(shares_folder, config.flow_etfs),
    )


def _read(folder: Path, tickers: tuple[str, ...]) -> dict[str, tuple[Path, bytes]]:
    out = {}
    for ticker in tickers:
        path = folder / ticker_filename(ticker)
        if path.is_file():
            out[ticker] = (path, path.read_bytes())
    return out


Parsed = tuple[Prices, list[str], dict[str, pd.Series], list[dict[str, object]]]


def parse_inputs(inputs: Inputs) -> Parsed:
    """Price frames, warnings, shares-outstanding series, and the bars quarantined.

    Every frame, from a CSV folder or from the store, passes `validate.quarantine` (the
    store is checked strictly for its invariants first: a broken file is an error naming it).
    The problems are plain dicts (`BarProblem.to_plain`). DataError names a bad file.
    """
    prices: Prices = {}
    warnings: list[str] = []
    problems: list[dict[str, object]] = []
    for ticker, (path, data) in inputs.prices.items():
        try:
            frame = parse_price_csv(data.decode("utf-8"))
        except (ValueError, KeyError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            what = "not a price CSV" if inputs.kind == "csv" else "corrupt price file"
            raise DataError(f"{path}: {what} ({exc})") from None
        if inputs.kind == "store":
            problem = check_store_frame(frame)
            if problem:
                raise DataError(f"{path}: corrupt price file: {problem}")
        try:
            clean, notes, found = quarantine(ticker, frame)
        except MalformedFrame as exc:
            raise DataError(f"{path}: {exc}") from None
        warnings.extend(notes)
        problems.extend(p.to_plain() for p in found)
        if not clean.empty:
            prices[ticker] = clean
    shares = {}
    for ticker, (path, data) in inputs.shares.items():
        try:
            shares[ticker] = parse_shares_csv(data.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise DataError(f"{path}: corrupt shares file: {exc}") from None
    return prices, warnings, shares, problems


def load_sample_source(config: Config) -> Loaded:
    """The synthetic sample market (never used unless asked for)."""
    from generator.sources.sample import load_sample

    return Loaded(load_sample(config), "synthetic sample market (not real prices)", sample=True)


def cut_prices(prices: Prices, until: dt.date | None) -> Prices:
    """Keep only rows dated on or before `until` (a build as it would have been then)."""
    if until is None:
        return prices
    stamp = pd.Timestamp(until)
    return {t: f[f.index <= stamp] for t, f in prices.items() if (f.index <= stamp).any()}


def cut_shares(shares: dict[str, pd.Series], until: dt.date | None) -> dict[str, pd.Series]:
    """Keep only reports dated on or before `until` (a build as it would have been then)."""
    if until is None:
        return dict(shares)
    stamp = pd.Timestamp(until)
    return {t: s[s.index <= stamp] for t, s in shares.items()}


def core_tickers(config: Config) -> tuple[str, ...]:
    """The inputs of the score and the headline signals: one symbol per role, in order."""
    return tuple(dict.fromkeys(getattr(config.tickers, f.name) for f in fields(config.tickers)))


def stale_by_clock(prices: Prices, tickers: tuple[str, ...], today: dt.date
                   ) -> dict[str, dt.date | None]:
    """Each of `tickers` whose newest bar is older than the newest it should have on
    `today` (`expected_bar`), with that bar's date (None: no rows at all)."""
    out: dict[str, dt.date | None] = {}
    for ticker in tickers:
        frame = prices.get(ticker)
        last = None if frame is None or frame.empty else pd.Timestamp(frame.index.max()).date()
        if last is None or last < expected_bar(ticker, today):
            out[ticker] = last
    return out


def expected_bar(ticker: str, today: dt.date) -> dt.date:
    """The newest daily bar an up-to-date store holds on `today` (UTC, the build clock).

    A crypto pair trades every day: yesterday's bar (today's is still open). Anything else
    trades on NYSE sessions: the last weekday before today that is not one of NYSE's
    regular holidays (today's close is not in before 21:00 UTC, so it is not expected).
    """
    day = today - dt.timedelta(days=1)
    if is_crypto(ticker):
        return day
    holidays = _nyse_holidays(day.year)
    while day.weekday() >= 5 or day in holidays:
        day -= dt.timedelta(days=1)
        if day.year not in holidays.years:
            holidays = _nyse_holidays(day.year)
    return day


@dataclass(frozen=True)
class _Holidays:
    years: frozenset[int]
    days: frozenset[dt.date]

    def __contains__(self, day: object) -> bool:
        return day in self.days


def _nyse_holidays(year: int) -> _Holidays:
    """NYSE's regular full-day holidays of `year` (special closures are not in it)."""
    from pandas.tseries.holiday import (
        AbstractHolidayCalendar,
        GoodFriday,
        Holiday,
        USLaborDay,
        USMartinLutherKingJr,
        USMemorialDay,
        USPresidentsDay,
        USThanksgivingDay,
        nearest_workday,
        sunday_to_monday,
    )

    class NYSE(AbstractHolidayCalendar):
        rules = [
            Holiday("New Year's Day", month=1, day=1, observance=sunday_to_monday),
            USMartinLutherKingJr, USPresidentsDay, GoodFriday, USMemorialDay,
            Holiday("Juneteenth", month=6, day=19, start_date="2022-01-01",
                    observance=nearest_workday),
            Holiday("Independence Day", month=7, day=4, observance=nearest_workday),
            USLaborDay, USThanksgivingDay,
            Holiday("Christmas", month=12, day=25, observance=nearest_workday),
        ]

    days = NYSE().holidays(dt.date(year, 1, 1), dt.date(year, 12, 31))
    return _Holidays(frozenset({year}), frozenset(d.date() for d in days))
