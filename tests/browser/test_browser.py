"""The built sample site as a reader's browser sees it: headless Chromium via Playwright.

Skips cleanly when PyPI `playwright` or a Chromium binary is missing (never runs
`playwright install`).  axe-core is vendored under `tests/vendor/`; the Nu HTML Checker
jar is large and is looked for in `.cache/vnu/vnu.jar` (`.ci/run` fetches it).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

sync_api = pytest.importorskip("playwright.sync_api")

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "tests" / "vendor" / "axe.min.js"
VNU = Path(os.environ.get("RISKON_VNU_JAR", REPO / ".cache" / "vnu" / "vnu.jar"))
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def _chromium() -> str | None:
    for candidate in (os.environ.get("RISKON_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def base_url(sample_site) -> Iterator[str]:
    """The sample site served over HTTP on 127.0.0.1 from a background thread."""
    handler = functools.partial(_QuietHandler, directory=str(sample_site.site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium for the module, or a skip when none is installed."""
    exe = _chromium()
    if exe is None:
        pytest.skip("no Chromium binary (apt-get install -y chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_FLAGS, headless=True)
        yield b
        b.close()


def reader_pages(site: Path) -> list[str]:
    """Site paths of every page type worth checking: home, an issue, the archive, the
    latest year's page, the rest."""
    issues = sorted(p.parent.name for p in (site / "issues").glob("*-w*/index.html"))
    paths = ["", f"issues/{issues[-1]}/", f"issues/{issues[0]}/", "issues/",
             f"issues/{issues[-1][:4]}/", "methodology/", "about/", "404.html"]
    paths += [p for p in ("evidence/", "data/") if (site / p / "index.html").is_file()]
    return paths


class _Visit:
    """A page opened in a fresh context that records requests and console errors."""

    def __init__(self, browser, base_url: str, path: str, **context_options) -> None:
        self.context = browser.new_context(**context_options)
        self.hosts: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.response = self.page.goto(base_url + path, wait_until="load")

    def _route(self, route) -> None:
        host = urlsplit(route.request.url).hostname or ""
        self.hosts.append(host)
        if host == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, base_url) -> Iterator[object]:
    opened: list[_Visit] = []

    def open_page(path: str, **options) -> _Visit:
        v = _Visit(browser, base_url, path, **options)
        opened.append(v)
        return v

    yield open_page
    for v in opened:
        v.close()


def test_pages_load_clean_and_stay_on_our_host(sample_site, visit):
    for path in reader_pages(sample_site.site):
        v = visit(path)
        v.page.wait_for_load_state("networkidle")
        if path != "404.html":
            assert v.response is not None and v.response.ok, path
        assert v.errors == [], (path, v.errors)
        assert set(v.hosts) == {"127.0.0.1"}, (path, v.hosts)
        assert v.page.locator("main h1").count() == 1, path


def test_charts_are_visible_without_javascript(sample_site, visit):
    # every chart is a <picture> of its SVG files; the issue's lower charts load once the
    # reader scrolls near them
    for path, count in (("", 5), ("issues/", 1)):
        v = visit(path, java_script_enabled=False)
        images = v.page.locator("figure.chart > picture > img")
        assert images.count() == count, path
        for i in range(images.count()):
            image = images.nth(i)
            image.scroll_into_view_if_needed()
            v.page.wait_for_function("i => i.complete && i.naturalWidth > 0",
                                     arg=image.element_handle(), timeout=5_000)
            box = image.bounding_box()
            assert box is not None and box["width"] > 100 and box["height"] > 50, (path, i, box)
        assert v.errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violations(sample_site, visit, scheme):
    if not AXE.is_file():
        pytest.skip("tests/vendor/axe.min.js missing")
    bad = []
    for path in reader_pages(sample_site.site):
        # axe is injected as an inline script: the test lets it past the page's CSP
        v = visit(path, color_scheme=scheme, bypass_csp=True)
        v.page.wait_for_load_state("networkidle")
        v.page.add_script_tag(path=str(AXE))
        result = v.page.evaluate("async () => await axe.run(document)")
        bad += [
            (path, x["id"], x["impact"], [n["target"] for n in x["nodes"]][:5],
             [n["failureSummary"] for n in x["nodes"]][:1])
            for x in result["violations"] if x["impact"] in ("serious", "critical")
        ]
    assert bad == [], (scheme, bad)


def test_nu_html_checker_finds_no_errors(sample_site):
    java = shutil.which("java")
    if java is None or not VNU.is_file():
        pytest.skip("Nu HTML Checker not available (.ci/run fetches vnu.jar into .cache/vnu/)")
    pages = [str(p) for p in sample_site.html_pages()]
    out = subprocess.run([java, "-jar", str(VNU), "--errors-only", *pages],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[:4000]


def test_charts_come_alive_with_javascript(visit):
    v = visit("", viewport={"width": 900, "height": 900})
    figures = v.page.locator("figure.chart")
    for i in range(figures.count()):  # each on the reader's first intent: the pointer
        figures.nth(i).scroll_into_view_if_needed()
        figures.nth(i).hover()
        v.page.wait_for_function("f => f.classList.contains('is-live')",
                                 arg=figures.nth(i).element_handle(), timeout=15_000)
    live = v.page.locator("figure.is-live .chart-live").first
    assert live.get_attribute("role") == "img" and live.get_attribute("aria-label")
    live.scroll_into_view_if_needed()
    box = live.bounding_box()
    assert box is not None and box["width"] > 300
    v.page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.55)
    tip = v.page.locator(".chart-tip")
    tip.wait_for(state="visible", timeout=5_000)
    assert "As of" in tip.inner_text()
    assert v.errors == []


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_the_score_chart_sits_with_the_verdict_in_the_first_view(visit, width, height):
    v = visit("", viewport={"width": width, "height": height}, java_script_enabled=False)
    first = v.page.locator("figure.chart").first
    assert first.get_attribute("id") == "chart-score"
    box = first.bounding_box()
    verdict = v.page.locator(".score-box").bounding_box()
    assert box is not None and verdict is not None and verdict["y"] < box["y"]
    if width >= 1000:  # on a desktop screen, the whole chart; on a phone, its start
        assert box["y"] + box["height"] <= height
    else:
        assert box["y"] < height


def test_the_reader_benchmark_runs_on_the_built_site(sample_site):
    """`benchmarks/reader.py` end to end on the sample site: it serves the site from a process
    of its own and reports every figure (measured, not asserted: no timing is checked)."""
    exe = _chromium()
    if exe is None:
        pytest.skip("no Chromium binary (apt-get install -y chromium)")
    out = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "reader.py"), str(sample_site.site),
         "--runs", "1", "--page", "/"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "RISKON_CHROMIUM": exe},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "first chart in the first view" in out.stdout
    for label in ("first chart visible", "first chart laid out", "first contentful paint",
                  "load event", "live after hover"):
        line = next(x for x in out.stdout.splitlines() if x.strip().startswith(label))
        assert "nan" not in line, line
    assert "targets for /:" in out.stdout
