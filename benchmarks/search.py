"""What site search costs: Pagefind's time over a built site's issue pages (the two
bundles, the latest year's and the earlier years', cold, after a page of either changed,
with nothing changed, and one bundle over every page for comparison), the size of the
published bundles, and what a reader's first query fetches.

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
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.cache import search as search_cache  # noqa: E402
from generator.cache.search import search_bundle  # noqa: E402
from generator.cache.store import Store  # noqa: E402
from generator.searchindex import run_pagefind  # noqa: E402
from generator.site import search  # noqa: E402
from generator.writer import file_bytes  # noqa: E402


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def _timed(label: str, runs: int, setup: Callable[[], object],
           run: Callable[[object], object]) -> list[object]:
    """`run(setup())` `runs` times: median wall and Pagefind CPU (child processes)."""
    times, outputs = [], []
    for _ in range(runs):
        arg = setup()
        t0 = time.perf_counter()
        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        outputs.append(run(arg))
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
        times.append((time.perf_counter() - t0, cpu))
    wall = statistics.median(t for t, _ in times)
    cpu = statistics.median(c for _, c in times)
    print(f"{label}: median {wall:.2f} s wall over {runs} runs "
          f"(all {', '.join(f'{t:.2f}' for t, _ in times)}), Pagefind {cpu:.2f} s CPU")
    return outputs


def _sizes(files: dict[str, object]) -> str:
    raw = sum(len(file_bytes(d)) for d in files.values())
    return f"{len(files)} files, {raw / 1e6:.2f} MB"


def time_index(site: Path, runs: int) -> dict[str, bytes]:
    pages = {p.relative_to(site).as_posix(): p.read_bytes()
             for p in sorted(site.glob("issues/*/index.html"))}
    docs = search.documents(pages)
    groups = search.bundles(docs)
    print(f"pages indexed: {len(docs)} ({sum(map(len, docs.values())) / 1e6:.1f} MB of HTML) "
          f"in {len(groups)} bundles: {', '.join(groups)}")
    tmp = Path(tempfile.mkdtemp(prefix="search-bench-"))

    def cold_store() -> Store:
        return Store(tempfile.mkdtemp(dir=tmp), "bench")

    warm = Store(tmp / "warm", "bench")
    search_bundle(warm, docs)
    edits = iter(range(10**6))

    def changed(bundle: str) -> Callable[[], dict[str, bytes]]:
        def edit() -> dict[str, bytes]:  # the bundle's last page, differently every run
            one = sorted(groups[bundle])[-1]
            return dict(docs, **{one: docs[one] + f"<!-- edit {next(edits)} -->".encode()})
        return edit

    outputs = _timed(f"(a) both bundles cold, up to {search_cache.PROCESSES} Pagefind processes "
                     "at a time, stored", runs, lambda: (cold_store(), docs),
                     lambda a: search_bundle(*a))
    same = all({p: file_bytes(d) for p, d in o.items()}
               == {p: file_bytes(d) for p, d in outputs[0].items()} for o in outputs)
    print(f"  identical bytes every run: {same}")
    _timed("(a') both bundles, no store, in parallel", runs, lambda: docs,
           lambda d: search_bundle(None, d))
    parallel, search_cache.PROCESSES = search_cache.PROCESSES, 1
    _timed("(a'') both bundles, no store, one after the other", runs, lambda: docs,
           lambda d: search_bundle(None, d))
    search_cache.PROCESSES = parallel
    for bundle in groups:  # the latest year's (a new week), the earlier years' (once a year)
        _timed(f"(b) one page of {bundle} ({len(groups[bundle])} pages) changed: that bundle "
               "indexed again", runs, changed(bundle), lambda d: search_bundle(warm, d))
    _timed("(c) nothing changed: both bundles from the store", runs, lambda: docs,
           lambda d: search_bundle(warm, d))
    one_bundle = _timed("one bundle over every page (the layout before the split), no store",
                        runs, lambda: None, lambda _: run_pagefind(docs, search.BUNDLE))[0]
    bundle = {p: file_bytes(d) for p, d in outputs[0].items()}
    print(f"bundles: {_sizes(bundle)} on disk (index shards and fragments are gzip already); "
          f"one bundle over every page: {_sizes(one_bundle)}")
    for folder in groups:
        part = {p: d for p, d in bundle.items() if p.startswith(folder)}
        print(f"  {folder}: {len(groups[folder])} pages, {_sizes(part)}")
    shutil.rmtree(tmp)
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
    fetched = sorted(k for k in sizes if k.startswith("pagefind/"))
    print(f"  search page: {page_bytes / 1e3:.1f} kB gzip; search code and index fetched for "
          f"the query: {search_bytes / 1e3:.1f} kB in {len(fetched)} files; "
          f"hosts: {sorted(hosts)}")
    kinds: dict[str, list[int]] = {}
    for k in fetched:
        name = k.split("/", 2)[2]
        kind = name.split("/")[0] if "/" in name else re.sub(r"_[0-9a-f]+\.pf_meta$", ".pf_meta",
                                                              name)
        kinds.setdefault(kind, []).append(sizes[k])
    for kind, got in sorted(kinds.items()):
        print(f"    {kind}: {len(got)} files, {sum(got) / 1e3:.1f} kB")


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
