"""Writing one file so that readers see the old bytes or the new, never half of either."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, *, durable: bool = False) -> None:
    """Write `data` to a temporary file beside `path`, then rename it over `path`.

    `durable` also flushes to disk first (committed data: prices, snapshots); caches skip it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class CachedFile(bytes):
    """Bytes that are also stored, unchanged, in a cache file: the site writer hard-links
    `source` instead of writing the bytes again (and writes them when it cannot link)."""

    source: Path

    def __new__(cls, data: bytes, source: Path) -> CachedFile:
        obj = super().__new__(cls, data)
        obj.source = source
        return obj
