"""Each signal on hand-computable series, at threshold edges, and point in time."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.config import Config, Windows
from generator.format import band_of
from generator.prices import normalize_frame
from generator.signals.core import (
    SIGNAL_COLUMNS,
    altseason,
    breakout_days,
    composite_score,
    compute_daily,
    compute_signals,
    compute_weeks,
    correlation_at,
    drawdown,
    format_signals_csv,
    format_value,
    log_returns,
    percentile_at,
    ratio_change,
    record_days,
    trend,
)


def s(values, start="2024-01-01", freq="D") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq=freq),
                     dtype="float64")


# --- records and breakouts ---------------------------------------------------------------


def test_record_days_strictly_above_every_earlier_close():
    close = s([10, 11, 11, 10, 12, 12.5, 9])
    assert record_days(close).tolist() == [False, True, False, False, True, True, False]


def test_record_days_skip_missing_values():
    close = s([10, math.nan, 11, math.nan, 10.5])
    assert record_days(close).tolist() == [False, False, True, False, False]


@pytest.mark.parametrize("gap, expected", [(62, True), (63, True), (64, False)])
def test_breakout_needs_previous_record_at_least_gap_positions_earlier(gap, expected):
    # record at position 1, flat base, next record exactly 63 positions later (position 64)
    values = [100.0, 101.0] + [95.0] * 62 + [102.0]
    flags = breakout_days(s(values), gap)
    assert bool(flags.iloc[64]) is expected
    assert not flags.iloc[1]  # the first record has no previous record


def test_breakout_gap_counts_positions_of_missing_days_too():
    # IWM on E: a missing day still counts as an E-position
    values = [100.0, 101.0] + [math.nan] * 62 + [102.0]
    assert bool(breakout_days(s(values), 63).iloc[64])


# --- trend, drawdown, ratios ---------------------------------------------------------------


def test_drawdown_is_zero_at_records_and_negative_below():
    dd = drawdown(s([100, 120, 90, 130]))
    assert dd.tolist() == pytest.approx([0.0, 0.0, 90 / 120 - 1, 0.0])


def test_trend_on_a_straight_line():
    close = s(np.arange(1.0, 11.0))
    t = trend(close, 4)
    assert t.iloc[:3].isna().all()
    assert t.iloc[3] == pytest.approx(4 / 2.5 - 1)  # mean(1,2,3,4) = 2.5
    assert t.iloc[9] == pytest.approx(10 / 8.5 - 1)


def test_ratio_change_over_lag():
    num = s([10, 11, 12, 13])
    den = s([10, 10, 10, 26])
    rc = ratio_change(num, den, 2)
    assert rc.iloc[2] == pytest.approx(1.2 / 1.0 - 1)
    assert rc.iloc[3] == pytest.approx(0.5 / 1.1 - 1)


def test_correlation_of_perfectly_related_returns():
    x = np.array([np.nan, 0.01, -0.02, 0.03, 0.00, 0.01])
    assert correlation_at(x, 2 * x, 5, 5) == pytest.approx(1.0)
    assert correlation_at(x, -x, 5, 5) == pytest.approx(-1.0)
    assert math.isnan(correlation_at(x, x, 4, 5))  # window reaches the missing first return
    y = x.copy()
    y[3] = np.nan
    assert math.isnan(correlation_at(x, y, 5, 5))


def test_log_returns():
    r = log_returns(s([100, 110, 99]))
    assert math.isnan(r[0])
    assert r[1] == pytest.approx(math.log(1.1))


# --- altseason -------------------------------------------------------------------------------


def test_altseason_counts_alts_beating_btc_over_window():
    dates = pd.DatetimeIndex(["2024-04-10"])
    btc = s([100.0] * 101, start="2024-01-01")  # flat
    btc.iloc[-1] = 110.0  # +10% over 100 days? use days=100 below
    winners = [s([1.0] * 100 + [1.2], start="2024-01-01") for _ in range(3)]
    losers = [s([1.0] * 100 + [1.05], start="2024-01-01") for _ in range(2)]
    idx = altseason(btc, winners + losers, dates, days=100, min_alts=5)
    assert idx.iloc[0] == pytest.approx(60.0)
    idx = altseason(btc, winners + losers, dates, days=100, min_alts=6)
    assert math.isnan(idx.iloc[0])


def test_altseason_alt_without_both_closes_does_not_count():
    dates = pd.DatetimeIndex(["2024-04-10"])
    btc = s([100.0] * 100 + [101.0], start="2024-01-01")
    late = s([1.0, 2.0], start="2024-04-09")  # no close 100 days earlier
    good = [s([1.0] * 100 + [1.5], start="2024-01-01") for _ in range(5)]
    idx = altseason(btc, [late, *good], dates, days=100, min_alts=5)
    assert idx.iloc[0] == pytest.approx(100.0)
    equal = [s([1.0] * 100 + [1.01], start="2024-01-01") for _ in range(5)]  # ties: not beating
    assert altseason(btc, equal, dates, days=100, min_alts=5).iloc[0] == 0.0


# --- score -------------------------------------------------------------------------------------


def test_percentile_matches_pandas_rank_pct():
    rng = np.random.default_rng(1)
    values = np.round(rng.normal(size=400), 1)  # many ties
    values[[5, 50, 300]] = np.nan
    for end in (260, 333, 399):
        window = pd.Series(values[max(0, end - 300 + 1) : end + 1])
        expected = window.rank(pct=True).iloc[-1] * 100
        assert percentile_at(values, end, 300, 252) == pytest.approx(expected, rel=1e-12)


def test_percentile_needs_min_values_and_a_value():
    values = np.arange(300, dtype=float)
    assert math.isnan(percentile_at(values, 250, 1260, 252))  # 251 values
    assert percentile_at(values, 251, 1260, 252) == pytest.approx(100.0)
    values[299] = np.nan
    assert math.isnan(percentile_at(values, 299, 1260, 252))


def test_composite_score_weights_and_missing():
    parts = {"a": 20.0, "b": 80.0, "c": math.nan}
    assert composite_score(parts, {"a": 1, "b": 1, "c": 1}) == 50.0
    assert composite_score(parts, {"a": 3, "b": 1, "c": 1}) == 35.0
    assert math.isnan(composite_score({"a": math.nan}, {"a": 1}))


# --- table ---------------------------------------------------------------------------------


def frame(close: pd.Series, adj: pd.Series | None = None) -> pd.DataFrame:
    adj = close if adj is None else adj
    return normalize_frame(pd.DataFrame({"close": close, "adj_close": adj}))


def synthetic_prices(end: str = "2024-06-28") -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(7)
    eq_dates = pd.bdate_range("2015-01-01", end)
    cr_dates = pd.date_range("2015-01-01", end)

    def walk(n, vol, seed):
        r = np.random.default_rng(seed).normal(0.0003, vol, n)
        return 100 * np.exp(np.cumsum(r))

    prices = {}
    for i, t in enumerate(["^RUT", "IWM", "SPY", "HYG", "IEF"]):
        prices[t] = frame(pd.Series(walk(len(eq_dates), 0.01, i), index=eq_dates))
    prices["^VIX"] = frame(pd.Series(15 + 5 * rng.random(len(eq_dates)), index=eq_dates))
    for i, t in enumerate(["BTC-USD", "ETH-USD", "SOL-USD", "XRP-USD", "BNB-USD", "ADA-USD",
                           "DOGE-USD"]):
        prices[t] = frame(pd.Series(walk(len(cr_dates), 0.03, 100 + i), index=cr_dates))
    return prices


@pytest.fixture(scope="module")
def config() -> Config:
    return Config(root=Path("."), windows=Windows())


def test_signals_table_has_the_contract_columns_and_one_row_per_week(config):
    table = compute_signals(synthetic_prices(), config)
    assert list(table.columns) == ["week", "as_of", *SIGNAL_COLUMNS]
    assert table["week"].is_unique
    assert table["as_of"].is_monotonic_increasing
    assert table["as_of"].iloc[0] >= "2016-01-01"
    latest = table.iloc[-1]
    assert latest["week"] == "2024-W26" and latest["as_of"] == "2024-06-28"
    assert 0 <= latest["score"] <= 100
    assert latest["band"] == band_of(latest["score"])


def test_csv_format_booleans_missing_and_unrounded():
    assert format_value(True) == "true" and format_value(np.False_) == "false"
    assert format_value(math.nan) == "" and format_value(None) == ""
    assert format_value(0.1 + 0.2) == "0.30000000000000004"
    table = pd.DataFrame({"week": ["2024-W01"], "as_of": ["2024-01-05"], "x": [math.nan],
                          "flag": [False]})
    assert format_signals_csv(table) == "week,as_of,x,flag\n2024-W01,2024-01-05,,false\n"


def test_point_in_time_later_data_never_changes_earlier_weeks(config):
    full = synthetic_prices("2024-06-28")
    cut = {t: f[f.index <= "2023-03-15"] for t, f in full.items()}
    early = compute_signals(cut, config)
    late = compute_signals(full, config)
    # every week complete in the cut data (all but the last, cut mid-week) is unchanged
    complete = early.iloc[:-1]
    merged = late.set_index("week").loc[complete["week"]].reset_index()
    pd.testing.assert_frame_equal(complete.reset_index(drop=True), merged[complete.columns])
    assert early.iloc[-1]["as_of"] == "2023-03-15"  # the partial week's as-of is the cut date


def test_missing_input_gives_na_component_and_score_from_the_rest(config):
    prices = synthetic_prices()
    del prices["HYG"]
    weeks = compute_weeks(compute_daily(prices, config), config)
    last = weeks.iloc[-1]
    assert math.isnan(last["credit_13w"]) and math.isnan(last["score_credit_13w"])
    others = [last[f"score_{c}"] for c in ("rut_trend", "rut_drawdown", "smallcap_rs_13w",
                                           "vix", "btc_trend", "altseason_index")]
    assert last["score"] == pytest.approx(np.mean(others))
