"""Is the built site already up to date? Decided from file bytes, before any heavy import.

The stamp is the key of a whole build: the code hash (the generator, the templates, the
library versions), the build options, the clock's date, the settings, every content file,
every committed snapshot and every input file of the source. A good build records it in
the output folder's marker file; a build whose stamp matches is skipped. Standard library
only: importing this must stay cheap.

Hashing those ~550 files (~10 MB of prices) is most of a no-change rebuild, so the check
first compares their *signature*: their names and file-system stats (size, modification
and change times, inode), as git's index does. `.cache/inputs-signature.json` pairs the
signature taken when a stamp was computed with that stamp; when every stat is unchanged,
the stamp is too, and no file is read. A file written within `RACY_NS` of the moment its
stats were taken could be written again within the same tick of the file system's clock
without a visible change of its modification time, so such a signature is never recorded
(the next check hashes the files). The change time is in the signature, not in that rule:
it also moves when nothing is written (a hard link to the file), which only costs a hash.
The signature lives in the cache, not in the site: it differs between checkouts.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from stat import S_ISREG

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


RACY_NS = 1_000_000_000  # a file changed less than this before its stats were taken
SIGNATURE_FILE = "inputs-signature.json"  # in the project's .cache/


def _sources(config: Config, options: dict[str, object]
             ) -> tuple[Path, list[Path], list[tuple[Path, list[str]]]] | None:
    """What the stamp reads: the settings file, whole folders (content, snapshots) and
    named files in folders (the source's price and flow files); None when a fetch may
    change the inputs."""
    from generator.sources.spec import source_folders, ticker_filename

    source = str(options.get("source", ""))
    if source == "yfinance" and options.get("fetch", True):
        return None  # the fetch itself may change the inputs
    folders = [config.content_dir]
    named: list[tuple[Path, list[str]]] = []
    if source != "sample":
        folders.append(config.issues_dir)
        found = source_folders(source, config)
        assert found is not None
        named.append((found[0], [ticker_filename(t) for t in config.all_tickers]))
        named.append((found[1], [ticker_filename(t) for t in config.flow_etfs]))
    return config.root / "pyproject.toml", folders, named


def compute_stamp(config: Config, options: dict[str, object]) -> str | None:
    """The key of a build with `options`; None when it cannot be known without fetching."""
    sources = _sources(config, options)
    if sources is None:
        return None
    settings, folders, named = sources
    values: list[object] = [
        sorted(options.items()), clock.today(),
        settings.read_bytes() if settings.is_file() else None,
        *(list(_files(folder)) for folder in folders),
        *(_named(folder, names) for folder, names in named),
    ]
    return keys.key(keys.code_hash(config.templates_dir), "build", *values)


def input_signature(config: Config, options: dict[str, object]) -> str | None:
    """The names and file-system stats of every file `compute_stamp` reads, with the options,
    the clock's date and the code hash; None when a fetch may change the inputs or a file
    changed less than `RACY_NS` ago (see the module docstring)."""
    sources = _sources(config, options)
    if sources is None:
        return None
    settings, folders, named = sources
    now = time.time_ns()  # the file system's clock, not the build's
    stats: list[object] = []

    def stat(path: Path) -> os.stat_result | None:
        try:
            return os.stat(path)
        except FileNotFoundError:
            return None

    def record(found: Iterable[os.stat_result | None]) -> bool:
        """Add the stats; True when every file was written long enough ago."""
        settled = True
        for st in found:
            stats.append(st and (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
            settled = settled and (st is None or st.st_mtime_ns < now - RACY_NS)
        return settled

    settled = record([stat(settings)])
    for folder in folders:  # the files `_files` reads, each stat'ed once
        found = sorted((p, st) for p in (folder.rglob("*") if folder.is_dir() else ())
                       if (st := stat(p)) is not None and S_ISREG(st.st_mode))
        stats.append([p.relative_to(folder).as_posix() for p, _ in found])
        settled = record(st for _, st in found) and settled
    for folder, names in named:
        stats.append(names)
        settled = record(stat(folder / name) for name in names) and settled
    if not settled:
        return None
    return keys.key(keys.code_hash(config.templates_dir), "signature",
                    sorted(options.items()), clock.today(), stats)


def remember_signature(config: Config, out: Path, signature: str, stamp: str) -> None:
    """Record that inputs of `signature` have the stamp `stamp` (for builds into `out`)."""
    from generator.writer import write_atomic

    doc = {"out": str(out), "signature": signature, "stamp": stamp}
    config.cache_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(config.cache_dir / SIGNATURE_FILE,
                 (json.dumps(doc, sort_keys=True) + "\n").encode())


def _known_stamp(config: Config, out: Path, signature: str) -> str | None:
    """The stamp recorded for `signature` (builds into `out`), if any."""
    try:
        doc = json.loads((config.cache_dir / SIGNATURE_FILE).read_bytes())
    except (OSError, ValueError):
        return None
    if isinstance(doc, dict) and doc.get("out") == str(out) and doc.get("signature") == signature:
        stamp = doc.get("stamp")
        return stamp if isinstance(stamp, str) else None
    return None


def up_to_date(config: Config, options: dict[str, object], out: Path
               ) -> tuple[dict[str, object] | None, str | None, str | None]:
    """The previous build's record when `out` was built from exactly these inputs (else
    None), the stamp of these inputs (None when a fetch may change them) and their
    signature (None as well when a file changed a moment ago)."""
    recorded = read_stamp(out)
    signature = input_signature(config, options)
    known = _known_stamp(config, out, signature) if signature else None
    if known is not None:  # no input file read, whether or not `out` is still there
        return (recorded if recorded and recorded.get("fingerprint") == known else None,
                known, signature)
    stamp = compute_stamp(config, options)
    if stamp and recorded and recorded.get("fingerprint") == stamp:
        if signature:  # the next check will not read the files
            remember_signature(config, out, signature, stamp)
        return recorded, stamp, signature
    return None, stamp, signature


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
