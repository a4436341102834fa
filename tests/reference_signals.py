"""Independent reference computation of the SPEC §5 signal table (standard library only).

Written without pandas and without reading `generator/signals.py`, so that the product's
numbers can be checked against a second implementation. It follows SPEC §4–§5 literally:

- E is the set of `^RUT` dates that have a close; a week is an ISO week and its as-of
  date is its last E date; the archive runs from the first week whose as-of date is on or
  after `archive_start` through the last week with `^RUT` data.
- Every daily component is evaluated on every E date (the percentile windows need the
  history), and the weekly row takes the value at the as-of date.
- A record day is a close strictly above every earlier close (the first observation is
  not one); a breakout is a record day whose previous record day is at least 63 E
  positions earlier (a first record day with no previous record is not a breakout).
- Missing is `None`; nothing is carried forward.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

DEFAULT_ALTS = (
    "ETH-USD", "SOL-USD", "XRP-USD", "BNB-USD", "ADA-USD", "DOGE-USD", "TRX-USD",
    "AVAX-USD", "LINK-USD", "DOT-USD", "LTC-USD", "BCH-USD", "XLM-USD",
)

COLUMNS = (
    "rut_close",
    "rut_record_level",
    "rut_drawdown",
    "rut_record_week",
    "rut_breakout_week",
    "iwm_breakout_week",
    "rut_trend",
    "smallcap_rs_13w",
    "credit_13w",
    "vix",
    "btc_close",
    "btc_trend",
    "btc_rut_corr_90d",
    "altseason_index",
    "score_rut_trend",
    "score_rut_drawdown",
    "score_smallcap_rs_13w",
    "score_credit_13w",
    "score_vix",
    "score_btc_trend",
    "score_altseason_index",
    "score",
    "band",
)
HEADER = ("week", "as_of", *COLUMNS)

SCORE_COMPONENTS = (
    "rut_trend",
    "rut_drawdown",
    "smallcap_rs_13w",
    "credit_13w",
    "vix",
    "btc_trend",
    "altseason_index",
)
INVERTED = frozenset({"vix"})

BREAKOUT_GAP = 63
RUT_TREND_WINDOW = 200
RS_LAG = 65
BTC_TREND_WINDOW = 200
CORR_WINDOW = 90
ALTSEASON_DAYS = 90
ALTSEASON_MIN_ALTS = 5
SCORE_LOOKBACK = 1260
SCORE_MIN_VALUES = 252

BANDS = (
    (25.0, "Strong risk-off"),
    (45.0, "Risk-off"),
    (55.0, "Neutral"),
    (75.0, "Risk-on"),
)
TOP_BAND = "Strong risk-on"

Series = dict[dt.date, float]  # date -> value, only dates with a value


def ticker_filename(ticker: str) -> str:
    return ticker.replace("^", "_") + ".csv"


def read_column(csv_dir: Path, ticker: str, column: str) -> Series:
    """`date -> value` of a column of `<TICKER>.csv`; empty cells and absent files give nothing."""
    path = Path(csv_dir) / ticker_filename(ticker)
    out: Series = {}
    if not path.is_file():
        return out
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            cell = (row.get(column) or "").strip()
            if column == "adj_close" and "adj_close" not in row:
                cell = (row.get("close") or "").strip()
            if cell == "":
                continue
            value = float(cell)
            if math.isnan(value):
                continue
            out[dt.date.fromisoformat(row["date"].strip())] = value
    return out


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def band_of(score: float | None) -> str | None:
    if score is None:
        return None
    for upper, name in BANDS:
        if score < upper:
            return name
    return TOP_BAND


# ---------------------------------------------------------------------------------------
# daily building blocks (lists aligned with E; None = missing)


def record_flags(values: list[float | None]) -> list[bool]:
    """True where the value is strictly above every earlier (non-missing) value."""
    flags = [False] * len(values)
    best: float | None = None
    for i, v in enumerate(values):
        if v is None:
            continue
        if best is not None and v > best:
            flags[i] = True
        if best is None or v > best:
            best = v
    return flags


def breakout_flags(records: list[bool], gap: int = BREAKOUT_GAP) -> list[bool]:
    """True at record days whose previous record day is at least `gap` positions earlier."""
    flags = [False] * len(records)
    previous: int | None = None
    for i, is_record in enumerate(records):
        if not is_record:
            continue
        if previous is not None and i - previous >= gap:
            flags[i] = True
        previous = i
    return flags


def trailing_mean_ratio(values: list[float | None], window: int) -> list[float | None]:
    """value / mean(last `window` values incl. this one) - 1; None if any is missing."""
    out: list[float | None] = [None] * len(values)
    for i in range(window - 1, len(values)):
        v = values[i]
        if v is None:
            continue
        chunk = values[i - window + 1 : i + 1]
        if any(x is None for x in chunk):
            continue
        out[i] = v / (math.fsum(chunk) / window) - 1.0
    return out


def lag_change(values: list[float | None], lag: int) -> list[float | None]:
    """value / value(`lag` positions earlier) - 1."""
    out: list[float | None] = [None] * len(values)
    for i in range(lag, len(values)):
        a, b = values[i], values[i - lag]
        if a is not None and b is not None:
            out[i] = a / b - 1.0
    return out


def pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    mx = math.fsum(xs) / n
    my = math.fsum(ys) / n
    sxy = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    if sxx <= 0.0 or syy <= 0.0:
        return None
    return sxy / math.sqrt(sxx * syy)


def percentile_score(window: list[float | None], inverted: bool) -> float | None:
    """pandas `rank(pct=True)` (average ties) of the last value among the window, × 100."""
    v = window[-1]
    if v is None:
        return None
    values = [x for x in window if x is not None]
    n = len(values)
    if n < SCORE_MIN_VALUES:
        return None
    less = 0
    equal = 0
    for x in values:
        if x < v:
            less += 1
        elif x == v:
            equal += 1
    rank = less + (equal + 1) / 2.0
    pct = rank / n * 100.0
    return 100.0 - pct if inverted else pct


# ---------------------------------------------------------------------------------------


def reference_table(
    csv_dir: Path,
    *,
    archive_start: str | dt.date = "2016-01-01",
    alts: tuple[str, ...] = DEFAULT_ALTS,
) -> list[dict]:
    """One dict per archive week (oldest first): `week`, `as_of` and every §5 column."""
    csv_dir = Path(csv_dir)
    if isinstance(archive_start, str):
        archive_start = dt.date.fromisoformat(archive_start)

    rut = read_column(csv_dir, "^RUT", "close")
    iwm_close = read_column(csv_dir, "IWM", "close")
    iwm_adj = read_column(csv_dir, "IWM", "adj_close")
    spy_adj = read_column(csv_dir, "SPY", "adj_close")
    hyg_adj = read_column(csv_dir, "HYG", "adj_close")
    ief_adj = read_column(csv_dir, "IEF", "adj_close")
    vix = read_column(csv_dir, "^VIX", "close")
    btc = read_column(csv_dir, "BTC-USD", "close")
    alt_closes = [read_column(csv_dir, a, "close") for a in alts]

    E = sorted(rut)
    n = len(E)
    if n == 0:
        return []

    # --- RUT: close, record level, drawdown, records, breakouts, trend
    rut_c: list[float | None] = [rut[d] for d in E]
    record_level: list[float] = []
    best = -math.inf
    for v in rut_c:
        best = max(best, v)
        record_level.append(best)
    drawdown: list[float | None] = [c / r - 1.0 for c, r in zip(rut_c, record_level, strict=True)]
    rut_records = record_flags(rut_c)
    rut_breakouts = breakout_flags(rut_records)
    rut_trend = trailing_mean_ratio(rut_c, RUT_TREND_WINDOW)

    # --- IWM breakouts: IWM close restricted to E; E dates without a close are skipped
    iwm_on_e: list[float | None] = [iwm_close.get(d) for d in E]
    iwm_records = record_flags(iwm_on_e)
    iwm_breakouts = breakout_flags(iwm_records)

    # --- relative strength and credit on E
    def ratio_on_e(num: Series, den: Series) -> list[float | None]:
        out: list[float | None] = []
        for d in E:
            a, b = num.get(d), den.get(d)
            out.append(a / b if a is not None and b is not None else None)
        return out

    smallcap_rs = lag_change(ratio_on_e(iwm_adj, spy_adj), RS_LAG)
    credit = lag_change(ratio_on_e(hyg_adj, ief_adj), RS_LAG)

    # --- VIX on E (no carry-forward)
    vix_on_e: list[float | None] = [vix.get(d) for d in E]

    # --- BTC: close on E, trend over the calendar-daily rows
    btc_dates = sorted(btc)
    btc_vals = [btc[d] for d in btc_dates]
    btc_pos = {d: i for i, d in enumerate(btc_dates)}
    btc_on_e: list[float | None] = [btc.get(d) for d in E]
    btc_trend: list[float | None] = [None] * n
    for i, d in enumerate(E):
        j = btc_pos.get(d)
        if j is None or j < BTC_TREND_WINDOW - 1:
            continue
        mean = math.fsum(btc_vals[j - BTC_TREND_WINDOW + 1 : j + 1]) / BTC_TREND_WINDOW
        btc_trend[i] = btc_vals[j] / mean - 1.0

    # --- altseason index on every E date
    altseason: list[float | None] = [None] * n
    lookback = dt.timedelta(days=ALTSEASON_DAYS)
    for i, d in enumerate(E):
        d0 = d - lookback
        b1, b0 = btc.get(d), btc.get(d0)
        if b1 is None or b0 is None:
            continue
        btc_ret = b1 / b0 - 1.0
        counted = 0
        beating = 0
        for series in alt_closes:
            a1, a0 = series.get(d), series.get(d0)
            if a1 is None or a0 is None:
                continue
            counted += 1
            if a1 / a0 - 1.0 > btc_ret:
                beating += 1
        if counted >= ALTSEASON_MIN_ALTS:
            altseason[i] = 100.0 * beating / counted

    # --- log returns between consecutive E dates (for the correlation)
    def log_returns(values: list[float | None]) -> list[float | None]:
        out: list[float | None] = [None] * len(values)
        for i in range(1, len(values)):
            a, b = values[i], values[i - 1]
            if a is not None and b is not None:
                out[i] = math.log(a / b)
        return out

    rut_lr = log_returns(rut_c)
    btc_lr = log_returns(btc_on_e)

    def corr_at(i: int) -> float | None:
        if i - CORR_WINDOW + 1 < 1:
            return None
        xs = btc_lr[i - CORR_WINDOW + 1 : i + 1]
        ys = rut_lr[i - CORR_WINDOW + 1 : i + 1]
        if any(x is None for x in xs) or any(y is None for y in ys):
            return None
        return pearson(xs, ys)

    components: dict[str, list[float | None]] = {
        "rut_trend": rut_trend,
        "rut_drawdown": drawdown,
        "smallcap_rs_13w": smallcap_rs,
        "credit_13w": credit,
        "vix": vix_on_e,
        "btc_trend": btc_trend,
        "altseason_index": altseason,
    }

    # --- weeks
    weeks: dict[str, list[int]] = {}
    for i, d in enumerate(E):
        weeks.setdefault(iso_week(d), []).append(i)

    rows: list[dict] = []
    for week, idxs in weeks.items():  # E is sorted, so weeks come oldest first
        t = idxs[-1]
        as_of = E[t]
        if as_of < archive_start:
            continue
        row: dict = {"week": week, "as_of": as_of.isoformat()}
        row["rut_close"] = rut_c[t]
        row["rut_record_level"] = record_level[t]
        row["rut_drawdown"] = drawdown[t]
        row["rut_record_week"] = any(rut_records[i] for i in idxs)
        row["rut_breakout_week"] = any(rut_breakouts[i] for i in idxs)
        row["iwm_breakout_week"] = any(iwm_breakouts[i] for i in idxs)
        row["rut_trend"] = rut_trend[t]
        row["smallcap_rs_13w"] = smallcap_rs[t]
        row["credit_13w"] = credit[t]
        row["vix"] = vix_on_e[t]
        row["btc_close"] = btc_on_e[t]
        row["btc_trend"] = btc_trend[t]
        row["btc_rut_corr_90d"] = corr_at(t)
        row["altseason_index"] = altseason[t]
        scores: list[float] = []
        lo = max(0, t - SCORE_LOOKBACK + 1)
        for name in SCORE_COMPONENTS:
            s = percentile_score(components[name][lo : t + 1], name in INVERTED)
            row[f"score_{name}"] = s
            if s is not None:
                scores.append(s)
        row["score"] = sum(scores) / len(scores) if scores else None
        row["band"] = band_of(row["score"])
        assert set(row) == set(HEADER)
        rows.append({k: row[k] for k in HEADER})
    return rows


def _main() -> None:  # pragma: no cover - manual inspection helper
    import sys
    import time

    root = Path(sys.argv[1]) if len(sys.argv) > 1 else (
        Path(__file__).resolve().parents[2] / "shared" / "data" / "market"
    )
    start = time.perf_counter()
    table = reference_table(root)
    elapsed = time.perf_counter() - start
    wanted = set(sys.argv[2:]) or {table[-1]["week"]}
    for row in table:
        if row["week"] in wanted:
            print(row["week"])
            for k, v in row.items():
                print(f"  {k:24} {v}")
    print(f"{len(table)} weeks in {elapsed:.2f}s")


if __name__ == "__main__":  # pragma: no cover
    _main()
