"""How soon an editor's save shows in the browser under `riskon serve`.

    python benchmarks/preview.py [--source SOURCE] [--edits 20] [--week YYYY-Www]

A copy of the project (settings, templates, content, data; the build cache is shared
with the checkout through a link, so a warm cache stays warm) is previewed by
`riskon serve` in a process of its own, as an editor runs it. Headless Chromium (Debian's
`chromium` or RISKON_CHROMIUM, driven by Playwright like tests/browser) opens the issue
page of the week's commentary file. Each edit writes a new sentence into that file; the
time measured runs from the moment the write is closed to the first animation frame
after the page holding that sentence has been parsed (a probe added before any page script
runs records `Date.now()` there; both clocks are this machine's wall clock). The page is
reloaded by the server's event stream, never by polling. Between edits the benchmark
waits for the preview to finish rebuilding the rest of the site, as an editor's saves are
seconds apart. Printed: every edit's figure, then the median, the middle half, min and max.

Defaults: `--source yfinance` (the committed store in data/prices, no fetch); the week
is the latest one with an issue in the preview.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
TARGET_MS = 500
PROBE = """
document.addEventListener('DOMContentLoaded', () => {
  requestAnimationFrame(() => { window.__riskonShown = Date.now(); });
});
"""


def chromium() -> str:
    for candidate in (os.environ.get("RISKON_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    sys.exit("no Chromium binary: apt-get install -y chromium (or set RISKON_CHROMIUM)")


def copy_project(dest: Path) -> Path:
    """The project's own files in `dest`, its `.cache/` linked (kept warm)."""
    shutil.copy(REPO / "pyproject.toml", dest / "pyproject.toml")
    for folder in ("templates", "content", "data"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, dest / folder)
    (REPO / ".cache").mkdir(exist_ok=True)
    (dest / ".cache").symlink_to(REPO / ".cache", target_is_directory=True)
    return dest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_preview(project: Path, source: str, port: int) -> subprocess.Popen[str]:
    """`riskon serve` in its own process; returns once it serves."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "--project", str(project), "serve",
         "--source", source, "--port", str(port)],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        print("  serve:", line.rstrip())
        if "previewing on" in line:
            threading.Thread(target=drain, args=(proc,), daemon=True).start()
            return proc
    sys.exit(f"riskon serve exited ({proc.wait()}) before serving")


LOG: list[str] = []


def drain(proc: subprocess.Popen[str]) -> None:
    """Keep the preview's log (its pipe must never fill up)."""
    assert proc.stdout is not None
    for line in proc.stdout:
        LOG.append(line.rstrip())


def write_note(path: Path, sentence: str) -> float:
    """Save the commentary file as an editor's save does; the time the write closed."""
    with path.open("w", encoding="utf-8") as f:
        f.write(f"---\ntitle: \"Preview benchmark\"\ndraft: true\n---\n\n{sentence}\n")
    return time.time()


def figures(values: list[float]) -> str:
    q = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    return (f"median {statistics.median(values):.0f} ms, middle half {q[0]:.0f}–{q[2]:.0f} ms, "
            f"min {min(values):.0f} ms, max {max(values):.0f} ms (n = {len(values)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default="yfinance")
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--week", default=None, help="YYYY-Www (default: the latest issue)")
    parser.add_argument("--pause", type=float, default=1.5, help="seconds between saves")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="riskon-preview-") as tmp:
        project = copy_project(Path(tmp))
        port = free_port()
        started = time.perf_counter()
        proc = start_preview(project, args.source, port)
        print(f"preview ready in {time.perf_counter() - started:.1f} s")
        base = f"http://127.0.0.1:{port}/"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium(), args=FLAGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.add_init_script(PROBE)
                week = args.week
                if week is None:
                    page.goto(base + "issues/")
                    slugs = re.findall(r'href="[^"]*issues/(\d{4}-w\d\d)/"', page.content())
                    week = max(slugs).upper()
                note = project / "content" / "issues" / f"{week}.md"
                write_note(note, "The benchmark starts.")
                time.sleep(args.pause)
                url = base + f"issues/{week.lower()}/"
                page.goto(url)
                page.wait_for_function("() => window.__riskonShown !== undefined")
                print(f"watching {url} while saving {note.relative_to(project)}")
                results = []
                for i in range(args.edits):
                    marker = f"Edit {i + 1}, {secrets.token_hex(4)}."
                    saved = write_note(note, f"The benchmark saved this. {marker}")
                    page.wait_for_function(
                        f"() => document.body && document.body.innerText.includes({marker!r})"
                        " && window.__riskonShown !== undefined",
                        timeout=15_000)
                    shown = page.evaluate("() => window.__riskonShown")
                    results.append(shown - saved * 1000)
                    time.sleep(args.pause)
                    log, LOG[:] = "; ".join(LOG), []
                    print(f"  edit {i + 1:2d}: {results[-1]:6.0f} ms   (serve: {log})")
                browser.close()
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"save to visible in the browser: {figures(results)}; target {TARGET_MS} ms: "
          + ("met" if statistics.median(results) <= TARGET_MS else "NOT met"))


if __name__ == "__main__":
    main()
