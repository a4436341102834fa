"""Altair layouts of the weekly signal table's charts.

A layout is built from a chart's `shape` and words alone (see `data.Parts`) and reads its
rows from named datasets ("main", "latest", "breakouts"), so `vega.py` compiles each layout
once and fills in every week's rows. `with_data(parts)` gives the whole chart, rows
included, for notebooks and for the test that a filled layout equals a direct compile.
"""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import pandas as pd

from generator.charts.data import (
    ACCENT,
    BAND_FILL,
    CONFIG,
    HEIGHT,
    LINE,
    MID,
    NARROW_CONFIG,
    NARROW_FONT,
    NARROW_WIDTH,
    ON,
    WIDTH,
    Parts,
    wrap,
)
from generator.format import BANDS

# --- building blocks -------------------------------------------------------------------

MAIN, LATEST, BREAKOUTS = (alt.Data(name=n) for n in ("main", "latest", "breakouts"))

# A narrow chart has about half the room: its time axis ticks half as often (or less).
NARROW_TICKS = {("week", 2): ("month", 1), ("month", 1): ("month", 3), ("month", 3): ("month", 6),
                ("year", 1): ("year", 2), ("year", 2): ("year", 5)}


def time_label(interval: str, step: int) -> str:
    """A time axis' label expression that carries the year where it changes.

    Yearly ticks read "2024"; finer ticks read "Apr" (or "5 Oct"), with the year on a second
    line under the first tick and under the first tick of every year ("Jan" over "2025");
    half-yearly ticks ("Jan", "Jul") carry it on every label.
    """
    if interval == "year":
        return "utcFormat(datum.value, '%Y')"
    if interval == "month" and step >= 6:  # every label: a view that drops every other
        return "[utcFormat(datum.value, '%b'), utcFormat(datum.value, '%Y')]"  # keeps years
    if interval == "month":
        fmt, new_year = "%b", f"utcmonth(datum.value) < {step}"
    else:
        fmt = "%-d %b"
        new_year = f"utcmonth(datum.value) === 0 && utcdate(datum.value) <= {7 * step}"
    return (f"datum.index === 0 || {new_year}"
            f" ? [utcFormat(datum.value, '{fmt}'), utcFormat(datum.value, '%Y')]"
            f" : utcFormat(datum.value, '{fmt}')")


def _x(ticks: tuple[str, int], narrow: bool = False) -> alt.X:
    """Time axis in UTC (so no local-time shift) with ticks and labels fitted to the span."""
    interval, step = NARROW_TICKS.get(ticks, ticks) if narrow else ticks
    return alt.X(
        "date:T",
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(tickCount={"interval": interval, "step": step},
                      labelExpr=time_label(interval, step), labelOverlap=True,
                      labelBaseline="top"),
    )


def _value_axis(values: list[float], **kwargs) -> alt.Axis:
    # Vega thins explicit `values` down to tickCount (by default height / 40): keep them all.
    return alt.Axis(values=values, tickCount=len(values), **kwargs)


def _latest_marker(y: alt.Y) -> alt.LayerChart:
    """A dot on the latest value with its number next to it (dataset "latest")."""
    base = alt.Chart(LATEST).encode(x=alt.X("date:T"), y=y)
    return alt.layer(
        base.mark_point(size=50, filled=True, color=LINE),
        base.mark_text(align="left", dx=7, fontWeight=600).encode(text="label:N"),
    )


def _hover(y: alt.Y, *tips: alt.Tooltip) -> alt.LayerChart:
    """The live view's hover: the nearest week gets a rule, a dot and a tooltip.

    Only in the interactive (Vega) version of a chart; the static SVG stays as it was.
    """
    near = alt.selection_point(
        name="hover", nearest=True, on="pointerover", clear="pointerout", fields=["date"],
        empty=False,
    )
    base = alt.Chart(MAIN).encode(x=alt.X("date:T"))
    tooltip = [alt.Tooltip("utcyearmonthdate(date):T", title="As of", format="%-d %b %Y"), *tips]
    return alt.layer(
        base.mark_rule(strokeDash=[2, 2]).encode(opacity=alt.value(0.5))
        .transform_filter(near),
        base.mark_point(size=70, filled=True, color=LINE)
        .encode(y=y, opacity=alt.condition(near, alt.value(1), alt.value(0)), tooltip=tooltip)
        .add_params(near),
    )


# The static SVG draws a plot of fixed size and grows around it for the axes and the title
# (autosize "pad": one layout pass, a quarter faster to render than "fit", about WIDTH x
# HEIGHT in all); the live view fits the whole chart to its column ("fit").
# Plot widths leave room for each chart's usual y labels ("2,500", "+0.5", "100").
PLOT_WIDTH, PLOT_HEIGHT = {"rut": 571, "correlation": 577}, 176
# The narrow variant (static and live) is NARROW_WIDTH wide in all ("fit-x") around a plot of
# fixed height ("pad" in y: a subtitle of three lines does not squeeze the plot).
NARROW_PLOT_HEIGHT = 200
SMALL, NARROW_SMALL = 11, NARROW_FONT  # in-plot labels (bands, zones)


def _small(narrow: bool) -> float:
    return NARROW_SMALL if narrow else SMALL


def _size(live: bool, name: str = "", narrow: bool = False) -> dict:
    if narrow:  # right: room for the latest value's label, as in the wide static SVG
        return {"width": NARROW_WIDTH, "height": NARROW_PLOT_HEIGHT,
                "padding": {"left": 6, "right": 14, "top": 4, "bottom": 2},
                "autosize": alt.AutoSizeParams(type="fit-x", contains="padding")}
    if live:
        return {"width": WIDTH, "height": HEIGHT}
    # Right padding: room for the latest value's label drawn in the page's font, which can
    # be wider than vl-convert's measurement of it.
    return {"width": PLOT_WIDTH.get(name, 580) - 14, "height": PLOT_HEIGHT,
            "padding": {"left": 6, "right": 16, "top": 4, "bottom": 2},
            "autosize": alt.AutoSizeParams(type="pad", contains="padding")}


def _finish(layers: list, texts: dict[str, str], live: bool, name: str = "",
            narrow: bool = False) -> alt.LayerChart:
    return alt.layer(*layers).properties(
        title=alt.Title(texts["title"], subtitle=texts["subtitle"]),
        config=NARROW_CONFIG if narrow else CONFIG, **_size(live, name, narrow),
    )


NO_DATA = {
    "score": "the composite score",
    "rut": "the Russell 2000 close",
    "relative_strength": "the IWM/SPY ratio",
    "correlation": "the BTC–Russell 2000 correlation",
    "altseason": "the altseason index",
}


def no_data_text(what: str) -> str:
    return f"No data: {what} is not available"


def _no_data(title: str, what: str, subtitle: str = " ", live: bool = True, *,
             text: str | None = None, narrow: bool = False) -> alt.Chart:
    """A chart that says plainly that the input is missing (`text`, or made from `what`)."""
    words = text or no_data_text(what)
    lines: str | list[str] = wrap(words, NARROW_WIDTH - 20, 13) if narrow else words
    return (
        alt.Chart(pd.DataFrame({"text": [lines]}))
        .mark_text(fontSize=13, opacity=0.75)
        .encode(
            text="text:N", x=alt.value(alt.expr("width / 2")), y=alt.value(alt.expr("height / 2"))
        )
        .properties(title=alt.Title(title, subtitle=subtitle),
                    config=NARROW_CONFIG if narrow else CONFIG, **_size(live, narrow=narrow))
    )


# --- the layouts ---------------------------------------------------------------------


def _score(shape: tuple, texts: dict[str, str], live: bool, narrow: bool = False
           ) -> alt.LayerChart:
    scale = alt.Scale(domain=[0, 100], nice=False)
    # Layers merge their axes: give every layer the same one or the band layer's wins.
    # 45 and 55, the neutral band's edges, are close: 55 sits on its line, 45 hangs under
    # its own, so the two never touch however short the plot.
    axis = _value_axis([0, 25, 45, 55, 75, 100], grid=False, labelOverlap=False,
                       labelBaseline=alt.ExprRef(
                           "datum.value === 55 ? 'bottom' : datum.value === 45 ? 'top'"
                           " : 'middle'"))
    y = alt.Y("score:Q", scale=scale, axis=axis)
    bands = pd.DataFrame(
        [
            {"lo": lo, "hi": hi, "mid": (lo + hi) / 2, "name": name, "fill": c, "op": o}
            for (lo, hi, name), (c, o) in zip(BANDS, BAND_FILL, strict=True)
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
        band_base.mark_text(align="left", dx=4, fontSize=_small(narrow), opacity=0.7).encode(
            x=alt.value(0), y="mid:Q", text="name:N"
        ),
        alt.Chart(MAIN).mark_line(clip=True).encode(x=_x(shape[1], narrow), y=y),
        _latest_marker(y),
    ]
    if live:
        layers.append(_hover(y, alt.Tooltip("score:Q", title="Score", format=".1f")))
    return _finish(layers, texts, live, narrow=narrow)


def _rut(shape: tuple, texts: dict[str, str], live: bool, narrow: bool = False
         ) -> alt.LayerChart:
    _, ticks, has_record, has_breakout = shape
    y = alt.Y("close:Q", scale=alt.Scale(zero=False), axis=alt.Axis(format=",.0f"))
    x = _x(ticks, narrow)
    layers = []
    if has_record:
        layers.append(
            alt.Chart(MAIN)
            .mark_line(interpolate="step-after", strokeDash=[4, 3], strokeWidth=1.25, color=MID)
            .encode(x=x, y=alt.Y("record:Q"))
        )
    layers.append(alt.Chart(MAIN).mark_line().encode(x=x, y=y))
    if has_breakout:
        layers.append(
            alt.Chart(BREAKOUTS)
            .mark_point(shape="triangle-up", size=60, color=ACCENT, filled=True)
            .encode(x=x, y=y)
        )
    layers.append(_latest_marker(y))
    if live:
        layers.append(_hover(y, alt.Tooltip("close:Q", title="Close", format=",.0f"),
                             alt.Tooltip("record:Q", title="Record close", format=",.0f")))
    return _finish(layers, texts, live, "rut", narrow)


def _relative_strength(shape: tuple, texts: dict[str, str], live: bool, narrow: bool = False
                       ) -> alt.LayerChart:
    y = alt.Y("rs:Q", scale=alt.Scale(zero=False))  # default ticks pick enough decimals
    layers = [
        alt.Chart(pd.DataFrame({"y": [100]}))
        .mark_rule(opacity=0.45, strokeDash=[2, 2])
        .encode(y="y:Q"),
        alt.Chart(MAIN).mark_line().encode(x=_x(shape[1], narrow), y=y),
        _latest_marker(y),
    ]
    if live:
        layers.append(_hover(y, alt.Tooltip("rs:Q", title="IWM/SPY (rebased)", format=".1f")))
    return _finish(layers, texts, live, narrow=narrow)


def _correlation(shape: tuple, texts: dict[str, str], live: bool, narrow: bool = False
                 ) -> alt.LayerChart:
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
        alt.Chart(MAIN).mark_line(clip=True).encode(x=_x(shape[1], narrow), y=y),
        _latest_marker(y),
    ]
    if live:
        layers.append(_hover(y, alt.Tooltip("corr:Q", title="Correlation", format="+.2f")))
    return _finish(layers, texts, live, "correlation", narrow)


def _altseason(shape: tuple, texts: dict[str, str], live: bool, narrow: bool = False
               ) -> alt.LayerChart:
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
            .mark_text(align="left", baseline=baseline, dx=4, dy=dy, fontSize=_small(narrow),
                       opacity=0.75)
            .encode(x=alt.value(0), y="at:Q", text="name:N")
            for at, baseline, dy in ((75, "bottom", -3), (25, "top", 3))
        ),
        alt.Chart(MAIN).mark_line(clip=True).encode(x=_x(shape[1], narrow), y=y),
        _latest_marker(y),
    ]
    if live:
        layers.append(_hover(y, alt.Tooltip("alt:Q", title="Altseason index", format=".1f")))
    return _finish(layers, texts, live, narrow=narrow)


LAYOUTS: dict[str, Callable[..., alt.TopLevelMixin]] = {  # (shape, texts, live, narrow)
    "score": _score,
    "rut": _rut,
    "relative_strength": _relative_strength,
    "correlation": _correlation,
    "altseason": _altseason,
}


def layout(shape: tuple, texts: dict[str, str], live: bool, narrow: bool = False
           ) -> alt.TopLevelMixin:
    """The chart of `shape` with `texts`, reading its rows from named datasets; `narrow`: the
    variant for phones (NARROW_WIDTH wide, larger text, fewer time ticks)."""
    name = shape[0]
    if shape[1] == "none":
        return _no_data(texts["title"], NO_DATA[name], texts["subtitle"], live, narrow=narrow)
    return LAYOUTS[name](shape, texts, live, narrow)


def with_data(parts: Parts, *, interactive: bool = False, narrow: bool = False
              ) -> alt.TopLevelMixin:
    """The whole Altair chart of `parts`: its layout with its words and rows."""
    from generator.charts.vega import narrow_texts

    texts = narrow_texts(parts.texts) if narrow else parts.texts
    chart = layout(parts.shape, texts, interactive, narrow)  # type: ignore[arg-type]
    return chart.properties(datasets=parts.data) if parts.data else chart
