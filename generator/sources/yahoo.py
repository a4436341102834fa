"""Daily prices from Yahoo through yfinance: the only module that imports yfinance.

`yf.download` never raises: an unknown ticker, a rate limit or a network failure comes back
as missing or all-NaN columns, with yfinance's guess at the reason in its logger ("possibly
delisted" for a timeout too). So every request goes through a `network.Guard`, which names
what really happened, holds the fetch's one deadline and stops at once when Yahoo cannot be
reached; each ticker is downloaded on its own and validated, and ends up either in
`FetchResult.prices` or in `FetchResult.failures` with its reason. Failed tickers are
retried with exponential backoff within the deadline; nothing here raises for a network
problem. Dates come from the one clock (`generator.clock`, SOURCE_DATE_EPOCH).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from generator import clock
from generator.config import Config
from generator.prices import Prices, empty_frame
from generator.sources.network import READ_TIMEOUT, Guard
from generator.sources.validate import MalformedFrame, validate_prices
from generator.store.prices import load_store, merge_checked, restatement_factors, write_store
from generator.store.shares import load_shares, merge_shares, normalize_shares, write_shares

OVERLAP_DAYS = 10  # refetch this much stored history: catches late corrections and restatements
YAHOO_COLUMNS = {
    "Open": "open",
    "High": "high",
    "Low": "low",
    "Close": "close",
    "Adj Close": "adj_close",
    "Volume": "volume",
}
_FAILED_LINE = re.compile(r"^\[(?P<symbols>[^\]]*)\]: (?P<reason>.*)$", re.DOTALL)
_SYMBOL_LINE = re.compile(r"^\$(?P<symbol>[^:\s]+): (?P<reason>.*)$", re.DOTALL)
_cache_location: str | None = None
SHARES_START = dt.date(2015, 1, 1)  # first date asked for when no shares are stored yet
SharesGetter = Callable[[str, dt.date], Any]
Progress = Callable[[str, int, int, str], Any]  # (stage, done, total, current item)
FETCH_STAGE = "fetching prices"
SHARES_STAGE = "fetching shares outstanding"
DEFAULT_DEADLINE = 240.0  # seconds for a whole fetch (the setting fetch_deadline_seconds)


@dataclass(frozen=True)
class FetchResult:
    """Validated frames of the tickers that worked, the reason for each that did not, notes.

    `unreachable` names what showed Yahoo could not be reached (nothing more was tried after
    it); `deadline` is True when the overall deadline stopped the fetch; `seconds` is how long
    the fetch took.
    """

    prices: Prices
    failures: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    unreachable: str | None = None
    deadline: bool = False
    seconds: float = 0.0


def fetch_prices(
    tickers: Sequence[str],
    starts: Mapping[str, dt.date],
    *,
    cache_dir: Path,
    retries: int = 3,
    backoff_seconds: float = 5.0,
    session: Any = None,
    sleep: Callable[[float], Any] = time.sleep,
    guard: Guard | None = None,
    deadline_seconds: float = DEFAULT_DEADLINE,
    progress: Progress | None = None,
) -> FetchResult:
    """Download daily bars of each ticker from its start date, one ticker per request.

    Failed tickers are retried with exponential backoff, unless Yahoo is down (found once,
    by `guard`) or the next wait would pass the overall deadline; every failure is named
    from what happened on the wire (`generator.sources.network`).
    """
    pending = list(dict.fromkeys(tickers))
    missing = [t for t in pending if t not in starts]
    if missing:
        raise ValueError(f"no start date for {', '.join(missing)}")
    guard = guard or Guard(deadline_seconds)
    session = _session(session, guard, Path(cache_dir))
    prices: Prices = {}
    failures: dict[str, str] = {}
    notes: list[str] = []
    end = clock.today() + dt.timedelta(days=1)  # the one clock; Yahoo's `end` is exclusive
    for attempt in range(max(retries, 0) + 1):
        if attempt:
            wait = backoff_seconds * 2 ** (attempt - 1)
            if wait >= guard.remaining():
                notes.append(f"no retry of {', '.join(pending)}: waiting {wait:g} s would pass "
                             f"the fetch deadline ({guard.deadline_seconds:g} s)")
                break
            sleep(wait)
            _forget_replies()  # yfinance would answer a retry from its cache of replies
        stage = FETCH_STAGE if not attempt else f"retrying prices (attempt {attempt + 1})"
        for n, ticker in enumerate(pending):
            if progress is not None:
                progress(stage, n, len(pending), ticker)
            if guard.down is not None or guard.expired():
                why = guard.cause_since(guard.mark()) or "not fetched"
                failures[ticker] = (f"{failures[ticker]} (then {why.replace('not fetched: ', '')})"
                                    if ticker in failures else why)
                continue
            got, failed, found = _download([ticker], starts[ticker], end, session, guard)
            for name, frame in got.items():
                prices[name] = frame
                if name in failures:
                    notes.append(f"{name}: fetched on attempt {attempt + 1} "
                                 f"(before: {failures.pop(name)})")
            failures.update(failed)
            notes.extend(n for n in found if n not in notes)
        if progress is not None:
            progress(stage, len(pending), len(pending), "")
        pending = [t for t in pending if t in failures]
        if not pending or guard.down is not None or guard.expired():
            break
    return FetchResult(prices=prices, failures=failures, warnings=notes,
                       unreachable=guard.down.describe() if guard.down else None,
                       deadline=guard.expired(), seconds=guard.elapsed())


def fetch_into_store(
    config: Config, *, session: Any = None, sleep: Callable[[float], Any] = time.sleep,
    guard: Guard | None = None, progress: Progress | None = None,
) -> FetchResult:
    """Fetch every configured ticker into `data/prices/`; prices are the merged stored frames.

    Like `fetch_prices`, `prices` and `failures` do not overlap: a failed ticker keeps its
    stored file untouched and appears only in `failures`.
    """
    stored = load_store(config.prices_dir, config.all_tickers)
    starts = {t: store_start(stored.get(t), config.history_start) for t in config.all_tickers}
    result = fetch_prices(
        config.all_tickers,
        starts,
        cache_dir=config.cache_dir,
        retries=config.fetch_retries,
        backoff_seconds=config.fetch_backoff_seconds,
        session=session,
        sleep=sleep,
        guard=guard,
        deadline_seconds=config.fetch_deadline_seconds,
        progress=progress,
    )
    notes = list(result.warnings)
    merged: Prices = {}
    for ticker, frame in result.prices.items():
        old = stored.get(ticker, empty_frame())
        notes.extend(_restatement_notes(ticker, old, frame))
        merged[ticker], found = merge_checked(ticker, old, frame)  # quarantined: never stored
        notes.extend(n for n in found if n not in notes)
    write_store(config.prices_dir, merged)
    return replace(result, prices=merged, warnings=notes)


def fetch_all(
    config: Config, *, session: Any = None, sleep: Callable[[float], Any] = time.sleep,
    progress: Progress | None = None, monotonic: Callable[[], float] = time.monotonic,
) -> FetchResult:
    """`riskon fetch`: prices, then shares outstanding, under one deadline and one view of
    the network (when Yahoo is found down on the first, the second is not tried)."""
    guard = Guard(config.fetch_deadline_seconds, monotonic=monotonic)
    session = _session(session, guard, config.cache_dir)
    result = fetch_into_store(config, session=session, sleep=sleep, guard=guard,
                              progress=progress)
    notes = list(result.warnings)
    if guard.down is None and not guard.expired():
        notes.extend(fetch_shares_notes(config, session=session, guard=guard, progress=progress))
    return replace(result, warnings=notes, unreachable=result.unreachable or (
        guard.down.describe() if guard.down else None), deadline=guard.expired(),
        seconds=guard.elapsed())


@dataclass(frozen=True)
class SharesResult:
    """Shares-outstanding series of the tickers that worked and the reason for each that did not."""

    shares: dict[str, pd.Series]
    failures: dict[str, str] = field(default_factory=dict)


def fetch_shares(
    tickers: Sequence[str],
    starts: Mapping[str, dt.date],
    *,
    cache_dir: Path,
    session: Any = None,
    get: SharesGetter | None = None,
    guard: Guard | None = None,
    progress: Progress | None = None,
) -> SharesResult:
    """Shares outstanding per ticker from `Ticker.get_shares_full`, one value per day.

    The reply is a tz-aware Series (several rows a day possible) or None, and a malformed
    reply raises (KeyError, HTTP errors): every outcome ends in `shares` or `failures`.
    `get(ticker, start)` replaces the yfinance call in tests.
    """
    guard = guard or Guard(DEFAULT_DEADLINE)
    if get is None:
        http = _session(session, guard, Path(cache_dir))

        def get(ticker: str, start: dt.date) -> Any:
            return _yf_shares(ticker, start, http)

    shares: dict[str, pd.Series] = {}
    failures: dict[str, str] = {}
    names = list(dict.fromkeys(tickers))
    for n, ticker in enumerate(names):
        if progress is not None:
            progress(SHARES_STAGE, n, len(names), ticker)
        mark = guard.mark()
        if guard.down is not None or guard.expired():
            failures[ticker] = guard.cause_since(mark) or "not fetched"
            continue
        with _captured_yfinance_log() as records:
            try:
                series = normalize_shares(get(ticker, starts[ticker]))
            except Exception as exc:  # yfinance raises on malformed or failed replies
                failures[ticker] = guard.cause_since(mark, ticker) or (
                    f"shares request failed: {exc!r}")
                continue
        if series.empty:
            logged = "; ".join(r.getMessage() for r in records if r.levelno >= logging.ERROR)
            failures[ticker] = guard.cause_since(mark, ticker) or (
                "no shares-outstanding history returned" + (f" ({logged})" if logged else ""))
        else:
            shares[ticker] = series
    if progress is not None:
        progress(SHARES_STAGE, len(names), len(names), "")
    return SharesResult(shares, failures)


def fetch_shares_into_store(
    config: Config, *, session: Any = None, get: SharesGetter | None = None,
    guard: Guard | None = None, progress: Progress | None = None,
) -> SharesResult:
    """Fetch shares outstanding of `flow_etfs` into `data/shares/` (merged, never shortened).

    `shares` holds the merged stored series of the tickers fetched; a failed ticker keeps
    its file untouched and appears only in `failures`.
    """
    folder = config.shares_dir
    stored = load_shares(folder, config.flow_etfs)
    starts = {}
    for ticker in config.flow_etfs:
        old = stored.get(ticker)
        last = None if old is None or old.empty else pd.Timestamp(old.index.max()).date()
        starts[ticker] = (max(last - dt.timedelta(days=OVERLAP_DAYS), SHARES_START)
                          if last else SHARES_START)
    result = fetch_shares(config.flow_etfs, starts, cache_dir=config.cache_dir, session=session,
                          get=get, guard=guard or Guard(config.fetch_deadline_seconds),
                          progress=progress)
    merged = {t: merge_shares(stored[t], s) if t in stored else s
              for t, s in result.shares.items()}
    write_shares(folder, merged)
    return SharesResult(merged, result.failures)


def _yf_shares(ticker: str, start: dt.date, session: Any) -> Any:
    """The one `get_shares_full` call (yfinance)."""
    import yfinance as yf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        return yf.Ticker(ticker, session=session).get_shares_full(start=start.isoformat())


def _session(session: Any, guard: Guard, cache_dir: Path) -> Any:
    """The HTTP session of one fetch, every request through `guard`; yfinance prepared.

    Without a session given, yfinance's own kind: curl_cffi impersonating a browser.
    """
    import yfinance as yf

    if session is None:
        session = _default_session()
    if getattr(session, "_riskon_guard", None) is not guard:
        _prepare_yfinance(yf, cache_dir)
    return guard.attach(session)


def store_start(stored: pd.DataFrame | None, history_start: dt.date) -> dt.date:
    """First date to fetch: ten days before the last stored row, or `history_start`."""
    if stored is None or stored.empty:
        return history_start
    last = pd.Timestamp(stored.index.max()).date()
    return max(last - dt.timedelta(days=OVERLAP_DAYS), history_start)


def split_download(frame: pd.DataFrame | None, tickers: Sequence[str]) -> Prices:
    """Per-ticker price frames (rows with any value) from a `(Price, Ticker)` download frame."""
    out: Prices = {}
    if frame is None or frame.empty or not isinstance(frame.columns, pd.MultiIndex):
        return out
    level = "Ticker" if "Ticker" in frame.columns.names else 1
    symbols = set(frame.columns.get_level_values(level))
    for ticker in tickers:
        symbol = ticker.upper()  # yfinance upper-cases symbols
        if symbol not in symbols:
            continue
        part = frame.xs(symbol, axis=1, level=level).rename(columns=YAHOO_COLUMNS)
        out[ticker] = part.dropna(how="all")  # mixed calendars leave all-NaN rows
    return out


def _download(
    group: list[str], start: dt.date, end: dt.date, session: Any, guard: Guard
) -> tuple[Prices, dict[str, str], list[str]]:
    """One `yf.download` call: (validated frames, failures with reasons, notes).

    A failure's reason is what happened to its requests (`guard`); yfinance's logged
    words only when every request was answered.
    """
    mark = guard.mark()
    with _captured_yfinance_log() as records:
        try:
            frame = _yf_download(group, start, end, session)
        except Exception as exc:  # download is documented never to raise; be sure of it
            return {}, {t: guard.cause_since(mark, t) or f"download failed: {exc!r}"
                        for t in group}, []
    reasons, notes = _read_log(records, [t.upper() for t in group])
    if guard.faults[mark:]:
        notes = []  # yfinance's account of a request that failed: the guard names it better
    got: Prices = {}
    failed: dict[str, str] = {}
    frames = split_download(frame, group)
    for ticker in group:
        raw = frames.get(ticker, empty_frame())
        try:
            clean, found = validate_prices(ticker, raw, today=end)  # no bar is dated later
        except MalformedFrame as exc:  # repeated columns, mixed time zones: a named failure
            failed[ticker] = str(exc)
            continue
        if clean.empty:
            logged = reasons.get(ticker.upper())
            failed[ticker] = (guard.cause_since(mark, ticker) or logged
                              or ("no rows returned" if raw.empty else "no valid close returned"))
        else:
            got[ticker] = clean
            notes.extend(found)
    return got, failed, notes


def _yf_download(group: list[str], start: dt.date, end: dt.date, session: Any) -> Any:
    """The one yfinance call, with every argument explicit (see STACK.md)."""
    import yfinance as yf

    with warnings.catch_warnings():
        # pandas deprecations raised inside yfinance are not ours to fix or to print.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        return yf.download(
            list(group),
            start=start.isoformat(),
            end=end.isoformat(),
            interval="1d",
            auto_adjust=False,
            actions=False,
            progress=False,
            threads=False,
            group_by="column",
            multi_level_index=True,
            repair=False,
            keepna=False,
            timeout=READ_TIMEOUT,
            session=session,
        )


def _prepare_yfinance(yf: Any, cache_dir: Path) -> None:
    """Keep yfinance's caches under `cache_dir/yfinance` and forget its process-wide state."""
    global _cache_location
    from yfinance import cache as yf_cache
    from yfinance import data as yf_data

    location = cache_dir / "yfinance"
    location.mkdir(parents=True, exist_ok=True)
    if _cache_location != str(location):
        yf.set_tz_cache_location(str(location))
        # The cache objects keep the database they opened first: drop them so they reopen here.
        for manager, attr in (
            (getattr(yf_cache, "_TzCacheManager", None), "_tz_cache"),
            (getattr(yf_cache, "_CookieCacheManager", None), "_Cookie_cache"),
            (getattr(yf_cache, "_ISINCacheManager", None), "_isin_cache"),
        ):
            if manager is not None and hasattr(manager, attr):
                setattr(manager, attr, None)
        _cache_location = str(location)
    # YfData is a singleton holding the session, cookie, crumb and an LRU response cache.
    yf_data.YfData.cache_get.cache_clear()
    instances = getattr(yf_data.SingletonMeta, "_instances", {})
    instances.pop(yf_data.YfData, None)


def _default_session() -> Any:
    """yfinance's own kind of session: curl_cffi, impersonating a browser."""
    from curl_cffi import requests as curl_requests

    return curl_requests.Session(impersonate="chrome")


def _forget_replies() -> None:
    """Empty yfinance's in-process cache of replies (it keeps failed ones too)."""
    from yfinance import data as yf_data

    yf_data.YfData.cache_get.cache_clear()


class _ListHandler(logging.Handler):
    """Keeps the records it receives."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _captured_yfinance_log() -> Iterator[list[logging.LogRecord]]:
    """Collect the `yfinance` logger's warnings and errors instead of printing them."""
    logger = logging.getLogger("yfinance")
    handler = _ListHandler()
    saved = (logger.level, logger.propagate)
    if logger.level == logging.NOTSET or logger.level > logging.WARNING:
        logger.setLevel(logging.WARNING)
    logger.propagate = False
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def _read_log(
    records: list[logging.LogRecord], symbols: list[str]
) -> tuple[dict[str, str], list[str]]:
    """Failure reasons per symbol from the logged errors, and the other messages as notes."""
    errors: dict[str, list[str]] = {}
    notes: list[str] = []

    def add(symbol: str, reason: str) -> None:
        found = errors.setdefault(symbol.upper(), [])
        if reason.strip() not in found:
            found.append(reason.strip())

    for record in records:
        message = record.getMessage().strip()
        if record.levelno >= logging.ERROR:
            if summary := _FAILED_LINE.match(message):  # ['A', 'B']: reason
                for symbol in re.findall(r"'([^']*)'", summary["symbols"]):
                    add(symbol, summary["reason"])
                continue
            if single := _SYMBOL_LINE.match(message):  # $A: reason
                add(single["symbol"], single["reason"])
                continue
            if re.fullmatch(r"\d+ Failed downloads?:", message):
                continue
            mentioned = [s for s in symbols if f"'{s}'" in message or f"/{s}" in message]
            for symbol in mentioned:  # e.g. "Failed to get ticker 'A' reason: ..."
                add(symbol, message)
            if mentioned:
                continue
        if message and f"yfinance: {message}" not in notes:
            notes.append(f"yfinance: {message}")
    return {symbol: _explain(found) for symbol, found in errors.items()}, notes


def _explain(messages: list[str]) -> str:
    """yfinance's messages for one symbol, as its words (used only when no request failed:
    its "possibly delisted" is a guess, said of network errors too)."""
    return "yfinance: " + "; ".join(messages)


def _restatement_notes(ticker: str, old: pd.DataFrame, new: pd.DataFrame) -> list[str]:
    """Say when Yahoo restated stored history (split or dividend) and the store was rescaled."""
    price, adj = restatement_factors(old, new)
    notes = []
    if price != 1.0:
        notes.append(f"{ticker}: Yahoo restated prices by x{price:.6g} (a split?); "
                     "older stored rows rescaled")
    if adj != 1.0:
        notes.append(f"{ticker}: Yahoo restated adj_close by x{adj:.6g} (a dividend?); "
                     "older stored rows rescaled")
    return notes


def fetch_shares_notes(
    config: Config, *, session: Any = None, guard: Guard | None = None,
    progress: Progress | None = None,
) -> list[str]:
    """Fetch shares outstanding into `data/shares/`; a failure is a note, flows stay n/a."""
    result = fetch_shares_into_store(config, session=session, guard=guard, progress=progress)
    return [f"{ticker}: no shares outstanding from Yahoo ({reason}); its flows stay n/a"
            for ticker, reason in sorted(result.failures.items())]
