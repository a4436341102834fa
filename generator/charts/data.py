"""What each chart shows, without drawing it: its rows, its words and its shape.

For every chart of the weekly table, `prepare(name, weeks)` returns `Parts`: the named
datasets (JSON-ready rows), the texts (title, subtitle) and the `shape`, the few choices that
change the chart's structure (axis tick interval, which layers exist). The Altair layouts in
`layouts.py` are built from a shape and texts alone, so one compiled layout serves every week
with the same shape (see `vega.py`). Also here: the descriptions (aria-label and figcaption),
the site's chart style and `Chart`, a rendered chart. Only pandas and numpy; no Altair.
Numbers and dates in words go through `generator.format`, like everywhere else.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from generator.format import (
    band_of,
    fmt_below_record,
    fmt_corr,
    fmt_date,
    fmt_latest,
    fmt_level,
    fmt_rebased,
    fmt_score,
    fmt_share,
)

WIDTH, HEIGHT = 640, 250  # whole SVG, axes and title included (autosize "fit")

# The narrow variant of every chart, for phones: drawn 340 px wide and shown at about 1:1
# (a 360 px phone gives a chart 300 CSS px, so 13 px text reads at 11.5 px). The browser
# picks it below NARROW_MEDIA (<picture><source media>); the live view does the same.
NARROW_WIDTH, NARROW_FONT = 340, 13
NARROW_MEDIA = "(max-width: 600px)"

FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
# PNGs are drawn with Liberation Sans named first: vl-convert's own copy where its font
# database starts without the system's fonts (`charts.vega.converter`); elsewhere the
# system's copy when it has one, never the box fonts that are then named `system-ui`.
PNG_FONT = '"Liberation Sans", ' + FONT
INK = "currentColor"  # text and rules take the page's text colour: readable on light and dark
LINE = "#4e86c4"  # mid-tone blue: enough contrast on white and on near-black
ACCENT = "#e07b39"
OFF, ON, MID = "#d1495b", "#2a9d8f", "#8a8a8a"

BAND_FILL = ((OFF, 0.16), (OFF, 0.08), (MID, 0.08), (ON, 0.08), (ON, 0.16))  # per BANDS

CONFIG: dict = {
    "background": "transparent",
    "font": FONT,
    "aria": False,  # the root <svg> gets role="img" and one aria-label instead
    "autosize": {"type": "fit", "contains": "padding"},
    # left: room for y labels drawn in the reader's font, wider than vl-convert measures
    "padding": {"left": 6, "right": 6, "top": 4, "bottom": 2},
    "view": {"stroke": None},
    "title": {
        "anchor": "start",
        "frame": "group",
        "color": INK,
        "fontSize": 15,
        "fontWeight": 600,
        "subtitleColor": INK,
        "subtitleFontSize": 11.5,
        "subtitlePadding": 4,
        "offset": 12,
    },
    "axis": {
        "title": None,
        "labelColor": INK,
        "labelFontSize": 11,
        "labelOpacity": 0.75,
        "gridColor": INK,
        "gridOpacity": 0.12,
        "domainColor": INK,
        "domainOpacity": 0.35,
        "tickColor": INK,
        "tickOpacity": 0.35,
        "labelPadding": 4,
        # No truncation: every label fits (ticks, dates, percentages), and Vega measures a
        # label with a limit once more to truncate it and again to draw it (each
        # measurement ~0.5 ms in vl-convert, a third of a chart's render).
        "labelLimit": 0,
    },
    "axisX": {"grid": False, "tickSize": 4, "labelFlush": True, "labelPadding": 6},
    "axisY": {"domain": False, "ticks": False},
    "line": {"color": LINE, "strokeWidth": 1.75, "invalid": "break-paths-show-domains"},
    "point": {"filled": True, "color": LINE, "size": 36, "opacity": 1},
    "rule": {"color": INK},
    "text": {"color": INK, "fontSize": 11},
    "legend": {"labelColor": INK, "labelFontSize": 11, "titleColor": INK, "labelLimit": 0},
}

NARROW_CONFIG: dict = {
    **CONFIG,
    "padding": {"left": 6, "right": 4, "top": 4, "bottom": 2},
    "title": {**CONFIG["title"], "fontSize": 16, "subtitleFontSize": NARROW_FONT,
              "subtitleLineHeight": NARROW_FONT + 3, "lineHeight": 19, "offset": 10,
              "frame": "bounds"},  # from the left edge, not the plot's: all the width
    "axis": {**CONFIG["axis"], "labelFontSize": NARROW_FONT, "labelLineHeight": NARROW_FONT + 2},
    "text": {**CONFIG["text"], "fontSize": NARROW_FONT},
    "legend": {**CONFIG["legend"], "labelFontSize": NARROW_FONT, "symbolSize": 80,
               "columnPadding": 14},
}

SCORE_TITLE = "Composite risk-on score"
RUT_TITLE = "Russell 2000 (^RUT)"
RS_TITLE = "Small caps vs large caps"
CORR_TITLE = "BTC–Russell 2000 correlation"
ALT_TITLE = "Altseason index"

Rows = list[dict]

ISSUE_CHARTS = ("score", "rut", "relative_strength", "correlation", "altseason")
_VIEWBOX = re.compile(r'<svg\b[^>]*\sviewBox="0 0 ([\d.]+) ([\d.]+)"')


@dataclass(frozen=True)
class Chart:
    """One rendered chart: its static SVG (inline-ready) and, for the live view, its Vega."""

    name: str
    title: str
    description: str
    svg: str
    vega: str = ""  # compact Vega spec for the live view (assets/charts.js); "" = static only
    narrow_svg: str = ""  # the same chart laid out for phones (NARROW_WIDTH); "" = none
    narrow_vega: str = ""  # its live view, for a page narrower than NARROW_MEDIA

    @property
    def size(self) -> tuple[int, int]:
        """Width and height of the static chart in CSS pixels (its viewBox)."""
        return _size(self.name, self.svg)

    @property
    def narrow_size(self) -> tuple[int, int]:
        """Width and height of the narrow static chart in CSS pixels (its viewBox)."""
        return _size(self.name, self.narrow_svg)

    @property
    def narrow_media(self) -> str:
        """The media query under which a page shows the narrow variant."""
        return NARROW_MEDIA

    def file_name(self, narrow: bool = False) -> str:
        """The name of the chart's SVG file beside a page (`site.chartfiles`)."""
        return chart_file_name(self.name, narrow)


def chart_file_name(name: str, narrow: bool = False) -> str:
    """`chart-NAME.svg`, or `chart-NAME-narrow.svg` for the narrow variant."""
    return f"chart-{name}{'-narrow' if narrow else ''}.svg"


def _size(name: str, svg: str) -> tuple[int, int]:
    m = _VIEWBOX.search(svg)
    if m is None:
        raise ValueError(f"chart {name}: SVG without a viewBox")
    return round(float(m.group(1))), round(float(m.group(2)))


@dataclass(frozen=True)
class Parts:
    """A chart's inputs: its structure (`shape`), its words, its named datasets and numbers.

    `shape` is hashable and starts with the chart's name; `("none", ...)` as second item
    means "no data" (the chart then says so). Every text value is plain text.
    """

    shape: tuple
    texts: dict[str, str]
    data: dict[str, Rows] = field(default_factory=dict)
    numbers: dict[str, float] = field(default_factory=dict)  # values of the layout's params

    @property
    def empty(self) -> bool:
        return self.shape[1] == "none"


def wrap(text: str, width: float, font_size: float, *, bold: bool = False) -> list[str]:
    """`text` in lines of at most `width` px in a sans-serif of `font_size` px, by a generous
    estimate of its width (0.58 em a character, 0.64 em bold: DejaVu Sans, wider than most
    phone fonts), so a line drawn in the reader's font still fits."""
    per_line = max(8, int(width / (font_size * (0.64 if bold else 0.58))))
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [text]


# --- data preparation -------------------------------------------------------------------


def check(weeks: pd.DataFrame) -> None:
    if not isinstance(weeks.index, pd.DatetimeIndex):
        raise TypeError("weeks must be indexed by a DatetimeIndex of as-of dates")


def series(weeks: pd.DataFrame, column: str) -> pd.Series:
    """The column as floats, NaN where missing, absent or not finite."""
    if column not in weeks.columns:
        return pd.Series(np.nan, index=weeks.index, dtype=float)
    col = weeks[column]
    if col.dtype.kind in "fiu":  # numbers already: the short way (a chart reads ~5 columns)
        values = col.to_numpy(dtype="float64", na_value=np.nan)
    else:
        values = pd.to_numeric(col, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return pd.Series(np.where(np.isfinite(values), values, np.nan), index=weeks.index,
                     name=col.name)


def flags(weeks: pd.DataFrame, column: str) -> pd.Series:
    """A boolean column with missing values read as False."""
    if column not in weeks.columns:
        return pd.Series(False, index=weeks.index)
    return weeks[column].eq(True)


def compact(s: pd.Series) -> pd.Series:
    """Round to 4 significant digits, but never coarser than 1/500 of the series' span (under
    half a pixel): a ratio rebased to 100 would otherwise move in visible 0.1 steps. NaN stays
    NaN (null in the spec)."""
    return pd.Series(_compact_values(s.to_numpy(dtype=float)), index=s.index, name=s.name,
                     dtype=float)


def _compact_values(values: np.ndarray) -> list[float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return values.tolist()
    span = float(finite.max() - finite.min())
    span_digits = math.ceil(-math.log10(span / 500)) if span > 0 else -99
    isfinite, log10, floor = math.isfinite, math.log10, math.floor
    out = []
    for v in values.tolist():
        if not isfinite(v) or v == 0:
            out.append(v)
        else:
            digits = max(3 - floor(log10(abs(v))), span_digits)
            out.append(round(v, digits) + 0.0)  # + 0.0 turns -0.0 into 0.0
    return out


def rows(index: pd.DatetimeIndex, **columns: pd.Series) -> Rows:
    """Chart rows: `date` as YYYY-MM-DD strings (read as UTC), values rounded, NaN as None."""
    names = ["date", *columns]
    days = index.to_numpy(dtype="datetime64[D]")
    cols: list[list] = [np.datetime_as_string(days, unit="D").tolist()]
    for s in columns.values():
        cols.append([json_number(v) for v in _compact_values(s.to_numpy(dtype=float))])
    return [dict(zip(names, row, strict=True)) for row in zip(*cols, strict=True)]


def json_number(v: float) -> float | int | None:
    """JSON-ready: None for NaN, whole numbers as int (as JavaScript writes them)."""
    v = float(v)
    if not math.isfinite(v):
        return None
    return int(v) if v.is_integer() else v


def latest_row(data: Rows, field_name: str, label: str) -> Rows:
    """The last row with a value in `field_name`, with the label shown next to its dot."""
    for row in reversed(data):
        if row[field_name] is not None:
            return [{**row, "label": label}]
    return []


def latest(s: pd.Series) -> tuple[pd.Timestamp, float] | None:
    valid = s.dropna()
    return None if valid.empty else (valid.index[-1], float(valid.iloc[-1]))


def ticks(index: pd.DatetimeIndex) -> tuple[str, int]:
    """The time axis' tick interval for the span shown: (unit, step)."""
    days = (index[-1] - index[0]).days if len(index) else 0
    if days <= 120:
        return ("week", 2)
    if days <= 550:
        return ("month", 1)
    if days <= 4 * 366:
        return ("month", 3)
    if days <= 12 * 366:
        return ("year", 1)
    return ("year", 2)










# --- each chart's parts ---------------------------------------------------------------


def _no_data(name: str, title: str) -> Parts:
    return Parts((name, "none"), {"title": title, "subtitle": " "})


def score_parts(weeks: pd.DataFrame, title: str | None = None) -> Parts:
    """The 0–100 composite score over the five band ranges, latest point marked."""
    check(weeks)
    title = title or SCORE_TITLE
    s = series(weeks, "score")
    if (last := latest(s)) is None:
        return _no_data("score", title)
    data = rows(weeks.index, score=s)
    subtitle = "0–100: mean percentile of the components against their own last five years"
    return Parts(("score", ticks(weeks.index)), {"title": title, "subtitle": subtitle},
                 {"main": data, "latest": latest_row(data, "score", fmt_score(last[1]))})


def rut_parts(weeks: pd.DataFrame, title: str | None = None) -> Parts:
    """Weekly ^RUT close, its record level (dashed step) and breakout weeks (triangles)."""
    check(weeks)
    title = title or RUT_TITLE
    close, record = series(weeks, "rut_close"), series(weeks, "rut_record_level")
    if (last := latest(close)) is None:
        return _no_data("rut", title)
    data = rows(weeks.index, close=close, record=record)
    breakout = (flags(weeks, "rut_breakout_week") & close.notna()).to_numpy()
    has_record, has_breakout = bool(record.notna().any()), bool(breakout.any())
    parts = ["Weekly close"]
    if has_record:
        parts.append("dashed: record close")
    if has_breakout:
        parts.append("triangles: breakout weeks (first record in 63+ trading days)")
    datasets = {"main": data, "latest": latest_row(data, "close", fmt_level(last[1]))}
    if has_breakout:
        datasets["breakouts"] = [row for row, b in zip(data, breakout, strict=True) if b]
    return Parts(("rut", ticks(weeks.index), has_record, has_breakout),
                 {"title": title, "subtitle": "; ".join(parts)}, datasets)


def rebased(weeks: pd.DataFrame) -> pd.Series:
    ratio = series(weeks, "rs_ratio").where(lambda r: r > 0)
    valid = ratio.dropna()
    return ratio * (100.0 / valid.iloc[0]) if not valid.empty else ratio


def relative_strength_parts(weeks: pd.DataFrame, title: str | None = None) -> Parts:
    """IWM/SPY total-return ratio rebased to 100 at the first point of the window."""
    check(weeks)
    title = title or RS_TITLE
    rs = rebased(weeks)
    if (last := latest(rs)) is None:
        return _no_data("relative_strength", title)
    data = rows(weeks.index, rs=rs)
    subtitle = (
        f"IWM ÷ SPY total return, rebased to 100 on {fmt_date(rs.first_valid_index())}; "
        "above 100: small caps ahead"
    )
    return Parts(("relative_strength", ticks(weeks.index)),
                 {"title": title, "subtitle": subtitle},
                 {"main": data, "latest": latest_row(data, "rs", fmt_rebased(last[1]))})


def correlation_parts(weeks: pd.DataFrame, title: str | None = None) -> Parts:
    """90-day BTC–^RUT return correlation on a fixed [-1, 1] scale with a zero rule."""
    check(weeks)
    title = title or CORR_TITLE
    corr = series(weeks, "btc_rut_corr_90d").clip(-1, 1)
    if (last := latest(corr)) is None:
        return _no_data("correlation", title)
    data = rows(weeks.index, corr=corr)
    label = fmt_corr(last[1])
    subtitle = "Pearson correlation of daily log returns over the last 90 trading days"
    return Parts(("correlation", ticks(weeks.index)), {"title": title, "subtitle": subtitle},
                 {"main": data, "latest": latest_row(data, "corr", label)})


def altseason_parts(weeks: pd.DataFrame, title: str | None = None) -> Parts:
    """Altseason index 0–100 with the 75 (altseason) and 25 (BTC season) thresholds."""
    check(weeks)
    title = title or ALT_TITLE
    idx = series(weeks, "altseason_index")
    if (last := latest(idx)) is None:
        return _no_data("altseason", title)
    data = rows(weeks.index, alt=idx)
    subtitle = "Share of the alt basket (%) beating BTC over the last 90 days"
    return Parts(("altseason", ticks(weeks.index)), {"title": title, "subtitle": subtitle},
                 {"main": data, "latest": latest_row(data, "alt", fmt_score(last[1]))})


# --- descriptions (aria-label, figcaption) ----------------------------------------------


def _span(weeks: pd.DataFrame) -> str:
    n = len(weeks)
    return f"the last {n} weeks" if n != 1 else "the last week"


def _missing(what: str, weeks: pd.DataFrame) -> str:
    return f"{what}: no data available for {_span(weeks)}."


def describe_score(weeks: pd.DataFrame) -> str:
    """One sentence with the latest score, its band and its date."""
    if (last := latest(series(weeks, "score"))) is None:
        return _missing("Composite score", weeks)
    d, v = last
    return (
        f"Composite score over {_span(weeks)}; "
        f"{fmt_latest(f'{fmt_score(v)} ({band_of(v)})', d, weeks.index[-1])}."
    )


def describe_rut(weeks: pd.DataFrame) -> str:
    """The latest ^RUT close, its distance from the record and the breakout weeks shown."""
    close = series(weeks, "rut_close")
    if (last := latest(close)) is None:
        return _missing("Russell 2000 weekly close", weeks)
    d, v = last
    text = (f"Russell 2000 weekly close over {_span(weeks)}; "
            f"{fmt_latest(fmt_level(v), d, weeks.index[-1])}")
    record = series(weeks, "rut_record_level").get(d)
    if record is not None and math.isfinite(record) and record > 0:
        gap = v / record - 1
        text += (", a record close" if gap >= 0
                 else f", {fmt_below_record(gap)} of {fmt_level(record)}")
    breakouts = weeks.index[flags(weeks, "rut_breakout_week").to_numpy()]
    if len(breakouts):
        plural = "s" if len(breakouts) > 1 else ""
        text += (
            f". {len(breakouts)} breakout week{plural} shown, the latest on "
            f"{fmt_date(breakouts[-1])}"
        )
    else:
        text += ". No breakout week in this window"
    return text + "."


def describe_relative_strength(weeks: pd.DataFrame) -> str:
    """The latest rebased IWM/SPY ratio and what it means."""
    rs = rebased(weeks)
    if (last := latest(rs)) is None:
        return _missing("IWM/SPY relative strength", weeks)
    d, v = last
    start = fmt_date(rs.first_valid_index())
    lead = "ahead of" if v >= 100 else "behind"
    return (
        f"IWM/SPY total-return ratio rebased to 100 on {start}; "
        f"{fmt_latest(fmt_rebased(v), d, weeks.index[-1])}: small caps {fmt_share(abs(v - 100))} "
        f"{lead} large caps since then."
    )


def describe_correlation(weeks: pd.DataFrame) -> str:
    """The latest 90-day BTC–^RUT correlation."""
    if (last := latest(series(weeks, "btc_rut_corr_90d"))) is None:
        return _missing("BTC–Russell 2000 90-day correlation", weeks)
    d, v = last
    return (
        f"90-day correlation of daily BTC and Russell 2000 returns over {_span(weeks)}; "
        f"{fmt_latest(fmt_corr(v), d, weeks.index[-1])}."
    )


def describe_altseason(weeks: pd.DataFrame) -> str:
    """The latest altseason index and the zone it is in."""
    if (last := latest(series(weeks, "altseason_index"))) is None:
        return _missing("Altseason index", weeks)
    d, v = last
    zone = (
        "altseason" if v >= 75 else "BTC season" if v <= 25 else "neither altseason nor BTC season"
    )
    return (
        f"Altseason index (share of the alt basket beating BTC over 90 days) over "
        f"{_span(weeks)}; {fmt_latest(fmt_score(v), d, weeks.index[-1])}: {zone}."
    )


@dataclass(frozen=True)
class ChartData:
    """A chart of the weekly table: its title, its parts and its text description."""

    title: str
    parts: Callable[..., Parts]  # (weeks, title=None)
    describe: Callable[[pd.DataFrame], str]


CHART_DATA: dict[str, ChartData] = {
    "score": ChartData(SCORE_TITLE, score_parts, describe_score),
    "rut": ChartData(RUT_TITLE, rut_parts, describe_rut),
    "relative_strength": ChartData(RS_TITLE, relative_strength_parts, describe_relative_strength),
    "correlation": ChartData(CORR_TITLE, correlation_parts, describe_correlation),
    "altseason": ChartData(ALT_TITLE, altseason_parts, describe_altseason),
}


def prepare(name: str, weeks: pd.DataFrame, title: str | None = None) -> Parts:
    """The parts of chart `name` for the weekly rows `weeks` (title defaults to the chart's)."""
    return CHART_DATA[name].parts(weeks, title)


def chart_description(name: str, weeks: pd.DataFrame) -> str:
    """Plain-text description of chart `name` with its latest numbers."""
    check(weeks)
    return CHART_DATA[name].describe(weeks)
