"""The sample site under its Content-Security-Policy, in headless Chromium: no violation and
no console error on any page, live charts that come on intent without moving anything, a
tap that shows a value, tables that fit a phone, and a page that prints.

Uses the fixtures of `test_browser.py` (the served sample site, one Chromium, `visit`).
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.browser import test_browser as _shared

# The served sample site, one Chromium for the module, and `visit`: test_browser.py's fixtures.
base_url = _shared.base_url
browser = _shared.browser
visit = _shared.visit
_chromium = _shared._chromium

# Collects every CSP violation the page reports, from before any of its own scripts run.
VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
  e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || '')));
"""
# The layout shifts the page reports (what Lighthouse's CLS adds up).
SHIFTS = """
window.__shift = 0; window.__shifted = [];
new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) {
  window.__shift += e.value;
  window.__shifted.push([e.value, Math.round(e.startTime), (e.sources || []).map(s =>
    s.node ? s.node.nodeName + '.' + s.node.className + ' ' + s.previousRect.y + '->' +
    s.currentRect.y : '?')]);
} }).observe({type: 'layout-shift', buffered: true});
"""


def _pages(site) -> list[str]:
    issues = sorted(p.parent.name for p in (site / "issues").glob("*-w*/index.html"))
    return ["", f"issues/{issues[-1]}/", "issues/", "evidence/"]


def test_every_page_has_a_strict_csp(sample_site):
    for page in sample_site.html_pages():
        text = page.read_text(encoding="utf-8")
        metas = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', text)
        assert len(metas) == 1, page
        policy = metas[0]
        # (quoted keywords: the search page's 'wasm-unsafe-eval' allows WebAssembly, not eval)
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, page
        assert "default-src 'self'" in policy and "script-src 'self'" in policy, page
        assert text.index("Content-Security-Policy") < text.index("<style>"), page
        assert "<script>" not in text and " style=" not in text, page  # nothing inline


@pytest.mark.parametrize("width", [1280, 390])
def test_pages_run_clean_under_the_csp_and_a_chart_goes_live_on_hover(sample_site, browser,
                                                                       base_url, width):
    for path in _pages(sample_site.site):
        _check_page(browser, base_url, path, width)


def _page_box(locator) -> list[float]:
    """An element's box in page coordinates (a hover may scroll the page)."""
    return locator.evaluate("e => { const r = e.getBoundingClientRect();"
                            " return [r.x + scrollX, r.y + scrollY, r.width, r.height]; }")


def _check_page(browser, base_url: str, path: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_init_script(VIOLATIONS + SHIFTS)
    urls: list[str] = []
    errors: list[str] = []

    def route(route) -> None:
        urls.append(route.request.url)
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base_url + path, wait_until="load")
    if page.locator("script[data-specs]").count():
        figure = page.locator("figure.chart").first
        before = _page_box(figure)
        still = _page_box(figure.locator("svg, img").first)
        assert page.locator("figure.is-live").count() == 0  # nothing without intent
        figure.hover()
        page.wait_for_selector("figure.is-live .chart-live svg", timeout=15_000)
        after = _page_box(figure)
        drawn = _page_box(figure.locator(".chart-live"))
        assert before == after, (path, before, after)  # the figure keeps its place and size
        for a, b in zip(still, drawn, strict=True):  # the live view takes the static's box
            assert abs(a - b) <= 1, (path, still, drawn)
        box = page.locator("figure.is-live .chart-live").first.bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.8)
        page.wait_for_selector(".chart-tip:not([hidden])", timeout=5_000)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__violations") == [], path
    assert errors == [], (path, errors)
    assert page.evaluate("window.__shift") <= 0.01, (path, page.evaluate("window.__shifted"))
    assert all(u.startswith(base_url) for u in urls), (path, urls)
    context.close()


def test_charts_in_view_go_live_once_the_page_has_settled(visit):
    v = visit("", viewport={"width": 1280, "height": 900})
    assert v.page.locator("figure.is-live").count() == 0
    v.page.wait_for_selector("#chart-score.is-live", timeout=15_000)
    # below the first view: not yet; scrolled into view, it follows
    lower = v.page.locator("figure.chart").last
    assert "is-live" not in (lower.get_attribute("class") or "")
    # (scrolled again while waiting: the charts above it grow from their placeholder height
    # as they are laid out, which can push it back under the view)
    v.page.wait_for_function(
        "f => { f.scrollIntoView({block: 'center'}); return f.classList.contains('is-live'); }",
        arg=lower.element_handle(), timeout=15_000, polling=500)
    assert v.errors == []


def test_a_tap_shows_the_value_under_the_finger(browser, base_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True,
                                  is_mobile=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(base_url, wait_until="load")
    box = page.locator("#chart-score").bounding_box()
    tip = page.locator(".chart-tip")
    texts = []
    for share in (0.75, 0.35):  # the first tap brings the chart to life and shows a value
        page.touchscreen.tap(box["x"] + box["width"] * share, box["y"] + box["height"] * 0.35)
        page.wait_for_selector(".chart-tip:not([hidden])", timeout=15_000)
        page.wait_for_timeout(200)
        assert tip.is_visible()
        texts.append(tip.inner_text())
        assert "As of" in texts[-1] and "Score" in texts[-1]
    assert texts[0] != texts[1]  # another point, another value
    page.touchscreen.tap(5, 5)  # a tap elsewhere puts it away
    page.wait_for_timeout(200)
    assert not tip.is_visible()
    assert errors == []
    context.close()


@pytest.mark.parametrize("width", [360, 390])
def test_tables_fit_a_phone_with_every_column_labelled(sample_site, visit, width):
    for path in _pages(sample_site.site)[1:]:
        v = visit(path, viewport={"width": width, "height": 800})
        for table in v.page.locator("main table").all():
            stacked = "stack" in (table.get_attribute("class") or "")
            wrap = table.evaluate("t => { const w = t.closest('.table-wrap');"
                                  " return w ? [w.scrollWidth, w.clientWidth] : null; }")
            if stacked:  # no sideways scroll; every value cell says its column
                assert wrap is None or wrap[0] <= wrap[1] + 1, (path, wrap)
                labels = table.evaluate(
                    "t => [...t.querySelectorAll('tbody td.num')].map(td =>"
                    " getComputedStyle(td, '::before').content)")
                assert labels and all(x not in ("none", "normal", '""') for x in labels), path
            elif wrap and wrap[0] > wrap[1] + 1:  # scrolls: the row names stay, a cue shows
                first = table.locator("tbody th").first
                assert first.evaluate("e => getComputedStyle(e).position") == "sticky", path
                assert "gradient" in table.evaluate(
                    "t => getComputedStyle(t.closest('.table-wrap')).backgroundImage"), path
        assert v.page.evaluate("document.documentElement.scrollWidth") <= width, path


def test_an_issue_prints_on_a4_without_navigation(sample_site, tmp_path):
    exe = _chromium()
    if exe is None:
        pytest.skip("no Chromium binary")
    issues = sorted(p.parent for p in (sample_site.site / "issues").glob("*-w*/index.html"))
    pdf = tmp_path / "issue.pdf"
    subprocess.run([exe, "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                    (issues[-1] / "index.html").as_uri()],
                   check=True, capture_output=True, timeout=120)
    assert pdf.stat().st_size > 10_000
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) missing")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Skip to content" not in text and "Methodology About RSS" not in text
    assert "The score, component by component" in text and "Russell 2000 trend" in text
    assert "Week change" in text  # the components table prints whole, with its header
