#!/usr/bin/env python3
"""Soundness check of a built Risk-On Monitor site, run before anything is published.

Usage: python .github/scripts/check_site.py [SITE_DIR] [--title TITLE] [--pyproject PATH]

Standard library only, plus feedparser (``pip install feedparser``). Every problem is
printed as a GitHub Actions ``::error::`` line and the exit code is 1 when any was found,
0 when the site is sound, 2 on bad usage.

What it checks:
- ``index.html`` exists and shows the configured site title (``[tool.riskon].title``);
- ``feed.xml`` parses cleanly (feedparser ``bozo == 0``) and has at least one item;
- ``data/signals.csv`` has a header with ``week`` and ``as_of`` and at least one row,
  every row as wide as the header;
- ``data/latest.json`` is strict JSON (no ``NaN``/``Infinity``);
- no page (HTML, SVG, or an item of the feed) shows a leaked placeholder as text:
  ``nan``/``NaN``, ``None``, ``undefined``, or template syntax ``{{`` / ``{%`` (the
  latter also inside tag attributes).
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import re
import sys
import tomllib
from pathlib import Path

DEFAULT_TITLE = "Risk-On Monitor"

# Elements whose content is not visible text.
_INVISIBLE = re.compile(
    r"<(script|style|template|noscript)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_DECL = re.compile(r"<[!?][^>]*>")
_TAG = re.compile(r"<[^>]*>")

# Placeholders that mean a value or a template variable leaked into the page.
# "None" as the first word of an ordinary sentence ("None of the signals ...") is
# prose, not a leak, so it only counts when not followed by a lower-case word.
_LEAKS = [
    ("nan", re.compile(r"(?<![\w.-])(?:nan|NaN|NAN)(?![\w-])")),
    ("None", re.compile(r"(?<![\w.-])None(?![\w-])(?!\s+[a-z])")),
    ("undefined", re.compile(r"(?<![\w.-])undefined(?![\w-])")),
    ("{{", re.compile(r"\{\{")),
    ("{%", re.compile(r"\{%")),
]
_TEMPLATE_SYNTAX = re.compile(r"\{\{|\{%|%\}|\}\}")


class Report:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, message: str) -> None:
        self.errors.append(message)
        # One physical line per annotation: GitHub reads workflow commands line by line.
        flat = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        print(f"::error::{flat}", flush=True)


def _strip_invisible(markup: str) -> str:
    text = _COMMENT.sub(" ", markup)
    text = _CDATA.sub(lambda m: " " + m.group(1) + " ", text)
    text = _INVISIBLE.sub(" ", text)
    return _DECL.sub(" ", text)


def text_nodes(markup: str) -> list[str]:
    """Rough visible text of an HTML/SVG document, one string per text node."""
    nodes = (html.unescape(node) for node in _TAG.split(_strip_invisible(markup)))
    return [node for node in nodes if node.strip()]


def visible_text(markup: str) -> str:
    return " ".join(text_nodes(markup))


def leaks_in(markup: str) -> list[tuple[str, str]]:
    """(placeholder, context) pairs for every leaked placeholder in a document."""
    found: list[tuple[str, str]] = []
    for node in text_nodes(markup):
        for name, pattern in _LEAKS:
            for match in pattern.finditer(node):
                start, end = max(0, match.start() - 30), min(len(node), match.end() + 30)
                found.append((name, " ".join(node[start:end].split())))
    # Template syntax inside attributes (href="{{ url }}") is not visible text but is
    # just as broken.
    for tag in _TAG.findall(_INVISIBLE.sub(" ", _COMMENT.sub(" ", markup))):
        if _TEMPLATE_SYNTAX.search(tag):
            found.append(("template syntax in a tag", " ".join(tag.split())[:80]))
    return found


def configured_title(pyproject: Path) -> str:
    try:
        with pyproject.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return DEFAULT_TITLE
    title = data.get("tool", {}).get("riskon", {}).get("title", DEFAULT_TITLE)
    return title if isinstance(title, str) and title.strip() else DEFAULT_TITLE


def check_index(site: Path, title: str, report: Report) -> None:
    index = site / "index.html"
    if not index.is_file():
        report.error(f"{index}: missing: the site has no home page")
        return
    text = " ".join(visible_text(index.read_text(encoding="utf-8", errors="replace")).split())
    raw = index.read_text(encoding="utf-8", errors="replace")
    wanted = " ".join(title.split())
    if wanted not in text and html.escape(title) not in raw:
        report.error(f"{index}: does not show the configured site title {title!r}")


def check_feed(site: Path, report: Report) -> None:
    feed_path = site / "feed.xml"
    if not feed_path.is_file():
        report.error(f"{feed_path}: missing: readers subscribed by RSS get nothing")
        return
    try:
        import feedparser
    except ImportError:
        report.error("feedparser is not installed: run `python -m pip install feedparser`")
        return
    feed = feedparser.parse(feed_path.read_bytes())
    if feed.get("bozo"):
        reason = feed.get("bozo_exception", "unknown problem")
        report.error(f"{feed_path}: does not parse cleanly as a feed: {reason}")
    if not feed.entries:
        report.error(f"{feed_path}: has no items")
    for entry in feed.entries:
        label = entry.get("link") or entry.get("id") or entry.get("title") or "an item"
        if not entry.get("title"):
            report.error(f"{feed_path}: {label}: item has no title")
        bodies = [c.get("value", "") for c in entry.get("content", [])]
        bodies.append(entry.get("summary", ""))
        bodies.append(entry.get("title", ""))
        for body in bodies:
            for name, context in leaks_in(body):
                report.error(f"{feed_path}: {label}: shows {name!r} as text: ...{context}...")


def check_signals(site: Path, report: Report) -> None:
    path = site / "data" / "signals.csv"
    if not path.is_file():
        report.error(f"{path}: missing: the raw numbers are not downloadable")
        return
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if not rows or not any(cell.strip() for cell in rows[0]):
        report.error(f"{path}: has no header row")
        return
    header = rows[0]
    for column in ("week", "as_of"):
        if column not in header:
            report.error(f"{path}: header has no {column!r} column: {','.join(header)}")
    body = [row for row in rows[1:] if row]
    if not body:
        report.error(f"{path}: has a header but no rows")
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            report.error(
                f"{path}: line {number} has {len(row)} fields, the header has {len(header)}"
            )
            break
    for number, row in enumerate(body, start=2):
        bad = [cell for cell in row if cell.strip() in {"nan", "NaN", "None", "null", "inf"}]
        if bad:
            report.error(f"{path}: line {number} has a non-value {bad[0]!r} (missing is empty)")
            break


def check_latest_json(site: Path, report: Report) -> None:
    path = site / "data" / "latest.json"
    if not path.is_file():
        report.error(f"{path}: missing")
        return

    def reject(constant: str) -> None:
        raise ValueError(f"non-standard JSON constant {constant}")

    try:
        json.loads(path.read_text(encoding="utf-8"), parse_constant=reject)
    except ValueError as exc:
        report.error(f"{path}: is not valid JSON: {exc}")


def check_pages(site: Path, report: Report) -> int:
    pages = sorted(p for p in site.rglob("*") if p.suffix.lower() in {".html", ".htm", ".svg"})
    for page in pages:
        markup = page.read_text(encoding="utf-8", errors="replace")
        seen: set[tuple[str, str]] = set()
        for name, context in leaks_in(markup):
            if (name, context) in seen:
                continue
            seen.add((name, context))
            report.error(f"{page}: shows {name!r} as text: ...{context}...")
    return len(pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", default="site", help="built site directory")
    parser.add_argument("--title", help="expected site title (default: from pyproject.toml)")
    parser.add_argument(
        "--pyproject", default="pyproject.toml", help="settings file with [tool.riskon]"
    )
    args = parser.parse_args(argv)

    site = Path(args.site)
    report = Report()
    if not site.is_dir():
        report.error(f"{site}: no built site here")
        return 1
    title = args.title or configured_title(Path(args.pyproject))

    check_index(site, title, report)
    check_feed(site, report)
    check_signals(site, report)
    check_latest_json(site, report)
    count = check_pages(site, report)

    if report.errors:
        print(f"check_site: {len(report.errors)} problem(s) in {site}", file=sys.stderr)
        return 1
    print(f"check_site: {site} is sound ({count} pages and charts checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
