"""Network failures through a fake transport: causes named from what happened, Yahoo found
down once (no retry per ticker), one overall deadline, one clock.

The fakes are `requests.Session`s answering through the real yfinance code path (see
test_yahoo.py); time is a fake clock that a slow request or a backoff moves on, so no
test waits.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests

from generator.sources.network import Guard, classify_exception, symbol_of
from generator.sources.yahoo import fetch_prices
from tests.sources.test_yahoo import START, FakeYahoo, Sleeps

TICKERS = ["IWM", "BTC-USD", "SPY", "HYG", "IEF"]


class Clock:
    """A monotonic clock that only moves when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Broken(FakeYahoo):
    """Yahoo's data hosts fail as told (`fail(url, kwargs)` raises or returns a reply);
    the cookie and consent pages answer."""

    def __init__(self, fail, clock: Clock | None = None) -> None:
        super().__init__({t: (200, self.ok_body(t)) for t in TICKERS})
        self.fail = fail
        self.clock = clock
        self.timeouts: list[Any] = []
        self.data: list[str] = []  # the data requests that reached the transport

    @staticmethod
    def ok_body(ticker: str) -> str:
        from tests.sources.test_yahoo import fixture

        return fixture("crypto" if ticker.endswith("-USD") else "ok").replace(
            '"IWM"', f'"{ticker}"').replace('"BTC-USD"', f'"{ticker}"')

    def request(self, method, url, params=None, **kwargs):  # type: ignore[override]
        self.timeouts.append(kwargs.get("timeout"))
        if "finance.yahoo.com" in url and "getcrumb" not in url:
            self.data.append(url)
            reply = self.fail(url, kwargs)
            if reply is not None:
                return reply
        return super().request(method, url, params, **kwargs)

    def data_calls(self) -> int:
        return len(self.data)


def fetch(session, tmp_path: Path, tickers=TICKERS, **kwargs: Any):
    kwargs.setdefault("retries", 3)
    kwargs.setdefault("backoff_seconds", 5.0)
    kwargs.setdefault("sleep", Sleeps())
    return fetch_prices(tickers, {t: START for t in tickers}, cache_dir=tmp_path / "cache",
                        session=session, **kwargs)


def raising(exc: Exception):
    def fail(url, kwargs):
        raise exc
    return fail


def replying(status: int, body: str):
    def fail(url, kwargs):
        return FakeYahoo.reply(url, status, body)
    return fail


def warm_tz_cache(tmp_path: Path) -> None:
    """A good fetch first: yfinance's timezone cache then skips its own first request,
    the case where network errors used to be reported as delisted symbols."""
    with Broken(lambda url, kwargs: None) as ok:
        assert fetch(ok, tmp_path, retries=0).failures == {}


DOWN = [
    (requests.exceptions.ConnectTimeout("Connection to query2.finance.yahoo.com timed out"),
     "connection timed out"),
    (requests.ConnectionError("HTTPSConnectionPool: NewConnectionError: [Errno 111] "
                              "Connection refused"), "connection refused"),
    (requests.ConnectionError("NameResolutionError: Failed to resolve "
                              "'query2.finance.yahoo.com'"), "DNS lookup failed"),
    (requests.exceptions.SSLError("certificate verify failed"), "TLS error"),
    (requests.ConnectionError("[Errno 101] Network is unreachable"), "network unreachable"),
]


@pytest.mark.parametrize(("exc", "cause"), DOWN, ids=[c for _, c in DOWN])
@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm tz cache"])
def test_yahoo_down_is_named_and_found_once(tmp_path, exc, cause, warm):
    if warm:
        warm_tz_cache(tmp_path)
    sleeps = Sleeps()
    with Broken(raising(exc)) as session:
        result = fetch(session, tmp_path, sleep=sleeps)
        calls = session.data_calls()
    assert result.prices == {} and set(result.failures) == set(TICKERS)
    assert result.unreachable is not None and result.unreachable.startswith(cause)
    for reason in result.failures.values():
        assert cause in reason and "delisted" not in reason, reason
    assert calls == 1, "one failed request is enough: no other ticker, no retry is tried"
    assert sleeps == []


TRANSIENT = [
    (raising(requests.exceptions.ReadTimeout("Read timed out. (read timeout=20)")),
     "timed out (query2.finance.yahoo.com)"),
    (raising(requests.ConnectionError(ConnectionResetError(104, "Connection reset by peer"))),
     "connection reset"),
    (replying(429, "Too Many Requests"), "rate-limited by Yahoo (HTTP 429)"),
    (replying(503, "<html><body>Service Unavailable</body></html>"), "server error"),
    (replying(200, "<!doctype html><html><title>Yahoo is down</title></html>"),
     "bad reply (query2.finance.yahoo.com: HTTP 200, an HTML page, not JSON)"),
    (replying(200, '{"chart": {"result": [{"meta": '), "bad reply"),
]


@pytest.mark.parametrize(("fail", "cause"), TRANSIENT, ids=[c[:20] for _, c in TRANSIENT])
@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm tz cache"])
def test_transient_failures_are_named_and_retried(tmp_path, fail, cause, warm):
    if warm:
        warm_tz_cache(tmp_path)
    sleeps = Sleeps()
    with Broken(fail) as session:
        result = fetch(session, tmp_path, tickers=["IWM", "BTC-USD"], sleep=sleeps)
    assert result.prices == {} and result.unreachable is None
    for reason in result.failures.values():
        assert cause in reason and "delisted" not in reason, reason
    assert sleeps == [5.0, 10.0, 20.0]  # Yahoo answered: worth asking again


def test_only_a_not_found_reply_is_called_delisted(tmp_path):
    with FakeYahoo() as session:
        result = fetch(session, tmp_path, tickers=["IWM", "NOPE"], retries=0)
    assert list(result.prices) == ["IWM"]
    assert result.failures["NOPE"] == (
        "unknown or delisted symbol (Yahoo: No data found, symbol may be delisted)")


def test_a_blocked_cookie_page_does_not_stop_the_fetch(tmp_path):
    class Blocked(FakeYahoo):
        def request(self, method, url, params=None, **kwargs):  # type: ignore[override]
            if "fc.yahoo.com" in url or "guce.yahoo.com" in url:
                raise requests.ConnectionError("Failed to resolve 'fc.yahoo.com'")
            return super().request(method, url, params, **kwargs)

    with Blocked() as session:
        result = fetch(session, tmp_path, tickers=["IWM"], retries=0)
    assert list(result.prices) == ["IWM"] and result.unreachable is None


def test_the_overall_deadline_holds_whatever_yahoo_does(tmp_path):
    """Every request hangs until its read timeout: the fetch still ends by the deadline."""
    clock = Clock()

    def hang(url, kwargs):
        connect, read = kwargs["timeout"]
        clock.now += connect + read  # curl's whole allowance passes, then the request fails
        raise requests.exceptions.ReadTimeout(f"Read timed out. (read timeout={read})")

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.now += seconds

    sleeps: list[float] = []
    guard = Guard(100.0, monotonic=clock)
    tickers = [f"T{n}" for n in range(10)]
    with Broken(hang, clock) as session:
        result = fetch(session, tmp_path, tickers=tickers, guard=guard, sleep=sleep)
        timeouts = [t for t in session.timeouts if t is not None]
    assert clock.now - 1000.0 <= 100.0 + 1e-9  # never past the deadline
    assert result.deadline and result.prices == {}
    assert set(result.failures) == set(tickers)
    assert any("fetch deadline reached" in r for r in result.failures.values())
    assert all(isinstance(t, tuple) and 0 < t[0] + t[1] <= 100.0 for t in timeouts)


def test_no_request_is_sent_after_the_deadline(tmp_path):
    clock = Clock()
    guard = Guard(240.0, monotonic=clock)
    clock.now += 241.0
    with Broken(lambda url, kwargs: None) as session:
        result = fetch(session, tmp_path, tickers=["IWM"], guard=guard)
        assert session.data_calls() == 0
    assert result.deadline and "fetch deadline reached" in result.failures["IWM"]


def test_fetch_dates_come_from_the_one_clock(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(pd.Timestamp("2025-10-31 12:00",
                                                                 tz="UTC").timestamp())))
    with FakeYahoo() as session:
        result = fetch(session, tmp_path, tickers=["IWM"], retries=0)
        history = [p for p in session.chart_calls("IWM") if "period1" in p]
    # end (exclusive) is the clock's tomorrow: Yahoo is asked for nothing later ...
    assert history[0]["period2"] == int(pd.Timestamp("2025-11-01", tz="America/New_York")
                                        .timestamp())
    # ... and a bar dated after it (the fixture has 2025-11-03) is not taken.
    assert [d.date() for d in result.prices["IWM"].index] == [dt.date(2025, 10, 30),
                                                              dt.date(2025, 10, 31)]


def test_classify_curl_cffi_messages():
    class DNSError(ConnectionError):
        pass

    class Timeout(OSError):
        pass

    dns = DNSError("Failed to perform, curl: (6) Could not resolve host: query2.finance."
                   "yahoo.com (Domain name not found). See https://curl.se/libcurl/c/"
                   "libcurl-errors.html first for more details.")
    assert classify_exception(dns, "query2.finance.yahoo.com").describe() == (
        "DNS lookup failed (query2.finance.yahoo.com)")
    slow = Timeout("Failed to perform, curl: (28) Connection timed out after 4001 "
                   "milliseconds.")
    assert classify_exception(slow, "h").kind == "connection timed out"
    seven = ConnectionError("Failed to perform, curl: (7) Failed to connect to h port 443 "
                            "after 0 ms: Could not connect to server.")
    assert classify_exception(seven, "h").kind == "could not connect"


def test_symbol_of_data_urls():
    assert symbol_of("https://query2.finance.yahoo.com/v8/finance/chart/%5ERUT") == "^RUT"
    assert symbol_of("https://query2.finance.yahoo.com/v10/finance/quoteSummary/iwm?x=1") == "IWM"
    assert symbol_of("https://query1.finance.yahoo.com/ws/fundamentals-timeseries/v1/finance/"
                     "timeseries/VB?symbol=VB") == "VB"
    assert symbol_of("https://query1.finance.yahoo.com/v1/test/getcrumb") is None


@pytest.mark.parametrize("value", ["0", "-5", "7200", '"4m"'])
def test_the_deadline_is_a_checked_setting(tmp_path, value):
    from generator.config import load_config
    from generator.errors import ConfigError

    (tmp_path / "pyproject.toml").write_text(
        f"[tool.riskon]\nfetch_deadline_seconds = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert any("fetch_deadline_seconds" in line for line in err.value.lines())
    (tmp_path / "pyproject.toml").write_text(
        "[tool.riskon]\nfetch_deadline_seconds = 90\n", encoding="utf-8")
    assert load_config(tmp_path).fetch_deadline_seconds == 90.0
