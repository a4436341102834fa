"""What site search costs: Pagefind's time over a built site's issue pages, the size of the
published bundle, and the bytes a reader's first query fetches.

    python benchmarks/search.py SITE_DIR [--runs 3] [--query WORD] [--no-browser]

SITE_DIR is a site built by `riskon build` (e.g. the real-data build). Standard library,
plus Playwright and Debian chromium for the query part (skipped when absent).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import re
import resource
import statistics
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.searchindex import run_pagefind  # noqa: E402
from generator.site import search  # noqa: E402


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def time_index(site: Path, runs: int) -> dict[str, bytes]:
    pages = {p.relative_to(site).as_posix(): p.read_bytes()
             for p in sorted(site.glob("issues/*/index.html"))}
    docs = search.documents(pages)
    times, outputs = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        outputs.append(run_pagefind(docs))
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
        times.append((time.perf_counter() - t0, cpu))
    same = all(o == outputs[0] for o in outputs)
    wall = statistics.median(t for t, _ in times)
    cpu = statistics.median(c for _, c in times)
    print(f"pages indexed: {len(docs)} ({sum(map(len, docs.values())) / 1e6:.1f} MB of HTML)")
    print(f"pagefind: median {wall:.2f} s wall over {runs} runs "
          f"(all {', '.join(f'{t:.2f}' for t, _ in times)}), {cpu:.2f} s CPU; "
          f"identical bytes every run: {same}")
    bundle = outputs[0]
    raw = sum(map(len, bundle.values()))
    print(f"bundle: {len(bundle)} files, {raw / 1e6:.2f} MB on disk "
          "(index shards and fragments are gzip already)")
    return bundle


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def first_query(site: Path, query: str) -> None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("query: skipped (no playwright)")
        return
    chromium = Path("/usr/bin/chromium")
    if not chromium.is_file():
        print("query: skipped (no /usr/bin/chromium)")
        return
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/search/?q={query}"
    sizes: dict[str, int] = {}
    hosts: set[str] = set()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(chromium),
                                        args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()

            def record(response) -> None:
                hosts.add(response.url.split("/")[2])
                try:
                    body = response.body()
                except Exception:  # noqa: BLE001  (redirects and the like have none)
                    return
                path = response.url.split("/", 3)[3].split("?")[0]
                # Pagefind's shards are gzip on disk; text files as a server would gzip them.
                sizes[path] = len(body) if path.endswith(("pf_fragment", "pf_index",
                                                          "pf_meta", ".pagefind")) else _gz(body)

            page.on("response", record)
            t0 = time.perf_counter()
            page.goto(url)
            page.locator("#search-status", has_text=re.compile("found|No issue")).wait_for(
                timeout=30000)
            elapsed = time.perf_counter() - t0
            print(f"query {query!r}: {page.inner_text('#search-status')} in {elapsed:.2f} s")
            browser.close()
    finally:
        server.shutdown()
    page_bytes = sizes.get("search/", 0)
    search_bytes = sum(v for k, v in sizes.items() if k.startswith(("pagefind/", "assets/search")))
    print(f"  search page: {page_bytes / 1e3:.1f} kB gzip; search code and index fetched for "
          f"the query: {search_bytes / 1e3:.1f} kB in "
          f"{sum(1 for k in sizes if k.startswith('pagefind/'))} files; hosts: {sorted(hosts)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--query", default="breakout")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    time_index(args.site, args.runs)
    if not args.no_browser:
        first_query(args.site, args.query)


if __name__ == "__main__":
    main()
