"""Altair charts of the weekly signal table, their plain-text descriptions, and their SVG.

Every chart function takes the weekly table (one row per ISO week, a DatetimeIndex of as-of
dates, already cut point in time and to the window the caller wants shown) and returns a
titled Altair chart. Nothing here reads market data or writes the site; the only I/O is the
optional SVG cache of `render_svg`.
"""

from __future__ import annotations

import hashlib
import html
import importlib.metadata
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

from generator.files import write_atomic

WIDTH, HEIGHT = 640, 250  # whole SVG, axes and title included (autosize "fit")

FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
INK = "currentColor"  # text and rules take the page's text colour: readable on light and dark
LINE = "#4e86c4"  # mid-tone blue: enough contrast on white and on near-black
ACCENT = "#e07b39"
OFF, ON, MID = "#d1495b", "#2a9d8f", "#8a8a8a"

# Same bands as the score definition (SPEC §5); the top band includes 100.
BANDS: tuple[tuple[float, float, str], ...] = (
    (0, 25, "Strong risk-off"),
    (25, 45, "Risk-off"),
    (45, 55, "Neutral"),
    (55, 75, "Risk-on"),
    (75, 100, "Strong risk-on"),
)
_BAND_FILL = ((OFF, 0.16), (OFF, 0.08), (MID, 0.08), (ON, 0.08), (ON, 0.16))

# Month names without the C library's locale.
_MONTHS = (
    "January February March April May June July August September October November December"
).split()

CONFIG: dict = {
    "background": "transparent",
    "font": FONT,
    "aria": False,  # the root <svg> gets role="img" and one aria-label instead
    "autosize": {"type": "fit", "contains": "padding"},
    "padding": {"left": 2, "right": 6, "top": 4, "bottom": 2},
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
    },
    "axisX": {"grid": False, "tickSize": 4, "labelFlush": True},
    "axisY": {"domain": False, "ticks": False},
    "line": {"color": LINE, "strokeWidth": 1.75, "invalid": "break-paths-show-domains"},
    "point": {"filled": True, "color": LINE, "size": 36, "opacity": 1},
    "rule": {"color": INK},
    "text": {"color": INK, "fontSize": 11},
}


@alt.theme.register("riskon", enable=False)
def riskon_theme() -> alt.theme.ThemeConfig:
    """The site theme, for ad-hoc charts; the charts below carry the same config themselves."""
    return {"config": CONFIG}  # type: ignore[return-value]


# --- data preparation -------------------------------------------------------------------


def _check(weeks: pd.DataFrame) -> None:
    if not isinstance(weeks.index, pd.DatetimeIndex):
        raise TypeError("weeks must be indexed by a DatetimeIndex of as-of dates")


def _series(weeks: pd.DataFrame, column: str) -> pd.Series:
    """The column as floats, NaN where missing, absent or not finite."""
    if column not in weeks.columns:
        return pd.Series(np.nan, index=weeks.index, dtype=float)
    s = pd.to_numeric(weeks[column], errors="coerce").astype(float)
    return s.where(np.isfinite(s))


def _flags(weeks: pd.DataFrame, column: str) -> pd.Series:
    """A boolean column with missing values read as False."""
    if column not in weeks.columns:
        return pd.Series(False, index=weeks.index)
    return weeks[column].eq(True)


def _compact(s: pd.Series) -> pd.Series:
    """Round to 4 significant digits, but never coarser than 1/500 of the series' span (under
    half a pixel): a ratio rebased to 100 would otherwise move in visible 0.1 steps. NaN stays
    NaN (null in the spec)."""
    values = s.to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return s
    span = float(finite.max() - finite.min())
    span_digits = math.ceil(-math.log10(span / 500)) if span > 0 else -99

    def one(v: float) -> float:
        if not math.isfinite(v) or v == 0:
            return v
        digits = max(3 - math.floor(math.log10(abs(v))), span_digits)
        return round(v, digits) + 0.0  # + 0.0 turns -0.0 into 0.0

    return s.map(one)


def _table(index: pd.DatetimeIndex, **columns: pd.Series) -> pd.DataFrame:
    """Chart data: `date` as YYYY-MM-DD strings (read as UTC), values rounded."""
    data = {"date": index.strftime("%Y-%m-%d")}
    data.update({k: _compact(v).to_numpy() for k, v in columns.items()})
    return pd.DataFrame(data)


def _latest(s: pd.Series) -> tuple[pd.Timestamp, float] | None:
    valid = s.dropna()
    return None if valid.empty else (valid.index[-1], float(valid.iloc[-1]))


def format_date(d: pd.Timestamp) -> str:
    """'14 February 2026'."""
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def format_level(v: float) -> str:
    """A 0–100 level with one decimal, truncated: 54.96 -> '54.9', so the number shown is in
    the same band / zone as the value (all thresholds are whole numbers)."""
    return f"{math.floor(round(v * 10, 6)) / 10:.1f}"


def _signed(v: float) -> str:
    """'+0.35', '-0.12', '+0.00' (never '-0.00')."""
    return f"{round(v, 2) + 0.0:+.2f}"


def band_of(score: float) -> str:
    """The band name of a score in [0, 100]."""
    for lo, hi, name in BANDS:
        if lo <= score < hi:
            return name
    return BANDS[-1][2] if score >= BANDS[-1][0] else BANDS[0][2]


# --- chart building blocks -------------------------------------------------------------


def _x(index: pd.DatetimeIndex) -> alt.X:
    """Time axis in UTC (so no local-time shift) with ticks and labels fitted to the span."""
    days = (index[-1] - index[0]).days if len(index) else 0
    if days <= 120:
        ticks: dict = {"interval": "week", "step": 2}
    elif days <= 550:
        ticks = {"interval": "month", "step": 1}
    elif days <= 4 * 366:
        ticks = {"interval": "month", "step": 3}
    elif days <= 12 * 366:
        ticks = {"interval": "year", "step": 1}
    else:
        ticks = {"interval": "year", "step": 2}
    label = (
        "utcmonth(datum.value) === 0 && utcdate(datum.value) === 1"
        " ? utcFormat(datum.value, '%Y')"
        " : utcdate(datum.value) === 1 ? utcFormat(datum.value, '%b')"
        " : utcFormat(datum.value, '%-d %b')"
    )
    return alt.X(
        "date:T",
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(tickCount=ticks, labelExpr=label, labelOverlap=True),
    )


def _value_axis(values: list[float], **kwargs) -> alt.Axis:
    # Vega thins explicit `values` down to tickCount (by default height / 40): keep them all.
    return alt.Axis(values=values, tickCount=len(values), **kwargs)


def _latest_marker(data: pd.DataFrame, field: str, label: str, y: alt.Y) -> alt.LayerChart:
    """A dot on the latest value with its number next to it."""
    row = data.dropna(subset=[field]).tail(1).assign(label=label)
    base = alt.Chart(row).encode(x=alt.X("date:T"), y=y)
    return alt.layer(
        base.mark_point(size=50, filled=True, color=LINE),
        base.mark_text(align="left", dx=7, fontWeight=600).encode(text="label:N"),
    )


def _hover(data: pd.DataFrame, x: alt.X, y: alt.Y, *tips: alt.Tooltip) -> alt.LayerChart:
    """The live view's hover: the nearest week gets a rule, a dot and a tooltip.

    Only in the interactive (Vega) version of a chart; the static SVG stays as it was.
    """
    near = alt.selection_point(
        name="hover", nearest=True, on="pointerover", clear="pointerout", fields=["date"],
        empty=False,
    )
    base = alt.Chart(data).encode(x=alt.X("date:T"))
    tooltip = [alt.Tooltip("utcyearmonthdate(date):T", title="As of", format="%-d %b %Y"), *tips]
    return alt.layer(
        base.mark_rule(strokeDash=[2, 2]).encode(opacity=alt.value(0.5))
        .transform_filter(near),
        base.mark_point(size=70, filled=True, color=LINE)
        .encode(y=y, opacity=alt.condition(near, alt.value(1), alt.value(0)), tooltip=tooltip)
        .add_params(near),
    )


def _finish(layers: list, title: str, subtitle: str) -> alt.LayerChart:
    return alt.layer(*layers).properties(
        title=alt.Title(title, subtitle=subtitle), width=WIDTH, height=HEIGHT, config=CONFIG
    )


def _no_data(title: str, what: str) -> alt.Chart:
    """A chart that says plainly that the input is missing."""
    return (
        alt.Chart(pd.DataFrame({"text": [f"No data: {what} is not available"]}))
        .mark_text(fontSize=13, opacity=0.75)
        .encode(
            text="text:N", x=alt.value(alt.expr("width / 2")), y=alt.value(alt.expr("height / 2"))
        )
        .properties(title=alt.Title(title, subtitle=" "), width=WIDTH, height=HEIGHT, config=CONFIG)
    )


# --- the charts ----------------------------------------------------------------------


SCORE_TITLE = "Composite risk-on score"
RUT_TITLE = "Russell 2000 (^RUT)"
RS_TITLE = "Small caps vs large caps"
CORR_TITLE = "BTC–Russell 2000 correlation"
ALT_TITLE = "Altseason index"


def score_chart(
    weeks: pd.DataFrame, *, interactive: bool = False
) -> alt.LayerChart | alt.Chart:
    """The 0–100 composite score over the five band ranges, latest point marked."""
    _check(weeks)
    s = _series(weeks, "score")
    subtitle = "0–100: mean percentile of the components against their own last five years"
    if (last := _latest(s)) is None:
        return _no_data(SCORE_TITLE, "the composite score")
    data = _table(weeks.index, score=s)
    scale = alt.Scale(domain=[0, 100], nice=False)
    # Layers merge their axes: give every layer the same one or the band layer's wins.
    axis = _value_axis([0, 25, 45, 55, 75, 100], grid=False, labelOverlap=False)
    y = alt.Y("score:Q", scale=scale, axis=axis)
    bands = pd.DataFrame(
        [
            {"lo": lo, "hi": hi, "mid": (lo + hi) / 2, "name": name, "fill": c, "op": o}
            for (lo, hi, name), (c, o) in zip(BANDS, _BAND_FILL, strict=True)
        ]
    )
    band_base = alt.Chart(bands)
    layers = [
        band_base.mark_rect().encode(
            y=alt.Y("lo:Q", scale=scale, axis=axis),
            y2="hi:Q",
            color=alt.Color("fill:N", scale=None),
            opacity=alt.Opacity("op:Q", scale=None),
        ),
        band_base.mark_text(align="left", dx=4, fontSize=10, opacity=0.7).encode(
            x=alt.value(0), y="mid:Q", text="name:N"
        ),
        alt.Chart(data).mark_line(clip=True).encode(x=_x(weeks.index), y=y),
        _latest_marker(data, "score", format_level(last[1]), y),
    ]
    if interactive:
        layers.append(_hover(data, _x(weeks.index), y, alt.Tooltip("score:Q", title="Score",
                                                                    format=".1f")))
    return _finish(layers, SCORE_TITLE, subtitle)


def rut_chart(
    weeks: pd.DataFrame, *, interactive: bool = False
) -> alt.LayerChart | alt.Chart:
    """Weekly ^RUT close, its record level (dashed step) and breakout weeks (triangles)."""
    _check(weeks)
    close, record = _series(weeks, "rut_close"), _series(weeks, "rut_record_level")
    if (last := _latest(close)) is None:
        return _no_data(RUT_TITLE, "the Russell 2000 close")
    data = _table(weeks.index, close=close, record=record)
    breakout = _flags(weeks, "rut_breakout_week") & close.notna()
    y = alt.Y("close:Q", scale=alt.Scale(zero=False), axis=alt.Axis(format=",.0f"))
    x = _x(weeks.index)
    layers = []
    parts = ["Weekly close"]
    if record.notna().any():
        layers.append(
            alt.Chart(data)
            .mark_line(interpolate="step-after", strokeDash=[4, 3], strokeWidth=1.25, color=MID)
            .encode(x=x, y=alt.Y("record:Q"))
        )
        parts.append("dashed: record close")
    layers.append(alt.Chart(data).mark_line().encode(x=x, y=y))
    if breakout.any():
        layers.append(
            alt.Chart(data[breakout.to_numpy()])
            .mark_point(shape="triangle-up", size=60, color=ACCENT, filled=True)
            .encode(x=x, y=y)
        )
        parts.append("triangles: breakout weeks (first record in 63+ trading days)")
    layers.append(_latest_marker(data, "close", f"{last[1]:,.0f}", y))
    if interactive:
        layers.append(_hover(data, x, y, alt.Tooltip("close:Q", title="Close", format=",.0f"),
                             alt.Tooltip("record:Q", title="Record close", format=",.0f")))
    return _finish(layers, RUT_TITLE, "; ".join(parts))


def _rebased(weeks: pd.DataFrame) -> pd.Series:
    ratio = _series(weeks, "rs_ratio").where(lambda r: r > 0)
    valid = ratio.dropna()
    return ratio * (100.0 / valid.iloc[0]) if not valid.empty else ratio


def relative_strength_chart(
    weeks: pd.DataFrame, *, interactive: bool = False
) -> alt.LayerChart | alt.Chart:
    """IWM/SPY total-return ratio rebased to 100 at the first point of the window."""
    _check(weeks)
    rebased = _rebased(weeks)
    if (last := _latest(rebased)) is None:
        return _no_data(RS_TITLE, "the IWM/SPY ratio")
    start = rebased.first_valid_index()
    data = _table(weeks.index, rs=rebased)
    y = alt.Y("rs:Q", scale=alt.Scale(zero=False))  # default ticks pick enough decimals
    layers = [
        alt.Chart(pd.DataFrame({"y": [100]}))
        .mark_rule(opacity=0.45, strokeDash=[2, 2])
        .encode(y="y:Q"),
        alt.Chart(data).mark_line().encode(x=_x(weeks.index), y=y),
        _latest_marker(data, "rs", f"{last[1]:.1f}", y),
    ]
    if interactive:
        layers.append(_hover(data, _x(weeks.index), y,
                             alt.Tooltip("rs:Q", title="IWM/SPY (rebased)", format=".1f")))
    subtitle = (
        f"IWM ÷ SPY total return, rebased to 100 on {format_date(start)}; "
        "above 100: small caps ahead"
    )
    return _finish(layers, RS_TITLE, subtitle)


def correlation_chart(
    weeks: pd.DataFrame, *, interactive: bool = False
) -> alt.LayerChart | alt.Chart:
    """90-day BTC–^RUT return correlation on a fixed [-1, 1] scale with a zero rule."""
    _check(weeks)
    corr = _series(weeks, "btc_rut_corr_90d").clip(-1, 1)
    if (last := _latest(corr)) is None:
        return _no_data(CORR_TITLE, "the BTC–Russell 2000 correlation")
    data = _table(weeks.index, corr=corr)
    y = alt.Y(
        "corr:Q",
        scale=alt.Scale(domain=[-1, 1], nice=False),
        axis=_value_axis(
            [-1, -0.5, 0, 0.5, 1],
            labelExpr="datum.value === 0 ? '0' : format(datum.value, '+.1f')",
        ),
    )
    layers = [
        alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(opacity=0.45).encode(y="y:Q"),
        alt.Chart(data).mark_line(clip=True).encode(x=_x(weeks.index), y=y),
        _latest_marker(data, "corr", _signed(last[1]).replace("-", "\u2212"), y),
    ]
    if interactive:
        layers.append(_hover(data, _x(weeks.index), y,
                             alt.Tooltip("corr:Q", title="Correlation", format="+.2f")))
    subtitle = "Pearson correlation of daily log returns over the last 90 trading days"
    return _finish(layers, CORR_TITLE, subtitle)


def altseason_chart(
    weeks: pd.DataFrame, *, interactive: bool = False
) -> alt.LayerChart | alt.Chart:
    """Altseason index 0–100 with the 75 (altseason) and 25 (BTC season) thresholds."""
    _check(weeks)
    idx = _series(weeks, "altseason_index")
    if (last := _latest(idx)) is None:
        return _no_data(ALT_TITLE, "the altseason index")
    data = _table(weeks.index, alt=idx)
    scale = alt.Scale(domain=[0, 100], nice=False)
    axis = _value_axis([0, 25, 50, 75, 100])
    y = alt.Y("alt:Q", scale=scale, axis=axis)
    zones = pd.DataFrame(
        {
            "lo": [75, 0],
            "hi": [100, 25],
            "at": [75, 25],
            "fill": [ON, ACCENT],
            "name": ["Altseason (75 and above)", "BTC season (25 and below)"],
        }
    )
    zbase = alt.Chart(zones)
    layers = [
        zbase.mark_rect(opacity=0.09).encode(
            y=alt.Y("lo:Q", scale=scale, axis=axis),
            y2="hi:Q",
            color=alt.Color("fill:N", scale=None),
        ),
        zbase.mark_rule(strokeDash=[4, 3], opacity=0.5).encode(y="at:Q"),
        *(
            zbase.transform_filter(alt.datum.at == at)
            .mark_text(align="left", baseline=baseline, dx=4, dy=dy, fontSize=10, opacity=0.75)
            .encode(x=alt.value(0), y="at:Q", text="name:N")
            for at, baseline, dy in ((75, "bottom", -3), (25, "top", 3))
        ),
        alt.Chart(data).mark_line(clip=True).encode(x=_x(weeks.index), y=y),
        _latest_marker(data, "alt", format_level(last[1]), y),
    ]
    if interactive:
        layers.append(_hover(data, _x(weeks.index), y,
                             alt.Tooltip("alt:Q", title="Altseason index", format=".1f")))
    subtitle = "Share of the alt basket (%) beating BTC over the last 90 days"
    return _finish(layers, ALT_TITLE, subtitle)


# --- descriptions (aria-label, figcaption) ----------------------------------------------


def _span(weeks: pd.DataFrame) -> str:
    n = len(weeks)
    return f"the last {n} weeks" if n != 1 else "the last week"


def _missing(what: str, weeks: pd.DataFrame) -> str:
    return f"{what}: no data available for {_span(weeks)}."


def describe_score(weeks: pd.DataFrame) -> str:
    """One sentence with the latest score, its band and its date."""
    if (last := _latest(_series(weeks, "score"))) is None:
        return _missing("Composite score", weeks)
    d, v = last
    return (
        f"Composite score over {_span(weeks)}; latest {format_level(v)} ({band_of(v)}) "
        f"on {format_date(d)}."
    )


def describe_rut(weeks: pd.DataFrame) -> str:
    """The latest ^RUT close, its distance from the record and the breakout weeks shown."""
    close = _series(weeks, "rut_close")
    if (last := _latest(close)) is None:
        return _missing("Russell 2000 weekly close", weeks)
    d, v = last
    text = f"Russell 2000 weekly close over {_span(weeks)}; latest {v:,.0f} on {format_date(d)}"
    record = _series(weeks, "rut_record_level").get(d)
    if record is not None and math.isfinite(record) and record > 0:
        gap = v / record - 1
        text += (
            ", a record close"
            if gap >= -0.00005
            else f", {-gap:.1%} below its record of {record:,.0f}"
        )
    breakouts = weeks.index[_flags(weeks, "rut_breakout_week").to_numpy()]
    if len(breakouts):
        plural = "s" if len(breakouts) > 1 else ""
        text += (
            f". {len(breakouts)} breakout week{plural} shown, the latest on "
            f"{format_date(breakouts[-1])}"
        )
    else:
        text += ". No breakout week in this window"
    return text + "."


def describe_relative_strength(weeks: pd.DataFrame) -> str:
    """The latest rebased IWM/SPY ratio and what it means."""
    rebased = _rebased(weeks)
    if (last := _latest(rebased)) is None:
        return _missing("IWM/SPY relative strength", weeks)
    d, v = last
    start = format_date(rebased.first_valid_index())
    lead = "ahead of" if v >= 100 else "behind"
    return (
        f"IWM/SPY total-return ratio rebased to 100 on {start}; latest {v:.1f} on "
        f"{format_date(d)}: small caps {abs(v - 100):.1f}% {lead} large caps since then."
    )


def describe_correlation(weeks: pd.DataFrame) -> str:
    """The latest 90-day BTC–^RUT correlation."""
    if (last := _latest(_series(weeks, "btc_rut_corr_90d"))) is None:
        return _missing("BTC–Russell 2000 90-day correlation", weeks)
    d, v = last
    return (
        f"90-day correlation of daily BTC and Russell 2000 returns over {_span(weeks)}; "
        f"latest {_signed(v)} on {format_date(d)}."
    )


def describe_altseason(weeks: pd.DataFrame) -> str:
    """The latest altseason index and the zone it is in."""
    if (last := _latest(_series(weeks, "altseason_index"))) is None:
        return _missing("Altseason index", weeks)
    d, v = last
    zone = (
        "altseason" if v >= 75 else "BTC season" if v <= 25 else "neither altseason nor BTC season"
    )
    return (
        f"Altseason index (share of the alt basket beating BTC over 90 days) over "
        f"{_span(weeks)}; latest {format_level(v)} on {format_date(d)}: {zone}."
    )


@dataclass(frozen=True)
class ChartDef:
    """A chart of the weekly table: its title, its builder and its text description."""

    title: str
    build: Callable[..., alt.TopLevelMixin]  # (weeks, *, interactive=False)
    describe: Callable[[pd.DataFrame], str]


CHARTS: dict[str, ChartDef] = {
    "score": ChartDef(SCORE_TITLE, score_chart, describe_score),
    "rut": ChartDef(RUT_TITLE, rut_chart, describe_rut),
    "relative_strength": ChartDef(RS_TITLE, relative_strength_chart, describe_relative_strength),
    "correlation": ChartDef(CORR_TITLE, correlation_chart, describe_correlation),
    "altseason": ChartDef(ALT_TITLE, altseason_chart, describe_altseason),
}


def chart_description(name: str, weeks: pd.DataFrame) -> str:
    """Plain-text description of chart `name` with its latest numbers."""
    _check(weeks)
    return CHARTS[name].describe(weeks)


# --- SVG -------------------------------------------------------------------------------

_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_RENDER_OPTIONS = {"allowed_base_urls": [], "format_locale": "en-US", "time_format_locale": "en-US"}


def _vl_convert_version() -> str:
    try:
        return importlib.metadata.version("vl-convert-python")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


def spec_key(spec: dict) -> str:
    """Cache key: sha256 of the canonical spec JSON (plus the renderer and its options)."""
    head = json.dumps({"vl-convert": _vl_convert_version(), **_RENDER_OPTIONS}, sort_keys=True)
    body = json.dumps(spec, sort_keys=True)
    return hashlib.sha256(f"{head}\n{body}".encode()).hexdigest()


def _vegalite_to_svg(spec: dict) -> str:
    import vl_convert  # lazy: ~90 MB extension, and its JS engine starts on first use

    return canonical_ids(vl_convert.vegalite_to_svg(spec, **_RENDER_OPTIONS))


def _raw_svg(spec: dict, cache_dir: Path | None) -> str:
    """vl-convert's SVG for `spec`, through `cache_dir/svg/<key>.svg` when given."""
    if cache_dir is None:
        return _vegalite_to_svg(spec)
    path = Path(cache_dir) / "svg" / f"{spec_key(spec)}.svg"
    try:
        cached = path.read_text(encoding="utf-8")
        if cached.lstrip().startswith(("<svg", "<?xml")):
            return cached
    except FileNotFoundError:
        pass
    svg = _vegalite_to_svg(spec)
    write_atomic(path, svg.encode("utf-8"))
    return svg


_ID = re.compile(r'\b(id="|url\(#|href="#)([^")]+)')


def _rename_ids(svg: str, rename: Callable[[str], str]) -> str:
    """Rename every id and every reference to it (url(#…), href/xlink:href="#…")."""
    mapping: dict[str, str] = {}
    for old in re.findall(r'\bid="([^"]+)"', svg):
        if old not in mapping:
            mapping[old] = rename(old)
    return _ID.sub(lambda m: m.group(1) + mapping.get(m.group(2), m.group(2)), svg)


def canonical_ids(svg: str) -> str:
    """Number ids per kind in order of appearance (clip7 -> clip1).

    vl-convert keeps counting clip paths across renders in one process, so the same spec
    would otherwise give different bytes depending on what was rendered before it.
    """
    counts: dict[str, int] = {}

    def rename(old: str) -> str:
        kind = re.sub(r"\d+$", "", old)
        counts[kind] = counts.get(kind, 0) + 1
        return f"{kind}{counts[kind]}"

    return _rename_ids(svg, rename)


def _title_text(spec: dict) -> str:
    title = spec.get("title", "")
    text = title.get("text", "") if isinstance(title, dict) else title
    return " ".join(text) if isinstance(text, list) else str(text)


def postprocess_svg(
    svg: str, *, prefix: str, label: str, title: str = "", standalone: bool = False
) -> str:
    """Make vl-convert's SVG fit to inline in a page (or, `standalone`, to serve as a file).

    Ids and their references get `prefix` so several charts share a page; the root gets
    role="img", aria-label and a <title> (inner ARIA attributes are dropped); inline SVG
    scales to its container (width 100%, viewBox kept) and draws text in the page's colour;
    a standalone file keeps its pixel size and gets a white background with dark text.
    """
    if not _PREFIX.match(prefix):
        raise ValueError(f"invalid SVG id prefix {prefix!r}")
    svg = svg[svg.index("<svg") :]  # drop any XML prolog / doctype
    svg = _rename_ids(svg, lambda old: f"{prefix}-{old}")
    svg = re.sub(r'(fill|stroke)="#000(?:000)?"', r'\1="currentColor"', svg)
    root = re.match(r"<svg\b([^>]*)>", svg)
    assert root is not None
    attrs = root.group(1)
    # One accessible image: Vega's inner roles and labels (titles keep theirs even with
    # aria=False) would only repeat the description under a role="img".
    body = re.sub(r'\s(?:role|aria-[a-z]+)="[^"]*"', "", svg[root.end() :])
    if not standalone:
        attrs = re.sub(r'\s(?:width|height)="[^"]*"', "", attrs)
        attrs += ' width="100%" preserveAspectRatio="xMinYMin meet"'
    else:
        attrs += ' color="#222"'
    attrs += f' role="img" aria-label="{html.escape(label, quote=True)}"'
    head = f"<svg{attrs}><title>{html.escape(title or label, quote=False)}</title>"
    if standalone:
        head += '<rect width="100%" height="100%" fill="white"/>'
    return head + body.rstrip() + "\n"


def render_svg(
    chart: alt.TopLevelMixin,
    *,
    cache_dir: Path | None,
    prefix: str,
    description: str | None = None,
    standalone: bool = False,
) -> str:
    """SVG markup of `chart`, ready to inline (ids prefixed with `prefix`, ARIA, responsive).

    The spec is validated; vl-convert's raw output is cached under `cache_dir/svg/` by spec
    hash, so the cache does not depend on `prefix` or `description`.
    """
    spec = chart.to_dict(validate=True)
    raw = _raw_svg(spec, cache_dir)
    title = _title_text(spec)
    label = description or title or "Chart"
    return postprocess_svg(raw, prefix=prefix, label=label, title=label, standalone=standalone)


def render_chart(
    name: str, weeks: pd.DataFrame, *, cache_dir: Path | None, prefix: str | None = None
) -> str:
    """Inline SVG of chart `name` from CHARTS, labelled with its description."""
    chart_def = CHARTS[name]
    return render_svg(
        chart_def.build(weeks),
        cache_dir=cache_dir,
        prefix=prefix or f"chart-{name.replace('_', '-')}",
        description=chart_def.describe(weeks),
    )


def render_vega(chart: alt.TopLevelMixin) -> str:
    """The chart compiled to a compact Vega spec, safe inside <script type="application/json">.

    The browser then needs only the Vega runtime (no Vega-Lite compiler); `<`, `>` and `&`
    are escaped so the JSON can never close its script element.
    """
    spec = chart.to_dict(format="vega")
    spec.pop("$schema", None)
    text = json.dumps(spec, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_png(chart: alt.TopLevelMixin, *, scale: float = 2.0) -> bytes:
    """PNG of `chart` on white (for Open Graph images); depends on the installed fonts."""
    import vl_convert

    spec = chart.to_dict(validate=True)
    spec["config"] = {**spec.get("config", {}), "background": "white"}
    return vl_convert.vegalite_to_png(spec, scale=scale, **_RENDER_OPTIONS)
