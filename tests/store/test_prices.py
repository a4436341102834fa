"""The price store: merge never loses history, writes are byte-stable and atomic."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from generator.errors import DataError
from generator.prices import empty_frame, format_price_csv, parse_price_csv
from generator.store.prices import (
    load_store,
    merge_prices,
    restatement_factors,
    write_store,
)


def frame(closes: list[float], start: str = "2024-01-01", adj: list[float] | None = None):
    """A price frame on business days from `start`."""
    index = pd.bdate_range(start, periods=len(closes), name="date").as_unit("ns")
    return pd.DataFrame(
        {
            "open": closes,
            "high": closes,
            "low": closes,
            "close": closes,
            "adj_close": adj if adj is not None else closes,
            "volume": [100.0] * len(closes),
        },
        index=index,
    ).astype("float64")


def test_merge_is_the_union_of_dates():
    old = frame([1.0, 2.0, 3.0])  # Jan 1-3
    new = frame([4.0, 5.0], start="2024-01-04")
    merged = merge_prices(old, new)
    assert merged["close"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert merged.index.is_monotonic_increasing and merged.index.is_unique


def test_merge_never_shortens_history():
    old = frame([float(i) for i in range(1, 21)])
    new = frame([19.0, 20.0, 21.0], start=str(old.index[-2].date()))
    merged = merge_prices(old, new)
    assert len(merged) == 21
    assert old.index.isin(merged.index).all()


def test_empty_fetch_keeps_history():
    old = frame([1.0, 2.0, 3.0])
    pd.testing.assert_frame_equal(merge_prices(old, empty_frame()), old, check_freq=False)


def test_partial_fetch_keeps_rows_it_does_not_have():
    old = frame([1.0, 2.0, 3.0, 4.0])
    new = frame([2.5], start="2024-01-02")
    merged = merge_prices(old, new)
    assert merged["close"].tolist() == [1.0, 2.5, 3.0, 4.0]


def test_overlap_update_new_row_wins():
    old = frame([1.0, 2.0, 3.0])
    new = frame([3.1, 4.0], start="2024-01-03")
    merged = merge_prices(old, new)
    assert merged["close"].tolist() == [1.0, 2.0, 3.1, 4.0]


def test_new_row_without_valid_close_never_replaces_a_stored_row():
    old = frame([1.0, 2.0, 3.0])
    new = frame([np.nan, 0.0, 3.5], start="2024-01-02")
    merged = merge_prices(old, new)
    assert merged["close"].tolist() == [1.0, 2.0, 3.0, 3.5]


def test_missing_cell_in_a_new_row_keeps_the_stored_value():
    old = frame([1.0, 2.0])
    new = frame([1.0, 2.1])
    new.loc[new.index[1], "volume"] = np.nan
    merged = merge_prices(old, new)
    assert merged["close"].tolist() == [1.0, 2.1]
    assert merged["volume"].tolist() == [100.0, 100.0]


def test_merge_into_nothing_is_the_new_frame():
    new = frame([1.0, 2.0])
    pd.testing.assert_frame_equal(merge_prices(empty_frame(), new), new, check_freq=False)


def test_dividend_restatement_rescales_older_adj_close():
    # Stored Jan 1-5; the new fetch (Jan 3-9) carries a new dividend: Yahoo lowered every
    # earlier adj_close by 1%. Older stored rows must move onto the same basis.
    old = frame([10.0, 10.0, 10.0, 10.0, 10.0])
    new = frame([10.0, 10.0, 10.0, 10.0, 10.0], start="2024-01-03",
                adj=[9.9, 9.9, 9.9, 10.0, 10.0])
    assert restatement_factors(old, new) == (1.0, pytest.approx(0.99))
    merged = merge_prices(old, new)
    assert merged["adj_close"].tolist() == pytest.approx([9.9] * 5 + [10.0, 10.0])
    assert merged["close"].tolist() == [10.0] * 7


def test_split_restatement_rescales_older_prices_and_volume():
    old = frame([100.0, 100.0, 100.0])
    new = frame([50.0, 50.0, 51.0], start="2024-01-02")  # a 2:1 split restated history
    merged = merge_prices(old, new)
    assert merged["close"].tolist() == [50.0, 50.0, 50.0, 51.0]
    assert merged["volume"].iloc[0] == 200.0


def test_a_one_day_correction_is_not_a_restatement():
    old = frame([10.0, 10.0, 10.0])
    new = frame([10.2, 10.0], start="2024-01-02")
    assert restatement_factors(old, new) == (1.0, 1.0)
    assert merge_prices(old, new)["close"].tolist() == [10.0, 10.2, 10.0]


def test_tiny_float_noise_is_not_a_restatement():
    old = frame([10.0, 10.0, 10.0])
    new = frame([10.0 * (1 + 1e-7)] * 2, start="2024-01-02")
    assert restatement_factors(old, new) == (1.0, 1.0)


def test_csv_round_trip_is_byte_stable(tmp_path):
    df = frame([245.12, 247.3, 0.1 + 0.2], adj=[244.71, 246.88, 1 / 3])
    df.loc[df.index[0], "open"] = np.nan
    write_store(tmp_path, {"^RUT": df})
    path = tmp_path / "_RUT.csv"
    first = path.read_bytes()
    loaded = load_store(tmp_path, ["^RUT"])["^RUT"]
    assert format_price_csv(loaded).encode() == first
    pd.testing.assert_frame_equal(loaded, parse_price_csv(first.decode()))
    assert loaded["adj_close"].iloc[2] == 1 / 3


def test_write_store_reports_changed_tickers_and_skips_unchanged_files(tmp_path):
    prices = {"IWM": frame([1.0, 2.0]), "SPY": frame([3.0, 4.0])}
    assert write_store(tmp_path, prices) == ["IWM", "SPY"]
    spy = tmp_path / "SPY.csv"
    os.utime(spy, ns=(1_000_000_000, 1_000_000_000))
    prices["IWM"] = merge_prices(prices["IWM"], frame([2.5], start="2024-01-03"))
    assert write_store(tmp_path, prices) == ["IWM"]
    assert spy.stat().st_mtime_ns == 1_000_000_000  # not rewritten
    assert sorted(p.name for p in tmp_path.iterdir()) == ["IWM.csv", "SPY.csv"]  # no temp left


def test_write_store_creates_the_folder(tmp_path):
    target = tmp_path / "data" / "prices"
    assert write_store(target, {"BTC-USD": frame([1.0])}) == ["BTC-USD"]
    assert (target / "BTC-USD.csv").read_text().startswith("date,open,high,low,close")


def test_load_store_skips_missing_files(tmp_path):
    write_store(tmp_path, {"IWM": frame([1.0])})
    prices = load_store(tmp_path, ["IWM", "^VIX"])
    assert list(prices) == ["IWM"]


@pytest.mark.parametrize(
    "text",
    [
        "date,open,high,low,close,adj_close,volume\n2024-01-01,1,1,1,oops,1,1\n"
        "2024-01-02,1,1,1,2,2,1\n",
        "date,close\n2024-13-45,1\n",
        "nonsense\n",
        "",
        "date,open,high,low,close,adj_close,volume\n2024-01-02,1,1,1,1,1,1\n"
        "2024-01-01,1,1,1,1,1,1\n",
        "date,open,high,low,close,adj_close,volume\n2024-01-01,1,1,1,1,1,1\n"
        "2024-01-01,1,1,1,1,1,1\n",
        "date,open,high,low,close,adj_close,volume\n2024-01-01,1,1,1,,1,1\n",
    ],
    ids=["text-in-close", "bad-date", "no-columns", "empty", "unsorted", "duplicate", "no-close"],
)
def test_corrupt_store_file_raises_data_error_naming_the_file(tmp_path, text):
    path = tmp_path / "_VIX.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="_VIX.csv"):
        load_store(tmp_path, ["^VIX"])


def _bars(closes: list[float], dates: list[str]) -> pd.DataFrame:
    index = pd.DatetimeIndex(dates, name="date").as_unit("ns")
    cols = {c: closes for c in ("open", "high", "low", "close", "adj_close")}
    return pd.DataFrame({**cols, "volume": [1.0] * len(closes)}, index=index)


def test_merge_checked_rejects_bad_fetched_rows_and_never_shortens_older_history():
    from generator.store.prices import merge_checked

    # stored: Fri 2024-03-08, a bar on Sat 9 (an older version kept it), Mon 11, Tue 12
    old = _bars([10.0, 10.0, 10.1, 10.2], ["2024-03-08", "2024-03-09", "2024-03-11",
                                             "2024-03-12"])
    # fetched: Tue 12 again, Wed 13, a 5x spike on Thu 14, Fri 15, and Good Friday 29 Mar
    new = _bars([10.2, 10.3, 51.5, 10.4, 10.5], ["2024-03-12", "2024-03-13", "2024-03-14",
                                                  "2024-03-15", "2024-03-29"])
    merged, warnings = merge_checked("IWM", old, new)
    days = [d.strftime("%Y-%m-%d") for d in merged.index]
    assert days == ["2024-03-08", "2024-03-09", "2024-03-11", "2024-03-12", "2024-03-13",
                    "2024-03-15"]  # the older Saturday row stays; the spike and holiday go
    text = " ".join(warnings)
    assert "2024-03-14" in text and "2024-03-29" in text and "kept in the store" in text


def test_merge_checked_drops_a_non_finite_row_wherever_it_is():
    from generator.store.prices import merge_checked

    old = _bars([10.0, np.inf, 10.1], ["2024-03-04", "2024-03-05", "2024-03-06"])
    new = _bars([10.1, 10.2], ["2024-03-06", "2024-03-07"])
    merged, warnings = merge_checked("IWM", old, new)
    assert np.isfinite(merged["close"]).all()
    assert pd.Timestamp("2024-03-05") not in merged.index
    assert any("non-finite" in w for w in warnings)


def test_write_store_refuses_a_non_finite_close(tmp_path):
    bad = _bars([10.0, np.inf], ["2024-03-04", "2024-03-05"])
    with pytest.raises(DataError, match="refusing to store IWM"):
        write_store(tmp_path, {"IWM": bad})
    assert not (tmp_path / "IWM.csv").exists()
