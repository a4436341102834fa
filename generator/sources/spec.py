"""Naming the inputs: a `--source` value, the folders it reads, the file of a ticker.

Standard library only, so the no-change check can name every input file cheaply.
"""

from __future__ import annotations

from pathlib import Path

from generator.config import Config
from generator.errors import UserError
from generator.store.naming import ticker_filename  # noqa: F401  (re-exported)

SOURCES_HELP = "yfinance (default: fetch into data/prices, then build from it), csv:DIR, sample"



def parse_source(spec: str) -> tuple[str, Path | None]:
    """Split a `--source` value into its kind and folder; raise UserError when unknown."""
    if spec in ("yfinance", "sample"):
        return spec, None
    if spec.startswith("csv:") and len(spec) > 4:
        return "csv", Path(spec[4:]).expanduser()
    raise UserError(f"--source {spec!r}: unknown source (use {SOURCES_HELP})")


def source_folders(spec: str, config: Config) -> tuple[Path, Path] | None:
    """The folders of price files and of shares files a source reads (None: `sample`).

    `yfinance` reads the store (`data/prices/`, `data/shares/`); `csv:DIR` reads `DIR/`
    and `DIR/shares/`.
    """
    kind, folder = parse_source(spec)
    if kind == "sample":
        return None
    if kind == "csv":
        assert folder is not None
        return folder, folder / "shares"
    return config.prices_dir, config.shares_dir
