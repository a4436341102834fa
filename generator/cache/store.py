"""The one keyed store of the cache: `.cache/objects/<key><suffix>`, one index, one prune.

Every cached thing — parsed prices, the weekly table, parsed snapshots, the evidence,
compiled chart layouts and templates, rendered charts and images, rendered pages — is a
file named by its key (`keys.key`: the code hash, its kind and everything it was made from)
and recorded in `.cache/index.json` with its size, modification time, content digest, kind
and the code hash that made it. A value is only read back when its file still matches the
index (a site file hard-linked from the store and edited in place no longer does), so a
damaged or foreign file only means the value is made again. Every file is 0644: the writer
hard-links them into the site as they are.

Values are data (`codec`: reading one runs no code) but for the compiled templates
(`pages.compiled_templates`), which a build runs: `.cache/` is trusted as the checkout is.

A full build prunes: every entry made by other code goes, and so does every entry the build
did not use, except compiled chart layouts and templates, which belong to no week and are
kept while the code that compiled them is current.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from generator.cache import codec, keys
from generator.writer import StoredFile, write_atomic

OBJECTS = "objects"
INDEX = "index.json"
KEPT_WHILE_CODE_CURRENT = frozenset({"layout", "template"})
VALUE = ".value"  # a stage's value, as `codec` writes it

Entry = list  # [size, mtime_ns, digest, kind, code]


class Store:
    """Get and put values by key; `save` writes the index (and prunes after a full build).

    A render worker opens a Store on the same folder without reading the index
    (`read_index=False`), puts its results and sends `written` back; the build's Store
    `adopt`s them.
    """

    def __init__(self, cache_dir: Path, code: str, *, read_index: bool = True) -> None:
        self.folder = Path(cache_dir) / OBJECTS
        self._folder = str(self.folder)  # for the thousands of lookups of a build
        self.code = code
        self.index: dict[str, Entry] = _read_index(self.folder / INDEX) if read_index else {}
        self.used: set[str] = set()
        self.written: dict[str, Entry] = {}
        self.hits = self.misses = 0
        self._changed = False  # an entry put, adopted or pruned since the index was read

    def key(self, kind: str, *values: Any) -> str:
        """The key of a value of `kind` made from `values` with this store's code."""
        return keys.key(self.code, kind, *values)

    # --- files -------------------------------------------------------------------------

    def get(self, key: str, suffix: str) -> StoredFile | None:
        """The stored file of `key`, or None (missing, or changed since it was stored)."""
        name = key + suffix
        entry = self.index.get(name)
        if entry is None:
            self.misses += 1
            return None
        path = os.path.join(self._folder, name)
        try:
            st = os.stat(path)
        except OSError:
            self.misses += 1
            return None
        if [st.st_size, st.st_mtime_ns] != entry[:2]:
            self.misses += 1
            return None
        if st.st_mode & 0o777 != 0o644:  # the writer links it into the site as it is
            try:
                os.chmod(path, 0o644)
            except OSError:  # not ours to change: the site gets the file's own mode
                pass
        self.used.add(name)
        self.hits += 1
        return StoredFile(path, entry[0], entry[2], inode=(st.st_ino, st.st_dev))

    def put(self, key: str, suffix: str, data: bytes, kind: str) -> StoredFile:
        """Store `data` under `key` and return it as a stored file."""
        name = key + suffix
        path = self.folder / name
        write_atomic(path, data)
        st = path.stat()
        digest = keys.bytes_digest(data)
        entry = [st.st_size, st.st_mtime_ns, digest, kind, self.code]
        self.index[name] = self.written[name] = entry
        self._changed = True
        self.used.add(name)
        return StoredFile(path, st.st_size, digest, data, (st.st_ino, st.st_dev))

    def adopt(self, written: dict[str, Entry]) -> None:
        """Record entries another process (a render worker) put into this folder, with the
        size and time their files have now (two workers may have written the same one)."""
        for name, entry in written.items():
            try:
                st = (self.folder / name).stat()
            except OSError:
                continue
            self.index[name] = [st.st_size, st.st_mtime_ns, *entry[2:]]
            self._changed = True
            self.used.add(name)

    def keep(self, key: str, suffix: str = VALUE) -> None:
        """Count the entry of `key` as used by this build (kept by the prune) unread."""
        if key + suffix in self.index:
            self.used.add(key + suffix)

    # --- Python values -----------------------------------------------------------------

    def get_value(self, key: str) -> Any:
        """The value stored under `key` (written by `codec`, never a pickle), or None."""
        stored = self.get(key, VALUE)
        if stored is None:
            return None
        try:
            return codec.loads(stored.data)
        except codec.Corrupt:  # truncated, or written for classes that changed: make it again
            self.used.discard(key + VALUE)
            return None

    def put_value(self, key: str, value: Any, kind: str) -> None:
        """Store a value under `key` (one `codec` cannot write is simply not kept)."""
        try:
            data = codec.dumps(value)
        except codec.Unsupported:
            return
        self.put(key, VALUE, data, kind)

    # --- the index and the prune ---------------------------------------------------------

    def save(self, *, prune: bool) -> int:
        """Write the index; with `prune` (a full build) remove what this build did not use
        (see the module docstring). Returns how many files were removed. An index that
        did not change is not written again (~9,000 entries: ~25 ms)."""
        removed = 0
        if prune:
            keep = {
                name: entry for name, entry in self.index.items()
                if entry[4] == self.code
                and (name in self.used or entry[3] in KEPT_WHILE_CODE_CURRENT)
            }
            removed = _remove_others(self.folder, set(keep))
            self._changed = self._changed or removed > 0 or len(keep) != len(self.index)
            self.index = keep
        if not self._changed and (self.folder / INDEX).is_file():
            return removed
        if self.index or (self.folder / INDEX).exists():
            data = json.dumps(self.index, sort_keys=True, separators=(",", ":")).encode()
            write_atomic(self.folder / INDEX, data)
        return removed


_UNREAD = object()


def _itself(value: Any) -> Any:
    return value


class StoredValue:
    """A value kept in a store under `key`, read only when first asked for (`value()`);
    `make()` when the store does not have it (any more). It pickles as the value itself,
    and `keys` hashes it as the value (or takes the digest assumed for it): a frozen issue's
    chart window, which a build needs only to draw a chart the store does not have."""

    __slots__ = ("_key", "_make", "_store", "_value")

    def __init__(self, store: Store, key: str, make: Any) -> None:
        self._store, self._key, self._make = store, key, make
        self._value: Any = _UNREAD

    def value(self) -> Any:
        if self._value is _UNREAD:
            found = self._store.get_value(self._key)
            self._value = self._make() if found is None else found
        return self._value

    def __digest_value__(self) -> Any:
        return self.value()

    def __reduce__(self) -> tuple[Any, tuple[Any]]:
        return _itself, (self.value(),)


def memo(store: Store | None, kind: str, values: Iterable[Any], make: Any) -> Any:
    """`make()`, or its value stored under the key of `kind` and `values`."""
    if store is None:
        return make()
    key = store.key(kind, *values)
    value = store.get_value(key)
    if value is None:
        value = make()
        store.put_value(key, value, kind)
    return value


def _read_index(path: Path) -> dict[str, Entry]:
    try:
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(doc, dict):
        return {}
    return {k: v for k, v in doc.items() if isinstance(v, list) and len(v) == 5}


def _remove_others(folder: Path, keep: set[str]) -> int:
    """Remove the files of `folder` not in `keep` (temporary files of a write in progress,
    `.name.*.tmp`, and the index are left alone)."""
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return 0
    for entry in entries:
        if entry.name.startswith(".") or entry.name == INDEX or entry.name in keep:
            continue
        try:
            os.unlink(entry.path)
            removed += 1
        except (FileNotFoundError, IsADirectoryError):
            pass
    return removed
