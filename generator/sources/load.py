"""Where prices come from: the store `data/prices/` (kept current from Yahoo), `csv:DIR`, or
`sample`.

Reading is split in two so the cache wing can keep the parsed result: `read_inputs` reads
the bytes of every file a source has (I/O), `parse_inputs` turns them into validated price
frames and shares series (pure). The `sample` source reads nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from generator.config import Config
from generator.errors import DataError
from generator.prices import BarProblem, Prices, parse_price_csv
from generator.sources.spec import parse_source, source_folders, ticker_filename
from generator.sources.validate import MalformedFrame, quarantine
from generator.store.prices import check_store_frame
from generator.store.shares import parse_shares_csv

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


@dataclass(frozen=True)
class Inputs:
    """The raw files of a source: `{ticker: bytes}` of prices and of shares outstanding."""

    kind: str  # "store" or "csv"
    label: str
    prices: dict[str, tuple[Path, bytes]]
    shares: dict[str, tuple[Path, bytes]]




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
