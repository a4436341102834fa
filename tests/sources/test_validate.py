"""validate_prices: each repair and each rejection, on small hand-made frames."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from generator.prices import COLUMNS
from generator.sources.validate import is_crypto, spike_mask, staleness_days, validate_prices


def frame(
    closes: list[float], dates: list[str] | None = None, **extra: list[float]
) -> pd.DataFrame:
    """A price frame on business days from Mon 2024-01-01 (or the given dates)."""
    index = pd.DatetimeIndex(dates or pd.bdate_range("2024-01-01", periods=len(closes)))
    data = {c: closes for c in ("open", "high", "low", "close", "adj_close")}
    data["volume"] = [1000.0] * len(closes)
    data.update(extra)
    return pd.DataFrame(data, index=index)


def days(df: pd.DataFrame) -> list[str]:
    return [d.strftime("%Y-%m-%d") for d in df.index]


def test_clean_frame_passes_unchanged_without_warnings():
    df = frame([10.0, 10.5, 10.2])
    out, warnings = validate_prices("IWM", df)
    assert warnings == []
    assert list(out.columns) == list(COLUMNS)
    assert out.index.name == "date"
    assert out["close"].tolist() == [10.0, 10.5, 10.2]


def test_unsorted_rows_are_sorted_silently():
    df = frame([10.3, 10.1, 10.2], ["2024-01-03", "2024-01-01", "2024-01-02"])
    out, warnings = validate_prices("IWM", df)
    assert days(out) == ["2024-01-01", "2024-01-02", "2024-01-03"]
    assert out["close"].tolist() == [10.1, 10.2, 10.3]
    assert warnings == []


def test_duplicate_dates_keep_the_last_row_with_a_warning():
    df = frame([10.0, 10.2, 10.25, 10.3], ["2024-01-01", "2024-01-02", "2024-01-02", "2024-01-03"])
    out, warnings = validate_prices("IWM", df)
    assert days(out) == ["2024-01-01", "2024-01-02", "2024-01-03"]
    assert out.loc["2024-01-02", "close"] == 10.25
    assert len(warnings) == 1
    assert "IWM" in warnings[0] and "2024-01-02" in warnings[0]


def test_nan_closes_are_dropped_and_named():
    df = frame([1.0, np.nan, 1.2])
    out, warnings = validate_prices("SPY", df)
    assert days(out) == ["2024-01-01", "2024-01-03"]
    assert warnings == ["SPY: dropped 1 row with no close: 2024-01-02"]


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
    df = frame([1.0, 2.0], ["2024-01-01 16:00", "2024-01-02 16:00"])
    out, _ = validate_prices("IWM", df)
    assert days(out) == ["2024-01-01", "2024-01-02"]
    assert (out.index.hour == 0).all()


@pytest.mark.parametrize("column", ["close", "adj_close"])
@pytest.mark.parametrize("bad", [0.0, -5.0])
def test_non_positive_close_or_adj_close_rejects_the_row(column, bad):
    df = frame([1.0, 1.1, 1.2])
    df.loc[df.index[1], column] = bad
    out, warnings = validate_prices("HYG", df)
    assert days(out) == ["2024-01-01", "2024-01-03"]
    assert len(warnings) == 1
    assert warnings[0].startswith("HYG: dropped 1 row with a non-positive")
    assert "2024-01-02" in warnings[0]


def test_non_positive_open_is_blanked_but_the_close_kept():
    df = frame([1.0, 1.1], open=[0.0, 1.05])
    out, warnings = validate_prices("^RUT", df)
    assert len(out) == 2
    assert np.isnan(out["open"].iloc[0]) and out["close"].iloc[0] == 1.0
    assert warnings == ["^RUT: blanked non-positive open/high/low on 2024-01-01"]


def test_weekend_rows_are_dropped_for_equities():
    # Fri 2024-01-05, Sat 06, Sun 07, Mon 08
    df = frame([1.0, 1.0, 1.0, 1.0], ["2024-01-05", "2024-01-06", "2024-01-07", "2024-01-08"])
    out, warnings = validate_prices("^RUT", df)
    assert days(out) == ["2024-01-05", "2024-01-08"]
    assert warnings == ["^RUT: dropped 2 rows dated on a weekend: 2024-01-06, 2024-01-07"]


def test_weekend_rows_are_kept_for_crypto():
    df = frame([1.0, 1.0, 1.0, 1.0], ["2024-01-05", "2024-01-06", "2024-01-07", "2024-01-08"])
    out, warnings = validate_prices("BTC-USD", df)
    assert len(out) == 4
    assert warnings == []


def test_isolated_100x_spike_is_rejected():
    df = frame([100.0, 101.0, 10100.0, 102.0, 103.0])
    out, warnings = validate_prices("IWM", df)
    assert out["close"].tolist() == [100.0, 101.0, 102.0, 103.0]
    assert warnings == ["IWM: dropped 1 row with a one-day spike: 2024-01-03"]


def test_isolated_downward_spike_is_rejected_too():
    df = frame([100.0, 101.0, 1.01, 102.0])
    out, warnings = validate_prices("SPY", df)
    assert out["close"].tolist() == [100.0, 101.0, 102.0]
    assert len(warnings) == 1 and "2024-01-03" in warnings[0]


def test_a_lasting_10x_jump_is_not_a_spike_but_is_flagged():
    df = frame([10.0, 100.0, 101.0])
    out, warnings = validate_prices("IWM", df)
    assert len(out) == 3
    assert warnings == ["IWM: close moved +900% in one day on 2024-01-02 (kept; please check)"]


def test_spike_mask_thresholds():
    assert spike_mask(pd.Series([1.0, 10.0, 1.0])).tolist() == [False, True, False]
    assert spike_mask(pd.Series([1.0, 9.9, 1.0])).tolist() == [False, False, False]
    assert spike_mask(pd.Series([1.0, 10.0])).tolist() == [False, False]


def test_moves_above_50_percent_are_flagged_and_kept():
    df = frame([100.0, 151.0, 150.0, 74.0])
    out, warnings = validate_prices("IWM", df)
    assert len(out) == 4
    assert warnings == [
        "IWM: close moved +51% in one day on 2024-01-02 (kept; please check)",
        "IWM: close moved -51% in one day on 2024-01-04 (kept; please check)",
    ]


def test_a_move_of_exactly_50_percent_is_not_flagged():
    out, warnings = validate_prices("IWM", frame([100.0, 150.0, 75.0]))
    assert warnings == []


def test_vix_spikes_are_not_flagged():
    out, warnings = validate_prices("^VIX", frame([15.0, 38.0, 20.0]))
    assert len(out) == 3
    assert warnings == []


def test_crypto_moves_are_not_flagged():
    out, warnings = validate_prices("DOGE-USD", frame([0.1, 0.2, 0.1]))
    assert warnings == []


def test_missing_adj_close_is_filled_from_close():
    df = frame([1.0, 1.25]).drop(columns="adj_close")
    out, warnings = validate_prices("^RUT", df)
    assert out["adj_close"].tolist() == [1.0, 1.25]
    assert warnings == ["^RUT: no adj_close, using close instead (dividends not included)"]


def test_all_nan_adj_close_is_filled_from_close():
    df = frame([1.0, 1.25], adj_close=[np.nan, np.nan])
    out, warnings = validate_prices("IWM", df)
    assert out["adj_close"].tolist() == [1.0, 1.25]
    assert len(warnings) == 1


def test_rows_after_today_are_dropped():
    df = frame([1.0, 1.0, 1.0])
    out, warnings = validate_prices("IWM", df, today=dt.date(2024, 1, 2))
    assert days(out) == ["2024-01-01", "2024-01-02"]
    assert warnings == ["IWM: dropped 1 row dated after 2024-01-02: 2024-01-03"]


def test_empty_frame_gives_an_empty_price_frame():
    out, warnings = validate_prices("IWM", pd.DataFrame())
    assert out.empty and list(out.columns) == list(COLUMNS)
    assert warnings == []


def test_single_row_is_kept():
    out, warnings = validate_prices("IWM", frame([5.0]))
    assert len(out) == 1 and warnings == []


def test_long_date_lists_are_shortened():
    df = frame([np.nan] * 8 + [1.0])
    _, warnings = validate_prices("IWM", df)
    assert warnings[0].endswith("and 3 more")


def test_input_frame_is_not_modified():
    df = frame([3.0, 1.0], ["2024-01-02", "2024-01-01"])
    before = df.copy()
    validate_prices("IWM", df)
    pd.testing.assert_frame_equal(df, before)


def test_staleness_days():
    df = frame([1.0, 1.0], ["2024-01-01", "2024-01-05"])
    assert staleness_days(df, dt.date(2024, 1, 5)) == 0
    assert staleness_days(df, dt.date(2024, 1, 12)) == 7
    assert staleness_days(df.iloc[:0], dt.date(2024, 1, 12)) is None


def test_is_crypto():
    assert is_crypto("BTC-USD") and is_crypto("eth-usd")
    assert not is_crypto("^RUT") and not is_crypto("IWM")
