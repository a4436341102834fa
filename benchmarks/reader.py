"""Reader-side figures of a built site: page weight and how soon the first chart shows.

    python benchmarks/reader.py [SITE] [--runs 21] [--page /]

SITE defaults to `site/` of the checkout; the targets are judged on the first page (by
default `/`, the latest issue), the others are printed for scale. The site is served over
HTTP on 127.0.0.1 by a server in its own process, as a real host is not the interpreter
that drives the browser (gzip size is computed here, as GitHub Pages would compress); headless
Chromium is driven by Playwright (`pip install -e .[test]`; the browser is Debian's
`chromium`, or RISKON_CHROMIUM). Every run is a new browser context, so the HTTP cache is
cold. Printed per page: raw and gzip bytes of the HTML, and over the runs the median, the
middle half (25th to 75th percentile), min and max of

- first chart visible: ms from navigation start to the start of the frame after the one in
  which the first chart's SVG was first laid out with a non-zero size (a
  requestAnimationFrame probe added before any page script runs), i.e. once that frame
  has been produced; "laid out" is the earlier time. Also said: whether that chart was
  in the first view (1280 x 900) or below it;
- first contentful paint and load event, for scale;
- live after hover: ms from the pointer entering the first chart (the reader's first
  intent; the benchmark moves the mouse there once the page has loaded) until it is a live
  Vega view: Vega, its interpreter and the page's charts.json fetched, parsed and drawn
  (pages whose charts.js fetches a charts.json).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
TARGET_MS, TARGET_GZIP = 100, 150_000

PROBE = """
(() => {
  window.__riskon = {};
  const tick = () => {
    const svg = document.querySelector('figure.chart svg');
    if (svg && !window.__riskon.layout) {
      const box = svg.getBoundingClientRect();
      if (box.width > 0 && box.height > 0) {
        window.__riskon.layout = performance.now();
        window.__riskon.inview = box.top < innerHeight && box.bottom > 0;
        // the next frame starts once the frame holding the chart has been produced
        requestAnimationFrame(() => { window.__riskon.chart = performance.now(); });
      }
    }
    if (window.__riskon.intent && !window.__riskon.live &&
        document.querySelector('figure.chart.is-live'))
      window.__riskon.live = performance.now() - window.__riskon.intent;
    if (!window.__riskon.chart || !window.__riskon.live) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  document.addEventListener('pointerover', e => {
    if (!window.__riskon.intent && e.target.closest && e.target.closest('figure.chart'))
      window.__riskon.intent = performance.now();
  }, true);
})();
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def serve(site: Path) -> None:
    """Serve `site` on a free port of 127.0.0.1 until killed; print the port first."""
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_Quiet, directory=str(site)))
    print(server.server_address[1], flush=True)
    server.serve_forever()


def _start_server(site: Path) -> tuple[subprocess.Popen, str]:
    """`serve` in a process of its own: a server thread in this process would share the
    interpreter lock with the Playwright client and slow every request of the page."""
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(site)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    port = proc.stdout.readline().strip()
    if not port.isdigit():
        proc.kill()
        raise RuntimeError("the site server did not start")
    return proc, f"http://127.0.0.1:{port}"


def _chromium() -> str | None:
    for c in (os.environ.get("RISKON_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
              shutil.which("chromium-browser")):
        if c and Path(c).is_file():
            return c
    return None


def _page_file(site: Path, page: str) -> Path:
    path = site / page.lstrip("/")
    return path / "index.html" if page.endswith("/") or path.is_dir() else path


FIGURES = """() => ({
    chart: window.__riskon.chart, layout: window.__riskon.layout, live: window.__riskon.live,
    inview: !!window.__riskon.inview,
    fcp: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime,
    load: performance.getEntriesByType('navigation')[0].loadEventEnd,
    specs: !!document.querySelector('script[data-specs]')})"""


FIRST_CHART = """() => { const b = document.querySelector('figure.chart').getBoundingClientRect();
    return [b.left + b.width / 2, b.top + b.height / 2]; }"""


def _figures_when_settled(page) -> dict:
    """The probe's figures once the first chart was seen and, hovered, went live (or 15 s).

    The page is left alone meanwhile: Playwright's own waiting helpers evaluate its ~100 kB
    injected script inside the page, which would run during the frames being timed."""
    deadline = time.monotonic() + 15
    time.sleep(0.4)
    hovered = False
    while True:
        got = page.evaluate(FIGURES)
        if got["chart"] and (got["live"] or not got["specs"]) or time.monotonic() > deadline:
            return got
        if got["chart"] and got["load"] and got["specs"] and not hovered:
            box = page.evaluate(FIRST_CHART)
            page.mouse.move(box[0], box[1])  # the reader's first intent
            hovered = True
        time.sleep(0.2)


def measure(site: Path, pages: list[str], runs: int) -> int:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        print("playwright is not installed (pip install -e .[test])", file=sys.stderr)
        return 2
    chromium = _chromium()
    if chromium is None:
        print("no Chromium found (apt install chromium, or set RISKON_CHROMIUM)", file=sys.stderr)
        return 2
    server, base = _start_server(site)
    try:
        ok = _measure(base, site, pages, runs, chromium)
    finally:
        server.kill()
        server.wait()
    print(f"targets for {pages[0]}: " + ("met" if ok else "NOT met"))
    return 0


def _measure(base: str, site: Path, pages: list[str], runs: int, chromium: str) -> bool:
    """Print the figures of each page; whether the first page met the targets."""
    from playwright.sync_api import sync_playwright

    ok = True
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
        for page_path in pages:
            html = _page_file(site, page_path).read_bytes()
            size_gz = len(gzip.compress(html, 9))
            figures: dict[str, list[float]] = {"chart": [], "layout": [], "fcp": [], "load": [],
                                               "live": []}
            inview: list[bool] = []
            for run in range(runs + 1):  # the first run warms up Chromium itself
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.add_init_script(PROBE)
                page.goto(base + page_path, wait_until="load")
                got = _figures_when_settled(page)
                context.close()
                if run:
                    inview.append(bool(got["inview"]))
                    for key in figures:
                        figures[key].append(float(got[key] or float("nan")))
            # a page whose first paint came before its charts were read (or never reported)
            figures = {k: [x for x in v if x == x] or [float("nan")] for k, v in figures.items()}
            chart = statistics.median(figures["chart"])
            if page_path == pages[0]:  # the targets are the latest issue's (the first page)
                ok = chart <= TARGET_MS and size_gz <= TARGET_GZIP
            print(f"{page_path}: {len(html) / 1000:.1f} kB raw, {size_gz / 1000:.1f} kB gzip "
                  f"(target <= {TARGET_GZIP / 1000:.0f} kB); first chart "
                  + ("in the first view" if all(inview) else
                     "below the first view" if not any(inview) else "in view in some runs"))
            for key, label in (("chart", "first chart visible"), ("layout", "first chart laid out"),
                               ("fcp", "first contentful paint"),
                               ("load", "load event"), ("live", "live after hover")):
                v = figures[key]
                if all(x != x for x in v):  # NaN: e.g. no live chart on the page
                    print(f"  {label:24} none on this page")
                    continue
                extra = f" (target <= {TARGET_MS} ms)" if key == "chart" else ""
                low, _, high = statistics.quantiles(v, n=4) if len(v) > 1 else (v[0],) * 3
                half = f"{low:.0f}-{high:.0f}"
                print(f"  {label:24} median {statistics.median(v):4.0f} ms, middle half "
                      f"{half:>9}, min {min(v):4.0f}, max {max(v):4.0f} "
                      f"over {len(v)} cold runs{extra}")
        browser.close()
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", type=Path, default=REPO / "site")
    parser.add_argument("--runs", type=int, default=21,
                        help="cold runs per page, after one warm-up (default: 21; the host's "
                             "noise is ~10 ms)")
    parser.add_argument("--page", action="append", default=None,
                        help="site path to load (repeatable; default: / and the evidence page)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:  # the site server, started by measure() in a process of its own
        serve(args.site.resolve())
        return 0
    pages = args.page or ["/", "/evidence/"]
    return measure(args.site.resolve(), pages, args.runs)


if __name__ == "__main__":
    sys.exit(main())
