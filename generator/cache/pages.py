"""Issue pages and the files beside them, rendered only when the store does not have them.

A `site.pages.FileJob` carries everything its file is made of; its key is that and the
code hash (templates included). An unchanged page comes back as a stored file, which the
writer hard-links into the site: neither rendered nor written again, and its charts are
never read.
"""

from __future__ import annotations

from collections.abc import Iterable

from generator.cache.store import Store
from generator.site.inputs import FileData
from generator.site.pages import FileJob


def memo_files(store: Store | None, jobs: Iterable[FileJob]) -> dict[str, FileData]:
    """Each job's file, from the store or rendered now (and stored)."""
    out: dict[str, FileData] = {}
    for job in jobs:
        if store is None:
            out[job.path] = job.render()
            continue
        key = store.key("file", job.path, job.inputs)
        hit = store.get(key, job.suffix)
        out[job.path] = hit if hit is not None else store.put(key, job.suffix, job.render(),
                                                              "file")
    return out
