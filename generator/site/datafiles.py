"""The site's data files and basics: `data/latest.json`, `sitemap.xml`, `robots.txt`."""

from __future__ import annotations

import json
import math

from generator import __version__
from generator.config import Config
from generator.signals.core import SIGNAL_COLUMNS
from generator.signals.further import EXTENDED_COLUMNS
from generator.signals.issues import Issue, StaleInput


def _json_value(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    if value == "":
        return None
    return value


def render_latest_json(config: Config, issue: Issue, sample: bool) -> bytes:
    """`/data/latest.json`: the latest issue's numbers, stable key order."""
    doc = {
        "week": issue.week,
        "as_of": issue.as_of.isoformat(),
        "url": config.url(issue.path),
        "provisional": issue.provisional,
        "sample_data": sample,
        "score": _json_value(issue.values["score"]),
        "band": _json_value(issue.values["band"]),
        "previous_score": _json_value(issue.previous_score),
        "components": {
            c.name: {
                "value": _json_value(c.value),
                "score": _json_value(c.score),
                "weight": c.weight,
            }
            for c in issue.components
        },
        "signals": {k: _json_value(issue.values[k]) for k in SIGNAL_COLUMNS},
        "further_signals": {k: _json_value(issue.values.get(k)) for k in EXTENDED_COLUMNS},
        "further_signals_notes": dict(sorted(issue.notes.items())),
        "what_changed": list(issue.narrative),
        "stale_inputs": [_stale_json(s) for s in issue.stale],
        "data_notices": [{"kind": n.kind, "ticker": n.ticker, "first": n.first.isoformat(),
                          "last": n.last.isoformat(), "text": n.text}
                         for n in issue.data_notices],
        "generator_version": __version__,
    }
    return (json.dumps(doc, indent=2, allow_nan=False) + "\n").encode("utf-8")


def _stale_json(s: StaleInput) -> dict[str, object]:
    return {"ticker": s.ticker, "last_date": s.last_date.isoformat() if s.last_date else None}


def render_sitemap(config: Config, folders: list[str]) -> bytes:
    """`sitemap.xml` listing every page (its folder, like `issues/2025-w38/`)."""
    urls = sorted(config.url(f) for f in folders)
    body = "".join(f"  <url><loc>{_xml_escape(u)}</loc></url>\n" for u in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{body}</urlset>\n"
    ).encode()


def render_robots(config: Config) -> bytes:
    """`robots.txt`: everything allowed, and where the sitemap is."""
    return f"User-agent: *\nAllow: /\nSitemap: {config.url('sitemap.xml')}\n".encode()


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
