"""The search index, rebuilt only when a page it reads changed.

Pagefind's output depends only on the pages it indexes and its version (in the code hash),
and it is deterministic (checked: two runs over the same pages give the same bytes). So
the bundle is kept in the store under the digests of the pages; a build whose issue pages
are unchanged links the stored bundle into the site without running Pagefind.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import PurePosixPath

from generator.cache import keys
from generator.cache.store import Store
from generator.searchindex import run_pagefind
from generator.site.inputs import FileData
from generator.writer import StoredFile


def _digest(data: FileData) -> str:
    return data.digest if isinstance(data, StoredFile) else keys.bytes_digest(data)


def search_bundle(store: Store | None, pages: Mapping[str, FileData]) -> dict[str, FileData]:
    """The search bundle of `pages`: from the store when it holds one for exactly these
    pages, else made by Pagefind now (and stored)."""
    if store is None:
        return run_pagefind(pages)
    key = store.key("search", sorted((p, _digest(d)) for p, d in pages.items()))
    manifest = store.get(key, ".json")
    if manifest is not None:
        bundle = _stored(store, json.loads(manifest.data))
        if bundle is not None:
            return bundle
    made = run_pagefind(pages)
    files: dict[str, FileData] = {}
    names: dict[str, str] = {}
    for path, data in made.items():
        file_key = store.key("search-file", key, path)
        files[path] = store.put(file_key, _suffix(path), data, "search")
        names[path] = file_key
    store.put(key, ".json", json.dumps(names, sort_keys=True).encode(), "search")
    return files


def _stored(store: Store, names: dict[str, str]) -> dict[str, FileData] | None:
    out: dict[str, FileData] = {}
    for path, file_key in names.items():
        hit = store.get(file_key, _suffix(path))
        if hit is None:
            return None
        out[path] = hit
    return out


def _suffix(path: str) -> str:
    return PurePosixPath(path).suffix or ".bin"
