"""Contract tests of the yfinance wrapper: the real yfinance code path, a fake HTTP session.

`FakeYahoo` is a `requests.Session` (one of the two session types yfinance 1.7 accepts)
whose `request()` answers from canned Yahoo v8 chart replies in `tests/fixtures/yahoo/`,
keyed by the symbol in the URL. Nothing touches the network and no test sleeps.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests

from generator.config import Config, Tickers
from generator.prices import COLUMNS, format_price_csv
from generator.sources.yahoo import FetchResult, fetch_into_store, fetch_prices, split_download
from generator.store.prices import load_price_csv, write_store

FIXTURES = Path(__file__).parents[1] / "fixtures" / "yahoo"
START = dt.date(2025, 10, 1)
CRUMB = "fake-crumb"


def fixture(name: str) -> str:
    return (FIXTURES / f"yahoo-chart-v8-{name}.json").read_text(encoding="utf-8")


class FakeYahoo(requests.Session):
    """Answers Yahoo URLs from canned bodies; records every request."""

    def __init__(self, replies: dict[str, tuple[int, str]] | None = None) -> None:
        super().__init__()
        self.replies = {
            "IWM": (200, fixture("ok")),
            "BTC-USD": (200, fixture("crypto")),
            "NULLS": (200, fixture("all-null")),
            "EMPTY": (200, fixture("empty")),
            **(replies or {}),
        }
        self.rate_limited: set[str] = set()
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def request(self, method: str, url: str, params: Any = None, **kwargs: Any):  # type: ignore[override]
        self.calls.append((url, dict(params or {})))
        if "getcrumb" in url:
            return self.reply(url, 200, CRUMB)
        match = re.search(r"/(?:chart|quoteSummary)/([^/?]+)", url)
        if match is None:  # cookie and consent pages
            return self.reply(url, 200, "ok")
        symbol = match.group(1)
        if symbol in self.rate_limited:
            return self.reply(url, 429, "Too Many Requests")
        status, body = self.replies.get(symbol, (404, fixture("not-found")))
        return self.reply(url, status, body)

    @staticmethod
    def reply(url: str, status: int, body: str) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        response.url = url
        response.encoding = "utf-8"
        response._content = body.encode("utf-8")
        return response

    def chart_calls(self, symbol: str) -> list[dict[str, Any]]:
        return [p for url, p in self.calls if url.endswith(f"/v8/finance/chart/{symbol}")]


class Sleeps(list):
    """An injected `sleep` that only records the delays."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def yahoo():
    with FakeYahoo() as session:
        yield session


def fetch(session: FakeYahoo, tickers: list[str], tmp_path: Path, **kwargs: Any) -> FetchResult:
    kwargs.setdefault("retries", 0)
    kwargs.setdefault("sleep", Sleeps())
    return fetch_prices(
        tickers, {t: START for t in tickers}, cache_dir=tmp_path / "cache", session=session,
        **kwargs,
    )


def expected_iwm() -> pd.DataFrame:
    index = pd.DatetimeIndex(["2025-10-30", "2025-10-31", "2025-11-03"], name="date")
    return pd.DataFrame(
        {
            "open": [244.0, 245.5, 247.0],
            "high": [245.9, 247.8, 247.4],
            "low": [243.6, 245.1, 245.7],
            "close": [245.12, 247.3, 246.05],
            "adj_close": [244.71, 246.88, 245.63],
            "volume": [31200000.0, 28700000.0, 30100000.0],
        },
        index=index.as_unit("ns"),
    )


def test_good_ticker_parses_into_the_expected_frame(yahoo, tmp_path):
    result = fetch(yahoo, ["IWM"], tmp_path)
    assert result.failures == {}
    assert list(result.prices) == ["IWM"]
    pd.testing.assert_frame_equal(result.prices["IWM"], expected_iwm())
    assert list(result.prices["IWM"].columns) == list(COLUMNS)


def test_explicit_start_daily_bars_and_crumb_reach_yahoo(yahoo, tmp_path):
    fetch(yahoo, ["IWM"], tmp_path)
    history = [p for p in yahoo.chart_calls("IWM") if "period1" in p]
    assert len(history) == 1
    new_york_midnight = pd.Timestamp("2025-10-01", tz="America/New_York").timestamp()
    assert history[0]["period1"] == int(new_york_midnight)
    assert history[0]["interval"] == "1d"
    assert history[0]["crumb"] == CRUMB  # the getcrumb URL was answered with a plain body
    assert any("getcrumb" in url for url, _ in yahoo.calls)


def test_yfinance_caches_stay_in_cache_dir(yahoo, tmp_path):
    fetch(yahoo, ["IWM"], tmp_path)
    assert (tmp_path / "cache" / "yfinance" / "tkr-tz.db").is_file()


def test_download_arguments_follow_stack_md(monkeypatch, tmp_path):
    seen: dict[str, Any] = {}

    def fake_download(tickers, **kwargs):
        seen.update(kwargs, tickers=tickers)
        return pd.DataFrame()

    monkeypatch.setattr("yfinance.download", fake_download)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764676800")  # 2025-12-02: the one clock
    result = fetch_prices(["IWM"], {"IWM": START}, cache_dir=tmp_path, retries=0)
    assert result.failures == {"IWM": "no rows returned"}
    assert seen["tickers"] == ["IWM"]
    assert seen["start"] == "2025-10-01" and seen["end"] == "2025-12-03"  # end is exclusive
    assert seen["interval"] == "1d" and seen["group_by"] == "column"
    assert seen["auto_adjust"] is False and seen["actions"] is False
    assert seen["progress"] is False and seen["threads"] is False
    assert seen["multi_level_index"] is True


def test_unknown_ticker_fails_while_the_good_one_succeeds(yahoo, tmp_path):
    result = fetch(yahoo, ["IWM", "NOPE"], tmp_path)
    assert list(result.prices) == ["IWM"]
    assert list(result.failures) == ["NOPE"]
    assert result.failures["NOPE"].startswith("unknown or delisted symbol")
    pd.testing.assert_frame_equal(result.prices["IWM"], expected_iwm())


def test_rate_limit_is_retried_with_backoff_then_fails(yahoo, tmp_path):
    yahoo.rate_limited.add("IWM")
    fetch(yahoo, ["IWM"], tmp_path, retries=0)
    per_attempt = len(yahoo.chart_calls("IWM"))
    assert per_attempt >= 1

    yahoo.calls.clear()
    sleeps = Sleeps()
    result = fetch(yahoo, ["IWM"], tmp_path, retries=3, backoff_seconds=60, sleep=sleeps,
                   deadline_seconds=3600)
    assert result.prices == {}
    assert "rate-limited by Yahoo (HTTP 429)" in result.failures["IWM"]
    assert sleeps == [60, 120, 240]
    assert len(yahoo.chart_calls("IWM")) == 4 * per_attempt


def test_only_failed_tickers_are_retried(yahoo, tmp_path):
    yahoo.rate_limited.add("NULLS")
    result = fetch(yahoo, ["IWM", "NULLS"], tmp_path, retries=2, backoff_seconds=1)
    assert list(result.prices) == ["IWM"]
    assert len([p for p in yahoo.chart_calls("IWM") if "period1" in p]) == 1
    assert "rate-limited" in result.failures["NULLS"]


def test_a_ticker_that_recovers_on_retry_succeeds_with_a_note(yahoo, tmp_path):
    yahoo.rate_limited.add("IWM")
    sleeps: list[float] = []

    def wait(seconds: float) -> None:  # the wait is over: Yahoo answers again
        sleeps.append(seconds)
        yahoo.rate_limited.clear()

    result = fetch(yahoo, ["IWM"], tmp_path, retries=3, backoff_seconds=5, sleep=wait)
    assert result.failures == {}
    assert sleeps == [5]
    pd.testing.assert_frame_equal(result.prices["IWM"], expected_iwm())
    assert any(w.startswith("IWM: fetched on attempt 2") for w in result.warnings)


@pytest.mark.parametrize("symbol", ["EMPTY", "NULLS"])
def test_an_empty_result_is_a_failure(yahoo, tmp_path, symbol):
    result = fetch(yahoo, [symbol], tmp_path)
    assert result.prices == {}
    assert symbol in result.failures


def test_crypto_and_equities_in_one_download(yahoo, tmp_path):
    result = fetch(yahoo, ["IWM", "BTC-USD"], tmp_path)
    assert result.failures == {}
    btc = result.prices["BTC-USD"]
    assert [d.strftime("%a %Y-%m-%d") for d in btc.index] == [
        "Fri 2025-10-31", "Sat 2025-11-01", "Sun 2025-11-02", "Mon 2025-11-03",
    ]
    assert btc["close"].iloc[-1] == 106547.52 and btc["adj_close"].iloc[-1] == 106547.52
    # the union index gave IWM all-NaN weekend rows: gone without a warning
    pd.testing.assert_frame_equal(result.prices["IWM"], expected_iwm())
    assert result.warnings == []


def test_network_down_gives_failures_not_exceptions(tmp_path):
    class Offline(FakeYahoo):
        def request(self, method, url, params=None, **kwargs):  # type: ignore[override]
            self.calls.append((url, dict(params or {})))
            raise requests.ConnectionError("network unreachable")

    with Offline() as session:
        result = fetch(session, ["IWM", "BTC-USD"], tmp_path, retries=1)
    assert result.prices == {}
    assert set(result.failures) == {"IWM", "BTC-USD"}
    assert "network unreachable" in result.failures["IWM"]


def test_yfinance_messages_are_captured_not_printed(yahoo, tmp_path, capsys):
    result = fetch(yahoo, ["NOPE"], tmp_path)
    assert "NOPE" in result.failures
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_missing_start_date_is_a_usage_error(yahoo, tmp_path):
    with pytest.raises(ValueError, match="NOPE"):
        fetch_prices(["NOPE"], {}, cache_dir=tmp_path, session=yahoo)


def test_split_download_ignores_symbols_it_lacks():
    assert split_download(pd.DataFrame(), ["IWM"]) == {}
    assert split_download(None, ["IWM"]) == {}


def config(tmp_path: Path, **kwargs: Any) -> Config:
    """Settings for three symbols: IWM (ok), BTC-USD (ok), NOPE (unknown to Yahoo)."""
    tickers = Tickers(rut="IWM", iwm="IWM", spy="IWM", vix="IWM", hyg="IWM", ief="IWM",
                      btc="BTC-USD", eth="NOPE")
    return Config(root=tmp_path, tickers=tickers, alts=(), flow_etfs=(),
                  history_start=dt.date(2025, 1, 1), **kwargs)


def stored(closes: list[float], dates: list[str]) -> pd.DataFrame:
    index = pd.DatetimeIndex(dates, name="date").as_unit("ns")
    return pd.DataFrame({c: closes for c in COLUMNS}, index=index).astype("float64")


def test_fetch_into_store_merges_what_worked_and_keeps_what_failed(yahoo, tmp_path):
    cfg = config(tmp_path, fetch_retries=1, fetch_backoff_seconds=7.0)
    old_iwm = stored([240.0, 245.0, 247.3], ["2025-10-24", "2025-10-30", "2025-10-31"])
    old_iwm["adj_close"] = [239.0, 244.71, 246.88]  # same basis as the fetch: no restatement
    old_nope = stored([9.5, 9.75], ["2025-10-30", "2025-10-31"])
    write_store(cfg.prices_dir, {"IWM": old_iwm, "NOPE": old_nope})
    nope_bytes = (cfg.prices_dir / "NOPE.csv").read_bytes()
    sleeps = Sleeps()

    result = fetch_into_store(cfg, session=yahoo, sleep=sleeps)

    assert sleeps == [7.0]
    assert list(result.failures) == ["NOPE"]
    iwm = load_price_csv(cfg.prices_dir / "IWM.csv")
    assert [d.strftime("%Y-%m-%d") for d in iwm.index] == [
        "2025-10-24", "2025-10-30", "2025-10-31", "2025-11-03",
    ]
    assert iwm["close"].tolist() == [240.0, 245.12, 247.3, 246.05]  # 10-30 updated
    assert (cfg.prices_dir / "BTC-USD.csv").is_file()
    assert (cfg.prices_dir / "NOPE.csv").read_bytes() == nope_bytes  # last good data kept
    assert sorted(result.prices) == ["BTC-USD", "IWM"]
    pd.testing.assert_frame_equal(result.prices["IWM"], iwm)
    assert format_price_csv(result.prices["IWM"]) == (cfg.prices_dir / "IWM.csv").read_text()
    # IWM restarts ten days before its last stored row, BTC-USD at history_start
    iwm_start = [p["period1"] for p in yahoo.chart_calls("IWM") if "period1" in p]
    btc_start = [p["period1"] for p in yahoo.chart_calls("BTC-USD") if "period1" in p]
    assert iwm_start == [int(pd.Timestamp("2025-10-21", tz="America/New_York").timestamp())]
    assert btc_start == [int(pd.Timestamp("2025-01-01", tz="UTC").timestamp())]


def test_fetch_into_store_with_yahoo_down_changes_nothing(tmp_path):
    cfg = config(tmp_path, fetch_retries=0)
    write_store(cfg.prices_dir, {"IWM": stored([1.0], ["2025-10-31"])})
    before = (cfg.prices_dir / "IWM.csv").read_bytes()
    with FakeYahoo() as session:
        session.rate_limited.update({"IWM", "BTC-USD", "NOPE"})
        result = fetch_into_store(cfg, session=session, sleep=Sleeps())
    assert set(result.failures) == {"IWM", "BTC-USD", "NOPE"}
    assert (cfg.prices_dir / "IWM.csv").read_bytes() == before
    assert sorted(p.name for p in cfg.prices_dir.iterdir()) == ["IWM.csv"]


def test_importing_yahoo_does_not_import_yfinance():
    code = "import sys, generator.sources.yahoo; print('yfinance' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
