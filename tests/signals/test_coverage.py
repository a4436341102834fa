"""Coverage and like-for-like changes, on crafted weeks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from generator.config import Config
from generator.signals.coverage import (
    Unpriced,
    compute_coverage,
    configured_inputs,
    total_return_caveat,
    total_return_etfs,
    unpriced_finder,
    unpriced_groups,
)
from generator.signals.narrative import altseason_sentence, inputs_sentence, score_sentence
from tests.signals.test_narrative import issue

ALTS = ("ETH-USD", "SOL-USD", "XRP-USD", "BNB-USD", "ADA-USD", "DOGE-USD")
CONFIG = Config(root=".", alts=ALTS, flow_etfs=("IWM", "IJR"))


def frame(index: pd.DatetimeIndex, values: np.ndarray, adj: np.ndarray | None = None
          ) -> pd.DataFrame:
    return pd.DataFrame({"close": values, "adj_close": values if adj is None else adj},
                        index=index)


def crafted_prices() -> dict[str, pd.DataFrame]:
    """Equities on business days to 2025-09-19; BTC and four alts every day to the same
    date; XRP stops on 2025-09-12 and ADA starts on 2025-09-01; DOGE has no file."""
    e = pd.bdate_range("2025-01-01", "2025-09-19")
    days = pd.date_range("2025-01-01", "2025-09-19")
    prices = {t: frame(e, np.linspace(100, 120, len(e)))
              for t in ("^RUT", "IWM", "SPY", "HYG", "IEF", "^VIX", "IJR")}
    prices["BTC-USD"] = frame(days, np.linspace(100, 110, len(days)))  # +10% over the period
    for k, alt in enumerate(("ETH-USD", "SOL-USD", "BNB-USD")):
        prices[alt] = frame(days, np.linspace(100, 100 + 20 * (k - 0.5), len(days)))
    xrp = days[days <= "2025-09-12"]
    prices["XRP-USD"] = frame(xrp, np.linspace(100, 150, len(xrp)))
    ada = days[days >= "2025-09-01"]
    prices["ADA-USD"] = frame(ada, np.linspace(100, 130, len(ada)))
    return prices


def test_configured_inputs_are_each_series_once_in_groups():
    inputs = configured_inputs(CONFIG)
    assert [t for t, _ in inputs][:8] == ["^RUT", "IWM", "SPY", "HYG", "IEF", "^VIX", "BTC-USD",
                                          "ETH-USD"]
    assert dict(inputs)["SOL-USD"] == "alt" and dict(inputs)["IJR"] == "flow ETF"
    assert len(inputs) == 8 + 5 + 1  # ETH is a role and an alt; IWM a role and a flow ETF


def test_an_input_counts_only_with_a_bar_on_the_as_of_date():
    prices = crafted_prices()
    unpriced = unpriced_finder(prices, CONFIG)
    friday = unpriced(dt.date(2025, 9, 19))
    assert friday == (Unpriced("XRP-USD", "alt", dt.date(2025, 9, 12)),
                      Unpriced("DOGE-USD", "alt", None))
    # before ADA's first bar it has no price yet (nothing from later dates is used)
    assert Unpriced("ADA-USD", "alt", None) in unpriced(dt.date(2025, 8, 29))
    # an equity series that ended the day before is not carried forward
    prices["SPY"] = prices["SPY"].iloc[:-1]
    assert Unpriced("SPY", "input", dt.date(2025, 9, 18)) in unpriced_finder(
        prices, CONFIG)(dt.date(2025, 9, 19))


def test_coverage_counts_of_a_week():
    prices = crafted_prices()
    e = pd.DatetimeIndex(prices["^RUT"].index)
    weeks = pd.DataFrame(index=pd.DatetimeIndex([pd.Timestamp("2025-09-19")], name="as_of"))
    row = compute_coverage(pd.DataFrame(index=e), weeks, prices, CONFIG).iloc[0]
    assert row["alts_configured"] == 6
    assert row["alts_priced"] == 4  # ETH, SOL, BNB, ADA (XRP ended, DOGE has no data)
    assert row["altseason_alts_counted"] == 3  # ADA lacks a close 90 days earlier
    # over the same 90 days: ETH falls, SOL follows BTC's path exactly (a tie does not
    # beat), BNB rises faster: one of the three beats Bitcoin
    assert row["altseason_alts_beat"] == 1
    assert row["alt_basket_alts_counted"] == 3


def test_unpriced_series_are_grouped_by_their_last_price():
    unpriced = (Unpriced("BTC-USD", "input", dt.date(2026, 1, 28)),
                Unpriced("ETH-USD", "input", dt.date(2026, 1, 28)),
                Unpriced("SOL-USD", "alt", dt.date(2025, 9, 29)),
                Unpriced("DOT-USD", "alt", None),
                Unpriced("ADA-USD", "alt", dt.date(2026, 1, 28)))
    assert unpriced_groups(unpriced) == [
        (dt.date(2026, 1, 28), ["BTC-USD", "ETH-USD", "ADA-USD"]),
        (dt.date(2025, 9, 29), ["SOL-USD"]),
        (None, ["DOT-USD"]),
    ]
    week = dataclasses.replace(issue(), unpriced=unpriced, inputs_configured=24)
    assert inputs_sentence(week) == (
        "5 of the 24 configured price series have no price on 19 September 2025: BTC-USD, "
        "ETH-USD and ADA-USD (last price 28 January 2026); SOL-USD (last price 29 September "
        "2025); DOT-USD (no price yet).")


def test_every_input_has_a_price_only_when_every_configured_series_does():
    full = dataclasses.replace(issue(), inputs_configured=24)
    assert full.every_input_priced
    assert inputs_sentence(full) == ("Every one of the 24 configured price series has a price "
                                     "on 19 September 2025.")
    one_alt = dataclasses.replace(full, unpriced=(Unpriced("XLM-USD", "alt",
                                                           dt.date(2025, 9, 18)),))
    assert not one_alt.every_input_priced
    assert "Every" not in inputs_sentence(one_alt)
    assert inputs_sentence(one_alt).startswith("1 of the 24 configured price series has no")


def test_altseason_names_how_many_alts_it_rests_on():
    week = issue(altseason_index=100.0, alts_configured=13.0, altseason_alts_counted=9.0,
                 altseason_alts_beat=9.0, btc_close=1.0)
    assert altseason_sentence(week) == (
        "Altseason: 9 of the 13 alts have prices on 19 September 2025 and 90 days earlier, "
        "and all 9 beat Bitcoin over those 90 days (100.0%); altseason means 75% or more.")
    mixed = issue(altseason_index=60.0, alts_configured=13.0, altseason_alts_counted=10.0,
                  altseason_alts_beat=6.0, btc_close=1.0)
    assert "10 of the 13 alts have prices" in altseason_sentence(mixed)
    assert "6 of the 10 beat Bitcoin" in altseason_sentence(mixed)
    all_in = issue(altseason_index=0.0, alts_configured=13.0, altseason_alts_counted=13.0,
                   altseason_alts_beat=0.0, btc_close=1.0)
    assert altseason_sentence(all_in).startswith(
        "Bitcoin season: all 13 alts have prices on 19 September 2025 and 90 days earlier, "
        "and none beat Bitcoin")
    few = issue(altseason_index=math.nan, alts_configured=13.0, altseason_alts_counted=4.0,
                altseason_alts_beat=3.0, btc_close=1.0)
    assert altseason_sentence(few) == (
        "The altseason index is n/a this week: only 4 of the 13 alts have prices on "
        "19 September 2025 and 90 days earlier, and it needs 5.")


# --- like-for-like changes ---------------------------------------------------------------


def test_a_component_leaving_gives_the_change_on_the_components_scored_both_weeks():
    # six components at 80 -> 70; Bitcoin trend scored last week (20) and not this week
    scores = {n: (70.0, 80.0) for n in ("rut_trend", "rut_drawdown", "smallcap_rs_13w",
                                        "credit_13w", "vix", "altseason_index")}
    scores["btc_trend"] = (math.nan, 20.0)
    now, before = 70.0, (80.0 * 6 + 20.0) / 7  # 71.43: the score rose 1.4 only on paper
    week = issue(now, "Risk-on", (before, "Risk-on"), scores=scores)
    lfl = week.like_for_like
    assert lfl is not None and lfl.left == ("Bitcoin trend",) and lfl.entered == ()
    assert lfl.common == 6 and lfl.score == pytest.approx(70.0)
    assert lfl.previous_score == pytest.approx(80.0)
    text = score_sentence(week)
    assert text == (
        "The risk-on score is 70.0 of 100 (Risk-on), the mean of 6 of the 7 components, down "
        "1.4 points from 71.4 last week, but that change is not like for like: Bitcoin trend "
        "was scored last week and not this week. On the 6 components scored in both weeks it "
        "went from 80.0 to 70.0, down 10.0 points. The band is unchanged.")


def test_a_band_change_caused_only_by_a_component_entering_is_called_that():
    # 2019-W06 in small: six components fall 2 points, altseason enters at 80
    scores = {n: (18.0, 20.0) for n in ("rut_trend", "rut_drawdown", "smallcap_rs_13w",
                                        "credit_13w", "vix", "btc_trend")}
    scores["altseason_index"] = (80.0, math.nan)
    now = (18.0 * 6 + 80.0) / 7  # 26.86: Risk-off
    text = score_sentence(issue(now, "Risk-off", (20.0, "Strong risk-off"), scores=scores))
    assert "up 6.8 points from 20.0 last week, but that change is not like for like" in text
    assert "Altcoin season was scored this week and not last week" in text
    assert "it went from 20.0 to 18.0, down 2.0 points" in text
    assert text.endswith("The band changed from Strong risk-off to Risk-off only because the "
                         "set of components changed: on the components scored in both weeks "
                         "it stayed Strong risk-off.")


def test_a_real_band_change_with_a_changed_set_is_not_excused():
    scores = {n: (60.0, 40.0) for n in ("rut_trend", "rut_drawdown", "smallcap_rs_13w",
                                        "credit_13w", "vix", "btc_trend")}
    scores["altseason_index"] = (60.0, math.nan)
    text = score_sentence(issue(60.0, "Risk-on", (40.0, "Risk-off"), scores=scores))
    assert text.endswith("The band changed from Risk-off to Risk-on.")


def test_same_components_both_weeks_is_like_for_like():
    week = issue(58.0, "Risk-on", (60.0, "Risk-on"))
    assert week.like_for_like is None
    assert "like for like" not in score_sentence(week)


# --- data caveats ------------------------------------------------------------------------


def test_total_return_closes_are_found_and_said():
    prices = crafted_prices()
    index = prices["SPY"].index
    prices["SPY"] = frame(index, np.linspace(100, 120, len(index)),
                          np.linspace(90, 120, len(index)))  # a real adj_close: not flagged
    flagged = total_return_etfs(prices, CONFIG)
    assert flagged == ("IWM", "HYG", "IEF", "IJR")
    text = total_return_caveat(flagged, CONFIG)
    assert "IWM, HYG, IEF and IJR have close equal to adj_close on every row" in text
    assert "breakouts on total-return closes" in text
    assert "IWM" not in total_return_caveat(("HYG",), CONFIG).split("HYG has")[1]
    assert total_return_caveat((), CONFIG) == ""
