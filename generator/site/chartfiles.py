"""The chart files published beside a page: `charts.json` (the live views' Vega specs) and
`chart-NAME.svg` (a chart under the first view, shown by `<img loading="lazy">`). Pure."""

from __future__ import annotations

import json
import re

from generator.charts.data import ISSUE_CHARTS, Chart

# An issue's charts after the first (the score chart, in the first view) are SVG files
# shown by <img loading="lazy">: the page's first view neither parses nor lays them out.
LAZY = ISSUE_CHARTS[1:]
SPECS = "charts.json"  # beside a page with live charts: their Vega specs, by chart name

_SCALED = re.compile(r' width="100%" preserveAspectRatio="xMinYMin meet"')  # inline: fits its box
_FG = re.compile(r"--fg:\s*(#[0-9A-Fa-f]{3,8})\b")


def specs_of(folder: str) -> str:
    """Site path of the `charts.json` of the page in `folder` (`issues/2025-w38/`)."""
    return f"{folder}{SPECS}"


def chart_file(folder: str, name: str) -> str:
    """Site path of a chart's SVG file beside the page in `folder`."""
    return f"{folder}chart-{name}.svg"


def chart_specs(charts: list[Chart]) -> bytes:
    """The `charts.json` of a page: `{name: Vega spec}` of its live charts, for
    assets/charts.js to fetch once the page is idle (not inlined: the first view of a page
    does not wait for them)."""
    return ("{" + ",".join(f"{json.dumps(c.name)}:{c.vega}" for c in charts if c.vega)
            + "}\n").encode("utf-8")


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


def svg_file(chart: Chart, style: str) -> bytes:
    """A chart's inline SVG as a file for `<img loading="lazy">`: its own pixel size, an
    XML prolog, and `style` (`svg_file_style`: the page's text colour, light and dark)."""
    width, height = chart.size
    svg, scaled = _SCALED.subn(f' width="{width}" height="{height}"', chart.svg, count=1)
    svg, titled = re.subn("</title>", lambda _: "</title>" + style, svg, count=1)
    if not (scaled and titled):
        raise ValueError(f"chart {chart.name}: not an inline chart SVG")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + svg).encode("utf-8")
