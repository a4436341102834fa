"""The search index, two bundles, each rebuilt only when one of its pages changed.

Pagefind's output depends only on the pages it indexes and its version (in the code hash),
and it is deterministic (checked: two runs over the same pages give the same bytes). So
each bundle (`generator.site.search.bundles`: the latest year's, and every earlier year's
together) is kept in the store under the digests of its pages, with a manifest of its
files; a build links an unchanged bundle into the site without running Pagefind, and runs
it only over the others (a new week: the latest year's), one process per bundle, as many at
a time as there are cores. Measured on 2 cores over the real archive (529 pages,
`benchmarks/search.py`): a new week's latest-year bundle (8 pages) 0.12 s, the earlier
years' (521 pages) 2.7 s, both cold 1.9 s; one bundle over every page 2.2 s.
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

PROCESSES = os.cpu_count() or 1  # Pagefind runs at a time, at most (one bundle each)


def _digest(data: FileData) -> str:
    return data.digest if isinstance(data, StoredFile) else keys.bytes_digest(data)


def search_bundle(store: Store | None, pages: Mapping[str, FileData]) -> dict[str, FileData]:
    """The search bundles of `pages` (the issue pages), as {site path: file}: each from the
    store when it holds one for exactly its pages, else made by Pagefind now (and stored)."""
    files: dict[str, FileData] = {}
    todo: dict[str, tuple[str | None, dict[str, FileData], bool]] = {}
    for n, (bundle, group) in enumerate(search.bundles(pages).items()):
        key = None
        library = n == 0  # the bundle the page runs; the other is merged into it
        if store is not None:
            key = store.key("search", bundle, library,
                            sorted((p, _digest(d)) for p, d in group.items()))
            stored = _stored(store, key)
            if stored is not None:
                files.update(stored)
                continue
        todo[bundle] = (key, group, library)
    for bundle, made in zip(todo, _run(todo), strict=True):
        key = todo[bundle][0]
        files.update(made if store is None or key is None else _store(store, key, made))
    return dict(sorted(files.items()))


def _run(todo: Mapping[str, tuple[str | None, dict[str, FileData], bool]]
         ) -> list[dict[str, bytes]]:
    """Pagefind over each bundle's pages, in parallel processes (a thread waits on each)."""
    jobs = [(group, bundle, library) for bundle, (_, group, library) in todo.items()]
    if len(jobs) <= 1 or PROCESSES <= 1:
        return [run_pagefind(group, bundle, library=library) for group, bundle, library in jobs]
    with ThreadPoolExecutor(max_workers=min(len(jobs), PROCESSES)) as pool:
        return list(pool.map(lambda job: run_pagefind(job[0], job[1], library=job[2]), jobs))


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
