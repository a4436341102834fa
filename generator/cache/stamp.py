"""Is the built site already up to date?  Decided from content hashes, before any heavy import.

The fingerprint covers everything a build reads: the generator's own code, settings,
templates, content, committed snapshots, the price files of the source, the build options
and the clock's date.  It is stored in the output folder's marker file after a good build;
a build whose fingerprint matches is skipped (a no-change rebuild costs a few file reads).
Standard library only: importing this module must stay cheap.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from generator import clock
from generator.config import Config

PACKAGE = Path(__file__).resolve().parent.parent


def _files(folder: Path) -> Iterable[Path]:
    if folder.is_dir():
        yield from sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in
                          p.parts)


def compute_fingerprint(config: Config, options: dict[str, object]) -> str | None:
    """sha256 over every input of a build; None when it cannot be known without fetching."""
    source = str(options.get("source", ""))
    if source == "yfinance" and options.get("fetch", True):
        return None  # the fetch itself may change the inputs
    h = hashlib.sha256()
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    h.update(clock.today().isoformat().encode())  # which weeks count as backfilled
    groups: list[tuple[str, Path]] = [
        ("code", PACKAGE),
        ("templates", config.templates_dir),
        ("content", config.content_dir),
    ]
    if source != "sample":
        groups.append(("issues", config.issues_dir))
    for label, folder in groups:
        for path in _files(folder):
            h.update(f"{label}:{path.relative_to(folder).as_posix()}\n".encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    settings = config.root / "pyproject.toml"
    h.update(hashlib.sha256(settings.read_bytes()).digest() if settings.is_file() else b"-")
    if source.startswith("csv:") or source == "yfinance":
        folder = Path(source[4:]).expanduser() if source.startswith("csv:") else config.prices_dir
        for ticker in config.all_tickers:
            path = folder / (ticker.replace("^", "_") + ".csv")
            h.update(ticker.encode())
            h.update(hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"-")
        # shares outstanding (flows): `DIR/shares/` for csv:DIR, `data/shares/` for the store
        shares = folder / "shares" if source.startswith("csv:") else config.data_dir / "shares"
        for ticker in config.flow_etfs:
            path = shares / (ticker.replace("^", "_") + ".csv")
            h.update(f"shares:{ticker}".encode())
            h.update(hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"-")
    return h.hexdigest()


def up_to_date(config: Config, options: dict[str, object], out: Path) -> dict[str, object] | None:
    """The previous build's stamp when `out` was built from exactly these inputs, else None."""
    fingerprint = compute_fingerprint(config, options)
    stamp = read_stamp(out)
    if fingerprint and stamp and stamp.get("fingerprint") == fingerprint:
        return stamp
    return None


def read_stamp(out: Path) -> dict[str, object] | None:
    """The stamp a previous good build left in `out`, if any."""
    from generator.writer import MARKER

    try:
        doc = json.loads((out / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None
