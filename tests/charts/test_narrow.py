"""The narrow variant of every chart, for phones: its size, its text, its time axis."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from generator.charts import vega
from generator.charts.data import (
    CHART_DATA,
    NARROW_FONT,
    NARROW_WIDTH,
    chart_description,
    prepare,
    wrap,
)
from generator.charts.layouts import NARROW_TICKS, with_data
from generator.charts.render import render_chart, render_evidence
from tests.charts.test_data import make_weeks
from tests.charts.test_evidence_chart import table
from tests.charts.test_vega import WINDOWS

SVG = "{http://www.w3.org/2000/svg}"
NARROW_WINDOWS = ("156 weeks", "300 weeks", "10 weeks", "40 weeks", "all missing")


def _direct_narrow_svg(name: str, weeks) -> str:
    chart = with_data(prepare(name, weeks), narrow=True)
    spec = vega.compile_vegalite(chart.to_dict(validate=True))
    return vega.static_svg(spec, prefix=f"c-{name.replace('_', '-')}-n",
                           description=chart_description(name, weeks))


def _font_sizes(svg: str) -> list[float]:
    return [float(v) for v in re.findall(r'font-size="([\d.]+)(?:px)?"', svg)]


def _texts(svg: str) -> list[tuple[str, list[str]]]:
    """(class of the mark group, lines) of every <text> in document order."""
    root = ET.fromstring(svg)
    out = []

    def walk(node, role):
        role = node.get("class", role) if node.tag == f"{SVG}g" and "mark-" in (
            node.get("class") or "") else role
        if node.tag == f"{SVG}text":
            lines = [t.text or "" for t in node.iter(f"{SVG}tspan")] or [node.text or ""]
            if node.get("opacity") != "0":
                out.append((role, lines))
            return
        for child in node:
            walk(child, role)

    walk(root, "")
    return out


@pytest.mark.parametrize("window", NARROW_WINDOWS)
@pytest.mark.parametrize("name", list(CHART_DATA))
def test_narrow_layout_gives_the_bytes_of_a_direct_compile(name, window):
    weeks = WINDOWS[window]
    chart = render_chart(name, weeks)
    assert chart.narrow_svg == _direct_narrow_svg(name, weeks)
    assert "@@riskon" not in chart.narrow_svg + chart.narrow_vega


@pytest.mark.parametrize("window", NARROW_WINDOWS)
@pytest.mark.parametrize("name", list(CHART_DATA))
def test_a_narrow_chart_is_phone_sized_with_large_text(name, window):
    chart = render_chart(name, WINDOWS[window])
    width, height = chart.narrow_size
    assert width == NARROW_WIDTH and 200 < height < 420, chart.narrow_size
    sizes = _font_sizes(chart.narrow_svg)
    assert sizes and min(sizes) >= NARROW_FONT  # 11.5 CSS px where it is shown 300 px wide
    assert min(_font_sizes(chart.svg)) >= 11  # and the wide one has no text under 11 px
    live = __import__("json").loads(chart.narrow_vega)
    assert live["width"] == NARROW_WIDTH
    assert ("tooltip" in chart.narrow_vega) == (window != "all missing")
    # the title and subtitle wrap into lines that fit (a generous estimate of their width)
    lines = [line for role, text in _texts(chart.narrow_svg) if "title" in role
             for line in text]
    assert lines and all(len(line) * NARROW_FONT * 0.58 <= NARROW_WIDTH - 30 for line in lines)


def _x_labels(svg: str) -> list[list[str]]:
    """The x axis' labels (the axis whose labels hold a month or a year)."""
    axes: dict[str, list[list[str]]] = {}
    root = ET.fromstring(svg)
    for i, group in enumerate(root.iter(f"{SVG}g")):
        if "role-axis-label" in (group.get("class") or ""):
            axes[str(i)] = [
                [t.text or "" for t in text.iter(f"{SVG}tspan")] or [text.text or ""]
                for text in group.iter(f"{SVG}text") if text.get("opacity") != "0"]
    for labels in axes.values():
        if any(re.search(r"[A-Z][a-z]{2}|\b(19|20)\d\d\b", " ".join(lab)) for lab in labels):
            return labels
    return []


@pytest.mark.parametrize("narrow", [False, True])
@pytest.mark.parametrize("weeks", [156, 300, 60, 12, 600])
def test_time_axes_carry_the_year_at_the_first_tick_and_wherever_it_changes(weeks, narrow):
    window = make_weeks(weeks)
    chart = render_chart("correlation", window)
    labels = _x_labels(chart.narrow_svg if narrow else chart.svg)
    assert len(labels) >= 2, labels
    years = [next((int(x) for x in lab if re.fullmatch(r"(19|20)\d\d", x)), None)
             for lab in labels]
    assert years[0] is not None, labels  # the first tick says its year
    # every later year the axis reaches is named (at its first tick): yearly ticks step
    # evenly; finer ticks name each year in turn (half-yearly ones on every label)
    shown = [y for y in years if y is not None]
    if len(shown) == len(labels) and len(set(shown)) < len(shown):
        assert all(len(lab) == 2 for lab in labels)
        shown = sorted(set(shown))
    steps = {b - a for a, b in zip(shown, shown[1:], strict=False)}
    if all(len(lab) == 1 and lab[0].isdigit() for lab in labels):
        assert len(steps) == 1 and steps.pop() > 0, labels
    else:
        assert steps <= {1}, labels
    assert shown[-1] >= window.index[-1].year - (5 if narrow else 2), labels
    # and no label runs into its neighbour: at most one line with a month per label
    assert all(len(lab) <= 2 for lab in labels)


def test_narrow_ticks_are_coarser_than_wide_ones():
    days = {"week": 7, "month": 30, "year": 365}
    for (unit, step), (n_unit, n_step) in NARROW_TICKS.items():
        assert days[n_unit] * n_step > days[unit] * step


@pytest.mark.parametrize("asset", ["BTC-USD", "ETH-USD"])  # events and boxes; no data at all
def test_the_evidence_chart_has_a_narrow_variant(asset):
    chart = render_evidence(table(), asset)
    assert chart.narrow_size[0] == NARROW_WIDTH
    assert min(_font_sizes(chart.narrow_svg)) >= NARROW_FONT
    assert "@@riskon" not in chart.narrow_svg
    assert chart.narrow_vega == ""  # static only, like the wide one
    title = [lines for role, lines in _texts(chart.narrow_svg) if "title" in role]
    assert " ".join(title[0]) == chart.title


def test_wrap_keeps_every_word_in_lines_that_fit():
    text = "IWM ÷ SPY total return, rebased to 100 on 3 March 2023; above 100: small caps ahead"
    lines = wrap(text, 300, 13)
    assert " ".join(lines) == text and len(lines) > 1
    assert all(len(line) <= int(300 / (13 * 0.58)) for line in lines)
    assert wrap("Short", 300, 13) == ["Short"]
    assert wrap("Averyveryverylongword " * 2, 50, 13) == ["Averyveryverylongword"] * 2


def test_the_narrow_subtitle_joins_a_layout_s_subtitle_lines():
    texts = vega.narrow_texts({"title": "T", "sub1": "first line,", "sub2": "second line."})
    assert texts["subtitle"] == ["first line, second line."] and texts["title"] == ["T"]
    assert vega.narrow_texts({"title": "T", "subtitle": " "})["subtitle"] == " "


def test_an_empty_window_gives_a_narrow_no_data_chart():
    chart = render_chart("score", pd.DataFrame(index=pd.DatetimeIndex([])))
    assert "No data" in chart.narrow_svg and chart.narrow_size[0] == NARROW_WIDTH
