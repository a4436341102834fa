"""Where prices come from: `yfinance` (live, into the store), `csv:DIR`, or `sample`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from generator.cache import keys as memo
from generator.config import Config
from generator.errors import DataError, UserError
from generator.prices import Prices, load_price_csv, ticker_filename
from generator.store.shares import load_shares, shares_dir
from generator.sources.validate import validate_prices

SOURCES_HELP = "yfinance (default: fetch into data/prices, then build from it), csv:DIR, sample"


@dataclass(frozen=True)
class Loaded:
    """Validated prices from one source, with what went wrong on the way."""

    prices: Prices
    label: str
    sample: bool = False
    failures: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    shares: dict[str, pd.Series] = field(default_factory=dict)  # shares outstanding, for flows


def parse_source(spec: str) -> tuple[str, Path | None]:
    """Split a `--source` value into its kind and folder; raise UserError when unknown."""
    if spec in ("yfinance", "sample"):
        return spec, None
    if spec.startswith("csv:") and len(spec) > 4:
        return "csv", Path(spec[4:]).expanduser()
    raise UserError(f"--source {spec!r}: unknown source (use {SOURCES_HELP})")


def load_source(spec: str, config: Config, *, fetch: bool = True) -> Loaded:
    """Read prices from the source named by `spec` (fetching first for `yfinance`)."""
    kind, folder = parse_source(spec)
    if kind == "sample":
        from generator.sources.sample import load_sample

        return Loaded(load_sample(config), "synthetic sample market (not real prices)", sample=True)
    if kind == "csv":
        assert folder is not None
        if not folder.is_dir():
            raise DataError(f"{folder}: no such folder for --source csv:DIR")
        prices, warnings, shares = _read_remembered(
            config, folder, folder / "shares",  # `DIR/shares/`, if any
            lambda: (*load_csv_dir(folder, config.all_tickers),
                     load_shares(folder / "shares", config.flow_etfs)))
        return Loaded(prices, f"CSV files in {folder.name}/", warnings=warnings, shares=shares)
    failures: dict[str, str] = {}
    warnings: list[str] = []
    if fetch:
        from generator.sources.yahoo import fetch_into_store

        result = fetch_into_store(config)
        failures, warnings = dict(result.failures), list(result.warnings)
        warnings.extend(fetch_shares_notes(config))
    from generator.store.prices import load_store

    prices, _, shares = _read_remembered(
        config, config.prices_dir, shares_dir(config.data_dir),
        lambda: (load_store(config.prices_dir, config.all_tickers), [],
                 load_shares(shares_dir(config.data_dir), config.flow_etfs)))
    return Loaded(prices, "Yahoo Finance via yfinance", failures=failures, warnings=warnings,
                  shares=shares)


def _read_remembered(config: Config, prices_folder: Path, shares_folder: Path,
                     read: Callable[[], tuple[Prices, list[str], dict[str, pd.Series]]],
                     ) -> tuple[Prices, list[str], dict[str, pd.Series]]:
    """`read()` (prices, their warnings, shares), or its result kept in the cache while the
    bytes of every file it reads are unchanged (parsing and checking ~25 files: ~0.2 s)."""
    h = memo.new_key("prices", repr(config.all_tickers), repr(config.flow_etfs))
    memo.files(h, (prices_folder / ticker_filename(t) for t in config.all_tickers))
    memo.files(h, (shares_folder / ticker_filename(t) for t in config.flow_etfs))
    key = h.hexdigest()
    got = memo.recall(config.cache_dir, "prices", key)
    if got is None:
        got = read()
        memo.keep(config.cache_dir, "prices", key, got)
    return got


def fetch_shares_notes(config: Config) -> list[str]:
    """Fetch shares outstanding into `data/shares/`; a failure is a note, flows stay n/a."""
    from generator.sources.yahoo import fetch_shares_into_store

    result = fetch_shares_into_store(config)
    return [f"{ticker}: no shares outstanding from Yahoo ({reason}); its flows stay n/a"
            for ticker, reason in sorted(result.failures.items())]


def load_csv_dir(folder: Path, tickers: tuple[str, ...]) -> tuple[Prices, list[str]]:
    """Read and validate `<TICKER>.csv` for each ticker present in `folder`."""
    prices: Prices = {}
    warnings: list[str] = []
    for ticker in tickers:
        path = folder / ticker_filename(ticker)
        if not path.is_file():
            continue
        try:
            frame = load_price_csv(path)
        except (ValueError, KeyError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise DataError(f"{path}: not a price CSV ({exc})") from None
        clean, notes = validate_prices(ticker, frame)
        warnings.extend(notes)
        if not clean.empty:
            prices[ticker] = clean
    return prices, warnings


def cut_prices(prices: Prices, until: dt.date | None) -> Prices:
    """Keep only rows dated on or before `until` (a build as it would have been then)."""
    if until is None:
        return prices
    stamp = pd.Timestamp(until)
    return {t: f[f.index <= stamp] for t, f in prices.items() if (f.index <= stamp).any()}
