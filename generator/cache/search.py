"""The search index, one bundle per year, each rebuilt only when one of its pages changed.

Pagefind's output depends only on the pages it indexes and its version (in the code hash),
and it is deterministic (checked: two runs over the same pages give the same bytes). So
each year's bundle (`generator.site.search.bundles`) is kept in the store under the
digests of that year's pages, with a manifest of its files; a build links the bundles of
the years whose pages are unchanged into the site without running Pagefind, and runs it
only over the other years (a new week: its own year), one process per year, as many at a
time as there are cores. Measured on 2 cores over the real archive's 11 years, unstored:
2.0 s that way, 3.4 s one year after the other, 2.7 s for one bundle over every page; a
full year alone takes 0.5 s (`benchmarks/search.py`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import PurePosixPath

from generator.cache import keys
from generator.cache.store import Store
from generator.searchindex import run_pagefind
from generator.site import search
from generator.site.inputs import FileData
from generator.writer import StoredFile

PROCESSES = os.cpu_count() or 1  # Pagefind runs at a time, at most (one year each)


def _digest(data: FileData) -> str:
    return data.digest if isinstance(data, StoredFile) else keys.bytes_digest(data)


def search_bundle(store: Store | None, pages: Mapping[str, FileData]) -> dict[str, FileData]:
    """Every year's search bundle of `pages` (the issue pages), as {site path: file}: a
    year's from the store when it holds one for exactly that year's pages, else made by
    Pagefind now (and stored)."""
    files: dict[str, FileData] = {}
    todo: dict[str, tuple[str | None, dict[str, FileData]]] = {}
    for bundle, group in search.bundles(pages).items():
        key = None
        if store is not None:
            key = store.key("search", bundle, sorted((p, _digest(d)) for p, d in group.items()))
            stored = _stored(store, key)
            if stored is not None:
                files.update(stored)
                continue
        todo[bundle] = (key, group)
    for bundle, made in zip(todo, _run(todo), strict=True):
        key = todo[bundle][0]
        files.update(made if store is None or key is None else _store(store, key, made))
    return dict(sorted(files.items()))


def _run(todo: Mapping[str, tuple[str | None, dict[str, FileData]]]) -> list[dict[str, bytes]]:
    """Pagefind over each bundle's pages, in parallel processes (a thread waits on each)."""
    jobs = [(group, bundle) for bundle, (_, group) in todo.items()]
    if len(jobs) <= 1 or PROCESSES <= 1:
        return [run_pagefind(group, bundle) for group, bundle in jobs]
    with ThreadPoolExecutor(max_workers=min(len(jobs), PROCESSES)) as pool:
        return list(pool.map(lambda job: run_pagefind(*job), jobs))


def _store(store: Store, key: str, made: Mapping[str, bytes]) -> dict[str, FileData]:
    files: dict[str, FileData] = {}
    names: dict[str, str] = {}
    for path, data in made.items():
        file_key = store.key("search-file", key, path)
        files[path] = store.put(file_key, _suffix(path), data, "search")
        names[path] = file_key
    store.put(key, ".json", json.dumps(names, sort_keys=True).encode(), "search")
    return files


def _stored(store: Store, key: str) -> dict[str, FileData] | None:
    """The bundle stored under `key`, or None when its manifest or any file is missing."""
    manifest = store.get(key, ".json")
    if manifest is None:
        return None
    out: dict[str, FileData] = {}
    for path, file_key in json.loads(manifest.data).items():
        hit = store.get(file_key, _suffix(path))
        if hit is None:
            return None
        out[path] = hit
    return out


def _suffix(path: str) -> str:
    return PurePosixPath(path).suffix or ".bin"
