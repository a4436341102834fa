"""Further signals: hand-computable series, flows from shares reports, reasons for n/a."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from generator.config import Config, Windows
from generator.prices import normalize_frame
from generator.signals.core import compute_daily, compute_weeks
from generator.signals.flows import flow_book, is_split, split_ratio
from generator.signals.further import (
    EXTENDED_COLUMNS,
    basket_relative,
    beta_at,
    compute_extended,
    display_value,
)


def test_beta_is_the_slope_of_y_on_x():
    x = np.array([np.nan, 0.01, -0.02, 0.03, 0.00, -0.01])
    assert beta_at(2 * x + 0.001, x, 5, 5) == pytest.approx(2.0)
    assert beta_at(-0.5 * x, x, 5, 3) == pytest.approx(-0.5)


def test_beta_needs_a_full_finite_window_and_a_moving_x():
    x = np.array([np.nan, 0.01, np.nan, 0.03, 0.00, -0.01])
    assert math.isnan(beta_at(x, x, 5, 5))  # a missing value inside
    assert math.isnan(beta_at(x, x, 3, 4))  # the window reaches before the first return
    flat = np.array([np.nan, 0.01, 0.01, 0.01])
    assert math.isnan(beta_at(flat, flat, 3, 3))


def test_basket_relative_to_btc():
    dates = pd.date_range("2024-01-01", periods=4)
    btc = pd.Series([100, 100, 110, 120.0], index=dates)
    a = pd.Series([10, 10, 22, 10.0], index=dates)
    b = pd.Series([5, 5, 5, 5.0], index=dates)
    late = pd.Series([1.0], index=dates[3:])
    rel, counted = basket_relative([a, b, late], btc, dates, 2, min_alts=2)
    # day 2: basket (+120% + 0%) / 2 = +60%, BTC +10% -> 1.6 / 1.1 - 1
    assert rel[2] == pytest.approx(1.6 / 1.1 - 1)
    assert list(counted) == [0, 0, 2, 2]
    assert np.isnan(rel[:2]).all()
    rel3, _ = basket_relative([a, b], btc, dates, 2, min_alts=3)
    assert np.isnan(rel3).all()


# --- flows -----------------------------------------------------------------------------


def _days(*days: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(list(days)))


def test_flows_sum_share_changes_times_price():
    shares = pd.Series([100.0, 110.0, 105.0], index=_days("2024-01-02", "2024-01-04", "2024-01-08"))
    close = pd.Series([10.0, 10.0, 12.0, 20.0],
                      index=_days("2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"))
    book = flow_book("IWM", shares, close)
    start, end = pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-08")
    # +10 shares at 12 (close of 01-04), -5 at 20 (last close on or before Monday 01-08)
    assert book.flow(start, end) == pytest.approx(10 * 12 - 5 * 20)
    assert book.gap(start, end) is None
    assert book.flow(pd.Timestamp("2024-01-04"), end) == pytest.approx(-100.0)
    assert book.flow(start, pd.Timestamp("2024-01-03")) == 0.0


def test_flows_need_history_before_the_window_a_recent_report_and_prices():
    shares = pd.Series([100.0, 110.0], index=_days("2024-01-02", "2024-01-04"))
    close = pd.Series([10.0], index=_days("2024-01-02"))
    book = flow_book("IWM", shares, close)
    assert "starts 2024-01-02, after 2024-01-01" in book.gap(pd.Timestamp("2024-01-01"),
                                                             pd.Timestamp("2024-01-04"))
    stale = book.gap(pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-20"))
    assert "no shares-outstanding report for IWM in the 10 days to 2024-01-20" in stale
    unpriced = flow_book("IWM", shares, pd.Series(dtype="float64"))
    assert "no IWM price" in unpriced.gap(pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-04"))
    assert flow_book("IWM", None, close).gap(pd.Timestamp("2024-01-02"), pd.Timestamp(
        "2024-01-04")) == "no shares-outstanding history for IWM in the store"


def test_a_share_split_is_not_a_flow():
    """A synthetic 2-for-1 split: shares 100 -> 204 while the price halves (20 -> 10).
    Only the 4 shares beyond the split are a flow; a reverse split works the same way."""
    days = _days("2024-03-01", "2024-03-04", "2024-03-05", "2024-03-06")
    close = pd.Series([20.0, 20.2, 10.0, 10.1], index=days)
    shares = pd.Series([100.0, 101.0, 204.0, 206.0], index=days)
    book = flow_book("IWM", shares, close)
    start, end = days[0], days[-1]
    assert book.gap(start, end) is None
    assert book.flow(start, end) == pytest.approx(1 * 20.2 + (204 - 202) * 10.0 + 2 * 10.1)
    assert book.flow(days[1], days[2]) == pytest.approx(2 * 10.0)  # not +103 shares × $10
    reverse = flow_book("IWM", pd.Series([400.0, 100.0], index=days[:2]),
                        pd.Series([5.0, 20.0], index=days[:2]))
    assert reverse.flow(days[0], days[1]) == pytest.approx(0.0)


def test_a_split_sized_jump_without_a_price_move_is_not_counted():
    """Shares double while the price does not move (a history adjusted back for the split,
    or a data error): the window is n/a with its reason, never a phantom inflow."""
    days = _days("2024-03-01", "2024-03-04", "2024-03-05")
    close = pd.Series([10.0, 10.0, 10.1], index=days)
    book = flow_book("IWM", pd.Series([100.0, 200.0, 201.0], index=days), close)
    assert math.isnan(book.flow(days[0], days[2]))
    assert "split-sized ratio" in book.gap(days[0], days[2])
    assert book.flow(days[1], days[2]) == pytest.approx(1 * 10.1)  # after the jump: fine


def test_split_ratio_is_a_simple_fraction_and_needs_a_matching_price():
    assert split_ratio(2.03) == 2.0 and split_ratio(1.49) is None and split_ratio(0.25) == 0.25
    assert split_ratio(1.5) == 1.5 and split_ratio(1.8) is None and split_ratio(0.66) == 1 / 1.5
    assert is_split(3.0, 0.34) and not is_split(3.0, 0.5) and not is_split(1.2, 0.83)


def test_display_value_formats_each_kind_of_further_signal():
    assert display_value("smallcap_flows_13w", 1.234e9) == "+$1.23bn"
    assert display_value("smallcap_flows_13w", -4.5e8) == "\u2212$450m"
    assert display_value("smallcap_flows_13w", math.nan) == "n/a"
    assert display_value("btc_rut_corr_52w", 0.5) == "+0.50"
    assert display_value("btc_rut_corr_52w", -0.001) == "0.00"  # shows as zero: unsigned
    assert display_value("btc_rut_beta_90d", -1.25) == "\u22121.25"
    assert display_value("eth_btc_13w", -0.1) == "\u221210.0%"


# --- the weekly columns on a synthetic market -------------------------------------------


def _frame(close: pd.Series) -> pd.DataFrame:
    return normalize_frame(pd.DataFrame({"close": close, "adj_close": close}))


@pytest.fixture(scope="module")
def market():
    """^RUT on business days; BTC = exp(1.5 × RUT log path); ETH/BTC doubles linearly."""
    equity = pd.bdate_range("2022-01-03", "2024-06-28")
    rng = np.random.default_rng(9)
    rut_log = np.cumsum(rng.normal(0, 0.01, len(equity)))
    rut = pd.Series(2000 * np.exp(rut_log), index=equity)
    days = pd.date_range(equity[0], equity[-1])
    rut_daily = rut.reindex(days).ffill()
    btc = pd.Series(30000 * np.exp(1.5 * np.log(rut_daily / 2000)), index=days)
    eth = btc * np.linspace(0.05, 0.10, len(days))
    prices = {"^RUT": _frame(rut), "BTC-USD": _frame(btc), "ETH-USD": _frame(eth)}
    for i, name in enumerate(("SOL-USD", "XRP-USD")):
        prices[name] = _frame(btc * (i + 1) * 0.001)
    shares = {e: pd.Series(1e6 + np.arange(len(days)) * 100.0, index=days)
              for e in ("IWM", "IJR")}
    for e in ("IWM", "IJR"):
        prices[e] = _frame(pd.Series(100.0, index=equity))
    config = Config(root=".", alts=("ETH-USD", "SOL-USD", "XRP-USD"), flow_etfs=("IWM", "IJR"),
                    windows=dataclasses.replace(Windows(), altseason_min_alts=3,
                                                score_min_values=20))
    daily = compute_daily(prices, config)
    weeks = compute_weeks(daily, config)
    return prices, shares, config, daily, weeks


def test_extended_columns_on_a_synthetic_market(market):
    prices, shares, config, daily, weeks = market
    ext = compute_extended(daily, weeks, prices, config, shares)
    assert list(ext.values.columns) == list(EXTENDED_COLUMNS)
    assert ext.values.index.equals(weeks.index)
    last = ext.values.iloc[-1]
    assert last["btc_rut_beta_90d"] == pytest.approx(1.5, rel=1e-6)
    assert last["btc_rut_corr_52w"] == pytest.approx(1.0, rel=1e-9)
    # ETH/BTC grows linearly: r(t) / r(t - 65 E-days) - 1 on the calendar dates
    as_of = weeks.index[-1]
    earlier = daily.index[daily.index.get_loc(as_of) - 65]
    ratio = prices["ETH-USD"]["close"] / prices["BTC-USD"]["close"]
    assert last["eth_btc_13w"] == pytest.approx(ratio[as_of] / ratio[earlier] - 1)
    # every alt tracks BTC exactly except ETH: basket = mean(ETH/BTC change, 0, 0)
    assert last["alt_basket_vs_btc_13w"] == pytest.approx(last["eth_btc_13w"] / 3)
    # +100 shares a day at $100 for 2 ETFs
    assert last["smallcap_flows_13w"] == pytest.approx(2 * 100 * 100 * (as_of - earlier).days)
    year_days = (as_of - pd.Timestamp(as_of.year - 1, 12, 31)).days
    assert last["smallcap_flows_ytd"] == pytest.approx(2 * 100 * 100 * year_days)
    assert (ext.reasons.iloc[-1] == "").all()


def test_missing_values_say_why(market):
    prices, _, config, daily, weeks = market
    ext = compute_extended(daily, weeks, prices, config, shares=None)
    assert ext.values[["smallcap_flows_13w", "smallcap_flows_ytd"]].isna().all().all()
    assert ext.reasons.iloc[-1]["smallcap_flows_13w"] == (
        "no shares-outstanding history for IWM, IJR in the store")
    first = ext.reasons.iloc[0]
    assert first["eth_btc_13w"] == "needs 65 trading days of ^RUT history before the as-of date"
    assert first["btc_rut_corr_52w"].startswith("needs BTC-USD and ^RUT closes on 53")
    no_eth = {k: v for k, v in prices.items() if k != "ETH-USD"}
    ext2 = compute_extended(compute_daily(no_eth, config), weeks, no_eth, config)
    assert ext2.reasons.iloc[-1]["eth_btc_13w"] == "no ETH-USD prices in the source"
    assert ext2.reasons.iloc[-1]["alt_basket_vs_btc_13w"].startswith("only 2 alts have closes")


def test_extended_is_point_in_time(market):
    prices, shares, config, daily, weeks = market
    full = compute_extended(daily, weeks, prices, config, shares).values
    cut_at = weeks.index[-30]
    cut_prices = {k: v[v.index <= cut_at] for k, v in prices.items()}
    cut_shares = {k: v[v.index <= cut_at] for k, v in shares.items()}
    cut_daily = compute_daily(cut_prices, config)
    cut_weeks = compute_weeks(cut_daily, config)
    cut = compute_extended(cut_daily, cut_weeks, cut_prices, config, cut_shares).values
    pd.testing.assert_frame_equal(cut, full.loc[:cut_at])
