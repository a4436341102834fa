"""The evidence statistics on crafted data: episodes, the shift test, block bootstrap,
rank correlation, independent windows, percentiles."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from generator.evidence.stats import (
    block_bootstrap_median_difference,
    block_bootstrap_spearman,
    block_indices,
    block_length,
    group_episodes,
    independent_windows,
    percentile_of,
    shift_p_value,
    spearman,
)
from generator.evidence.study import EPISODE_GAP_DAYS, HORIZONS, event_groups


def days(*iso: str) -> np.ndarray:
    return np.array(iso, dtype="datetime64[D]")


# --- episodes ---------------------------------------------------------------------------


def test_a_rut_and_an_iwm_breakout_a_week_apart_are_one_episode():
    archive = pd.DataFrame({
        "week": ["2020-W45", "2020-W46", "2020-W47", "2021-W10"],
        "rut_breakout_week": [False, True, False, True],
        "iwm_breakout_week": [True, False, False, False],
    }, index=pd.to_datetime(["2020-11-06", "2020-11-13", "2020-11-20", "2021-03-12"]))
    groups = event_groups(archive)
    assert groups["any"] == [["2020-W45", "2020-W46"], ["2021-W10"]]
    assert groups["rut"] == [["2020-W46"], ["2021-W10"]]
    assert groups["iwm"] == [["2020-W45"]]


def test_episode_gap_edges_and_no_chaining():
    gap = EPISODE_GAP_DAYS
    start = np.datetime64("2020-01-03")
    at = start + np.timedelta64(gap, "D")
    after = start + np.timedelta64(gap + 1, "D")
    assert group_episodes(np.array([start, at]), gap) == [[0, 1]]  # at the gap: joined
    assert group_episodes(np.array([start, after]), gap) == [[0], [1]]  # a day later: new
    # anchored on the first event: events every 4 weeks do not chain into one episode
    steps = np.array([start + np.timedelta64(28 * k, "D") for k in range(4)])
    assert group_episodes(steps, 42) == [[0, 1], [2, 3]]
    assert group_episodes(days(), gap) == []


# --- the circular-shift test ------------------------------------------------------------


def test_shift_p_value_on_a_known_distribution():
    # a strictly increasing series: shifting one event over n positions gives each value
    # once, so the p-value of the top position is exactly 1/n and of the bottom 1
    n = 200
    series = np.arange(n, dtype=float)
    upper, lower, two = shift_p_value(series, [n - 1])
    assert upper == pytest.approx(1 / n)
    assert lower == pytest.approx(1.0)
    assert two == pytest.approx(2 / n)
    upper, lower, _ = shift_p_value(series, [n // 2])
    assert upper == pytest.approx((n - n // 2) / n)
    assert lower == pytest.approx((n // 2 + 1) / n)


def test_shift_p_value_is_uniform_under_the_null_and_keeps_spacing():
    # i.i.d. noise, events at random: the share of p_upper <= 0.1 is about 0.1
    rng = np.random.default_rng(1)
    hits = 0
    trials = 400
    for _ in range(trials):
        series = rng.normal(size=300)
        pos = np.sort(rng.choice(300, size=5, replace=False))
        hits += shift_p_value(series, pos)[0] <= 0.1
    assert 0.06 < hits / trials < 0.14


def test_shift_p_value_without_events_is_nan():
    assert all(math.isnan(x) for x in shift_p_value(np.arange(5.0), []))


# --- the block bootstrap ----------------------------------------------------------------


@pytest.mark.parametrize("horizon", HORIZONS)
def test_block_length_is_at_least_the_horizon(horizon):
    assert block_length(horizon) >= horizon


def test_block_indices_are_runs_of_the_block_length():
    n, block = 50, 13
    idx = block_indices(n, block, 30, np.random.default_rng(0))
    assert idx.shape == (30, n)
    for row in idx:
        for start in range(0, n, block):
            run = row[start:start + block]
            assert np.array_equal(run, (run[0] + np.arange(len(run))) % n)


def test_block_bootstrap_interval_is_seeded_and_sees_a_clear_shift():
    rng = np.random.default_rng(3)
    series = rng.normal(0, 0.1, 400)
    flags = np.zeros(400, dtype=bool)
    flags[::20] = True
    shifted = np.where(flags, series + 1.0, series)
    low, high = block_bootstrap_median_difference(shifted, flags, 13, resamples=500)
    assert low > 0.5
    assert (low, high) == block_bootstrap_median_difference(shifted, flags, 13, resamples=500)
    low, high = block_bootstrap_median_difference(series, flags, 13, resamples=500)
    assert low < 0 < high
    one = np.zeros(400, dtype=bool)
    one[5] = True
    assert all(math.isnan(x) for x in block_bootstrap_median_difference(series, one, 13))


# --- rank correlation, windows, percentiles --------------------------------------------


def test_spearman_matches_pandas_ranks_with_ties():
    x = np.array([1.0, 2.0, 2.0, 3.0, 5.0, 4.0, 4.0, 0.5])
    y = np.array([0.3, 0.1, 0.4, 0.4, 0.9, 0.2, 0.8, 0.0])
    want = pd.Series(x).rank().corr(pd.Series(y).rank())
    assert spearman(x, y) == pytest.approx(want, abs=1e-12)
    assert spearman(np.arange(10.0), np.arange(10.0) ** 3) == pytest.approx(1.0)


def test_block_bootstrap_spearman_brackets_a_strong_correlation():
    rng = np.random.default_rng(4)
    x = rng.normal(size=300)
    y = x + rng.normal(0, 0.3, 300)
    low, high = block_bootstrap_spearman(x, y, 13, resamples=300)
    assert 0.7 < low < spearman(x, y) < high <= 1


@pytest.mark.parametrize("cells", [1, 37, 10**9])
def test_block_bootstraps_are_the_same_numbers_whatever_the_slices(monkeypatch, cells):
    """The resamples are worked through a slice of rows at a time: one row, a few rows or
    all at once give the same numbers, bit for bit."""
    from generator.evidence import stats

    rng = np.random.default_rng(6)
    x = np.round(rng.normal(size=90), 1)  # ties
    y = x + rng.normal(0, 1.0, 90)
    flags = rng.random(90) < 0.1
    whole = (block_bootstrap_spearman(x, y, 4, resamples=257),
             block_bootstrap_median_difference(y, flags, 13, resamples=257))
    monkeypatch.setattr(stats, "_CHUNK_CELLS", cells)
    assert (block_bootstrap_spearman(x, y, 4, resamples=257),
            block_bootstrap_median_difference(y, flags, 13, resamples=257)) == whole


def test_independent_windows_count_non_overlapping_starts():
    fridays = np.arange(np.datetime64("2024-01-05"), np.datetime64("2025-01-01"), 7)
    assert independent_windows(fridays, 4) == -(-len(fridays) // 4)
    assert independent_windows(fridays, 52) == 1
    assert independent_windows(days("2024-01-05", "2024-02-01", "2024-02-02"), 4) == 2


def test_percentile_of_is_mid_rank():
    d = np.array([1.0, 2.0, 3.0, 4.0])
    assert percentile_of(2.0, d) == pytest.approx(100 * (1 + 0.5) / 4)
    assert percentile_of(10.0, d) == 100.0
    assert percentile_of(0.0, d) == 0.0
    assert math.isnan(percentile_of(math.nan, d))


def test_p_values_and_percentiles_as_shown():
    from generator.format import fmt_ordinal, fmt_p

    assert fmt_p(0.0496) == "0.049" and fmt_p(0.05) == "0.050" and fmt_p(0.0531) == "0.053"
    assert fmt_p(0.51) == "0.51" and fmt_p(1.0) == "1.00" and fmt_p(0.0004) == "below 0.001"
    assert fmt_p(math.nan) == "n/a"
    assert [fmt_ordinal(x) for x in (1, 2, 3, 4, 11, 12, 13, 21, 22, 71.4, 99.6)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "71st", "100th"]
