"""The cache's value files: every stage value round-trips exactly, and nothing runs on read."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path, PureWindowsPath

import numpy as np
import pandas as pd
import pytest

from generator.cache import codec
from generator.config import Config
from generator.evidence.study import compute_evidence
from generator.pipeline import reread, snapshot_of
from generator.signals.core import archive_weeks
from generator.signals.weekly import compute_weekly, enriched_issues
from generator.sources.sample import load_sample


def same(a, b) -> None:
    """Deep equality that also compares frames (dtype, index, freq) and NaN as equal."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_freq=True)
        assert a.index.freq == b.index.freq if isinstance(a.index, pd.DatetimeIndex) else True
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, check_freq=True)
    elif isinstance(a, pd.Index):
        pd.testing.assert_index_equal(a, b, exact=True)
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype
    elif dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            same(getattr(a, f.name), getattr(b, f.name))
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            same(x, y)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    elif a is pd.NaT:
        assert b is pd.NaT
    else:
        assert a == b


def roundtrip(value):
    return codec.loads(codec.dumps(value))


@pytest.mark.parametrize("value", [
    None, True, 3, -0.0, math.inf, math.nan, "x\u2212y", [1, (2, 3)], {("a", 4): 1.5, 2: None},
    dt.date(2026, 2, 20), dt.datetime(2026, 2, 20, 12, 30), pd.Timestamp("2026-02-20"),
    pd.Timestamp("2026-02-20 10:00", tz="UTC"), pd.NaT, np.float64(1.25), np.int64(7),
    np.bool_(True), np.datetime64("2026-02-20", "ns"), frozenset({"b", "a"}),
    pd.Series([1.0, np.nan], index=pd.date_range("2026-01-01", periods=2, name="date"), name="c"),
    pd.DataFrame({"a": [1, 2], "b": ["x", None], "c": [True, False]}, index=pd.Index(["p", "q"])),
    pd.DataFrame({"s": pd.array(["x", None], dtype="string"),
                  "i": pd.array([1, None], dtype="Int64")}),
    pd.DataFrame(), pd.DataFrame(index=pd.date_range("2026-01-02", periods=3, freq="W-FRI")),
    # One dtype: written as one 2-D block (numbers, dates, repeated column names).
    pd.DataFrame({"x": [1.5, np.nan, -0.0], "y": [2.0, 3.0, 4.0]},
                 index=pd.date_range("2026-01-02", periods=3, freq="W-FRI", name="as_of")),
    pd.DataFrame([[1, 2], [3, 4]], columns=["a", "a"]),
    pd.DataFrame({"d": pd.to_datetime(["2026-01-01", None]), "e": pd.to_datetime(["2026-02-01",
                  "2026-03-01"])}),
])
def test_plain_values_round_trip(value):
    same(value, roundtrip(value))


@pytest.fixture(scope="module")
def stage_values():
    config = Config(root=Path("."))
    prices = load_sample(config)
    weekly = compute_weekly(prices, config)
    archive = archive_weeks(weekly.weeks, config)
    issues = enriched_issues(archive.tail(12), weekly, config, prices)
    frozen = [reread(snapshot_of(i, config.weights, backfilled=True)) for i in issues[-3:]]
    return {"prices": prices, "weekly": weekly, "issues": issues, "frozen": frozen,
            "evidence": compute_evidence(archive, prices, config)}


@pytest.mark.parametrize("name", ["prices", "weekly", "issues", "frozen", "evidence"])
def test_every_stage_value_round_trips(stage_values, name):
    same(stage_values[name], roundtrip(stage_values[name]))


def test_reading_runs_no_code_and_refuses_foreign_classes():
    @dataclasses.dataclass
    class Local:
        x: int = 1
    with pytest.raises(codec.Unsupported):
        codec.dumps(Local())
    with pytest.raises(codec.Unsupported):
        codec.dumps(object())
    with pytest.raises(codec.Unsupported):
        codec.dumps(PureWindowsPath("x"))  # only this system's paths
    assert codec.loads(codec.dumps([Path("/a/b.md"), Path("c")])) == [Path("/a/b.md"), Path("c")]
    data = codec.dumps({"a": 1}).replace(b'"dict"', b'"eval!"')
    with pytest.raises(codec.Corrupt):
        codec.loads(data)
    forged = codec.dumps(0).replace(b"0", b'{"$":"dc","c":"os:system","f":{}}', 1)
    with pytest.raises(codec.Corrupt):
        codec.loads(forged)
    for junk in (b"", b"junk", b"\x80\x05N.", codec.MAGIC + b"\xff" * 8):
        with pytest.raises(codec.Corrupt):
            codec.loads(junk)


def test_a_block_that_does_not_fit_its_frame_is_corrupt():
    data = bytearray(codec.dumps(pd.DataFrame({"x": [1.0, 2.0], "y": [3.0, 4.0]})))
    data = bytes(data).replace(b'"v":[0,2,1]', b'"v":[0,3,1]')  # a RangeIndex one row longer
    with pytest.raises(codec.Corrupt):
        codec.loads(data)


def test_index_frequencies_round_trip_or_are_refused():
    weekly = pd.date_range("2020-01-03", periods=5, freq="W-FRI")
    back = codec.loads(codec.dumps(weekly))
    assert back.equals(weekly) and back.freq == weekly.freq
    # A custom business day's text ("C") loses its holidays: not written, never misread.
    custom = pd.bdate_range("2020-01-01", periods=5, freq="C", holidays=["2020-01-02"])
    with pytest.raises(codec.Unsupported):
        codec.dumps(custom)
