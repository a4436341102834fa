"""Settings: `[tool.riskon]` of `pyproject.toml` -> a frozen `Config`, every error at once."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from generator.errors import ConfigError

COMPONENTS = (
    "rut_trend",
    "rut_drawdown",
    "smallcap_rs_13w",
    "credit_13w",
    "vix",
    "btc_trend",
    "altseason_index",
)

DEFAULT_ALTS = (
    "ETH-USD", "SOL-USD", "XRP-USD", "BNB-USD", "ADA-USD", "DOGE-USD", "TRX-USD",
    "AVAX-USD", "LINK-USD", "DOT-USD", "LTC-USD", "BCH-USD", "XLM-USD",
)
# Stablecoins and wrapped tokens track another asset, never risk appetite: refused in `alts`.
NOT_ALTS = ("USDT", "USDC", "DAI", "BUSD", "TUSD", "USDP", "FDUSD", "PYUSD", "USDE", "WBTC",
            "WETH", "STETH", "WSTETH", "WBETH", "WEETH")


@dataclass(frozen=True)
class Tickers:
    """Yahoo symbols for each role in the signals."""

    rut: str = "^RUT"
    iwm: str = "IWM"
    spy: str = "SPY"
    vix: str = "^VIX"
    hyg: str = "HYG"
    ief: str = "IEF"
    btc: str = "BTC-USD"
    eth: str = "ETH-USD"


@dataclass(frozen=True)
class Windows:
    """Look-back windows, in E-days unless the name says calendar days."""

    breakout_gap: int = 63
    rut_trend: int = 200
    relative_strength: int = 65
    btc_trend: int = 200
    correlation: int = 90
    altseason_days: int = 90
    altseason_min_alts: int = 5
    score_lookback: int = 1260
    score_min_values: int = 252


@dataclass(frozen=True)
class Config:
    """Validated settings plus the project root they were read from."""

    root: Path
    title: str = "Risk-On Monitor"
    base_url: str = "https://example.github.io/risk-on-monitor/"
    description: str = "A weekly report on risk appetite across small-cap stocks and crypto."
    language: str = "en"
    author: str = "Risk-On Monitor editors"
    archive_start: dt.date = dt.date(2016, 1, 1)
    feed_size: int = 20
    history_start: dt.date = dt.date(1985, 1, 1)
    fetch_retries: int = 3
    fetch_backoff_seconds: float = 5.0
    fetch_deadline_seconds: float = 240.0
    tickers: Tickers = field(default_factory=Tickers)
    alts: tuple[str, ...] = DEFAULT_ALTS
    flow_etfs: tuple[str, ...] = ("IWM", "IJR", "VB", "VTWO", "SCHA")
    windows: Windows = field(default_factory=Windows)
    weights: dict[str, float] = field(
        default_factory=lambda: {name: 1.0 for name in COMPONENTS}
    )

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def prices_dir(self) -> Path:
        return self.root / "data" / "prices"

    @property
    def shares_dir(self) -> Path:
        return self.root / "data" / "shares"

    @property
    def issues_dir(self) -> Path:
        return self.root / "data" / "issues"

    @property
    def cache_dir(self) -> Path:
        """The build cache and yfinance's caches: `.cache/` in the project."""
        return self.root / ".cache"

    @property
    def all_tickers(self) -> tuple[str, ...]:
        """Every symbol the site needs, core roles first, without duplicates."""
        seen: dict[str, None] = {}
        for name in (f.name for f in fields(Tickers)):
            seen[getattr(self.tickers, name)] = None
        for sym in (*self.alts, *self.flow_etfs):
            seen[sym] = None
        return tuple(seen)

    def url(self, path: str = "") -> str:
        """Absolute URL of a site path such as `issues/2025-w38/`."""
        return self.base_url + path.lstrip("/")


def load_config(root: Path | str = ".") -> Config:
    """Read `[tool.riskon]` from `root/pyproject.toml`; raise ConfigError listing every problem."""
    root = Path(root).resolve()
    path = root / "pyproject.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, [f"no pyproject.toml in {root}"]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(path, [f"not valid TOML: {exc}"]) from None
    table = raw.get("tool", {}).get("riskon", {})
    return parse_config(table, root=root, path=path)


def parse_config(table: Any, *, root: Path, path: Path | None = None) -> Config:
    """Validate a `[tool.riskon]` mapping; raise ConfigError listing every problem."""
    errors: list[str] = []
    where = path or root / "pyproject.toml"
    if not isinstance(table, dict):
        raise ConfigError(where, ["[tool.riskon] must be a table"])
    values: dict[str, Any] = {}
    known = {f.name for f in fields(Config)} - {"root"}
    for key in sorted(set(table) - known):
        errors.append(f"{key}: unknown setting (known: {', '.join(sorted(known))})")

    def take(key: str, check, message: str) -> None:
        if key not in table:
            return
        value = table[key]
        try:
            ok = check(value)
        except (TypeError, ValueError):
            ok = None
        if ok is None:
            errors.append(f"{key}: {message}, got {value!r}")
        else:
            values[key] = ok

    take("title", _text, "must be a non-empty string")
    take("description", _text, "must be a non-empty string")
    take("author", _text, "must be a non-empty string")
    take("language", _language, "must be a language tag like 'en' or 'en-GB'")
    take("base_url", _base_url, "must be an absolute http(s) URL")
    take("archive_start", _date, "must be a date YYYY-MM-DD")
    take("history_start", _date, "must be a date YYYY-MM-DD")
    take("feed_size", lambda v: _int(v, 1, 1000), "must be an integer from 1 to 1000")
    take("fetch_retries", lambda v: _int(v, 0, 20), "must be an integer from 0 to 20")
    take("fetch_backoff_seconds", _nonneg, "must be a number >= 0")
    take("fetch_deadline_seconds", _positive_seconds, "must be seconds, > 0 and <= 3600")
    take("alts", _alts, "must be a list of Yahoo crypto symbols (no stablecoins or wrapped tokens)")
    take("flow_etfs", _symbols, "must be a list of Yahoo symbols")

    if "tickers" in table:
        values["tickers"] = _sub_table(table["tickers"], Tickers, "tickers", _symbol, errors)
    if "windows" in table:
        values["windows"] = _sub_table(
            table["windows"], Windows, "windows", lambda v: _int(v, 1, 100_000), errors
        )
    if "weights" in table:
        weights = table["weights"]
        if not isinstance(weights, dict):
            errors.append(f"weights: must be a table, got {weights!r}")
        else:
            merged = {name: 1.0 for name in COMPONENTS}
            for key, value in weights.items():
                if key not in COMPONENTS:
                    known_c = ", ".join(COMPONENTS)
                    errors.append(f"weights.{key}: unknown component (known: {known_c})")
                elif _nonneg(value) is None:
                    errors.append(f"weights.{key}: must be a number >= 0, got {value!r}")
                else:
                    merged[key] = float(value)
            if not any(merged.values()):
                errors.append("weights: at least one weight must be above 0")
            values["weights"] = merged
    if errors:
        raise ConfigError(where, errors)
    return Config(root=root, **values)


def _sub_table(value: Any, cls: type, name: str, check, errors: list[str]):
    if not isinstance(value, dict):
        errors.append(f"{name}: must be a table, got {value!r}")
        return cls()
    known = {f.name for f in fields(cls)}
    good: dict[str, Any] = {}
    for key, item in value.items():
        if key not in known:
            errors.append(f"{name}.{key}: unknown setting (known: {', '.join(sorted(known))})")
            continue
        checked = check(item)
        if checked is None:
            errors.append(f"{name}.{key}: invalid value {item!r}")
        else:
            good[key] = checked
    return cls(**good)


def _text(v: Any) -> str | None:
    return v.strip() if isinstance(v, str) and v.strip() and len(v) <= 500 else None


def _language(v: Any) -> str | None:
    if isinstance(v, str) and 2 <= len(v) <= 12 and all(c.isalnum() or c == "-" for c in v):
        return v
    return None


def _base_url(v: Any) -> str | None:
    if not isinstance(v, str) or not v.startswith(("https://", "http://")):
        return None
    if any(c.isspace() or c in "\"'<>" for c in v) or "?" in v or "#" in v:
        return None
    host = v.split("://", 1)[1].split("/", 1)[0]
    if not host:
        return None
    return v if v.endswith("/") else v + "/"


def _date(v: Any) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return None
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        return dt.date.fromisoformat(v)
    return None


def _int(v: Any, lo: int, hi: int) -> int | None:
    if isinstance(v, bool) or not isinstance(v, int):
        return None
    return v if lo <= v <= hi else None


def _nonneg(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v) if v >= 0 else None


def _positive_seconds(v: Any) -> float | None:
    value = _nonneg(v)
    return value if value is not None and 0 < value <= 3600 else None


def _symbol(v: Any) -> str | None:
    if isinstance(v, str) and 1 <= len(v) <= 20 and all(c.isalnum() or c in "^-=._" for c in v):
        return v
    return None


def _symbols(v: Any) -> tuple[str, ...] | None:
    if not isinstance(v, list) or not v:
        return None
    out = tuple(_symbol(s) for s in v)
    if any(s is None for s in out) or len(set(out)) != len(out):
        return None
    return out  # type: ignore[return-value]


def _alts(v: Any) -> tuple[str, ...] | None:
    out = _symbols(v)
    if out is None:
        return None
    if any(s.split("-")[0].upper() in NOT_ALTS or s.upper().startswith("BTC") for s in out):
        return None
    return out
