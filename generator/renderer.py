"""A warm rendering process for the few charts and images a typical rebuild needs.

vl-convert's JavaScript engine takes ~0.4 s to start in a process, and a call holds the GIL.
`warm()` starts one spawned worker at the beginning of a build; it imports the chart code
and starts the engine on the other core while this process reads and computes, so by the
time a new week's charts are known the engine is ready. `run(fn, *args)` calls `fn` there
(or here, when no worker is running or it died). Builds with many charts use their own pool
of workers (`run_all`), which stops this one first.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
A = TypeVar("A")

_pool: ProcessPoolExecutor | None = None


def _warm_up() -> None:
    from generator import chartrender

    chartrender.vega_to_svg({"width": 1, "height": 1, "marks": []})


@contextmanager
def warm() -> Iterator[None]:
    """A warm worker for the duration of the block (none on a single-core machine)."""
    global _pool
    started = _pool is None and (os.cpu_count() or 1) >= 2
    if started:
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        _pool.submit(_warm_up)
    try:
        yield
    finally:
        if started:
            stop()


def run_all(fn: Callable[[A], T], chunks: list[A]) -> Iterator[T]:
    """`fn` of every chunk on a pool of workers on every core, results in order.

    The warm worker is let go first (the pool takes both cores). Workers never come from a
    fork of a process that may already run vl-convert's engine (that deadlocks): they come
    from a clean fork server that has imported the chart code once.
    """
    stop()
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        ctx.set_forkserver_preload(["generator.chartrender", "vl_convert"])
    with ProcessPoolExecutor(max_workers=min(os.cpu_count() or 1, 4), mp_context=ctx) as pool:
        yield from pool.map(fn, chunks)


def stop() -> None:
    """Let the worker go (it exits once idle); later `run` calls render here."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


def run(fn: Callable[..., T], *args: object) -> T:
    """`fn(*args)` in the warm worker when there is one, else in this process."""
    return submit(fn, *args)()


def submit(fn: Callable[..., T], *args: object) -> Callable[[], T]:
    """Start `fn(*args)` in the warm worker; returns the call that waits for its result.

    Without a worker the call runs here, at once. When the worker died or was let go before
    it made the call, the call is made here.
    """
    if _pool is not None:
        try:
            future = _pool.submit(fn, *args)
        except (BrokenProcessPool, RuntimeError):
            stop()
        else:
            def result() -> T:
                try:
                    return future.result()
                except BrokenProcessPool:
                    stop()
                except CancelledError:  # the worker was let go before it got to this call
                    pass
                return fn(*args)

            return result
    value = fn(*args)
    return lambda: value
