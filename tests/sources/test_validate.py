"""validate.quarantine: each repair and each rejection, on small hand-made frames."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from generator.prices import COLUMNS, MISSING, UNCONFIRMED, BarProblem
from generator.sources.validate import (
    MalformedFrame,
    describe,
    is_crypto,
    quarantine,
    spike_mask,
    spike_ratio,
    stale_run_limit,
    staleness_days,
    validate_prices,
)

START = "2024-03-04"  # a Monday; the next two weeks hold no NYSE holiday


def frame(
    closes: list[float], dates: list[str] | None = None, **extra: list[float]
) -> pd.DataFrame:
    """A price frame on business days from Mon 2024-03-04 (or the given dates)."""
    index = pd.DatetimeIndex(dates or pd.bdate_range(START, periods=len(closes)))
    data = {c: closes for c in ("open", "high", "low", "close", "adj_close")}
    data["volume"] = [1000.0] * len(closes)
    data.update(extra)
    return pd.DataFrame(data, index=index)


def days(df: pd.DataFrame) -> list[str]:
    return [d.strftime("%Y-%m-%d") for d in df.index]


def rules(problems: list[BarProblem]) -> list[tuple[str, str, str]]:
    """(ticker, rule, first date) of each problem but the missing sessions."""
    return [(p.ticker, p.rule, p.first.isoformat()) for p in problems if p.rule != MISSING]


def test_clean_frame_passes_unchanged_without_warnings():
    out, warnings, problems = quarantine("IWM", frame([10.0, 10.5, 10.2]))
    assert warnings == [] and problems == []
    assert list(out.columns) == list(COLUMNS)
    assert out.index.name == "date"
    assert out["close"].tolist() == [10.0, 10.5, 10.2]


def test_unsorted_rows_are_sorted_silently():
    df = frame([10.3, 10.1, 10.2], ["2024-03-06", "2024-03-04", "2024-03-05"])
    out, warnings = validate_prices("IWM", df)
    assert days(out) == ["2024-03-04", "2024-03-05", "2024-03-06"]
    assert out["close"].tolist() == [10.1, 10.2, 10.3]
    assert warnings == []


def test_conflicting_duplicates_are_both_rejected_and_named():
    df = frame([10.0, 10.2, 10.71, 10.3], ["2024-03-04", "2024-03-05", "2024-03-05", "2024-03-06"])
    out, warnings, problems = quarantine("IWM", df)
    assert days(out) == ["2024-03-04", "2024-03-06"]
    assert rules(problems) == [("IWM", "conflicting-duplicate", "2024-03-05")]
    assert warnings == ["IWM: rejected 1 bar with conflicting duplicate rows for one date: "
                        "2024-03-05"]


def test_identical_duplicates_are_merged_with_a_warning_only():
    df = frame([10.0, 10.2, 10.2, 10.3], ["2024-03-04", "2024-03-05", "2024-03-05", "2024-03-06"])
    out, warnings, problems = quarantine("IWM", df)
    assert days(out) == ["2024-03-04", "2024-03-05", "2024-03-06"]
    assert problems == []
    assert warnings == ["IWM: merged identical duplicate rows for 2024-03-05"]


def test_nan_closes_are_rejected_and_named():
    out, warnings, problems = quarantine("SPY", frame([1.0, np.nan, 1.2]))
    assert days(out) == ["2024-03-04", "2024-03-06"]
    assert warnings == ["SPY: rejected 1 bar with no close: 2024-03-05"]
    assert rules(problems) == [("SPY", "no-close", "2024-03-05")]


@pytest.mark.parametrize("ticker", ["^RUT", "BTC-USD"])
@pytest.mark.parametrize("column", ["close", "adj_close"])
@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_an_infinite_close_is_rejected_on_any_asset(ticker, column, bad):
    df = frame([1.0, 1.1, 1.2, 1.15])
    df.loc[df.index[1], column] = bad
    out, warnings, problems = quarantine(ticker, df)
    assert days(out) == ["2024-03-04", "2024-03-06", "2024-03-07"]
    assert np.isfinite(out.to_numpy(dtype=float)[:, :5]).all()
    assert rules(problems) == [(ticker, "non-finite", "2024-03-05")]


def test_an_infinite_close_on_the_last_bar_is_rejected():
    out, _, problems = quarantine("^RUT", frame([1.0, 1.1, np.inf]))
    assert days(out) == ["2024-03-04", "2024-03-05"]
    assert rules(problems) == [("^RUT", "non-finite", "2024-03-06")]


def test_infinite_open_or_volume_is_blanked_and_the_close_kept():
    df = frame([1.0, 1.1], open=[np.inf, 1.05], volume=[1.0, np.inf])
    out, warnings, problems = quarantine("IWM", df)
    assert len(out) == 2 and problems == []
    assert np.isnan(out["open"].iloc[0]) and np.isnan(out["volume"].iloc[1])
    assert warnings == ["IWM: blanked infinite open/volume on 2024-03-04, 2024-03-05"]


def test_tz_aware_index_becomes_naive_exchange_dates_at_midnight():
    stamps = pd.DatetimeIndex(
        ["2025-10-30 09:30", "2025-10-31 09:30", "2025-11-03 09:30"], tz="America/New_York"
    )
    df = frame([1.0, 1.1, 1.2], list(stamps.tz_convert("UTC")))
    df.index = df.index.tz_convert("America/New_York")
    out, warnings = validate_prices("IWM", df)
    assert out.index.tz is None
    assert days(out) == ["2025-10-30", "2025-10-31", "2025-11-03"]
    assert (out.index == out.index.normalize()).all()
    assert warnings == []


def test_intraday_times_are_normalized_to_midnight():
    df = frame([1.0, 1.01], ["2024-03-04 16:00", "2024-03-05 16:00"])
    out, _ = validate_prices("IWM", df)
    assert days(out) == ["2024-03-04", "2024-03-05"]
    assert (out.index.hour == 0).all()


def test_mixed_time_zones_in_the_index_are_a_malformed_frame():
    index = pd.Index([pd.Timestamp("2024-03-04 09:30", tz="America/New_York"),
                      pd.Timestamp("2024-03-05 00:00", tz="UTC")], dtype=object)
    df = frame([1.0, 1.01])
    df.index = index
    with pytest.raises(MalformedFrame, match="IWM: dates in 2 time zones"):
        quarantine("IWM", df)


def test_repeated_adjusted_close_columns_are_a_malformed_frame():
    df = frame([1.0, 1.01])
    df.insert(0, "adj_close", [1.0, 1.02], allow_duplicates=True)
    with pytest.raises(MalformedFrame, match="IWM: repeated column"):
        quarantine("IWM", df)


@pytest.mark.parametrize("column", ["close", "adj_close"])
@pytest.mark.parametrize("bad", [0.0, -5.0])
def test_non_positive_close_or_adj_close_rejects_the_row(column, bad):
    df = frame([1.0, 1.1, 1.2])
    df.loc[df.index[1], column] = bad
    out, warnings, problems = quarantine("HYG", df)
    assert days(out) == ["2024-03-04", "2024-03-06"]
    assert warnings == ["HYG: rejected 1 bar with a non-positive close or adj_close: 2024-03-05"]
    assert rules(problems) == [("HYG", "non-positive", "2024-03-05")]


def test_non_positive_open_is_blanked_but_the_close_kept():
    df = frame([1.0, 1.1], open=[0.0, 1.05])
    out, warnings = validate_prices("^RUT", df)
    assert len(out) == 2
    assert np.isnan(out["open"].iloc[0]) and out["close"].iloc[0] == 1.0
    assert warnings == ["^RUT: blanked non-positive open on 2024-03-04"]


def test_weekend_rows_are_rejected_for_equities():
    # Fri 2024-03-08, Sat 09, Sun 10, Mon 11
    df = frame([1.0, 1.01, 1.02, 1.03], ["2024-03-08", "2024-03-09", "2024-03-10", "2024-03-11"])
    out, warnings, problems = quarantine("^RUT", df)
    assert days(out) == ["2024-03-08", "2024-03-11"]
    assert warnings == ["^RUT: rejected 2 bars dated on a day the NYSE was closed: "
                        "2024-03-09, 2024-03-10"]
    assert [p.rule for p in problems] == ["closed-day", "closed-day"]


@pytest.mark.parametrize("holiday", ["2024-03-29", "2024-07-04", "2025-01-09", "2018-12-05"])
def test_a_bar_on_an_nyse_holiday_is_rejected(holiday):
    # Good Friday, Independence Day, the days of mourning for Carter and Bush
    day = pd.Timestamp(holiday)
    dates = [day - pd.Timedelta(days=7), day, day + pd.Timedelta(days=7)]
    out, _, problems = quarantine("IWM", frame([1.0, 1.0, 1.01], [str(d) for d in dates]))
    assert rules(problems) == [("IWM", "closed-day", holiday)]
    assert pd.Timestamp(holiday) not in out.index


def test_missing_sessions_are_named_not_rejected():
    # Mon 4 .. Fri 15 March 2024 with Wed 6 and Thu 7..Fri 8 missing; crypto has none
    dates = ["2024-03-04", "2024-03-05", "2024-03-11", "2024-03-12", "2024-03-15"]
    out, warnings, problems = quarantine("^RUT", frame([1.0, 1.01, 1.02, 1.03, 1.04], dates))
    assert len(out) == 5
    missing = [(p.first.isoformat(), p.last.isoformat(), p.count) for p in problems]
    assert missing == [("2024-03-06", "2024-03-08", 3), ("2024-03-13", "2024-03-14", 2)]
    assert all(p.rule == MISSING and not p.rejected for p in problems)
    assert warnings == ["^RUT: no bar for 5 NYSE session(s): 2024-03-06, 2024-03-07, "
                        "2024-03-08, 2024-03-13, 2024-03-14"]
    _, _, problems = quarantine("BTC-USD", frame([1.0, 1.01, 1.02, 1.03, 1.04], dates))
    assert problems == []


def test_weekend_and_holiday_rows_are_kept_for_crypto():
    df = frame([1.0, 1.01, 1.02, 1.03], ["2024-03-29", "2024-03-30", "2024-03-31", "2024-04-01"])
    out, warnings, problems = quarantine("BTC-USD", df)
    assert len(out) == 4 and warnings == [] and problems == []


def test_a_forward_filled_run_keeps_its_first_bar_and_rejects_the_repeats():
    closes = [10.0, 10.1] + [10.2] * 10 + [10.3]
    out, warnings, problems = quarantine("SPY", frame(closes))
    assert out["close"].tolist() == [10.0, 10.1, 10.2, 10.3]
    assert len(problems) == 1
    p = problems[0]
    assert (p.rule, p.count, p.first.isoformat(), p.last.isoformat()) == (
        "stale-run", 9, "2024-03-07", "2024-03-19")
    assert "repeating an unchanged close" in warnings[0]


@pytest.mark.parametrize("ticker", ["HYG", "^VIX", "BTC-USD"])
def test_a_run_as_long_as_the_asset_allows_is_kept(ticker):
    n = stale_run_limit(ticker)
    closes = [10.0] + [10.5] * n + [10.4]
    out, _, problems = quarantine(ticker, frame(closes))
    assert problems == [] and len(out) == len(closes)
    out, _, problems = quarantine(ticker, frame([10.0] + [10.5] * (n + 1) + [10.4]))
    assert [p.rule for p in problems] == ["stale-run"] and problems[0].count == n


def test_stale_run_limits():
    assert stale_run_limit("HYG") == 4 and stale_run_limit("^RUT") == 4
    assert stale_run_limit("BTC-USD") == 3


@pytest.mark.parametrize("ticker,closes", [
    ("IWM", [100.0, 101.0, 10100.0, 102.0, 103.0]),
    ("^RUT", [2000.0, 2010.0, 10050.0, 2020.0, 2030.0]),  # a 5x up-and-back bar
    ("BTC-USD", [90000.0, 91000.0, 9100000.0, 92000.0, 93000.0]),  # crypto too
    ("SOL-USD", [100.0, 101.0, 404.0, 102.0, 103.0]),
])
def test_an_up_and_back_spike_is_rejected_on_any_asset(ticker, closes):
    out, warnings, problems = quarantine(ticker, frame(closes))
    assert out["close"].tolist() == closes[:2] + closes[3:]
    assert rules(problems) == [(ticker, "spike", "2024-03-06")]
    assert problems[0].ratio == pytest.approx(closes[2] / closes[3])
    assert warnings[0] == f"{ticker}: rejected 1 bar with a one-day spike (up and back): 2024-03-06"


def test_isolated_downward_spike_is_rejected_too():
    out, warnings, problems = quarantine("SPY", frame([100.0, 101.0, 1.01, 102.0]))
    assert out["close"].tolist() == [100.0, 101.0, 102.0]
    assert rules(problems) == [("SPY", "spike", "2024-03-06")]


def test_a_lasting_jump_is_not_a_spike_but_is_flagged():
    out, warnings, problems = quarantine("IWM", frame([10.0, 100.0, 101.0]))
    assert len(out) == 3 and problems == []
    assert warnings == ["IWM: close moved +900% in one day on 2024-03-05 (kept; please check)"]


def test_spike_thresholds_per_asset():
    assert spike_ratio("^RUT") == 1.5 and spike_ratio("IWM") == 1.5
    assert spike_ratio("^VIX") == 2.0 and spike_ratio("BTC-USD") == 2.0
    assert spike_ratio("ETH-USD") == 2.0 and spike_ratio("DOGE-USD") == 3.0
    assert spike_mask(pd.Series([1.0, 1.5, 1.0])).tolist() == [False, True, False]
    assert spike_mask(pd.Series([1.0, 1.49, 1.0])).tolist() == [False, False, False]
    assert spike_mask(pd.Series([1.0, 1.5, 1.0]), 2.0).tolist() == [False, False, False]
    assert spike_mask(pd.Series([1.0, 10.0])).tolist() == [False, False]


def test_real_vix_and_alt_moves_are_not_spikes():
    # ^VIX 5 Aug 2024 (23.39 -> 38.57 -> 27.71), DOGE 28 Jan 2021 (+356%, then held)
    _, _, problems = quarantine("^VIX", frame([23.39, 38.57, 27.71]))
    assert problems == []
    _, _, problems = quarantine("DOGE-USD", frame([0.0075, 0.0342, 0.0375, 0.0313]))
    assert problems == []


def test_a_large_move_on_the_newest_bar_is_kept_unconfirmed():
    closes = [2000.0, 2010.0, 201000.0]  # ^RUT 100x too high on the last bar
    out, warnings, problems = quarantine("^RUT", frame(closes))
    assert out["close"].tolist() == closes
    assert rules(problems) == [("^RUT", UNCONFIRMED, "2024-03-06")]
    assert not problems[0].rejected and problems[0].ratio == pytest.approx(100.0)
    assert "kept as unconfirmed" in describe(problems[0])


def test_the_next_bar_that_reverts_turns_an_unconfirmed_bar_into_a_spike():
    out, _, problems = quarantine("^RUT", frame([2000.0, 2010.0, 201000.0, 2015.0]))
    assert out["close"].tolist() == [2000.0, 2010.0, 2015.0]
    assert rules(problems) == [("^RUT", "spike", "2024-03-06")]


def test_the_next_bar_that_holds_confirms_the_move():
    _, _, problems = quarantine("IWM", frame([100.0, 101.0, 40.0, 41.0]))
    assert problems == []


def test_moves_above_50_percent_are_flagged_and_kept():
    out, warnings, problems = quarantine("IWM", frame([100.0, 151.0, 150.0, 74.0, 75.0]))
    assert len(out) == 5 and problems == []
    assert warnings == [
        "IWM: close moved +51% in one day on 2024-03-05 (kept; please check)",
        "IWM: close moved -51% in one day on 2024-03-07 (kept; please check)",
    ]


def test_vix_moves_are_not_flagged():
    out, warnings = validate_prices("^VIX", frame([15.0, 38.0, 37.0]))
    assert len(out) == 3 and warnings == []


def test_missing_adj_close_is_filled_from_close():
    df = frame([1.0, 1.25]).drop(columns="adj_close")
    out, warnings = validate_prices("^RUT", df)
    assert out["adj_close"].tolist() == [1.0, 1.25]
    assert warnings == ["^RUT: no adj_close, using close instead (dividends not included)"]


def test_rows_after_today_are_dropped():
    out, warnings = validate_prices("IWM", frame([1.0, 1.01, 1.02]), today=dt.date(2024, 3, 5))
    assert days(out) == ["2024-03-04", "2024-03-05"]
    assert warnings == ["IWM: dropped 1 row dated after 2024-03-05: 2024-03-06"]


def test_empty_frame_gives_an_empty_price_frame():
    out, warnings, problems = quarantine("IWM", pd.DataFrame())
    assert out.empty and list(out.columns) == list(COLUMNS)
    assert warnings == [] and problems == []


def test_single_row_is_kept():
    out, warnings = validate_prices("IWM", frame([5.0]))
    assert len(out) == 1 and warnings == []


def test_long_date_lists_are_shortened():
    _, warnings = validate_prices("IWM", frame([np.nan] * 8 + [1.0]))
    assert warnings[0].endswith("and 3 more")


def test_input_frame_is_not_modified():
    df = frame([3.0, 3.1], ["2024-03-05", "2024-03-04"])
    before = df.copy()
    validate_prices("IWM", df)
    pd.testing.assert_frame_equal(df, before)


def test_problems_survive_their_plain_form():
    _, _, problems = quarantine("^RUT", frame([2000.0, 2010.0, np.inf, 2015.0, 201500.0]))
    plain = [p.to_plain() for p in problems]
    assert [BarProblem.from_plain(p).to_plain() for p in plain] == plain
    assert [p["rule"] for p in plain] == ["non-finite", UNCONFIRMED]


def test_staleness_days():
    df = frame([1.0, 1.0], ["2024-01-01", "2024-01-05"])
    assert staleness_days(df, dt.date(2024, 1, 5)) == 0
    assert staleness_days(df, dt.date(2024, 1, 12)) == 7
    assert staleness_days(df.iloc[:0], dt.date(2024, 1, 12)) is None


def test_is_crypto():
    assert is_crypto("BTC-USD") and is_crypto("eth-usd")
    assert not is_crypto("^RUT") and not is_crypto("IWM")
