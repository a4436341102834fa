"""Charts and images, rendered only when the store does not have them.

Every render job (`charts.render.RenderJob`) is keyed by its inputs; the jobs missing from
the store go to the render workers by the one policy of `workers.start`, and each worker
puts what it renders (and any chart layout it compiles) into the store itself, so a big
render sends nothing back but the names of its entries. Compiled chart layouts are store
entries too, kept in memory once read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar

from generator.cache import workers
from generator.cache.store import Entry, Store, StoredValue
from generator.charts import render as charts_render
from generator.charts import vega
from generator.charts.data import Chart
from generator.charts.render import RenderJob
from generator.writer import StoredFile, file_bytes

Progress = Callable[[int, int], None]
V = TypeVar("V")


def store_layouts(store: Store) -> vega.Layouts:
    """Compiled layouts read from (or compiled into) `store`, kept in memory once read."""
    memory: dict[str, str] = {}

    def layouts(kind: str, shape: tuple, text_keys: tuple[str, ...],
                data_names: tuple[str, ...], live: bool) -> str:
        key = store.key("layout", kind, shape, text_keys, data_names, live)
        if key not in memory:
            hit = store.get(key, ".json")
            if hit is not None:
                memory[key] = hit.data.decode("utf-8")
            else:
                text = vega.compile_layout(kind, shape, text_keys, data_names, live)
                store.put(key, ".json", text.encode("utf-8"), "layout")
                memory[key] = text
        return memory[key]

    return layouts


_WORKER_STORES: dict[tuple[str, str], tuple[Store, vega.Layouts]] = {}


def _render_chunk(items: list[tuple[str, str, str, RenderJob]]) -> list[dict[str, Entry]]:
    """Render and store each job (in a worker); returns the entries each one wrote."""
    out = []
    for cache_dir, code, key, job in items:
        found = _WORKER_STORES.get((cache_dir, code))
        if found is None:
            store = Store(Path(cache_dir), code)
            found = _WORKER_STORES[(cache_dir, code)] = (store, store_layouts(store))
        store, layouts = found
        store.written = {}
        store.put(key, job.suffix, charts_render.render(_read(job), layouts), "render")
        out.append(dict(store.written))
    return out


def _read(job: RenderJob) -> RenderJob:
    """The job with any argument kept in the store (`StoredValue`) read (in a worker it
    arrives read: such a value pickles as itself)."""
    if not any(isinstance(a, StoredValue) for a in job.args):
        return job
    return RenderJob(job.kind, tuple(a.value() if isinstance(a, StoredValue) else a
                                     for a in job.args))


def render_all(store: Store, jobs: Mapping[str, RenderJob], *,
               progress: Progress | None = None
               ) -> tuple[dict[str, StoredFile], Callable[[], dict[str, StoredFile]], int]:
    """The jobs the store has (by the job's name in `jobs`), the call giving every job's
    bytes as a stored file, and how many jobs the store did not have.

    Those are rendered by `workers.start` (a few in the warm worker while the build goes on,
    many on every core before this returns); call the result to get the files.
    """
    found: dict[str, StoredFile] = {}
    missing: list[tuple[str, str, RenderJob]] = []
    for name, job in jobs.items():
        key = store.key("render", job)
        hit = store.get(key, job.suffix)
        if hit is None:
            missing.append((name, key, job))
        else:
            found[name] = hit
    cache_dir = str(store.folder.parent)
    pending = workers.start(
        _render_chunk, [(cache_dir, store.code, key, job) for _, key, job in missing],
        cost=lambda item: item[3].cost, progress=progress)

    def collect() -> dict[str, StoredFile]:
        for written in pending():
            store.adopt(written)
        for name, key, job in missing:
            stored = store.get(key, job.suffix)
            if stored is None:  # the entry is gone or damaged: render it here
                stored = store.put(key, job.suffix,
                                   charts_render.render(_read(job), store_layouts(store)),
                                   "render")
            found[name] = stored
        return found

    return dict(found), collect, len(missing)


class Lazy(Mapping[str, V]):
    """Values by key, each made by `make(key)` only when first asked for (then kept): a page
    found in the store never asks for its charts, and a chart the render worker is still
    drawing is waited for only by what shows it."""

    def __init__(self, keys: Iterable[str], make: Callable[[str], V]) -> None:
        self._keys = list(keys)
        self._known = set(self._keys)
        self._make = make
        self._made: dict[str, V] = {}

    def __getitem__(self, key: str) -> V:
        if key not in self._made:
            if key not in self._known:
                raise KeyError(key)
            self._made[key] = self._make(key)
        return self._made[key]

    def __contains__(self, key: object) -> bool:
        return key in self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def lazy_charts(files: Mapping[str, bytes | StoredFile], names: Mapping[str, str]
                ) -> Lazy[list[Chart]]:
    """Charts by key (`names`: {job name: key}), each read from its job's rendered file in
    `files` (bytes or a stored file, by job name) when first asked for."""
    jobs = {key: name for name, key in names.items()}
    return Lazy(jobs, lambda key: charts_render.load_charts(file_bytes(files[jobs[key]])))
