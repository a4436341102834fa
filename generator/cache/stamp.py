"""Is the built site already up to date? Decided from file bytes, before any heavy import.

The stamp is the key of a whole build: the code hash (the generator, the templates, the
library versions), the build options, the clock's date, the settings, every content file,
every committed snapshot and every input file of the source. A good build records it in
the output folder's marker file; a build whose stamp matches is skipped (a no-change
rebuild costs a few file reads). Standard library only: importing this must stay cheap.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from generator import clock
from generator.cache import keys
from generator.config import Config


def _files(folder: Path) -> Iterable[tuple[str, bytes]]:
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            yield path.relative_to(folder).as_posix(), path.read_bytes()


def _named(folder: Path, names: Iterable[str]) -> dict[str, bytes | None]:
    out: dict[str, bytes | None] = {}
    for name in names:
        path = folder / name
        out[name] = path.read_bytes() if path.is_file() else None
    return out


def compute_stamp(config: Config, options: dict[str, object]) -> str | None:
    """The key of a build with `options`; None when it cannot be known without fetching."""
    from generator.sources.spec import source_folders, ticker_filename

    source = str(options.get("source", ""))
    if source == "yfinance" and options.get("fetch", True):
        return None  # the fetch itself may change the inputs
    settings = config.root / "pyproject.toml"
    values: list[object] = [
        sorted(options.items()), clock.today(),
        settings.read_bytes() if settings.is_file() else None,
        list(_files(config.content_dir)),
    ]
    if source != "sample":
        values.append(list(_files(config.issues_dir)))
        folders = source_folders(source, config)
        assert folders is not None
        values.append(_named(folders[0], (ticker_filename(t) for t in config.all_tickers)))
        values.append(_named(folders[1], (ticker_filename(t) for t in config.flow_etfs)))
    return keys.key(keys.code_hash(config.templates_dir), "build", *values)


def up_to_date(config: Config, options: dict[str, object], out: Path
               ) -> tuple[dict[str, object] | None, str | None]:
    """The previous build's record when `out` was built from exactly these inputs (else
    None), and the stamp of these inputs (None when a fetch may change them)."""
    stamp = compute_stamp(config, options)
    recorded = read_stamp(out)
    if stamp and recorded and recorded.get("fingerprint") == stamp:
        return recorded, stamp
    return None, stamp


def read_stamp(out: Path) -> dict[str, object] | None:
    """The stamp a previous good build left in `out`, if any."""
    from generator.writer import MARKER, interrupted

    if interrupted(out):  # a build was killed while writing it: never "up to date"
        return None
    try:
        doc = json.loads((out / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None
