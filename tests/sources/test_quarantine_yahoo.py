"""Corrupted Yahoo replies through the real yfinance code path (a fake session, no network):
every bad bar is rejected before the store and named; malformed frames are a named
failure of that ticker, never a traceback."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import generator.sources.yahoo as yahoo_module
from generator.config import Config, Tickers
from generator.sources.yahoo import fetch_into_store, fetch_prices
from generator.store.prices import load_price_csv, write_store
from tests.sources.test_yahoo import FakeYahoo, Sleeps

SESSIONS = pd.bdate_range("2025-10-13", "2025-11-07")  # no NYSE holiday in between
CLOSES = [240.0 + i for i in range(len(SESSIONS))]


def chart(symbol: str, dates: list[pd.Timestamp], closes: list[float],
          tz: str = "America/New_York") -> str:
    """A Yahoo v8 chart reply with one bar per date (09:30 exchange time), close = adjclose."""
    stamps = [int((d if d.hour else d.replace(hour=9, minute=30)).tz_localize(tz).timestamp())
              for d in dates]
    doc = {"chart": {"result": [{
        "meta": {"currency": "USD", "symbol": symbol, "exchangeName": "PCX",
                 "instrumentType": "ETF", "firstTradeDate": 959347800,
                 "regularMarketTime": stamps[-1], "gmtoffset": -18000, "timezone": "EST",
                 "exchangeTimezoneName": tz, "regularMarketPrice": closes[-1],
                 "dataGranularity": "1d", "range": "", "validRanges": ["1d", "max"]},
        "timestamp": stamps,
        "indicators": {"quote": [{"open": closes, "high": closes, "low": closes,
                                  "close": closes, "volume": [1000] * len(closes)}],
                       "adjclose": [{"adjclose": closes}]}}], "error": None}}
    return json.dumps(doc)  # inf is written as Infinity, which Yahoo's JSON reader accepts


def settings(tmp_path: Path) -> Config:
    tickers = Tickers(rut="IWM", iwm="IWM", spy="IWM", vix="IWM", hyg="IWM", ief="IWM",
                      btc="IWM", eth="IWM")
    return Config(root=tmp_path, tickers=tickers, alts=(), flow_etfs=(),
                  history_start=dt.date(2025, 10, 1))


def corrupt(kind: str) -> tuple[list[pd.Timestamp], list[float], set[str]]:
    """Dates, closes and the dates that must not reach the store, for one corruption."""
    dates, closes = list(SESSIONS), list(CLOSES)
    if kind == "inf":
        closes[10] = math.inf
        return dates, closes, {dates[10].strftime("%Y-%m-%d")}
    if kind == "spike":
        closes[10] *= 5
        return dates, closes, {dates[10].strftime("%Y-%m-%d")}
    if kind == "negative":
        closes[10] = -closes[10]
        return dates, closes, {dates[10].strftime("%Y-%m-%d")}
    if kind == "stale":
        closes[8:20] = [closes[8]] * 12
        return dates, closes, {d.strftime("%Y-%m-%d") for d in dates[9:20]}
    if kind == "holiday":  # a bar filled in on Thanksgiving 2025
        dates = [*dates, pd.Timestamp("2025-11-27")]
        closes = [*closes, closes[-1]]
        return dates, closes, {"2025-11-27"}
    raise ValueError(kind)


# A date given twice in one reply never reaches us: yfinance 1.7 keeps the first bar of a
# day itself. Conflicting rows in a CSV file are tested in tests/test_quarantine.py.
@pytest.mark.parametrize("kind", ["inf", "spike", "negative", "stale", "holiday"])
def test_a_corrupted_reply_never_reaches_the_store(tmp_path, kind):
    dates, closes, bad = corrupt(kind)
    cfg = settings(tmp_path)
    with FakeYahoo({"IWM": (200, chart("IWM", dates, closes))}) as session:
        result = fetch_into_store(cfg, session=session, sleep=Sleeps())
    assert result.failures == {}
    stored = load_price_csv(cfg.prices_dir / "IWM.csv")
    assert np.isfinite(stored["close"].to_numpy()).all()
    assert (stored["close"] > 0).all()
    kept = {d.strftime("%Y-%m-%d") for d in stored.index}
    assert not kept & bad
    clean = {d.strftime("%Y-%m-%d") for d in SESSIONS} - bad
    assert kept == clean  # nothing else lost
    named = " ".join(result.warnings)
    assert "IWM" in named and all(day in named for day in sorted(bad)[:5])


def test_a_bar_that_reverts_on_the_next_fetch_is_removed_from_the_store(tmp_path):
    cfg = settings(tmp_path)
    dates, closes = list(SESSIONS), list(CLOSES)
    closes[-1] *= 100  # the newest bar 100x: unconfirmed, kept for now
    with FakeYahoo({"IWM": (200, chart("IWM", dates, closes))}) as session:
        fetch_into_store(cfg, session=session, sleep=Sleeps())
    assert load_price_csv(cfg.prices_dir / "IWM.csv")["close"].iloc[-1] == closes[-1]
    later = [*dates, pd.Timestamp("2025-11-10")]
    with FakeYahoo({"IWM": (200, chart("IWM", later, [*closes, CLOSES[-1] + 1]))}) as session:
        result = fetch_into_store(cfg, session=session, sleep=Sleeps())
    stored = load_price_csv(cfg.prices_dir / "IWM.csv")
    assert pd.Timestamp("2025-11-07") not in stored.index
    assert stored["close"].max() < 1000
    assert any("spike" in w and "2025-11-07" in w for w in result.warnings)


def test_an_inf_already_in_the_store_is_dropped_at_the_next_fetch(tmp_path):
    cfg = settings(tmp_path)
    frame = pd.DataFrame({c: CLOSES[:10] for c in ("open", "high", "low", "close", "adj_close")},
                         index=pd.DatetimeIndex(SESSIONS[:10], name="date"))
    frame["volume"] = 1.0
    write_store(cfg.prices_dir, {"IWM": frame})
    path = cfg.prices_dir / "IWM.csv"
    path.write_text(path.read_text().replace(",244,244,", ",inf,inf,", 1))  # a hand edit
    with FakeYahoo({"IWM": (200, chart("IWM", list(SESSIONS), CLOSES))}) as session:
        result = fetch_into_store(cfg, session=session, sleep=Sleeps())
    assert result.failures == {}
    assert "inf" not in path.read_text()


def download_frame(columns: list[tuple[str, str]], index: pd.Index) -> pd.DataFrame:
    data = np.full((len(index), len(columns)), 100.0)
    frame = pd.DataFrame(data, index=index,
                         columns=pd.MultiIndex.from_tuples(columns, names=["Price", "Ticker"]))
    return frame


@pytest.mark.parametrize("case", ["duplicate adj close", "mixed time zones"])
def test_a_malformed_frame_is_a_named_failure_of_that_ticker(tmp_path, monkeypatch, case):
    columns = [("Adj Close", "IWM"), ("Close", "IWM"), ("Adj Close", "SPY"), ("Close", "SPY")]
    index: pd.Index = pd.DatetimeIndex(SESSIONS[:3])
    if case == "duplicate adj close":
        columns.insert(1, ("Adj Close", "IWM"))
    else:
        index = pd.Index([pd.Timestamp("2025-10-13 09:30", tz="America/New_York"),
                          pd.Timestamp("2025-10-14 00:00", tz="UTC"),
                          pd.Timestamp("2025-10-15 09:30", tz="America/New_York")], dtype=object)
    frame = download_frame(columns, index)
    monkeypatch.setattr(yahoo_module, "_yf_download", lambda *a, **k: frame)
    result = fetch_prices(["IWM", "SPY"], {"IWM": SESSIONS[0].date(), "SPY": SESSIONS[0].date()},
                          cache_dir=tmp_path, retries=0, sleep=Sleeps())
    assert "IWM" in result.failures
    assert "malformed reply for IWM" in result.failures["IWM"]
    if case == "duplicate adj close":
        assert "adj_close" in result.failures["IWM"]
        assert "SPY" in result.prices  # the other ticker of the download is unharmed
    else:
        assert "time zones" in result.failures["IWM"]
