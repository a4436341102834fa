"""The evidence chart: forward returns after breakouts against every week, per horizon.

`forward_return_parts` (pandas only) gives its rows, words, y range and shape; `layout`
(Altair, imported when called) draws a shape, compiled once by `vega.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from generator.charts.data import ACCENT, CONFIG, INK, LINE, MID, WIDTH, Parts, json_number
from generator.evidence.study import EVENT_FLAGS, HORIZONS
from generator.evidence.text import ARTICLES, EVENT_NAMES, asset_label, asset_name
from generator.evidence.track import QUINTILES
from generator.format import fmt_pct

if TYPE_CHECKING:
    import altair as alt

HEIGHT = 300
GOLDEN = 0.6180339887498949  # low-discrepancy jitter: deterministic and evenly spread
TICKS = (0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32)  # growth multiples 1 + r


def _title(asset: str, event: str) -> str:
    return f"{asset_name(asset)[:1].upper()}{asset_name(asset)[1:]} after {EVENT_NAMES[event][1]}"


def _flag(event: str) -> str:
    """The table column marking the events: `episode_start` for episodes (`any`)."""
    return "episode_start" if event == "any" else EVENT_FLAGS[event]


def _events(table: pd.DataFrame, asset: str, event: str) -> pd.DataFrame:
    """Event-week forward returns, spread a little sideways so equal values stay visible."""
    rows = table[(table["asset"] == asset) & table[_flag(event)].astype(bool)]
    pos = np.array([HORIZONS.index(h) for h in rows["horizon_weeks"]], dtype=float)
    jitter = (np.arange(len(rows)) * GOLDEN) % 1.0 - 0.5
    return pd.DataFrame({
        "x": np.round(pos + 0.2 + jitter * 0.12, 4),
        "multiple": np.round(1 + rows["forward_return"].to_numpy(dtype=float), 4),
        "week": rows["week"].to_numpy(),
    })


def _boxes(table: pd.DataFrame, asset: str, event: str) -> pd.DataFrame:
    """Per horizon: all weeks' 5/25/50/75/95% quantiles (left) and the events' median (right)."""
    rows = table[table["asset"] == asset]
    out = []
    for i, h in enumerate(HORIZONS):
        at = rows[rows["horizon_weeks"] == h]
        if at.empty:
            continue
        q = np.quantile(1 + at["forward_return"].to_numpy(dtype=float), [0.05, .25, .5, .75, .95])
        hits = at[at[_flag(event)].astype(bool)]
        med = 1 + float(np.median(hits["forward_return"])) if len(hits) else np.nan
        out.append({"x": i - 0.18, "lo": i - 0.3, "hi": i - 0.06, "ex_lo": i + 0.08,
                    "ex_hi": i + 0.32, "q05": q[0], "q25": q[1], "q50": q[2], "q75": q[3],
                    "q95": q[4], "event_median": med})
    return pd.DataFrame(out).round(4)


def forward_return_parts(table: pd.DataFrame, asset: str, event: str = "rut") -> Parts:
    """The evidence chart's rows, words, y range (numbers) and shape (its y ticks)."""
    title = _title(asset, event)
    boxes = _boxes(table, asset, event)
    if boxes.empty:
        what = f"No data: a complete forward window for {asset_name(asset)} is not available"
        return Parts(("evidence", "none"), {"title": title, "subtitle": " ", "what": what})
    events = _events(table, asset, event)
    lo = float(min(boxes["q05"].min(), events["multiple"].min() if len(events) else 1, 0.9))
    hi = float(max(boxes["q95"].max(), events["multiple"].max() if len(events) else 1, 1.1))
    ticks = tuple(t for t in TICKS if lo <= t <= hi) or (1,)
    texts = {
        "title": title,
        "sub1": "Return from each week's as-of date (log scale). Grey: all weeks, box 25–75%,",
        "sub2": ("whiskers 5–95%, bar median. Orange: each breakout episode's first week, "
                 "bar median." if event == "any" else
                 f"whiskers 5–95%, bar median. Orange: weeks with {ARTICLES[event]} "
                 f"{EVENT_NAMES[event][0]}, bar median."),
    }
    data = {"boxes": _json_rows(boxes)}
    if len(events):
        data["events"] = _json_rows(events)
    return Parts(("evidence", ticks, bool(len(events))), texts, data,
                 numbers={"ylo": lo / 1.05, "yhi": hi * 1.05})


def _json_rows(frame: pd.DataFrame) -> list[dict]:
    """Rows with NaN as None and plain Python numbers (JSON as JavaScript writes it)."""
    return [{k: json_number(v) if isinstance(v, (float, np.floating)) else v
             for k, v in row.items()} for row in frame.to_dict("records")]


def layout(shape: tuple, texts: dict[str, str], live: bool = False,
           numbers: dict[str, float] | None = None) -> alt.TopLevelMixin:
    """Per horizon: a box of every week's forward return (5–95% whiskers, 25–75% box, median),
    the event weeks as diamonds with their median bar, on a log scale of 1 + r; rows from the
    datasets "boxes" and "events", the y range from the parameters `ylo` and `yhi`."""
    import altair as alt

    from generator.charts.layouts import _no_data

    if shape[0] == "track":
        return track_layout(shape, texts, numbers)
    if shape[1] == "none":
        return _no_data(texts["title"], "", texts["subtitle"], text=texts["what"])
    _, ticks, has_events = shape
    numbers = numbers or {"ylo": 0.5, "yhi": 2.0}  # a template's values are filled in later
    ylo, yhi = (alt.param(name=k, value=numbers[k]) for k in ("ylo", "yhi"))
    y_axis = alt.Axis(values=list(ticks), tickCount=len(ticks), grid=True,
                      labelExpr="datum.value === 1 ? '0%' : format(datum.value - 1, '+.0%')")
    scale = alt.Scale(type="log", domain=[alt.ExprRef("ylo"), alt.ExprRef("yhi")], nice=False)
    x = alt.X("x:Q", scale=alt.Scale(domain=[-0.5, len(HORIZONS) - 0.5], nice=False),
              axis=alt.Axis(values=list(range(len(HORIZONS))), grid=False, ticks=False,
                            labelExpr="[" + ",".join(f"'{h} weeks'" for h in HORIZONS) +
                            "][datum.value]"))
    base = alt.Chart(alt.Data(name="boxes"))
    layers = [
        alt.Chart(pd.DataFrame({"y": [1.0]})).mark_rule(strokeDash=[4, 3], opacity=0.5)
        .encode(y=alt.Y("y:Q", scale=scale, axis=y_axis)),
        base.mark_rule(color=MID, strokeWidth=1.5).encode(
            x=x, y=alt.Y("q05:Q", scale=scale, axis=y_axis), y2="q95:Q"),
        base.mark_rect(color=MID, opacity=0.45).encode(
            x=alt.X("lo:Q"), x2="hi:Q", y=alt.Y("q25:Q"), y2="q75:Q"),
        base.mark_rule(color=INK, strokeWidth=2.5).encode(
            x=alt.X("lo:Q"), x2="hi:Q", y=alt.Y("q50:Q")),
        base.transform_filter("isValid(datum.event_median)").mark_rule(
            color=ACCENT, strokeWidth=2.5).encode(
            x=alt.X("ex_lo:Q"), x2="ex_hi:Q", y=alt.Y("event_median:Q")),
    ]
    if has_events:
        layers.append(alt.Chart(alt.Data(name="events")).mark_point(
            shape="diamond", size=70, filled=True, opacity=1, color=ACCENT).encode(
            x=alt.X("x:Q"), y=alt.Y("multiple:Q")))
    return alt.layer(*layers).add_params(ylo, yhi).properties(
        title=alt.Title(texts["title"], subtitle=[texts["sub1"], texts["sub2"]]), width=WIDTH,
        height=HEIGHT, config=CONFIG,
        padding={"left": 10, "right": 6, "top": 4, "bottom": 2})  # room for "+1500%"


def forward_return_chart(table: pd.DataFrame, asset: str, event: str = "rut") -> alt.TopLevelMixin:
    """The whole evidence chart as an Altair chart (rows and y range included)."""
    parts = forward_return_parts(table, asset, event)
    chart = layout(parts.shape, parts.texts, numbers=parts.numbers or None)
    return chart.properties(datasets=parts.data) if parts.data else chart


def describe_forward_returns(table: pd.DataFrame, asset: str, event: str = "rut") -> str:
    """Plain-text summary of the chart: the two medians and counts per horizon."""
    rows = table[table["asset"] == asset]
    parts = []
    for h in HORIZONS:
        at = rows[rows["horizon_weeks"] == h]
        hits = at[at[_flag(event)].astype(bool)]
        if at.empty:
            parts.append(f"{h} weeks: no complete window yet")
            continue
        med_all = fmt_pct(float(np.median(at["forward_return"])))
        if hits.empty:
            parts.append(f"{h} weeks: median {med_all} over {len(at)} weeks, no event yet")
        else:
            med_hit = fmt_pct(float(np.median(hits["forward_return"])))
            unit = "episodes" if event == "any" else "events"
            parts.append(f"{h} weeks: median {med_hit} after {len(hits)} {unit}, "
                         f"{med_all} over all {len(at)} weeks")
    return f"{_title(asset, event)}, forward returns by horizon. " + "; ".join(parts) + "."


# --- the score's track record ------------------------------------------------------------

TRACK_HORIZON = 13
TRACK_COLOURS = (LINE, ACCENT, MID)  # ^RUT, Bitcoin, the alt basket (in the record's order)


def _track_label(asset: str) -> str:
    return "Russell 2000" if asset.startswith("^") else asset_label(asset)


def track_parts(summary: pd.DataFrame, horizon: int = TRACK_HORIZON) -> Parts:
    """The track-record chart: per score quintile (and all weeks), each asset's median
    forward return at `horizon` weeks."""
    title = f"What followed each fifth of scores: median {horizon}-week return"
    at = summary[(summary["horizon_weeks"] == horizon)
                 & summary["grouping"].isin(["quintile", "all"])]
    at = at[at["n"] > 0]
    if at.empty:
        return Parts(("track", "none"), {"title": title, "subtitle": " ",
                                          "what": f"No data: no complete {horizon}-week window"})
    groups = [*QUINTILES, "All weeks"]
    assets = list(dict.fromkeys(summary["asset"]))
    rows = [{"x": groups.index(r.group), "median": round(float(r.median), 4),
             "asset": _track_label(r.asset)} for r in at.itertuples()]
    lo = min(min(r["median"] for r in rows), 0.0)
    hi = max(max(r["median"] for r in rows), 0.0)
    pad = (hi - lo) * 0.08 or 0.05
    texts = {
        "title": title,
        "sub1": "Weeks grouped by their published score: Q1 the lowest fifth, Q5 the highest.",
        "sub2": f"Median return over the next {horizon} weeks; n and independent windows "
                "in the table below.",
    }
    labels = tuple(_track_label(a) for a in assets)
    return Parts(("track", labels), texts, {"points": rows},
                 numbers={"ylo": lo - pad, "yhi": hi + pad})


def describe_track(summary: pd.DataFrame, horizon: int = TRACK_HORIZON) -> str:
    """Plain-text summary of the track-record chart."""
    at = summary[(summary["horizon_weeks"] == horizon) & (summary["n"] > 0)]
    parts = []
    for asset in dict.fromkeys(summary["asset"]):
        rows = at[(at["asset"] == asset) & at["grouping"].isin(["quintile", "all"])]
        if rows.empty:
            continue
        cells = ", ".join(f"{r.group} {fmt_pct(float(r.median))}" for r in rows.itertuples())
        parts.append(f"{_track_label(asset)}: {cells}")
    if not parts:
        return f"Median {horizon}-week return by score quintile: no complete window yet."
    return (f"Median {horizon}-week return after weeks in each score quintile. "
            + "; ".join(parts) + ".")


def track_layout(shape: tuple, texts: dict[str, str],
                 numbers: dict[str, float] | None = None) -> alt.TopLevelMixin:
    """Points joined by lines: x the quintile (and all weeks), y the median forward return,
    one colour per asset (dataset "points"; y range from the parameters `ylo`, `yhi`)."""
    import altair as alt

    from generator.charts.layouts import _no_data

    if shape[1] == "none":
        return _no_data(texts["title"], "", texts["subtitle"], text=texts["what"])
    labels = list(shape[1])
    numbers = numbers or {"ylo": -0.1, "yhi": 0.1}
    ylo, yhi = (alt.param(name=k, value=numbers[k]) for k in ("ylo", "yhi"))
    groups = [*QUINTILES, "All weeks"]
    x = alt.X("x:Q", title=None, scale=alt.Scale(domain=[-0.4, len(groups) - 0.6], nice=False),
              axis=alt.Axis(values=list(range(len(groups))), grid=False, ticks=False,
                            labelExpr="[" + ",".join(f"'{g}'" for g in groups)
                            + "][datum.value]"))
    y = alt.Y("median:Q", title=None,
              scale=alt.Scale(domain=[alt.ExprRef("ylo"), alt.ExprRef("yhi")], nice=False),
              axis=alt.Axis(format="+.0%", grid=True, tickCount=5))
    colour = alt.Color("asset:N", title=None,
                       scale=alt.Scale(domain=labels, range=list(TRACK_COLOURS[:len(labels)])),
                       legend=alt.Legend(orient="bottom", direction="horizontal"))
    base = alt.Chart(alt.Data(name="points"))
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(strokeDash=[4, 3], opacity=0.5)
    layers = [
        zero.encode(y=alt.Y("y:Q", title=None, scale=alt.Scale(
            domain=[alt.ExprRef("ylo"), alt.ExprRef("yhi")], nice=False),
            axis=alt.Axis(format="+.0%", grid=True, tickCount=5))),
        base.transform_filter("datum.x < 5").mark_line(strokeWidth=2).encode(
            x=x, y=y, color=colour),
        base.mark_point(filled=True, size=60, opacity=1).encode(x=x, y=y, color=colour),
    ]
    return alt.layer(*layers).add_params(ylo, yhi).properties(
        title=alt.Title(texts["title"], subtitle=[texts["sub1"], texts["sub2"]]), width=WIDTH,
        height=HEIGHT, config=CONFIG, padding={"left": 10, "right": 6, "top": 4, "bottom": 2})
