"""The event study: forward-return rules at their edges, the summary, the bootstrap, the words."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from generator.config import Config, Windows
from generator.evidence.stats import bootstrap_median_difference, bootstrap_medians
from generator.evidence.study import (
    BASKET,
    EVIDENCE_COLUMNS,
    Evidence,
    Summary,
    basket_forward_returns,
    compute_evidence,
    compute_forward_table,
    format_evidence_csv,
    forward_returns,
    summarize,
)
from generator.evidence.text import asset_sentence, tally_sentence, verdict
from generator.prices import normalize_frame


def daily(values, start="2024-01-01", freq="D") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq=freq),
                     dtype="float64")


def at(*days: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(list(days)))


# --- forward returns -------------------------------------------------------------------


def test_forward_return_is_close_on_origin_plus_seven_h_days():
    close = daily(np.arange(100.0, 130.0))  # 2024-01-01 .. 2024-01-30, +1 a day
    r = forward_returns(close, at("2024-01-02"), 2)  # to 2024-01-16
    assert r[0] == pytest.approx(115.0 / 101.0 - 1)


def test_forward_return_takes_the_last_close_before_a_missing_target():
    close = daily(np.arange(100.0, 130.0)).drop(pd.Timestamp("2024-01-09"))
    r = forward_returns(close, at("2024-01-02"), 1)  # target 2024-01-09 has no close
    assert r[0] == pytest.approx(107.0 / 101.0 - 1)  # the close of 2024-01-08


def test_forward_window_exactly_at_the_end_of_the_data_has_a_value():
    close = daily(np.arange(100.0, 115.0))  # ends 2024-01-15
    assert np.isfinite(forward_returns(close, at("2024-01-08"), 1))[0]  # target == last date
    assert np.isnan(forward_returns(close, at("2024-01-09"), 1))[0]  # target one day after


def test_forward_window_needs_data_reaching_the_target_not_just_a_close_before_it():
    # the series stops 3 days before the target: "last close before it" must not apply
    close = daily(np.arange(100.0, 112.0))  # ends 2024-01-12
    assert np.isnan(forward_returns(close, at("2024-01-08"), 1))[0]


def test_forward_return_needs_a_close_on_the_origin_itself():
    close = daily(np.arange(100.0, 130.0)).drop(pd.Timestamp("2024-01-05"))
    assert np.isnan(forward_returns(close, at("2024-01-05"), 1))[0]


def test_forward_return_needs_an_end_close_after_the_origin():
    close = daily([100.0, 101.0, 102.0]).reindex(pd.date_range("2024-01-01", "2024-01-20"))
    close.iloc[-1] = 150.0  # a gap from 2024-01-04 to 2024-01-19, data reaches 01-20
    assert np.isnan(forward_returns(close, at("2024-01-03"), 1))[0]  # nothing in (03, 10]


def test_basket_is_the_mean_of_members_with_both_ends_and_needs_enough_members():
    origins = at("2024-01-01")
    a = daily(np.linspace(100, 200, 15))  # +100% by day 14 (target of 2 weeks = day 15)
    b = daily(np.full(15, 50.0))
    short = daily([10.0] * 10)  # ends before the target: not a member
    assert math.isnan(forward_returns(short, origins, 2)[0])
    r = basket_forward_returns([a, b, short], origins, 2, min_members=2)
    assert r[0] == pytest.approx((1.0 + 0.0) / 2)
    assert np.isnan(basket_forward_returns([a, b, short], origins, 2, min_members=3))[0]


# --- the table and its CSV ---------------------------------------------------------------


def _config(tmp_path, **windows) -> Config:
    return Config(root=tmp_path, alts=("ETH-USD", "SOL-USD"),
                  windows=dataclasses.replace(Windows(), altseason_min_alts=2, **windows))


def _frame(close: pd.Series) -> pd.DataFrame:
    return normalize_frame(pd.DataFrame({"close": close, "adj_close": close}))


def _archive(days: pd.DatetimeIndex, rut=(), iwm=()) -> pd.DataFrame:
    weeks = [f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}" for d in days]
    return pd.DataFrame({
        "week": weeks,
        "rut_breakout_week": [w in rut for w in weeks],
        "iwm_breakout_week": [w in iwm for w in weeks],
        "rut_close": np.arange(len(days), dtype=float) + 1000.0,
    }, index=pd.DatetimeIndex(days, name="as_of"))


def test_forward_table_rows_order_and_availability(tmp_path):
    crypto = pd.date_range("2024-01-01", "2024-12-31")
    growth = pd.Series(np.exp(np.arange(len(crypto)) * 0.001) * 100, index=crypto)
    prices = {"BTC-USD": _frame(growth), "ETH-USD": _frame(growth * 0.1),
              "SOL-USD": _frame(growth * 0.01)}
    fridays = pd.date_range("2024-01-05", "2024-12-27", freq="W-FRI")
    table = compute_forward_table(_archive(fridays, rut={"2024-W10"}), prices, _config(tmp_path))
    assert tuple(table.columns) == EVIDENCE_COLUMNS
    first = table[table["as_of"] == fridays[0]]
    assert list(first["asset"]) == ["BTC-USD"] * 3 + ["ETH-USD"] * 3 + [BASKET] * 3
    assert list(first["horizon_weeks"]) == [4, 13, 26] * 3
    # 52 weeks from 2024-01-05 is 2025-01-03, after the data: no 52-week row at all
    assert not (table["horizon_weeks"] == 52).any()
    # the last week with a 26-week window: as-of + 182 days <= 2024-12-31
    last26 = table[table["horizon_weeks"] == 26]["as_of"].max()
    assert last26 == pd.Timestamp("2024-06-28")
    assert table["rut_breakout_week"].sum() == 3 * 3  # 3 assets × horizons 4, 13, 26
    assert table["as_of"].is_monotonic_increasing


def test_evidence_csv_is_exact(tmp_path):
    table = pd.DataFrame({
        "week": ["2024-W01"], "as_of": [pd.Timestamp("2024-01-05")], "asset": ["BTC-USD"],
        "horizon_weeks": [4], "forward_return": [0.1 + 0.2], "rut_breakout_week": [True],
        "iwm_breakout_week": [False],
    })
    text = format_evidence_csv(table)
    assert text == (
        "week,as_of,asset,horizon_weeks,forward_return,rut_breakout_week,iwm_breakout_week\n"
        "2024-W01,2024-01-05,BTC-USD,4,0.30000000000000004,true,false\n"
    )


# --- summary and bootstrap -------------------------------------------------------------


def _long(returns, rut_flags, asset="BTC-USD", horizon=4) -> pd.DataFrame:
    n = len(returns)
    days = pd.date_range("2020-01-03", periods=n, freq="W-FRI")
    return pd.DataFrame({
        "week": [f"w{i}" for i in range(n)], "as_of": days, "asset": asset,
        "horizon_weeks": horizon, "forward_return": returns,
        "rut_breakout_week": rut_flags, "iwm_breakout_week": [False] * n,
    })


def test_summary_numbers_on_a_hand_made_series():
    table = _long([0.1, 0.2, -0.1, 0.3, 0.0], [False, True, False, True, False])
    s = summarize(table, ("BTC-USD",), resamples=500)
    rut4 = next(x for x in s if (x.event, x.horizon) == ("rut", 4))
    assert (rut4.n_events, rut4.n_all) == (2, 5)
    assert rut4.median_events == pytest.approx(0.25)
    assert rut4.positive_events == 1.0
    assert rut4.median_all == pytest.approx(0.1)
    assert rut4.positive_all == pytest.approx(3 / 5)  # 0.0 is not positive
    assert rut4.difference == pytest.approx(0.15)
    assert not rut4.has_interval  # 2 episodes: below MIN_EPISODES, no interval
    # circular shifts of positions {1, 3} over [0.1, 0.2, -0.1, 0.3, 0.0]: medians
    # 0.25, 0.1, 0.05, 0.05, 0.15 -> one of five at or above the observed 0.25
    assert rut4.p_upper == pytest.approx(1 / 5)
    assert rut4.p_lower == pytest.approx(1.0)
    assert rut4.p_value == pytest.approx(2 / 5)
    iwm4 = next(x for x in s if (x.event, x.horizon) == ("iwm", 4))
    assert iwm4.n_events == 0 and math.isnan(iwm4.median_events) and not iwm4.has_interval
    empty = next(x for x in s if (x.event, x.horizon) == ("rut", 13))
    assert (empty.n_events, empty.n_all) == (0, 0)


def test_bootstrap_is_seeded_and_reproducible():
    rng = np.random.default_rng(7)
    base = rng.normal(0, 1, 300)
    events = base[:12] + 0.5
    one = bootstrap_median_difference(events, base, resamples=2000, seed=11)
    two = bootstrap_median_difference(events, base, resamples=2000, seed=11)
    other = bootstrap_median_difference(events, base, resamples=2000, seed=12)
    assert one == two
    assert one != other
    assert one[0] < one[1]


def test_bootstrap_interval_excludes_zero_for_a_clear_shift_and_not_for_none():
    rng = np.random.default_rng(3)
    base = rng.normal(0, 0.1, 400)
    low, high = bootstrap_median_difference(base[:40] + 1.0, base, resamples=2000)
    assert low > 0.8 and high < 1.2
    low, high = bootstrap_median_difference(base[::10], base, resamples=2000)
    assert low < 0 < high


def test_bootstrap_needs_two_values_each():
    assert all(math.isnan(x) for x in bootstrap_median_difference([0.1], [0.1, 0.2, 0.3]))


def test_bootstrap_median_matches_numpy_on_even_and_odd_sizes():
    for n in (4, 5):
        values = np.arange(n, dtype=float) ** 2
        medians = bootstrap_medians(values, resamples=50, seed=1, stream=0)
        rng = np.random.default_rng([1, 0])
        drawn = values[np.sort(rng.integers(0, n, size=(50, n), dtype=np.int16), axis=1)]
        assert np.allclose(medians, np.median(drawn, axis=1))


# --- the words -------------------------------------------------------------------------


def _evidence(**fields) -> Evidence:
    base = dict(event="rut", asset="BTC-USD", horizon=13, n_events=5, median_events=-0.2,
                positive_events=0.4, n_all=500, median_all=0.1, positive_all=0.6,
                low=math.nan, high=math.nan, p_upper=0.8, p_lower=0.3, p_value=0.6)
    base.update(fields)
    summary = tuple(Summary(**{**base, "horizon": h}) for h in (4, 13, 26, 52))
    return Evidence(table=pd.DataFrame(columns=list(EVIDENCE_COLUMNS)), summary=summary,
                    events=(), assets=("BTC-USD",), first_as_of=dt.date(2016, 1, 8),
                    last_as_of=dt.date(2026, 2, 20))


def test_few_episodes_every_horizon_no_interval_and_small_n_is_said():
    text = asset_sentence(_evidence(), "rut", "BTC-USD")
    assert text.startswith("Bitcoin after the 5 Russell 2000 breakouts since 2016")
    for h in (4, 13, 26, 52):
        assert f"−20.0% at {h} weeks (all weeks +10.0%; p = 0.60)" in text
    assert "interval of the difference" not in text
    assert "does not support the claim" in text
    assert "too few to conclude anything" in text and "no interval" not in text.split(".")[0]


def test_a_low_p_value_below_is_the_opposite_and_set_against_chance():
    text = asset_sentence(_evidence(p_upper=0.99, p_lower=0.02, p_value=0.04), "rut", "BTC-USD")
    assert "below what most placements" in text and "opposite of the claim" in text
    assert "expected by chance alone" in text
    assert "too few to conclude anything" in text
    assert "does not support" not in text


def test_a_low_p_value_above_with_few_episodes_concludes_nothing():
    text = asset_sentence(_evidence(p_upper=0.01, p_lower=0.99, p_value=0.02,
                                    median_events=0.5), "rut", "BTC-USD")
    assert "above what most placements" in text
    assert "too few to conclude anything" in text
    assert "better" not in text


def test_interval_printed_from_ten_episodes_and_called_an_association():
    ev = _evidence(n_events=25, low=0.05, high=0.9, median_events=0.5, p_upper=0.01,
                   p_lower=0.99, p_value=0.02)
    text = asset_sentence(ev, "rut", "BTC-USD")
    assert "90% interval of the difference [+5.0, +90.0] pp" in text
    assert "association over 25 episodes, not proof" in text
    assert "too few" not in text


def test_no_episode_with_a_window():
    text = asset_sentence(_evidence(n_events=0, median_events=math.nan), "rut", "BTC-USD")
    assert "nothing to compare" in text


def test_tally_counts_p_values_against_chance():
    text = tally_sentence(_evidence(p_upper=0.01, p_lower=0.99, p_value=0.02), "rut")
    assert "4 of the 4 p-values are below 0.05 (4 above, 0 below)" in text
    assert "one comparison in twenty" in text
    assert "none of the 4 p-values" in tally_sentence(_evidence(), "rut")


def test_verdict_and_evidence_on_a_synthetic_market(tmp_path):
    crypto = pd.date_range("2023-01-01", "2025-06-30")
    rng = np.random.default_rng(5)
    walk = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.02, len(crypto)))), index=crypto)
    prices = {"BTC-USD": _frame(walk), "ETH-USD": _frame(walk * 0.05),
              "SOL-USD": _frame(walk * 0.01), "IWM": _frame(walk * 2)}
    fridays = pd.date_range("2023-01-06", "2025-06-27", freq="W-FRI")
    archive = _archive(fridays, rut={"2023-W20", "2024-W02"}, iwm={"2024-W02"})
    ev = compute_evidence(archive, prices, _config(tmp_path), resamples=300)
    assert [e.week for e in ev.events] == ["2023-W20", "2024-W02"]
    assert ev.events[1].rut and ev.events[1].iwm and not ev.events[0].iwm
    assert ev.events[0].iwm_close == pytest.approx(2 * walk[fridays[19]])
    assert ev.events[0].returns[("BTC-USD", 4)] == pytest.approx(
        walk[fridays[19] + pd.Timedelta(days=28)] / walk[fridays[19]] - 1)
    words = verdict(ev)
    assert set(words) == {"any", "rut", "iwm"}
    assert all("too few to conclude anything" in s for s in words["any"][:3])
    assert all(f"at {h} weeks" in words["any"][0] for h in (4, 13, 26, 52))
    # 2023-W20 (rut) and 2024-W02 (both) are far apart: two episodes of one event type each
    assert [[e.week for e in ep.events] for ep in ev.episodes] == [["2023-W20"], ["2024-W02"]]
    assert verdict(ev) == words  # deterministic


def test_the_same_inputs_give_the_same_evidence(tmp_path):
    """Pure: the cache wing keys the evidence by its inputs alone."""
    crypto = pd.date_range("2023-01-01", "2024-06-30")
    walk = pd.Series(np.linspace(100.0, 180.0, len(crypto)), index=crypto)
    prices = {"BTC-USD": _frame(walk), "ETH-USD": _frame(walk * 0.05),
              "SOL-USD": _frame(walk * 0.01), "IWM": _frame(walk * 2)}
    archive = _archive(pd.date_range("2023-01-06", "2024-06-28", freq="W-FRI"), rut={"2023-W20"})
    config = _config(tmp_path)
    first = compute_evidence(archive, prices, config, resamples=200)
    again = compute_evidence(archive, prices, config, resamples=200)
    assert repr(again.summary) == repr(first.summary) and again.table.equals(first.table)
    later = {**prices, "BTC-USD": _frame(walk.where(walk.index != "2024-03-01", 1.0))}
    changed = compute_evidence(archive, later, config, resamples=200)
    assert not changed.table.equals(first.table)  # one price changed: other evidence
