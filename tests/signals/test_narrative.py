"""The generated opening sentences, on crafted weeks."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from generator.config import COMPONENTS
from generator.signals.core import SIGNAL_COLUMNS
from generator.signals.issues import COMPONENT_LABELS, COMPONENT_UNITS, Component, Issue, StaleInput
from generator.signals.narrative import (
    Context,
    altseason_sentence,
    compose,
    compute_contexts,
    correlation_sentence,
    moves_sentence,
    record_breaks,
    share_below_above,
)


def component(name: str, score: float, previous: float) -> Component:
    label, meaning = COMPONENT_LABELS[name]
    return Component(name, label, meaning, COMPONENT_UNITS[name], 0.0, score, previous, 1.0)


def issue(score=60.0, band="Risk-on", previous=(50.0, "Neutral"), scores=None, stale=(),
          **values) -> Issue:
    scores = scores or {}
    base = {c: math.nan for c in SIGNAL_COLUMNS}
    base.update(rut_close=2000.0, rut_record_level=2100.0, rut_drawdown=2000 / 2100 - 1,
                rut_record_week=False, rut_breakout_week=False, iwm_breakout_week=False,
                btc_rut_corr_90d=0.3, altseason_index=50.0, score=score, band=band)
    base.update(values)
    prev = None
    if previous is not None:
        prev = dict(base, score=previous[0], band=previous[1])
    comps = tuple(component(n, *scores.get(n, (50.0, 50.0))) for n in COMPONENTS)
    return Issue(week="2025-W38", as_of=dt.date(2025, 9, 19), values={"week": "2025-W38", **base},
                 previous=prev, components=comps, provisional=False, stale=tuple(stale))


# --- records and breakouts --------------------------------------------------------------


def base_then_breakout() -> pd.Series:
    """Business days: a record on day 1, a 69-day base, then two records in the last week."""
    days = pd.bdate_range("2025-06-02", periods=75)
    values = [100.0, 110.0] + [105.0] * 69 + [111.0, 112.0, 109.0, 108.0]
    return pd.Series(values, index=days)


def test_record_breaks_name_the_level_broken_and_how_long_it_stood():
    close = base_then_breakout()
    breaks = record_breaks(close, 63, "the Russell 2000")
    assert set(breaks) == {"2025-W23", "2025-W37"}
    b = breaks["2025-W37"]
    assert b.breakout and b.records_in_week == 2
    assert b.day == close.index[71].date() and b.close == 111.0
    assert b.previous_day == close.index[1].date() and b.previous_level == 110.0
    assert b.days_standing == 70
    first = breaks["2025-W23"]  # the first close is the level the first record breaks
    assert not first.breakout and first.previous_day == close.index[0].date()


def test_breakout_week_sentence():
    close = base_then_breakout()
    ctx = Context(rut_break=record_breaks(close, 63, "the Russell 2000")["2025-W37"])
    text = " ".join(compose(issue(rut_record_week=True, rut_breakout_week=True,
                                  rut_close=112.0), ctx))
    assert ("The Russell 2000 broke out: on 9 September 2025 it closed at 111.00, above its "
            "previous record of 110.00 from 3 June 2025, which had stood for 70 trading days "
            "(2 record closes this week).") in text


def test_iwm_only_breakout_and_no_rut_record():
    close = base_then_breakout()
    ctx = Context(iwm_break=record_breaks(close, 63, "IWM")["2025-W37"],
                  record_day=dt.date(2021, 11, 8))
    text = " ".join(compose(issue(iwm_breakout_week=True), ctx))
    assert ("No new record for the Russell 2000 this week: it closed at 2,000.00, 4.8% below its "
            "record of 2,100.00 from 8 November 2021.") in text
    assert "IWM broke out: on 9 September 2025" in text


# --- score, band, moves ---------------------------------------------------------------


def test_band_change_is_said():
    text = compose(issue(60.0, "Risk-on", (50.0, "Neutral")), Context())[0]
    assert text == ("The risk-on score is 60.0 of 100 (Risk-on), the mean of all 7 components, "
                    "up 10.0 points from 50.0 last week: the band changed from Neutral to "
                    "Risk-on.")


def test_same_band_and_first_issue():
    assert compose(issue(58.0, "Risk-on", (60.0, "Risk-on")), Context())[0].endswith(
        "down 2.0 points from 60.0 last week; the band is unchanged.")
    first = compose(issue(previous=None), Context())
    assert first[0].endswith("There is no score for the previous week to compare with.")
    assert not any("largest component" in s for s in first)


def test_two_largest_component_moves():
    scores = {"vix": (80.0, 60.0), "btc_trend": (30.0, 55.0), "rut_trend": (52.0, 50.0)}
    text = moves_sentence(issue(scores=scores))
    assert text == ("The largest component moves: Bitcoin trend −25.0 points (from 55.0 to "
                    "30.0) and Volatility (VIX) +20.0 points (from 60.0 to 80.0).")


# --- correlation, altseason, inputs ---------------------------------------------------


def test_correlation_rank_in_its_history():
    values = np.array([np.nan, 0.1, 0.2, 0.3, 0.4, 0.5])
    below, above, n = share_below_above(values, 4)
    assert (below, above, n) == (75.0, 0.0, 4)
    ctx = Context(corr_below=80.0, corr_above=15.0, corr_weeks=400,
                  corr_since=dt.date(2015, 1, 2))
    text = correlation_sentence(issue(btc_rut_corr_90d=0.45), ctx)
    assert text == ("Bitcoin's 90-day correlation with the Russell 2000 is +0.45, a moderate "
                    "positive link, higher than 80% of weeks since 2015.")
    low = Context(corr_below=5.0, corr_above=90.0, corr_weeks=400, corr_since=dt.date(2015, 1, 2))
    assert "lower than 90% of weeks since 2015" in correlation_sentence(
        issue(btc_rut_corr_90d=-0.6), low)
    assert "a strong negative link" in correlation_sentence(issue(btc_rut_corr_90d=-0.6), low)


def test_altseason_thresholds():
    # without the counts (a snapshot from before they were recorded)
    assert altseason_sentence(issue(altseason_index=75.0)).startswith(
        "Altseason: 75.0% of the alts with prices")
    assert altseason_sentence(issue(altseason_index=25.0)).startswith("Bitcoin season: 25.0%")
    assert altseason_sentence(issue(altseason_index=0.0)).startswith("Bitcoin season: none")
    assert altseason_sentence(issue(altseason_index=60.0)).startswith("Mixed")
    assert "n/a" in altseason_sentence(issue(altseason_index=math.nan))


def test_missing_input_is_named_with_its_last_date():
    scores = {"credit_13w": (math.nan, 40.0)}
    week = issue(scores=scores, stale=[StaleInput("HYG", dt.date(2025, 9, 12)),
                                       StaleInput("^VIX", None)])
    text = compose(week, Context())[-1]
    assert text == ("Stale or missing inputs: HYG (last price 12 September 2025), ^VIX (no data). "
                    "Not scored this week: Credit appetite.")
    # a snapshot without coverage only speaks of the score's inputs
    assert compose(issue(), Context())[-1] == ("Every input of the score has a price on "
                                               "19 September 2025.")


def test_compose_is_deterministic_and_contexts_cover_every_week():
    close = base_then_breakout()
    daily = pd.DataFrame({"rut_close": close})
    as_of = close.groupby(close.index.isocalendar().week.to_numpy()).tail(1).index
    weeks = pd.DataFrame({"week": [f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}"
                                   for d in as_of],
                          "btc_rut_corr_90d": np.linspace(-0.2, 0.5, len(as_of))}, index=as_of)
    contexts = compute_contexts(daily, weeks, 63)
    assert set(contexts) == set(weeks["week"])
    assert contexts["2025-W37"].rut_break.breakout
    assert contexts["2025-W37"].record_day == close.index[72].date()  # the standing record
    assert contexts["2025-W36"].record_day == close.index[1].date()
    assert compose(issue(), contexts["2025-W37"]) == compose(issue(), contexts["2025-W37"])


def test_an_iwm_breakout_on_total_return_closes_says_so():
    close = base_then_breakout()
    ctx = compute_contexts(pd.DataFrame({"rut_close": close}),
                           pd.DataFrame({"week": ["2025-W37"], "btc_rut_corr_90d": [0.1]},
                                        index=close.index[[74]]),
                           63, iwm_close=close, iwm_total_return=True)["2025-W37"]
    text = " ".join(compose(issue(iwm_breakout_week=True), ctx))
    assert "IWM broke out on total-return closes (its close in this data is dividend-adjusted" \
        in text
    plain = compute_contexts(pd.DataFrame({"rut_close": close}),
                             pd.DataFrame({"week": ["2025-W37"], "btc_rut_corr_90d": [0.1]},
                                          index=close.index[[74]]), 63, iwm_close=close)
    assert "total-return" not in " ".join(compose(issue(iwm_breakout_week=True),
                                                  plain["2025-W37"]))
