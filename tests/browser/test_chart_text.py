# ruff: noqa: F811 - the fixtures of test_browser.py, imported, are these tests' arguments
"""Charts legible on a phone: text size, clipping and collisions as the browser draws them.

Measured in headless Chromium on the sample site (see `chart_text.MEASURE`): for every
<text> of every chart, computed font size × rendered scale, and its box. Skips when
Playwright or Chromium is missing, like the rest of tests/browser.
"""

from __future__ import annotations

import json

import pytest

from tests.browser.chart_text import MEASURE, overlaps
from tests.browser.test_browser import (  # noqa: F401 - fixtures
    _chromium,
    base_url,
    browser,
    visit,
)

MIN_PX = 11.0  # the smallest chart text a reader gets, in CSS px
PHONES = (360, 390)


def _pages(site) -> list[str]:
    issues = sorted(p.parent.name for p in (site / "issues").glob("*-w*/index.html"))
    return ["", f"issues/{issues[-1]}/", "issues/", "evidence/"]


def _charts(v) -> list[dict]:
    """Every chart of the page, its images loaded (lazy ones scrolled to)."""
    for image in v.page.locator("figure.chart img").all():
        image.scroll_into_view_if_needed()
        v.page.wait_for_function("i => i.complete && i.naturalWidth > 0",
                                 arg=image.element_handle(), timeout=10_000)
    return v.page.evaluate(MEASURE)


def _problems(charts: list[dict], *, gap: float = 1.0) -> list[tuple]:
    """Text under MIN_PX, text cut off at the chart's edges, and texts that touch."""
    bad: list[tuple] = []
    for chart in charts:
        for t in chart["texts"]:
            if t["px"] < MIN_PX - 0.05:
                bad.append((chart["id"], "small", t["text"], round(t["px"], 2)))
            x0, _, x1, _ = t["box"]
            if x0 < -1 or x1 > chart["width"] + 1:
                bad.append((chart["id"], "cut off", t["text"], round(x0), round(x1)))
        # texts closer than `gap` px run together ("Oct2024Apr"): grow each box by half
        grown = [{**t, "box": [t["box"][0] - gap / 2, t["box"][1], t["box"][2] + gap / 2,
                               t["box"][3]]} for t in chart["texts"]]
        bad += [(chart["id"], "collide", *pair) for pair in overlaps(grown, tolerance=0)]
    return bad


@pytest.mark.parametrize("width", PHONES)
def test_no_chart_text_under_11_px_on_a_phone_without_javascript(sample_site, visit, width):
    seen = 0
    for path in _pages(sample_site.site):
        if not (sample_site.site / path / "index.html").is_file():
            continue
        v = visit(path, java_script_enabled=False, viewport={"width": width, "height": 800})
        charts = _charts(v)
        assert charts, path
        # the browser picked each chart's narrow file
        assert all(c["kind"] == "img" and c["src"].endswith("-narrow.svg") for c in charts), [
            (c["id"], c["src"]) for c in charts]
        seen += sum(len(c["texts"]) for c in charts)
        assert _problems(charts) == [], (path, width)
    assert seen > 100


def test_wide_charts_on_a_desktop_keep_their_text_legible_and_apart(sample_site, visit):
    for path in _pages(sample_site.site):
        if not (sample_site.site / path / "index.html").is_file():
            continue
        v = visit(path, java_script_enabled=False, viewport={"width": 1280, "height": 900})
        charts = _charts(v)
        assert all(not c["src"].endswith("-narrow.svg") for c in charts), path
        assert _problems(charts) == [], path


@pytest.mark.parametrize("width", [*PHONES, 1280])
def test_the_score_chart_band_labels_and_ticks_do_not_collide(sample_site, visit, width):
    v = visit("", java_script_enabled=False, viewport={"width": width, "height": 900})
    score = next(c for c in _charts(v) if c["id"] == "chart-score")
    labels = {t["text"] for t in score["texts"]}
    assert {"Neutral", "Risk-off", "45", "55", "Strong risk-on"} <= labels, labels
    assert overlaps(score["texts"], tolerance=0) == []
    # the band names sit inside their bands: "Neutral" between the 45 and 55 ticks
    by = {t["text"]: t["box"] for t in score["texts"]}
    mid = (by["Neutral"][1] + by["Neutral"][3]) / 2
    assert by["55"][1] < mid < by["45"][3]


LIVE = r"""
async ([spec, width, height]) => {
  const holder = document.createElement("div");
  holder.style.width = width + "px";
  document.body.appendChild(holder);
  spec.autosize = {type: "fit", contains: "padding"};
  // as assets/charts.js does under the site's CSP: Vega's expression interpreter, no eval
  const view = new vega.View(vega.parse(spec, null, {ast: true}),
                             {renderer: "svg", container: holder,
                              expr: vega.expressionInterpreter});
  view.width(width).height(height);
  await view.runAsync();
  const fig = document.createElement("figure");
  fig.className = "chart";
  fig.id = "chart-live";
  const live = document.createElement("div");
  live.className = "chart-live";
  live.appendChild(holder.querySelector("svg"));
  fig.appendChild(live);
  document.body.replaceChildren(fig);
  return null;
}
"""


@pytest.mark.parametrize("width", PHONES)
def test_the_narrow_live_specs_draw_legible_charts_at_phone_width(sample_site, visit, width):
    """What assets/charts.js draws below `data-narrow-media`: each spec of the page's
    charts-narrow.json at the static chart's box (width × its aspect ratio), autosize fit."""
    site = sample_site.site
    latest = sorted(p.parent for p in (site / "issues").glob("*/charts-narrow.json"))[-1]
    specs = json.loads((latest / "charts-narrow.json").read_text(encoding="utf-8"))
    assert set(specs) == {"score", "rut", "relative_strength", "correlation", "altseason"}
    v = visit("404.html", java_script_enabled=True, viewport={"width": 400, "height": 900})
    root = v.page.url.rsplit("/", 1)[0] + "/"
    for script in ("vega.min.js", "vega-interpreter.js"):  # the site's own, as its pages load them
        v.page.add_script_tag(url=root + "assets/" + script)
    box = width - 60  # the chart's box on a phone (the page's margins and the card's padding)
    for name, spec in specs.items():
        from xml.etree import ElementTree as ET

        svg = ET.fromstring((latest / f"chart-{name}-narrow.svg").read_bytes())
        height = round(box * float(svg.get("height")) / float(svg.get("width")))
        v.page.evaluate(LIVE, [spec, box, height])
        charts = v.page.evaluate(MEASURE)
        assert len(charts) == 1 and charts[0]["texts"], name
        assert _problems(charts) == [], (name, width)


@pytest.mark.parametrize("width", [360, 1280])
def test_live_charts_keep_text_legible_and_apart(sample_site, visit, width):
    """With JavaScript: each chart made live by the reader's intent (the pointer over it),
    laid out by the page's narrow specs on a phone and its wide ones on a desktop."""
    v = visit("", viewport={"width": width, "height": 900})
    figures = v.page.locator("figure.chart")
    for i in range(figures.count()):
        figures.nth(i).scroll_into_view_if_needed()
        figures.nth(i).hover()
    v.page.wait_for_function(
        "n => document.querySelectorAll('figure.is-live .chart-live svg').length === n",
        arg=figures.count(), timeout=20_000)
    charts = v.page.evaluate(MEASURE)
    assert [c["kind"] for c in charts] == ["live"] * figures.count()
    assert _problems(charts) == [], width
    assert v.errors == []
