"""The chart files published beside a page: `charts.json` and `charts-narrow.json` (the live
views' Vega specs, wide and narrow), and each chart's static SVG, wide (`chart-NAME.svg`) and
narrow (`chart-NAME-narrow.svg`), shown by a `<picture>` whose `<source media>` lets the
browser pick the narrow one on a phone (templates/_chart.html). Pure."""

from __future__ import annotations

import json
import re

from generator.charts.data import ISSUE_CHARTS, Chart, chart_file_name

# An issue's charts after the first (the score chart, in the first view) load lazily: the
# page's first view neither fetches nor lays them out.
LAZY = ISSUE_CHARTS[1:]
# Beside a page with live charts: their Vega specs by chart name, for a wide page and for a
# page narrower than `Chart.narrow_media` (the script's data-specs, data-narrow-specs).
SPECS, NARROW_SPECS = "charts.json", "charts-narrow.json"

_SCALED = re.compile(r' width="100%" preserveAspectRatio="xMinYMin meet"')  # inline: fits its box
_FG = re.compile(r"--fg:\s*(#[0-9A-Fa-f]{3,8})\b")


def specs_of(folder: str, narrow: bool = False) -> str:
    """Site path of the `charts.json` (or `charts-narrow.json`) of the page in `folder`
    (`issues/2025-w38/`)."""
    return f"{folder}{NARROW_SPECS if narrow else SPECS}"


def chart_file(folder: str, name: str, narrow: bool = False) -> str:
    """Site path of a chart's SVG file (wide, or `narrow`) beside the page in `folder`."""
    return f"{folder}{chart_file_name(name, narrow)}"


def chart_specs(charts: list[Chart], narrow: bool = False) -> bytes:
    """The `charts.json` of a page: `{name: Vega spec}` of its live charts (`narrow`: the
    `charts-narrow.json`, their narrow specs), for assets/charts.js to fetch when a chart
    goes live (not inlined: the first view of a page does not wait for them)."""
    return ("{" + ",".join(f"{json.dumps(c.name)}:{c.narrow_vega if narrow else c.vega}"
                           for c in charts if (c.narrow_vega if narrow else c.vega))
            + "}\n").encode("utf-8")


def chart_files(folder: str, charts: list[Chart], css: str) -> dict[str, bytes]:
    """Every chart file beside the page in `folder` that shows `charts`: each chart's SVG,
    wide and narrow, and the specs files of the live ones. `css`: the site's stylesheet."""
    style = svg_file_style(css)
    files = {}
    for chart in charts:
        files[chart_file(folder, chart.name)] = svg_file(chart, style)
        if chart.narrow_svg:
            files[chart_file(folder, chart.name, True)] = svg_file(chart, style, narrow=True)
    for narrow in (False, True):
        if any(c.narrow_vega if narrow else c.vega for c in charts):
            files[specs_of(folder, narrow)] = chart_specs(charts, narrow)
    return files


def svg_file_style(css: str) -> str:
    """The page's text colour for an SVG shown by <img>, which cannot inherit it: the
    stylesheet's `--fg`, its first value (light) and its second (the dark scheme's)."""
    found = _FG.findall(css)
    if not found:
        return ""
    style = f"svg{{color:{found[0]}}}"
    if len(found) > 1:
        style += f"@media (prefers-color-scheme:dark){{svg{{color:{found[1]}}}}}"
    return f"<style>{style}</style>"


def svg_file(chart: Chart, style: str, narrow: bool = False) -> bytes:
    """A chart's inline SVG (or its `narrow` one) as a file for `<img>`: its own pixel size,
    an XML prolog, and `style` (`svg_file_style`: the page's text colour, light and dark)."""
    width, height = chart.narrow_size if narrow else chart.size
    svg, scaled = _SCALED.subn(f' width="{width}" height="{height}"',
                               chart.narrow_svg if narrow else chart.svg, count=1)
    svg, titled = re.subn("</title>", lambda _: "</title>" + style, svg, count=1)
    if not (scaled and titled):
        raise ValueError(f"chart {chart.name}: not an inline chart SVG")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + svg).encode("utf-8")
