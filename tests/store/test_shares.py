"""Shares outstanding: Yahoo's reply shapes through a fake getter, and the never-shorter store."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from generator.config import Config
from generator.errors import DataError
from generator.sources.yahoo import SHARES_START, fetch_shares, fetch_shares_into_store
from generator.store.shares import (
    format_shares_csv,
    load_shares,
    merge_shares,
    normalize_shares,
    parse_shares_csv,
    write_shares,
)


def tz_series(rows: list[tuple[str, float]]) -> pd.Series:
    """What `get_shares_full` returns: a tz-aware index, several rows a day possible."""
    index = pd.DatetimeIndex([pd.Timestamp(t) for t, _ in rows]).tz_localize("America/New_York")
    return pd.Series([v for _, v in rows], index=index)


def daily_shares(rows: dict[str, float]) -> pd.Series:
    return normalize_shares(pd.Series(list(rows.values()), index=pd.to_datetime(list(rows))))


def test_normalize_keeps_the_last_report_of_each_local_day_and_drops_bad_values():
    raw = tz_series([("2025-03-03 09:30", 100.0), ("2025-03-03 16:00", 105.0),
                     ("2025-03-04 23:30", 0.0), ("2025-03-05 00:10", 107.0)])
    out = normalize_shares(raw)
    assert list(out.index.strftime("%Y-%m-%d")) == ["2025-03-03", "2025-03-05"]
    assert list(out) == [105.0, 107.0]
    assert out.index.tz is None
    assert normalize_shares(None).empty


class FakeShares:
    """Replies per ticker: a Series, None, or an exception to raise; records the starts."""

    def __init__(self, replies: dict[str, object]) -> None:
        self.replies = replies
        self.starts: dict[str, dt.date] = {}

    def __call__(self, ticker: str, start: dt.date):
        self.starts[ticker] = start
        reply = self.replies.get(ticker)
        if isinstance(reply, Exception):
            raise reply
        return reply


def test_fetch_shares_sorts_every_outcome_into_shares_or_failures(tmp_path):
    fake = FakeShares({
        "IWM": tz_series([("2025-03-03 16:00", 1e8), ("2025-03-03 17:00", 1.01e8)]),
        "IJR": None,
        "VB": KeyError("timeseries"),
        "VTWO": tz_series([]),
    })
    start = dt.date(2025, 1, 1)
    result = fetch_shares(["IWM", "IJR", "VB", "VTWO"], dict.fromkeys(
        ["IWM", "IJR", "VB", "VTWO"], start), cache_dir=tmp_path, get=fake)
    assert list(result.shares) == ["IWM"]
    assert list(result.shares["IWM"]) == [1.01e8]
    assert result.failures["IJR"] == "no shares-outstanding history returned"
    assert result.failures["VB"].startswith("shares request failed: KeyError")
    assert "VTWO" in result.failures
    assert fake.starts == dict.fromkeys(["IWM", "IJR", "VB", "VTWO"], start)


def test_store_merge_never_shortens_and_a_failure_keeps_the_file(tmp_path):
    config = Config(root=tmp_path, flow_etfs=("IWM", "IJR"))
    folder = tmp_path / "data" / "shares"
    old_iwm = daily_shares({"2025-01-02": 100.0, "2025-01-03": 101.0, "2025-01-06": 102.0})
    old_ijr = daily_shares({"2025-01-02": 50.0})
    write_shares(folder, {"IWM": old_iwm, "IJR": old_ijr})
    ijr_bytes = (folder / "IJR.csv").read_bytes()
    fake = FakeShares({
        "IWM": tz_series([("2025-01-06 16:00", 103.0), ("2025-01-07 16:00", 104.0)]),
        "IJR": KeyError("boom"),
    })
    result = fetch_shares_into_store(config, get=fake)
    assert fake.starts["IWM"] == dt.date(2024, 12, 27)  # ten days before the last stored
    stored = load_shares(folder, ["IWM", "IJR"])
    assert list(stored["IWM"].index.strftime("%Y-%m-%d")) == [
        "2025-01-02", "2025-01-03", "2025-01-06", "2025-01-07"]
    assert list(stored["IWM"]) == [100.0, 101.0, 103.0, 104.0]
    assert (folder / "IJR.csv").read_bytes() == ijr_bytes
    assert "IJR" in result.failures and list(result.shares) == ["IWM"]


def test_fetch_starts_ten_days_before_the_last_stored_date_or_at_shares_start(tmp_path):
    config = Config(root=tmp_path, flow_etfs=("IWM", "VB"))
    write_shares(tmp_path / "data" / "shares", {"IWM": daily_shares({"2025-06-30": 1.0})})
    fake = FakeShares({})
    result = fetch_shares_into_store(config, get=fake)
    assert fake.starts == {"IWM": dt.date(2025, 6, 20), "VB": SHARES_START}
    assert set(result.failures) == {"IWM", "VB"}
    assert not (tmp_path / "data" / "shares" / "VB.csv").exists()


def test_merge_keeps_stored_rows_when_the_fetch_is_empty():
    old = daily_shares({"2025-01-02": 100.0})
    assert merge_shares(old, normalize_shares(None)).equals(old)


def test_csv_round_trip_and_corrupt_files(tmp_path):
    s = daily_shares({"2025-01-02": 100.0, "2025-01-03": 1.5e9})
    text = format_shares_csv(s)
    assert text == "date,shares\n2025-01-02,100\n2025-01-03,1500000000\n"
    assert parse_shares_csv(text).equals(s)
    (tmp_path / "IWM.csv").write_text("date,shares\n2025-01-03,1\n2025-01-02,2\n")
    with pytest.raises(DataError, match="IWM.csv: corrupt shares file"):
        load_shares(tmp_path, ["IWM"])


def test_contract_real_yfinance_code_path_with_a_fake_session(tmp_path):
    """`get_shares_full` through yfinance itself, Yahoo replaced by canned replies."""
    from tests.sources.test_yahoo import FakeYahoo

    day = int(pd.Timestamp("2025-10-31 16:00", tz="America/New_York").timestamp())
    body = ('{"timeseries": {"result": [{"meta": {"symbol": ["IWM"], "type": ["shares_out"]}, '
            f'"timestamp": [{day - 3600}, {day}, {day + 3 * 86400}], '
            '"shares_out": [180000000, 181000000, 182500000]}], "error": null}}')

    class SharesYahoo(FakeYahoo):
        def request(self, method, url, params=None, **kwargs):  # type: ignore[override]
            if "fundamentals-timeseries" in url:
                self.calls.append((url, dict(params or {})))
                if "/timeseries/IWM?" in url:
                    return self.reply(url, 200, body)
                return self.reply(url, 200, '{"timeseries": {"result": [{"meta": {}}]}}')
            return super().request(method, url, params, **kwargs)

    with SharesYahoo() as session:
        result = fetch_shares(["IWM", "VB"], {"IWM": dt.date(2025, 10, 1),
                                              "VB": dt.date(2025, 10, 1)},
                              cache_dir=tmp_path / "cache", session=session)
    assert list(result.shares) == ["IWM"]
    shares = result.shares["IWM"]
    assert list(shares.index.strftime("%Y-%m-%d")) == ["2025-10-31", "2025-11-03"]
    assert list(shares) == [181000000.0, 182500000.0]
    assert "VB" in result.failures
