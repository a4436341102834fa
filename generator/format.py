"""Every display rule of the site: numbers, signs, dates, percentages and band names.

Pure and import-light (no pandas, no Jinja): the templates, the generated sentences, the
chart words, the cards and the feed all format through these functions, so one number reads
the same everywhere. A missing value (None, NaN, "") is shown as `n/a`.

Rules:

- A 0–100 score is cut, never rounded up, to one decimal (54.96 -> `54.9`), so the number
  shown is always in the band it belongs to (every band limit is a whole number).
- A change is the difference of the two values *as shown* (`fmt_change`): 67.91 after
  63.88 reads `67.9`, `+4.1` from `63.8`, so a shown value and its shown change always add
  up (a change of the unrounded values, rounded on its own, would read `+4.0`).
- A count goes with its noun in the singular or plural (`plural`): `1 trading day`.
- A distance below a record reads in words, never as a signed zero or a double negative
  (`fmt_below_record`): `at its record`, `31.8% below its record`.
- Signed numbers use the minus sign U+2212, never a hyphen; a change that shows as zero is
  shown unsigned (`0.0`), never `+0.0` or `−0.0`.
- Dates for people read `20 February 2026` (English month names, no locale).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

NA = "n/a"
MINUS = "\u2212"

# The score bands of SPEC §5: [low, high) with the top band including 100.
BANDS: tuple[tuple[float, float, str], ...] = (
    (0.0, 25.0, "Strong risk-off"),
    (25.0, 45.0, "Risk-off"),
    (45.0, 55.0, "Neutral"),
    (55.0, 75.0, "Risk-on"),
    (75.0, 100.0, "Strong risk-on"),
)

MONTHS = (
    "January February March April May June July August September October November December"
).split()


def missing(x: Any) -> bool:
    """None, NaN (pandas' NaT too), an infinite number or an empty string."""
    if x is None or (isinstance(x, str) and x == "") or type(x).__name__ == "NaTType":
        return True
    try:
        return not math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def band_of(score: Any) -> str:
    """The band name of a 0–100 score; "" when the score is missing."""
    if missing(score):
        return ""
    score = float(score)
    for low, high, name in BANDS:
        if low <= score < high:
            return name
    return BANDS[0][2] if score < BANDS[0][0] else BANDS[-1][2]


def band_class(band: str) -> str:
    """CSS class for a band name: `Strong risk-on` -> `band-strong-risk-on`."""
    return "band-" + (band or "none").lower().replace(" ", "-")


def _minus(text: str) -> str:
    return text.replace("-", MINUS)


def fmt_num(x: Any, digits: int = 2) -> str:
    """`2,663.78`, `−0.41`; `0.00` for a value that shows as zero; `n/a` when missing."""
    if missing(x):
        return NA
    value = float(x)
    if round(value, digits) == 0:
        return f"{0:.{digits}f}"
    return _minus(f"{value:,.{digits}f}")


def fmt_pct(x: Any, digits: int = 1, signed: bool = True) -> str:
    """A fraction as a percentage: 0.1234 -> `+12.3%`; `n/a` when missing."""
    if missing(x):
        return NA
    value = float(x) * 100
    if round(value, digits) == 0:
        return f"{0:.{digits}f}%"
    return _minus(f"{value:{'+' if signed else ''},.{digits}f}%")


def cut(x: float, digits: int = 1) -> float:
    """`x` cut (towards minus infinity) to `digits` decimals, robust to binary noise."""
    scale = 10**digits
    return math.floor(round(float(x) * scale, 6)) / scale


def fmt_score(x: Any, digits: int = 1) -> str:
    """A 0–100 score cut (never rounded up) to `digits`: 54.96 -> `54.9`; `n/a` if missing."""
    if missing(x):
        return NA
    return f"{cut(float(x), digits):.{digits}f}"


def fmt_signed(x: Any, digits: int = 1) -> str:
    """A signed change: `+2.3`, `−0.4`, and `0.0` for a change that rounds to zero."""
    if missing(x):
        return NA
    value = float(x)
    if round(value, digits) == 0:
        return f"{0:.{digits}f}"
    return _minus(f"{value:+,.{digits}f}")


def change_of(now: Any, previous: Any, digits: int = 1) -> float:
    """The change from `previous` to `now` as the two scores are shown (each cut to
    `digits`): the shown previous value plus this change is the shown value. NaN if either
    is missing."""
    if missing(now) or missing(previous):
        return math.nan
    return round(cut(float(now), digits) - cut(float(previous), digits), digits)


def fmt_change(now: Any, previous: Any, digits: int = 1) -> str:
    """The signed change of a score from `previous` to `now`, the difference of the two
    values as `fmt_score` shows them: (67.91, 63.88) -> `+4.1`; `n/a` if either is missing."""
    return fmt_signed(change_of(now, previous, digits), digits)


def fmt_points(change: Any, digits: int = 1) -> str:
    """A change in words: `up 4.1 points`, `down 1.0 point`, `unchanged`; `n/a` if missing."""
    if missing(change):
        return NA
    value = round(float(change), digits)
    if value == 0:
        return "unchanged"
    size = abs(value)
    unit = "point" if size == 1 else "points"
    return f"{'up' if value > 0 else 'down'} {size:,.{digits}f} {unit}"


def fmt_below_record(drawdown: Any, digits: int = 1) -> str:
    """A drawdown (a fraction, 0 at a record) in words: `at its record` at zero,
    `31.8% below its record`, `less than 0.1% below its record` for a gap too small to
    show; `n/a` when missing."""
    if missing(drawdown):
        return NA
    below = abs(float(drawdown)) * 100
    if below == 0:
        return "at its record"
    if round(below, digits) == 0:
        return f"less than {10.0 ** -digits:.{digits}f}% below its record"
    return f"{below:,.{digits}f}% below its record"


def fmt_corr(x: Any) -> str:
    """A correlation or other signed coefficient: `+0.39`, `−0.12`, `0.00`."""
    return fmt_signed(x, 2)


def fmt_pp(x: Any) -> str:
    """A difference of two returns (fractions) in percentage points: `+12.3`, `−4.0`."""
    return NA if missing(x) else fmt_signed(float(x) * 100, 1)


def fmt_p(p: Any) -> str:
    """A p-value: `0.50`, `1.00`; below 0.1 cut (not rounded) to three decimals (`0.049`
    for 0.0496, `0.053`), so a value under 0.05 never shows as `0.050`; `below 0.001`;
    `n/a` when missing."""
    if missing(p):
        return NA
    value = float(p)
    if value < 0.001:
        return "below 0.001"
    return f"{cut(value, 3):.3f}" if value < 0.1 else f"{value:.2f}"


def fmt_ordinal(n: Any) -> str:
    """`1st`, `2nd`, `3rd`, `11th`, `71st` (a number rounded to a whole); `n/a` if missing."""
    if missing(n):
        return NA
    k = int(round(float(n)))
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def fmt_usd(x: Any) -> str:
    """A signed dollar amount: `+$1.23bn`, `−$450m`, `$0m`; `n/a` when missing."""
    if missing(x):
        return NA
    value = float(x)
    a = abs(value)
    text = f"${a / 1e9:,.2f}bn" if round(a / 1e6) >= 1000 else f"${a / 1e6:,.0f}m"
    if round(a / 1e6) == 0:
        return "$0m"
    return ("+" if value > 0 else MINUS) + text


def fmt_level(x: Any) -> str:
    """A price level to the whole unit with thousands separators: `2,663`; `n/a` if missing."""
    return NA if missing(x) else f"{float(x):,.0f}"


def fmt_rebased(x: Any) -> str:
    """A series rebased to 100, rounded to one decimal: `103.4`; `n/a` if missing."""
    return NA if missing(x) else f"{float(x):.1f}"


def fmt_share(x: Any, digits: int = 1) -> str:
    """A number already in percent, unsigned: 71.4 -> `71.4%` (`71%` at 0 digits); `n/a`
    if missing."""
    return NA if missing(x) else f"{float(x):.{digits}f}%"


def fmt_value(x: Any, unit: str) -> str:
    """A component value in its unit: `pct` (a fraction), `index` (0–100) or `num`."""
    if unit == "pct":
        return fmt_pct(x)
    if unit == "index":
        return fmt_score(x)
    return fmt_num(x)


def fmt_date(d: Any) -> str:
    """`20 February 2026` (a date, a datetime, a pandas Timestamp or ISO text)."""
    if missing(d):
        return NA
    if isinstance(d, str):
        d = dt.date.fromisoformat(d[:10])
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def fmt_latest(text: str, day: Any, as_of: Any) -> str:
    """A chart's latest reading, `text` on `day`, the last point on or before `as_of`:
    `latest 68.9 on 30 January 2026`, or when it is older than `as_of`, `last reading 100.0
    on 26 September 2025, 18 weeks before 30 January 2026 (none since)`."""
    day, as_of = _as_date(day), _as_date(as_of)
    if as_of is None or day is None or day >= as_of:
        return f"latest {text} on {fmt_date(day)}"
    gap = (as_of - day).days
    ago = plural(round(gap / 7), "week") if gap >= 7 else plural(gap, "day")
    return f"last reading {text} on {fmt_date(day)}, {ago} before {fmt_date(as_of)} (none since)"


def _as_date(d: Any) -> dt.date | None:
    if missing(d):
        return None
    if isinstance(d, str):
        return dt.date.fromisoformat(d[:10])
    if isinstance(d, dt.datetime) or hasattr(d, "to_pydatetime"):
        return d.date()
    return d


def plural(n: int, one: str, many: str | None = None) -> str:
    """`1 week`, `3 weeks` (`many` defaults to `one` + "s")."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def fmt_data_age(newest: dt.date, build_date: dt.date) -> str:
    """`Prices last updated 20 February 2026, 286 days before this build (3 December 2026)`."""
    days = (build_date - newest).days
    return (f"Prices last updated {fmt_date(newest)}, {plural(days, 'day')} before this build "
            f"({fmt_date(build_date)})")


def fmt_input_age(ticker: str, last: dt.date | None) -> str:
    """An input and its newest price for a build's log: `BTC-USD (last 2026-01-28)`."""
    return f"{ticker} (last {last.isoformat() if last else 'never'})"
