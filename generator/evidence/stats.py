"""Percentile bootstrap of a difference in medians, seeded, vectorized (pure)."""

from __future__ import annotations

import math

import numpy as np

RESAMPLES = 10_000
SEED = 20160101
LEVEL = 0.90


def bootstrap_medians(values: np.ndarray, *, resamples: int, seed: int, stream: int) -> np.ndarray:
    """Medians of `resamples` resamples (size n, with replacement) of `values`.

    Draws come from `default_rng([seed, stream])`: events use stream 0 and the base stream
    1, so the two groups are resampled independently and each is reproducible on its own.
    """
    ordered = np.sort(np.asarray(values, dtype="float64"))
    n = len(ordered)
    rng = np.random.default_rng([seed, stream])
    # The median of a resample is read off the sorted draws of positions into the sorted
    # values: sorting small integers (radix sort) is several times faster than floats.
    kind = np.int16 if n < 2**15 else np.int64
    drawn = np.sort(rng.integers(0, n, size=(resamples, n), dtype=kind), axis=1, kind="stable")
    return (ordered[drawn[:, (n - 1) // 2]] + ordered[drawn[:, n // 2]]) / 2


def percentile_interval(events: np.ndarray, base: np.ndarray, level: float) -> tuple[float, float]:
    """The ((1-level)/2, (1+level)/2) quantiles of the paired differences `events - base`."""
    tail = (1 - level) / 2
    low, high = np.quantile(events - base, [tail, 1 - tail])
    return float(low), float(high)


def bootstrap_median_difference(
    events: np.ndarray, base: np.ndarray, *, resamples: int = RESAMPLES, seed: int = SEED,
    level: float = LEVEL,
) -> tuple[float, float]:
    """Percentile bootstrap interval of `median(events) - median(base)`.

    Draw `i` pairs the median of the i-th resample of the events with the median of the
    i-th resample of the base (see `bootstrap_medians`); the interval is the
    ((1-level)/2, (1+level)/2) quantiles of the `resamples` differences. NaN with fewer
    than 2 values in either group.
    """
    if len(events) < 2 or len(base) < 2:
        return math.nan, math.nan
    e = bootstrap_medians(events, resamples=resamples, seed=seed, stream=0)
    b = bootstrap_medians(base, resamples=resamples, seed=seed, stream=1)
    return percentile_interval(e, b, level)
