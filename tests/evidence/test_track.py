"""The score's track record on crafted weeks: groups, quintiles, windows, the CSV, words."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from generator.config import Config, Windows
from generator.evidence import track as track_module
from generator.evidence.stats import block_bootstrap_spearman
from generator.evidence.track import (
    TRACK_COLUMNS,
    compute_track_record,
    format_track_csv,
    score_quintiles,
    spearman_jobs,
    with_intervals,
)
from generator.evidence.track_text import track_sentence, track_verdict
from generator.prices import normalize_frame


def _frame(close: pd.Series) -> pd.DataFrame:
    return normalize_frame(pd.DataFrame({"close": close, "adj_close": close}))


def _config(tmp_path) -> Config:
    return Config(root=tmp_path, alts=("ETH-USD", "SOL-USD"),
                  windows=dataclasses.replace(Windows(), altseason_min_alts=2))


@pytest.fixture
def record(tmp_path):
    days = pd.date_range("2020-01-01", "2022-12-31")
    growth = pd.Series(np.exp(np.arange(len(days)) * 0.001) * 100, index=days)
    prices = {"^RUT": _frame(growth), "BTC-USD": _frame(growth * 2),
              "ETH-USD": _frame(growth * 0.1), "SOL-USD": _frame(growth * 0.01)}
    fridays = pd.date_range("2020-01-03", "2021-12-31", freq="W-FRI")
    scores = np.linspace(10, 90, len(fridays))
    published = pd.DataFrame({
        "week": [f"w{i}" for i in range(len(fridays))], "score": scores,
        "band": [""] * len(fridays),
    }, index=fridays)
    published.loc[fridays[0], "band"] = "Neutral"  # as published, even if the score disagrees
    published.loc[fridays[1], "score"] = math.nan  # no published score: left out
    return compute_track_record(published, prices, _config(tmp_path), resamples=200), fridays


def test_quintiles_split_ranked_scores_into_fifths_ties_by_date():
    q = score_quintiles(pd.Series([5.0, 1.0, 3.0, 3.0, 9.0, 7.0, 2.0, 8.0, 4.0, 6.0]))
    assert list(q) == ["Q3", "Q1", "Q2", "Q2", "Q5", "Q4", "Q1", "Q5", "Q3", "Q4"]
    assert list(score_quintiles(pd.Series([7.0] * 5))) == ["Q1", "Q2", "Q3", "Q4", "Q5"]


def test_groups_numbers_and_published_band(record):
    track, fridays = record
    weeks = track.weeks
    assert len(weeks) == len(fridays) - 1  # the week without a score is left out
    assert weeks["band"].iloc[0] == "Neutral"  # the published band is kept
    assert weeks["band"].iloc[-1] == "Strong risk-on"
    all13 = track.row("all", "All weeks", "^RUT", 13)
    # a steady +0.1% a day: every 13-week return is exp(0.091) - 1
    assert all13["median"] == pytest.approx(math.exp(0.091) - 1)
    assert all13["share_positive"] == 1.0
    assert all13["n"] == len(weeks)
    # windows from Fridays 0, 13, 26, ..., 104 (105 Fridays): the rest overlap one of them
    assert all13["independent_windows"] == len(range(0, len(fridays), 13)) == 9
    total = sum(track.row("quintile", q, "BTC-USD", 4)["n"] for q in ("Q1", "Q2", "Q3", "Q4",
                                                                       "Q5"))
    assert total == track.row("all", "All weeks", "BTC-USD", 4)["n"]
    bands = track.summary[(track.summary["grouping"] == "band")
                          & (track.summary["asset"] == "BTC-USD")
                          & (track.summary["horizon_weeks"] == 4)]
    assert bands["n"].sum() == total
    assert track.summary.loc[track.summary["grouping"] != "all", "spearman"].isna().all()


def test_spearman_is_positive_when_scores_lead_returns(tmp_path):
    days = pd.date_range("2020-01-01", "2023-12-31")
    rng = np.random.default_rng(2)
    daily = rng.normal(0, 0.01, len(days))
    close = pd.Series(100 * np.exp(np.cumsum(daily)), index=days)
    fridays = pd.date_range("2020-01-03", "2022-12-30", freq="W-FRI")
    ahead = np.array([close[f + pd.Timedelta(days=28)] / close[f] - 1 for f in fridays])
    published = pd.DataFrame({"week": [f"w{i}" for i in range(len(fridays))],
                              "score": 50 + 300 * ahead, "band": ""}, index=fridays)
    prices = {"^RUT": _frame(close), "BTC-USD": _frame(close), "ETH-USD": _frame(close),
              "SOL-USD": _frame(close)}
    track = compute_track_record(published, prices, _config(tmp_path), resamples=300)
    r = track.row("all", "All weeks", "^RUT", 4)
    assert r["spearman"] == pytest.approx(1.0)
    text = track_sentence(track, "^RUT")
    assert "higher scores were followed by higher 4-week returns" in text
    assert "not a forecast" in text


def test_csv_columns_and_exact_numbers(record):
    track, _ = record
    text = format_track_csv(track.summary)
    lines = text.splitlines()
    assert lines[0] == ",".join(TRACK_COLUMNS)
    first = dict(zip(TRACK_COLUMNS, lines[1].split(","), strict=True))
    assert first["grouping"] == "all" and first["group"] == "All weeks"
    assert float(first["median"]) == track.summary.iloc[0]["median"]
    assert "nan" not in text.lower()
    band = [line for line in lines if line.startswith("band,")][0].split(",")
    assert band[-3:] == ["", "", ""]  # no correlation on group rows


def test_verdict_never_claims_without_an_interval_excluding_zero(record):
    track, _ = record
    for sentence in track_verdict(track):
        assert "forecasts" not in sentence.replace("not evidence that the band forecasts", "")


def _recent_record(tmp_path):
    """Prices that end a week after the last published week: the newest weeks have no
    forward return yet; the scores wander (a correlation that is not ±1)."""
    days = pd.date_range("2020-01-01", "2022-01-07")
    t = np.arange(len(days))

    def wander(period: float, scale: float) -> pd.Series:
        return pd.Series(np.exp(t * 0.001 + np.sin(t / period) * 0.05) * scale, index=days)

    prices = {"^RUT": _frame(wander(9, 100)), "BTC-USD": _frame(wander(5, 200)),
              "ETH-USD": _frame(wander(7, 10)), "SOL-USD": _frame(wander(13, 1))}
    fridays = pd.date_range("2020-01-03", "2021-12-31", freq="W-FRI")
    scores = np.round(50 + 40 * np.sin(np.arange(len(fridays)) * 0.7), 1)
    published = pd.DataFrame({"week": [f"w{i}" for i in range(len(fridays))],
                              "score": scores, "band": [""] * len(fridays)}, index=fridays)
    return published, prices, _config(tmp_path)


def _intervals(jobs):
    return {key: block_bootstrap_spearman(x, y, block, resamples=200)
            for key, (x, y, block) in jobs.items()}


def test_intervals_made_from_the_frozen_weeks_alone_are_the_track_records_own(
        tmp_path, monkeypatch):
    published, prices, config = _recent_record(tmp_path)
    expected = compute_track_record(published, prices, config, resamples=200)
    # The newest week (not frozen yet) has no forward return: the frozen weeks give every
    # interval, and the record made with them computes none itself.
    jobs = spearman_jobs(published.iloc[:-1], prices, config, resamples=200)
    assert len(jobs) == 12
    known = _intervals(jobs)

    def no_bootstrap(*args, **kwargs):
        raise AssertionError("an interval computed again")

    monkeypatch.setattr(track_module, "block_bootstrap_spearman", no_bootstrap)
    partial = compute_track_record(published, prices, config, resamples=200, intervals=False)
    assert partial.summary[["spearman_low", "spearman_high"]].isna().all().all()
    pd.testing.assert_frame_equal(with_intervals(partial, known, resamples=200).summary,
                                  expected.summary, check_exact=True)
    assert np.isfinite(expected.summary["spearman_low"].iloc[:12]).all()


def test_an_interval_whose_pairs_differ_is_computed_again(tmp_path):
    published, prices, config = _recent_record(tmp_path)
    expected = compute_track_record(published, prices, config, resamples=200)
    changed = published.copy()
    changed.iloc[3, changed.columns.get_loc("score")] = 99.0  # not what was published
    known = _intervals(spearman_jobs(changed, prices, config, resamples=200))
    assert not set(known) & set(_intervals(spearman_jobs(published, prices, config,
                                                         resamples=200)))
    partial = compute_track_record(published, prices, config, resamples=200, intervals=False)
    pd.testing.assert_frame_equal(with_intervals(partial, known, resamples=200).summary,
                                  expected.summary, check_exact=True)
