"""Issue pages and the files beside them, rendered only when the store does not have them.

A `site.pages.FileJob` carries everything its file is made of; its key is that and the
code hash (templates included). An unchanged page comes back as a stored file, which the
writer hard-links into the site: neither rendered nor written again, and its charts are
never read.

The templates themselves are compiled once per code hash: `compiled_templates` keeps Jinja's
bytecode of each one in the store (~0.1 s of compiling on every build that renders pages).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import jinja2

from generator.cache.store import Store
from generator.site.inputs import FileData
from generator.site.pages import FileJob
from generator.site.templates import environment

TEMPLATE = ".jinja"  # a template's compiled code, as Jinja's bytecode cache writes it


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


class _StoredBytecode(jinja2.BytecodeCache):
    """Jinja's bytecode cache in the store: a template's compiled code under the key of its
    name (the code hash covers the templates; Jinja also checks the source's checksum and
    its own and Python's versions before it takes the code; a damaged entry is compiled
    again).

    Unlike every other entry, this one is code the build runs: `.cache/` is trusted as the
    checkout is (the publish workflow restores only caches saved by its own runs on the
    default branch, as it does for the pages it links into the site unrendered)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return self.store.key("template", name)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        found = self.store.get(bucket.key, TEMPLATE)
        if found is not None:
            try:
                bucket.bytecode_from_string(found.data)
            except Exception:  # noqa: BLE001  (truncated or foreign bytes: compile again)
                bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store.put(bucket.key, TEMPLATE, bucket.bytecode_to_string(), "template")


@contextmanager
def compiled_templates(store: Store | None, templates_dir: Path) -> Iterator[None]:
    """Within the block, the templates of `templates_dir` are compiled at most once per code
    hash: their code is read back from `store` (none: compiled as usual)."""
    env = environment(templates_dir)
    env.bytecode_cache = None if store is None else _StoredBytecode(store)
    try:
        yield
    finally:
        env.bytecode_cache = None
