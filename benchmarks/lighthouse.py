"""Lighthouse (mobile) on a built site: the four category scores, CLS and TBT per page.

    python benchmarks/lighthouse.py [SITE] [--runs 1] [--page /] ...
    python benchmarks/lighthouse.py --build sample      # build the sample site first
    python benchmarks/lighthouse.py --build csv:../shared/data/market

SITE defaults to `site/` of the checkout; with `--build SOURCE` the site is built first by
`riskon build --source SOURCE` into a temporary folder. The pages judged are `/` (the latest
issue), that issue's own page, `/issues/` and `/evidence/` (add or replace with `--page`).
The site is served on 127.0.0.1 by a server in its own process; Lighthouse runs with its
default mobile settings (simulated slow 4G and a 4x slower CPU), so its scores are the ones
the issue's target is about (100 in all four categories, CLS <= 0.01).

Lighthouse is npm `lighthouse@12.2.3` (13.x wants Node 22): it is looked for as
$RISKON_LIGHTHOUSE, then `.cache/lighthouse/node_modules/.bin/lighthouse` of the checkout,
then `lighthouse` on PATH. Install it with

    npm install --prefix .cache/lighthouse lighthouse@12.2.3

Chromium is Debian's (`CHROME_PATH`, default /usr/bin/chromium). With no Node, Lighthouse
or Chromium the benchmark says what is missing and exits 0 (a skip, not a failure).

Lighthouse's performance score is a simulation on a shared 2-core machine: expect a few
points and tens of ms of total blocking time of noise from run to run; with `--runs N` the
median of each figure is printed with its range.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reader import _start_server  # noqa: E402  (the same one-process static server)

REPO = Path(__file__).resolve().parents[1]
VERSION = "12.2.3"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
SHORT = {"performance": "perf", "accessibility": "a11y", "best-practices": "bp", "seo": "seo"}
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-sync"


def find_lighthouse() -> str | None:
    """The lighthouse command, or None."""
    for c in (os.environ.get("RISKON_LIGHTHOUSE"),
              str(REPO / ".cache" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"),
              shutil.which("lighthouse")):
        if c and Path(c).is_file():
            return c
    return None


def find_chrome() -> str | None:
    for c in (os.environ.get("CHROME_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if c and Path(c).is_file():
            return c
    return None


def missing() -> str | None:
    """Why the benchmark cannot run here, or None."""
    if shutil.which("node") is None:
        return "no node on PATH"
    lighthouse = find_lighthouse()
    if lighthouse is None:
        return (f"no lighthouse (npm install --prefix .cache/lighthouse lighthouse@{VERSION}, "
                "or set RISKON_LIGHTHOUSE)")
    if find_chrome() is None:
        return "no Chromium (apt-get install -y chromium, or set CHROME_PATH)"
    out = subprocess.run([lighthouse, "--version"], capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        return f"lighthouse --version failed: {out.stderr.strip()[:200]}"
    if out.stdout.strip() != VERSION:
        print(f"note: lighthouse {out.stdout.strip()}, not {VERSION}", file=sys.stderr)
    return None


def audit(url: str, out_dir: Path) -> dict[str, float]:
    """One Lighthouse run on `url`: the four scores (0-100), CLS and TBT (ms)."""
    report = out_dir / "report.json"
    cmd = [find_lighthouse() or "lighthouse", url, "--quiet", "--output=json",
           f"--output-path={report}", "--form-factor=mobile", f"--chrome-flags={CHROME_FLAGS}",
           "--only-categories=" + ",".join(CATEGORIES)]
    env = {**os.environ, "CHROME_PATH": find_chrome() or "/usr/bin/chromium"}
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    if done.returncode != 0 or not report.is_file():
        raise RuntimeError(f"lighthouse failed on {url}: {done.stderr.strip()[-800:]}")
    data = json.loads(report.read_text(encoding="utf-8"))
    report.unlink()
    figures = {c: round(100 * (data["categories"][c]["score"] or 0)) for c in CATEGORIES}
    audits = data["audits"]
    figures["cls"] = audits["cumulative-layout-shift"]["numericValue"]
    figures["tbt"] = audits["total-blocking-time"]["numericValue"]
    figures["lcp"] = audits["largest-contentful-paint"]["numericValue"]
    failing = sorted(
        k for k, a in audits.items()
        if a.get("score") is not None and a["score"] < 1 and a.get("scoreDisplayMode") in
        ("binary", "metricSavings", "numeric") and k in _category_audits(data))
    figures["failing"] = failing  # type: ignore[assignment]
    return figures


def _category_audits(data: dict) -> set[str]:
    """The audits that count towards a category's score (weight > 0)."""
    return {ref["id"] for c in CATEGORIES for ref in data["categories"][c]["auditRefs"]
            if ref.get("weight", 0) > 0}


def default_pages(site: Path) -> list[str]:
    """`/`, the latest issue's own page, `/issues/`, `/evidence/` (those that exist)."""
    issues = sorted(p.parent.name for p in (site / "issues").glob("*-w*/index.html"))
    pages = ["/"] + ([f"/issues/{issues[-1]}/"] if issues else [])
    pages += [p for p in ("/issues/", "/evidence/")
              if (site / p.strip("/") / "index.html").is_file()]
    return pages


def _fmt(values: list[float], digits: int) -> str:
    mid = statistics.median(values)
    text = f"{mid:.{digits}f}"
    if len(values) > 1 and min(values) != max(values):
        text += f" ({min(values):.{digits}f}-{max(values):.{digits}f})"
    return text


def measure(site: Path, pages: list[str], runs: int) -> int:
    proc, base = _start_server(site)
    worst = True
    try:
        with tempfile.TemporaryDirectory(prefix="riskon-lh-") as tmp:
            print(f"Lighthouse {VERSION}, mobile, {runs} run(s) a page, site {site}")
            print(f"{'page':<24} {'perf':>5} {'a11y':>5} {'bp':>5} {'seo':>5} "
                  f"{'CLS':>7} {'TBT ms':>7} {'LCP ms':>7}  below 1")
            for page in pages:
                results = [audit(base + page, Path(tmp)) for _ in range(runs)]
                scores = [_fmt([r[c] for r in results], 0) for c in CATEGORIES]
                failing = sorted({a for r in results for a in r["failing"]})  # type: ignore[attr-defined]
                print(f"{page:<24} " + " ".join(f"{s:>5}" for s in scores)
                      + f" {_fmt([r['cls'] for r in results], 3):>7}"
                      + f" {_fmt([r['tbt'] for r in results], 0):>7}"
                      + f" {_fmt([r['lcp'] for r in results], 0):>7}  "
                      + (", ".join(failing) or "-"), flush=True)
                worst = worst and all(r[c] == 100 for r in results for c in CATEGORIES) \
                    and all(r["cls"] <= 0.01 for r in results)
            print("target (100 in all four, CLS <= 0.01 on every page): "
                  + ("met" if worst else "not met"))
    finally:
        proc.kill()
        proc.wait()
    return 0


def build(source: str, dest: Path) -> Path:
    site = dest / "site"
    subprocess.run([sys.executable, "-m", "generator", "--project", str(REPO), "build",
                    "--source", source, "--out", str(site)], check=True, cwd=REPO)
    return site


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", type=Path, default=REPO / "site")
    parser.add_argument("--build", metavar="SOURCE",
                        help="build the site first (riskon build --source SOURCE) "
                             "into a temporary folder")
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page (median)")
    parser.add_argument("--page", action="append", default=None,
                        help="a site path to judge (repeatable); default: /, the latest issue, "
                             "/issues/, /evidence/")
    args = parser.parse_args()
    why = missing()
    if why:
        print(f"skipped: {why}")
        return 0
    with tempfile.TemporaryDirectory(prefix="riskon-lh-site-") as tmp:
        site = build(args.build, Path(tmp)) if args.build else args.site
        if not (site / "index.html").is_file():
            print(f"no site at {site} (build one, or pass --build sample)", file=sys.stderr)
            return 2
        return measure(site, args.page or default_pages(site), args.runs)


if __name__ == "__main__":
    sys.exit(main())
