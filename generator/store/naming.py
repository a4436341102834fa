"""File names of the stores: one `<TICKER>.csv` per ticker, `^` written `_` (stdlib only)."""

from __future__ import annotations


def ticker_filename(ticker: str) -> str:
    """File name for a ticker: `^RUT` -> `_RUT.csv`."""
    return ticker.replace("^", "_") + ".csv"


def filename_ticker(name: str) -> str:
    """Ticker for a file name: `_RUT.csv` -> `^RUT`."""
    stem = name[:-4] if name.endswith(".csv") else name
    return "^" + stem[1:] if stem.startswith("_") else stem
