"""The one render-pool policy: a few jobs go to one warm worker, many to every core.

`start(fn, jobs, cost=...)` decides by the estimated seconds of work: under
`POOL_MIN_SECONDS` the jobs run in the warm worker while the build goes on (the returned
call collects them); above it they run on a pool of workers on every core before `start`
returns, in chunks of about `CHUNK_SECONDS`, with progress reported per chunk.

vl-convert's JavaScript engine takes ~0.4 s to start in a process, and a call holds the GIL.
`warm()` starts one spawned worker at the beginning of a build; it imports the chart code
and starts the engine on the other core while this process reads and computes, so by the
time a new week's charts are known the engine is ready. `run(fn, *args)` calls `fn` there
(or here, when no worker is running or it died). Builds with many charts use a pool of
workers on every core (`run_all`), which replaces this one and, within `warm()`, serves
every later call of the build. `stop()` lets workers go without waiting for them to exit;
`join()` waits until they have (the `riskon` program, before it ends at once).
`Shared` jobs (the track record's bootstrap intervals) go to the warm worker two at a time
from a thread of their own, and are taken here by whoever has nothing else to do.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")
A = TypeVar("A")
J = TypeVar("J")
K = TypeVar("K")

POOL_MIN_SECONDS = 2.0  # estimated work under which the warm worker is enough
CHUNK_SECONDS = 1.0  # estimated work per chunk on the pool

_warm: ProcessPoolExecutor | None = None  # the one spawned worker of `warm()`
_many: ProcessPoolExecutor | None = None  # the every-core pool of `run_all`, kept in `warm()`
_inside = False  # within `warm()`
# Held while the pools above are read or replaced: the build's threads submit calls (the
# evidence's and the track record's charts, the track record) while the main thread may
# be swapping the warm worker for the every-core pool.
_lock = threading.RLock()


def _warm_up() -> None:
    from generator.charts import vega as chartrender

    chartrender.vega_to_svg({"width": 1, "height": 1, "marks": []})


@contextmanager
def warm() -> Iterator[None]:
    """A warm worker for the duration of the block (none on a single-core machine).

    A pool that `run_all` starts inside the block is kept until the block ends: later
    `run_all` and `submit` calls use its workers, already started and warm.
    """
    global _warm, _inside
    started = not _inside
    if started:
        _inside = True
        if (os.cpu_count() or 1) >= 2:
            _warm = ProcessPoolExecutor(max_workers=1,
                                        mp_context=multiprocessing.get_context("spawn"))
            _warm.submit(_warm_up)
    try:
        yield
    finally:
        if started:
            _inside = False
            stop()


def _new_pool() -> ProcessPoolExecutor:
    # Workers never come from a fork of a process that may already run vl-convert's engine
    # (that deadlocks): they come from a clean fork server that has imported the chart code.
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        ctx.set_forkserver_preload(["generator.charts.render", "vl_convert"])
    return ProcessPoolExecutor(max_workers=min(os.cpu_count() or 1, 4), mp_context=ctx)


def run_all(fn: Callable[[A], T], chunks: list[A]) -> Iterator[T]:
    """`fn` of every chunk on a pool of workers on every core, results in order.

    The warm worker is let go first (the pool takes both cores); it exits once it has made
    the calls already given to it.
    """
    global _many, _warm
    if not _inside:
        with _new_pool() as pool:
            yield from pool.map(fn, chunks)
        return
    with _lock:
        if _warm is not None:
            _warm.shutdown(wait=False)
            _warm = None
        if _many is None:
            _many = _new_pool()
        results = _many.map(fn, chunks)  # every chunk submitted here, under the lock
    yield from results


def stop() -> None:
    """Let the workers go (each exits once idle); later `run` calls render here."""
    global _warm, _many
    with _lock:
        for pool in (_warm, _many):
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
        _warm = _many = None


def _discard(pool: ProcessPoolExecutor) -> None:
    """Let a pool that broke go, if it is still one of ours (another may replace it)."""
    global _warm, _many
    with _lock:
        if pool is _warm:
            _warm = None
        elif pool is _many:
            _many = None
        else:
            return
    pool.shutdown(wait=False, cancel_futures=True)


def join() -> None:
    """Wait until every worker let go has exited (the program then ends at once)."""
    stop()
    for process in multiprocessing.active_children():
        process.join()


def _running() -> bool:
    """Whether a worker (the warm one or the pool's) is there to take calls."""
    with _lock:
        return (_warm or _many) is not None


def run(fn: Callable[..., T], *args: object) -> T:
    """`fn(*args)` in the warm worker when there is one, else in this process."""
    return submit(fn, *args)()


def submit(fn: Callable[..., T], *args: object) -> Callable[[], T]:
    """Start `fn(*args)` in the warm worker; returns the call that waits for its result.

    Without a worker the call runs here, at once. When the worker died or was let go before
    it made the call, the call is made here. Safe from any thread of the build.
    """
    future = None
    with _lock:
        pool = _warm or _many
        if pool is not None:
            try:
                future = pool.submit(fn, *args)
            except BrokenProcessPool:
                _discard(pool)
            except RuntimeError:  # shut down meanwhile: make the call here
                pass
    if future is not None:
        def result() -> T:
            try:
                return future.result()
            except BrokenProcessPool:
                _discard(pool)
            except CancelledError:  # the worker was let go before it got to this call
                pass
            return fn(*args)

        return result
    value = fn(*args)
    return lambda: value


class Shared(Generic[K, T]):
    """`fn(*args)` of every job of `jobs` (`{key: args}`), each made once: in the warm worker,
    sent by a thread of its own two at a time, and by whoever calls `help()` here meanwhile
    (a thread with nothing else to do). Two at a time, so that other calls for the worker
    (a new week's charts) wait for two jobs at most.

    `fn` must give the same value wherever it runs (a pure function of its arguments).
    `done(results)` is called once, by the first `result()` to have them all.
    """

    def __init__(self, fn: Callable[..., T], jobs: dict[K, tuple[object, ...]],
                 done: Callable[[dict[K, T]], object] | None = None) -> None:
        self._fn = fn
        self._keys = list(jobs)
        self._todo = list(jobs.items())[::-1]  # taken from the end: in order
        self._results: dict[K, T] = {}
        self._errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._made = threading.Condition(self._lock)  # notified as each job ends
        self._done = done
        self._lane: threading.Thread | None = None
        if jobs:
            self._lane = threading.Thread(target=self._send, name="riskon-shared",
                                          daemon=True)
            self._lane.start()

    @classmethod
    def made(cls, results: dict[K, T]) -> Shared[K, T]:
        """Results known already: nothing to make."""
        shared = cls(lambda: None, {})
        shared._results = dict(results)
        shared._keys = list(results)
        return shared

    def _take(self, lane: bool = False) -> tuple[K, tuple[object, ...]] | None:
        with self._lock:
            if lane and not _running():  # no worker (any more): the jobs left are made here
                return None
            return self._todo.pop() if self._todo and not self._errors else None

    def _made_by(self, key: K, call: Callable[[], T]) -> None:
        try:
            value = call()
        except BaseException as error:  # given to `result()`, in the build's thread
            with self._made:
                self._errors.append(error)
                self._made.notify_all()
        else:
            with self._made:
                self._results[key] = value
                self._made.notify_all()

    def _send(self) -> None:
        """Send the jobs to the worker, while there is one: two at a time (the next one
        waits in its queue, so the worker never waits for this thread), the others' calls
        (a new week's charts) queued after those two."""
        sent: deque[tuple[K, Callable[[], T]]] = deque()
        while True:
            while len(sent) < 2 and (job := self._take(lane=True)) is not None:
                sent.append((job[0], submit(self._fn, *job[1])))
            if not sent:
                return
            key, call = sent.popleft()
            self._made_by(key, call)

    def help(self) -> None:
        """Make the jobs not yet taken, here, until none is left."""
        while (job := self._take()) is not None:
            key, args = job
            self._made_by(key, functools.partial(self._fn, *args))

    def result(self) -> dict[K, T]:
        """Every job's value, by key, in the order of `jobs` (waits for the last ones)."""
        if self._lane is not None:
            self._lane.join()
        self.help()  # the jobs the lane left (its worker was let go), if any
        with self._made:  # and those `help()` calls elsewhere are making
            self._made.wait_for(lambda: self._errors or len(self._results) == len(self._keys))
            if self._errors:
                raise self._errors[0]
            results = {k: self._results[k] for k in self._keys}
            done, self._done = self._done, None
        if done is not None:
            done(results)
        return results


def start(fn: Callable[[list[J]], list[T]], jobs: list[J], *, cost: Callable[[J], float],
          progress: Callable[[int, int], None] | None = None) -> Callable[[], list[T]]:
    """`fn` over `jobs` (a list in, one result per job out), by the one policy above.

    Returns the call that gives the results in the order of `jobs`.
    """
    if not jobs:
        return lambda: []
    seconds = [cost(job) for job in jobs]
    if sum(seconds) < POOL_MIN_SECONDS or (os.cpu_count() or 1) < 2:
        pending = submit(fn, jobs)

        def collect() -> list[T]:
            results = pending()
            if progress:
                progress(len(jobs), len(jobs))
            return results

        return collect
    chunks: list[list[J]] = [[]]
    load = 0.0
    for job, s in zip(jobs, seconds, strict=True):
        if chunks[-1] and load + s > CHUNK_SECONDS:
            chunks.append([])
            load = 0.0
        chunks[-1].append(job)
        load += s
    results: list[T] = []
    for chunk_results in run_all(fn, chunks):
        results.extend(chunk_results)
        if progress:
            progress(len(results), len(jobs))
    return lambda: results
