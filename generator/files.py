"""Writing one file so that readers see the old bytes or the new, never half of either."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def prune(folder: Path, keep: set[str], suffix: str) -> int:
    """Remove the files `*<suffix>` of `folder` whose names are not in `keep`; returns how
    many. Temporary files of a write in progress (`.name.*.tmp`) are left alone."""
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return 0
    for entry in entries:
        if entry.name.endswith(suffix) and not entry.name.startswith(".") \
                and entry.name not in keep:
            try:
                os.unlink(entry.path)
                removed += 1
            except FileNotFoundError:
                pass
    return removed


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


class CachedFile:
    """A site file stored, unchanged, in a cache file: the site writer hard-links `source`
    instead of writing the bytes again (and copies them when it cannot link).

    Its bytes are read only when asked for (`data`); `len()` is its size. The cache file
    is named by the hash of what it was made from, so its name identifies its bytes.
    """

    __slots__ = ("_data", "size", "source")

    def __init__(self, source: Path, size: int | None = None, data: bytes | None = None) -> None:
        self.source = source
        self._data = data
        self.size = len(data) if data is not None else (
            size if size is not None else source.stat().st_size)

    @property
    def data(self) -> bytes:
        if self._data is None:
            self._data = self.source.read_bytes()
        return self._data

    def __len__(self) -> int:
        return self.size

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"CachedFile({str(self.source)!r}, size={self.size})"


def file_bytes(data: bytes | CachedFile) -> bytes:
    """The bytes of a site file, read from its cache file if need be."""
    return data.data if isinstance(data, CachedFile) else data
