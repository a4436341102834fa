"""The network under a Yahoo fetch: one overall deadline, a down host detected once, and
every failure named from what actually happened.

yfinance swallows transport errors and logs guesses ("possibly delisted"), so the truth is
taken one level lower: `Guard.attach` wraps the HTTP session yfinance is given, and every
request passes through `Guard.request`, which

- bounds the request's timeouts by what is left of the fetch's one deadline, and refuses
  any request once the deadline has passed;
- names each failure from the exception or the reply (timeout, connection refused, DNS
  lookup failed, connection reset, TLS, rate limit, server error, bad reply, not found);
- takes Yahoo as down after the first connection-level failure (DNS, refused, connect
  timeout, unreachable, TLS) on one of its data hosts, and from then on fails every request
  at once instead of waiting on each ticker again. A failure on another host (the cookie
  page `fc.yahoo.com` is on some block lists) only marks that host down, and those optional
  pages get a shorter connect timeout: with every host silent, the fetch gives up in
  about 1.5 + 1.5 + 4 seconds.

Standard library only (the session classes are duck-typed), so tests drive it with a fake
session and a fake clock.
"""

from __future__ import annotations

import json
import re
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

CONNECT_TIMEOUT = 4.0  # seconds to reach a data host (DNS + TCP + TLS): Yahoo takes < 1 s
AUX_CONNECT_TIMEOUT = 1.5  # the cookie and consent pages: optional, so not waited on long
READ_TIMEOUT = 20.0  # seconds for a reply once connected
DATA_HOSTS = ("finance.yahoo.com",)  # query1./query2.: where prices come from
_SYMBOL = re.compile(r"/(?:chart|quoteSummary|quote|fundamentals-timeseries)/(?:[^/]+/)*?([^/?]+)$")

# What a fault is called, in the words a site owner reads.
TIMEOUT = "timed out"
CONNECT_TIMEOUT_KIND = "connection timed out"
REFUSED = "connection refused"
NO_CONNECT = "could not connect"  # curl's (7): refused or unreachable, it does not say which
DNS = "DNS lookup failed"
RESET = "connection reset"
UNREACHABLE = "network unreachable"
TLS = "TLS error"
CONNECTION = "connection failed"
RATE_LIMIT = "rate-limited by Yahoo (HTTP 429)"
SERVER = "server error"
BAD_REPLY = "bad reply"
NOT_FOUND = "unknown or delisted symbol"
DEADLINE = "fetch deadline reached"
# Faults meaning the host cannot be reached at all: once is enough to stop trying it.
HOST_DOWN = frozenset({CONNECT_TIMEOUT_KIND, REFUSED, NO_CONNECT, DNS, UNREACHABLE, TLS,
                       CONNECTION})
# Faults whose name says it all: the library's own words are left out of the short line.
PLAIN = frozenset({CONNECT_TIMEOUT_KIND, REFUSED, NO_CONNECT, DNS, UNREACHABLE, TIMEOUT,
                   RESET})


@dataclass(frozen=True)
class Fault:
    """One failed request: what happened, where, and Yahoo's or the library's own words."""

    kind: str
    host: str
    detail: str = ""
    symbol: str | None = None

    def describe(self) -> str:
        """`connection refused (query2.finance.yahoo.com)`, `rate-limited (HTTP 429)`, ..."""
        if self.kind == NOT_FOUND:
            return f"{NOT_FOUND} (Yahoo: {self.detail})" if self.detail else NOT_FOUND
        if self.kind in (RATE_LIMIT, DEADLINE):
            return f"{self.kind}{f' ({self.detail})' if self.detail else ''}"
        if self.kind in PLAIN or not self.detail:
            return f"{self.kind} ({self.host})"
        return f"{self.kind} ({self.host}: {self.detail})"

    @property
    def network(self) -> bool:
        """A fault of the network or of Yahoo's service, not of the symbol asked for."""
        return self.kind != NOT_FOUND


class YahooDown(ConnectionError):
    """Raised instead of a request to a host already found unreachable in this fetch."""

    def __init__(self, fault: Fault) -> None:
        super().__init__(f"not tried: {fault.describe()}")
        self.fault = fault


class DeadlineReached(TimeoutError):
    """Raised instead of a request once the fetch's overall deadline has passed."""


class Guard:
    """One fetch's deadline, the hosts found down, and every fault seen (in order)."""

    def __init__(self, deadline_seconds: float, *, monotonic: Callable[[], float] = time.monotonic,
                 connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT,
                 ) -> None:
        self.deadline_seconds = deadline_seconds
        self.monotonic = monotonic
        self.started = monotonic()
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.faults: list[Fault] = []
        self.down_hosts: dict[str, Fault] = {}
        self.down: Fault | None = None  # Yahoo's data hosts unreachable: nothing more is tried

    # -- time

    def elapsed(self) -> float:
        """Seconds since the fetch started."""
        return self.monotonic() - self.started

    def remaining(self) -> float:
        """Seconds left before the overall deadline (never negative)."""
        return max(self.deadline_seconds - self.elapsed(), 0.0)

    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def deadline_fault(self) -> Fault:
        return Fault(DEADLINE, "", f"{self.deadline_seconds:g} s, fetch_deadline_seconds")

    # -- the session

    def attach(self, session: Any) -> Any:
        """Route every request of `session` (a requests or curl_cffi Session) through here."""
        if getattr(session, "_riskon_guard", None) is self:
            return session
        inner = session.request

        def request(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            return self.request(inner, method, url, *args, **kwargs)

        session.request = request
        session._riskon_guard = self
        return session

    def request(self, inner: Callable[..., Any], method: str, url: str, *args: Any,
                **kwargs: Any) -> Any:
        """Send one request through `inner` within the deadline; record what went wrong."""
        host = urlsplit(url).hostname or ""
        symbol = symbol_of(url)
        if self.down is not None and is_data_host(host):
            raise YahooDown(self.down)
        if host in self.down_hosts:
            raise YahooDown(self.down_hosts[host])
        left = self.remaining()
        if left <= 0:
            self.faults.append(self.deadline_fault())
            raise DeadlineReached(self.deadline_fault().describe())
        read = _seconds(kwargs.get("timeout"), self.read_timeout)
        connect = self.connect_timeout if is_data_host(host) else min(self.connect_timeout,
                                                                      AUX_CONNECT_TIMEOUT)
        # curl_cffi waits connect + read in all (requests: read per socket read): both fit.
        connect = min(connect, left / 2)
        kwargs["timeout"] = (connect, min(read, left - connect))
        try:
            response = inner(method, url, *args, **kwargs)
        except Exception as exc:
            fault = classify_exception(exc, host, symbol)
            if fault.kind == TIMEOUT and self.expired():
                fault = Fault(DEADLINE, host, self.deadline_fault().detail, symbol)
            self._record(fault)
            raise
        fault = classify_response(response, host, symbol)
        if fault is not None:
            self._record(fault)
        return response

    def _record(self, fault: Fault) -> None:
        self.faults.append(fault)
        if fault.kind in HOST_DOWN:
            self.down_hosts.setdefault(fault.host, fault)
            if is_data_host(fault.host) and self.down is None:
                self.down = fault

    # -- reading the faults back

    def mark(self) -> int:
        """A position in the fault list, for `cause_since`."""
        return len(self.faults)

    def cause_since(self, mark: int, symbol: str | None = None) -> str | None:
        """The reason a download that started at `mark` got nothing, from what happened.

        A fault of the data requests of `symbol` first (the last one: the one that stuck),
        then the deadline or a down Yahoo, then any other network fault; None when every
        request was answered (the caller then has only yfinance's words).
        """
        seen = self.faults[mark:]
        if symbol is not None:
            own = [f for f in seen if f.symbol == symbol.upper()]
            if own:
                return own[-1].describe()
        if self.expired():
            return f"not fetched: {self.deadline_fault().describe()}"
        if self.down is not None:
            return f"not fetched: Yahoo unreachable, {self.down.describe()}"
        data = [f for f in seen if f.network and is_data_host(f.host)]
        other = [f for f in seen if f.network]  # e.g. the cookie page failing in a way that
        return (data or other)[-1].describe() if data or other else None  # stopped yfinance


def is_data_host(host: str) -> bool:
    """True for Yahoo's data hosts (`query1.finance.yahoo.com`, `query2.…`)."""
    return any(host == h or host.endswith("." + h) for h in DATA_HOSTS)


def symbol_of(url: str) -> str | None:
    """The symbol a Yahoo data URL asks for (upper case, URL-decoded), if any."""
    from urllib.parse import unquote

    match = _SYMBOL.search(urlsplit(url).path)
    return unquote(match.group(1)).upper() if match else None


def classify_exception(exc: BaseException, host: str, symbol: str | None = None) -> Fault:
    """Name a failed request from its exception (requests, curl_cffi or the socket layer)."""
    if isinstance(exc, YahooDown):
        return exc.fault
    if isinstance(exc, DeadlineReached):
        return Fault(DEADLINE, host, "", symbol)
    text = str(exc)
    lowered = text.lower()
    names = {c.__name__ for c in type(exc).__mro__}
    detail = _short(text)
    if "ConnectTimeout" in names or "connection timed out" in lowered or (
            "connect" in lowered and ("timed out" in lowered or "timeout was reached" in lowered)):
        kind = CONNECT_TIMEOUT_KIND
    elif names & {"DNSError", "NameResolutionError", "gaierror"} or any(
            w in lowered for w in ("could not resolve", "name or service not known",
                                   "failed to resolve", "nodename nor servname",
                                   "temporary failure in name resolution")):
        kind = DNS
    elif names & {"ConnectionRefusedError"} or "refused" in lowered:
        kind = REFUSED
    elif names & {"ReadTimeout", "Timeout", "TimeoutError", "timeout"} or "timed out" in lowered:
        kind = TIMEOUT
    elif names & {"ConnectionResetError", "ChunkedEncodingError", "RemoteDisconnected",
                  "IncompleteRead", "BrokenPipeError"} or any(
            w in lowered for w in ("reset by peer", "connection reset", "(56)", "(52)",
                                   "empty reply", "remote end closed", "broken pipe")):
        kind = RESET
    elif "unreachable" in lowered or "no route to host" in lowered:
        kind = UNREACHABLE
    elif "could not connect" in lowered or "couldn't connect" in lowered:
        kind = NO_CONNECT
    elif names & {"SSLError", "CertificateVerifyError", "SSLCertVerificationError"} or isinstance(
            exc, ssl.SSLError):
        kind = TLS
    elif names & {"ConnectionError", "ProxyError"} or isinstance(exc, OSError):
        kind = CONNECTION
    else:
        kind = f"{BAD_REPLY}: {type(exc).__name__}"
    return Fault(kind, host, detail, symbol)


def classify_response(response: Any, host: str, symbol: str | None = None) -> Fault | None:
    """Name a reply that is not a usable answer (None when it is one).

    429 is a rate limit and 5xx a server error. On the data hosts a reply must be JSON: an
    HTML outage page with status 200 is a bad reply. A 404 whose JSON says "Not Found" is
    Yahoo not knowing the symbol, the one case called "unknown or delisted".
    """
    status = int(getattr(response, "status_code", 0) or 0)
    if status == 429:
        return Fault(RATE_LIMIT, host, "", symbol)
    if status >= 500:
        return Fault(SERVER, host, f"HTTP {status}", symbol)
    if not is_data_host(host) or symbol is None:
        return None
    body = _body(response)
    try:
        doc = json.loads(body) if body.strip() else None
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        what = "an empty body" if not body.strip() else "not JSON"
        if body.lstrip()[:1] == "<":
            what = "an HTML page, not JSON"
        return Fault(BAD_REPLY, host, f"HTTP {status}, {what}", symbol)
    if status == 404:
        error = _yahoo_error(doc)
        return Fault(NOT_FOUND, host, error or f"HTTP {status}", symbol)
    if status >= 400:
        return Fault(BAD_REPLY, host, f"HTTP {status}", symbol)
    return None


def _yahoo_error(doc: dict[str, Any]) -> str:
    """Yahoo's own error text from `{"chart": {"error": {"description": ...}}}` and the like."""
    for part in doc.values():
        if isinstance(part, dict) and isinstance(part.get("error"), dict):
            error = part["error"]
            return str(error.get("description") or error.get("code") or "")
    return ""


def _body(response: Any) -> str:
    content = getattr(response, "content", b"") or b""
    if isinstance(content, str):
        return content
    try:
        return bytes(content).decode("utf-8", errors="replace")
    except TypeError:
        return ""


def _seconds(value: Any, default: float) -> float:
    """A read timeout from what the caller passed: a number, a (connect, read) pair or None."""
    if isinstance(value, tuple | list) and len(value) == 2:
        value = value[1]
    if isinstance(value, int | float) and value > 0:
        return float(value)
    return default


def _short(text: str, limit: int = 120) -> str:
    """The library's message, without curl's advice link, on one short line."""
    text = re.sub(r"\s*See https://curl\.se/\S*.*$", "", text, flags=re.DOTALL)
    text = re.sub(r"^Failed to perform, ", "", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
