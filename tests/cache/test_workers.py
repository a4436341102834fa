"""The warm worker: calls run there, results come back, and nothing is lost when it goes."""

from __future__ import annotations

import os

from generator.cache import workers as renderer


def _pid_plus(x: int) -> tuple[int, int]:
    return os.getpid(), x + 1


def test_calls_run_in_the_worker_and_here_without_one():
    with renderer.warm():
        pid, value = renderer.run(_pid_plus, 1)
        assert value == 2
        if (os.cpu_count() or 1) >= 2:
            assert pid != os.getpid()
    pid, value = renderer.run(_pid_plus, 2)
    assert (pid, value) == (os.getpid(), 3)


def test_a_call_still_pending_when_the_worker_goes_is_made_here():
    with renderer.warm():
        first = renderer.submit(_pid_plus, 1)
        pending = [renderer.submit(_pid_plus, n) for n in range(20)]
        renderer.stop()
        assert first()[1] == 2
        assert [p()[1] for p in pending] == list(range(1, 21))


def test_a_pool_started_in_a_build_serves_its_later_calls():
    if (os.cpu_count() or 1) < 2:
        return
    with renderer.warm():
        first = {pid for pid, _ in renderer.run_all(_pid_plus, list(range(8)))}
        pool = renderer._many
        again = [v for _, v in renderer.run_all(_pid_plus, list(range(8)))]
        pid, value = renderer.run(_pid_plus, 5)
        assert renderer._many is pool and renderer._warm is None  # one pool, kept
        assert again == list(range(1, 9)) and value == 6
        assert os.getpid() not in first and pid != os.getpid()
        assert pid in set(pool._processes)  # a worker of that pool
    assert renderer._many is None and renderer._warm is None
    assert [v for _, v in renderer.run_all(_pid_plus, [1, 2])] == [2, 3]  # outside: its own
