"""Gather every page and file of the site into `{path: bytes}` (pure: no disk writes, save
through the page cache, a memo that changes no byte of the result)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from generator import __version__
from generator.config import Config
from generator.content.notes import Note
from generator.site.downloads import downloads
from generator.evidence.study import Evidence, format_evidence_csv
from generator.evidence.text import page_context as evidence_page_context
from generator.signals.further import EXTENDED_COLUMNS, further_rows
from generator.site.feed import FeedItem, render_feed
from generator.files import CachedFile, file_bytes
from generator.cache.images import IssueImages
from generator.signals.issues import Issue, StaleInput
from generator.cache.pages import PageCache
from generator.site.templates import fmt_date, fmt_score, render_page
from generator.signals.core import SIGNAL_COLUMNS

_LINK = re.compile(r'\b(href|src)="([^"]*)"')


@dataclass(frozen=True)
class Chart:
    """One rendered chart of a page."""

    name: str
    title: str
    description: str
    svg: str
    vega: str = ""  # compact Vega spec for the live view (assets/charts.js); "" = static only

    @property
    def size(self) -> tuple[int, int]:
        """Width and height of the static chart in CSS pixels (its viewBox)."""
        m = _VIEWBOX.search(self.svg)
        if m is None:
            raise ValueError(f"chart {self.name}: SVG without a viewBox")
        return round(float(m.group(1))), round(float(m.group(2)))


_VIEWBOX = re.compile(r'<svg\b[^>]*\sviewBox="0 0 ([\d.]+) ([\d.]+)"')
_SCALED = re.compile(r' width="100%" preserveAspectRatio="xMinYMin meet"')  # inline: fits its box
_FG = re.compile(r"--fg:\s*(#[0-9A-Fa-f]{3,8})\b")


def svg_file_style(css: str) -> str:
    """The page's text colour for an SVG shown by <img>, which cannot inherit it: the
    stylesheet's `--fg`, its first value (light) and its second (the dark scheme's)."""
    found = _FG.findall(css)
    if not found:
        return ""
    style = f"svg{{color:{found[0]}}}"
    if len(found) > 1:
        style += f"@media (prefers-color-scheme:dark){{svg{{color:{found[1]}}}}}"
    return f"<style>{style}</style>"


def chart_file(folder: str, name: str) -> str:
    """Site path of a chart's SVG file beside the page in `folder`."""
    return f"{folder}chart-{name}.svg"


def svg_file(chart: Chart, style: str) -> bytes:
    """A chart's inline SVG as a file for `<img loading="lazy">`: its own pixel size, an
    XML prolog, and `style` (`svg_file_style`: the page's text colour, light and dark)."""
    width, height = chart.size
    svg, scaled = _SCALED.subn(f' width="{width}" height="{height}"', chart.svg, count=1)
    svg, titled = re.subn("</title>", lambda _: "</title>" + style, svg, count=1)
    if not (scaled and titled):
        raise ValueError(f"chart {chart.name}: not an inline chart SVG")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + svg).encode("utf-8")


ISSUE_CHARTS = ("score", "rut", "relative_strength", "correlation", "altseason")
# An issue's charts after the first (the score chart, in the first view) are SVG files
# shown by <img loading="lazy">: the page's first view neither parses nor lays them out.
LAZY = ISSUE_CHARTS[1:]
SPECS = "charts.json"  # beside a page with live charts: their Vega specs, by chart name


def specs_of(folder: str) -> str:
    """Site path of the `charts.json` of the page in `folder` (`issues/2025-w38/`)."""
    return f"{folder}{SPECS}"


def chart_specs(charts: list[Chart]) -> bytes:
    """The `charts.json` of a page: `{name: Vega spec}` of its live charts, for
    assets/charts.js to fetch once the page is idle (not inlined: the first view of a page
    does not wait for them)."""
    return ("{" + ",".join(f"{json.dumps(c.name)}:{c.vega}" for c in charts if c.vega)
            + "}\n").encode("utf-8")


@dataclass(frozen=True)
class SiteInputs:
    """Everything the site is made of, computed before rendering."""

    config: Config
    issues: list[Issue]
    notes: Mapping[str, Note]
    pages: Mapping[str, Note]
    issue_charts: Mapping[str, list[Chart]]
    archive_chart: Chart | None
    signals_csv: str
    source_label: str
    sample: bool = False
    warnings: tuple[str, ...] = field(default_factory=tuple)
    evidence: Evidence | None = None
    evidence_charts: tuple[Chart, ...] | list[Chart] = ()
    images: Mapping[str, IssueImages] = field(default_factory=dict)
    site_card: bytes | CachedFile | None = None
    # Issue pages by content hash (`generator.cache.pages`); with it `issue_charts` must
    # have `key(week)`, the hash its charts are cached by (`chartset.WeekCharts`).
    page_cache: PageCache | None = None


def build_site(inputs: SiteInputs) -> dict[str, bytes | CachedFile]:
    """Render every page and data file; keys are site paths like `issues/2025-w38/index.html`.

    Issue pages found in `inputs.page_cache` come back as `CachedFile`s, not rendered again.
    """
    cfg = inputs.config
    files: dict[str, bytes | CachedFile] = {}
    issues = inputs.issues
    if not issues:
        raise ValueError("no issues to publish")
    latest = issues[-1]
    common = {
        "config": cfg,
        "sample": inputs.sample,
        "source_label": inputs.source_label,
        "latest": latest,
        "version": __version__,
    }

    site_card_url = cfg.url("assets/card.png") if inputs.site_card else None

    def page(path: str, template: str, **context) -> None:
        depth = path.count("/")
        root = "../" * depth if depth else "./"
        for key in ("note", "page"):
            if context.get(key) is not None:
                context[f"{key}_html"] = rebase_links(context[key].html, root)
        context.setdefault("og_image", site_card_url)
        context.setdefault("og_image_alt", f"{cfg.title}: {cfg.description}")
        html = render_page(
            cfg.templates_dir, template, root=root, canonical=cfg.url(_dir_of(path)),
            **common, **context,
        )
        files[path] = html.encode("utf-8")

    chart_key = getattr(inputs.issue_charts, "key", None)
    cache = inputs.page_cache if chart_key is not None else None
    # Where the project sits on disk is no part of a page (a moved checkout keeps its pages).
    shared = repr((dataclasses.replace(cfg, root=Path(".")), inputs.sample,
                   inputs.source_label, __version__, site_card_url))

    @functools.cache
    def stylesheet() -> str:
        css = cfg.templates_dir / "assets" / "style.css"
        return css.read_text(encoding="utf-8") if css.is_file() else ""

    def issue_files(issue: Issue) -> None:
        """Beside an issue's page (the home page uses the latest issue's): `charts.json`, and
        an SVG file of each chart under the first view (`LAZY`). From the page cache, keyed
        by the issue's charts, without reading them."""
        if issue.week not in inputs.issue_charts:
            return
        key = cache.key(SPECS, chart_key(issue.week)) if cache is not None else ""
        wanted = {specs_of(issue.path): ".charts.json",
                  **{chart_file(issue.path, name): f".{name}.svg" for name in LAZY}}
        if cache is not None:
            hits = {path: cache.get(key, suffix) for path, suffix in wanted.items()}
            if all(hits.values()):
                files.update(hits)
                return
        charts = inputs.issue_charts[issue.week]
        style = svg_file_style(stylesheet())
        made = {chart_file(issue.path, c.name): svg_file(c, style)
                for c in charts if c.name in LAZY}
        if any(c.vega for c in charts):
            made[specs_of(issue.path)] = chart_specs(charts)
        for path, data in made.items():
            files[path] = cache.put(key, data, wanted[path]) if cache is not None else data

    def issue_page(path: str, i: int, *, is_home: bool) -> None:
        issue = issues[i]
        note = inputs.notes.get(issue.week)
        previous = issues[i - 1] if i > 0 else None
        following = issues[i + 1] if i + 1 < len(issues) else None
        card = _card(cfg, inputs, issue)
        key = None
        if cache is not None and issue.week in inputs.issue_charts:
            unplaced = dataclasses.replace(note, path=Path(note.path.name)) if note else None
            key = cache.key(path, shared, repr(issue), repr(unplaced), repr(card),
                            repr(is_home),
                            chart_key(issue.week),
                            *(f"{n.week} {n.path}" if n else "-" for n in (previous, following)))
            hit = cache.get(key)
            if hit is not None:
                files[path] = hit
                return
        charts = inputs.issue_charts.get(issue.week, [])
        page(path, "issue.html", issue=issue, note=note, charts=charts, previous=previous,
             following=following, is_home=is_home, specs=specs_of(issue.path),
             lazy={c.name: chart_file(issue.path, c.name) for c in charts if c.name in LAZY},
             further=further_rows(issue.values, issue.notes), **card)
        if key is not None and cache is not None:
            files[path] = cache.put(key, file_bytes(files[path]))

    for i, issue in enumerate(issues):
        issue_page(f"{issue.path}index.html", i, is_home=False)
        issue_files(issue)
    issue_page("index.html", len(issues) - 1, is_home=True)
    page("issues/index.html", "archive.html", issues=list(reversed(issues)),
         chart=inputs.archive_chart, notes=inputs.notes, specs=specs_of("issues/"))
    if inputs.archive_chart is not None and inputs.archive_chart.vega:
        files[specs_of("issues/")] = chart_specs([inputs.archive_chart])
    if inputs.evidence is not None:
        page("evidence/index.html", "evidence.html", charts=list(inputs.evidence_charts),
             issue_paths={i.week: i.path for i in issues},
             **evidence_page_context(inputs.evidence, cfg))
        files["data/evidence.csv"] = format_evidence_csv(inputs.evidence.table).encode("utf-8")
    for slug, note in inputs.pages.items():
        page(f"{slug}/index.html", "page.html", page=note)
    page("404.html", "404.html")
    for asset in ("style.css", "charts.js", "vega.min.js"):
        if (cfg.templates_dir / "assets" / asset).is_file():
            files[f"assets/{asset}"] = (cfg.templates_dir / "assets" / asset).read_bytes()
    files.update(_image_files(inputs))
    files["data/signals.csv"] = inputs.signals_csv.encode("utf-8")
    files["data/latest.json"] = render_latest_json(cfg, latest, inputs.sample)
    page("data/index.html", "data.html", downloads=downloads(files))
    files["feed.xml"] = render_feed(cfg, feed_items(inputs), _published(latest))
    files["sitemap.xml"] = render_sitemap(cfg, files)
    files["robots.txt"] = f"User-agent: *\nAllow: /\nSitemap: {cfg.url('sitemap.xml')}\n".encode()
    return files


def _card(cfg: Config, inputs: SiteInputs, issue: Issue) -> dict[str, str]:
    """Open Graph image of an issue page: its own card, when one was rendered."""
    if issue.week not in inputs.images:
        return {}
    alt = (f"Risk-on score {fmt_score(issue.score)} of 100, {issue.band or 'no score'}, "
           f"week {issue.week}, as of {fmt_date(issue.as_of)}")
    return {"og_image": cfg.url(f"{issue.path}card.png"), "og_image_alt": alt}


def _image_files(inputs: SiteInputs) -> dict[str, bytes]:
    """Issue cards and feed score charts next to each issue page; the site's own card."""
    out = {"assets/card.png": inputs.site_card} if inputs.site_card else {}
    paths = {i.week: i.path for i in inputs.issues}
    for week, images in inputs.images.items():
        out[f"{paths[week]}card.png"] = images.card
        if images.score is not None:
            out[f"{paths[week]}score.png"] = images.score
    return out


def rebase_links(html: str, root: str, page_url: str | None = None) -> str:
    """Point editor links at the right place from a page.

    Editors write site links from the site root (`/methodology/`); they become `root` +
    path, so the site works under any sub-path.  With `page_url` (the feed), every other
    relative link is made absolute against it.
    """

    def fix(m: re.Match[str]) -> str:
        attr, url = m.group(1), m.group(2)
        if url.startswith("/") and not url.startswith("//"):
            return f'{attr}="{root}{url[1:]}"'
        if page_url and not re.match(r"(?i)^[a-z][a-z0-9+.-]*:|#|//", url):
            return f'{attr}="{urljoin(page_url, url)}"'
        return m.group(0)

    return _LINK.sub(fix, html)


def _dir_of(path: str) -> str:
    return path[: -len("index.html")] if path.endswith("index.html") else path


def _published(issue: Issue) -> dt.datetime:
    """Publication time of an issue: its as-of date, 22:00 UTC (after the US close)."""
    return dt.datetime.combine(issue.as_of, dt.time(22, 0), tzinfo=dt.UTC)


def issue_title(issue: Issue) -> str:
    """`Week 2026-W08: Risk-on (68)` — the feed and page title of an issue."""
    band = issue.band or "no score"
    return f"Week {issue.week}: {band} ({fmt_score(issue.score)})"


def feed_items(inputs: SiteInputs) -> list[FeedItem]:
    """The newest `feed_size` issues as feed items, newest first."""
    cfg = inputs.config
    items = []
    for issue in reversed(inputs.issues[-cfg.feed_size :]):
        note = inputs.notes.get(issue.week)
        url = cfg.url(issue.path)
        note_html = rebase_links(note.html, cfg.url(), url) if note else ""
        images = inputs.images.get(issue.week)
        png = images.score if images is not None else None
        image_url = cfg.url(f"{issue.path}score.png") if png else ""
        html = render_page(
            cfg.templates_dir, "feed_item.html", issue=issue, note=note, note_html=note_html,
            config=cfg, sample=inputs.sample, root=cfg.url(), image_url=image_url,
        )
        html = rebase_links(html, cfg.url(), url)
        summary = note.summary if note and note.summary else _summary(issue)
        title = note.title if note and note.title else issue_title(issue)
        items.append(
            FeedItem(
                title=title,
                url=url,
                published=_published(issue),
                summary=summary,
                html=html,
                author=note.author if note else "",
                image_url=image_url,
                image_length=len(png) if png else 0,
            )
        )
    return items


def _summary(issue: Issue) -> str:
    band = issue.band or "n/a"
    text = f"Risk-on score {fmt_score(issue.score)} ({band}) as of {fmt_date(issue.as_of)}."
    if not math.isnan(issue.previous_score):
        text += f" Last week: {fmt_score(issue.previous_score)} ({issue.previous_band})."
    if issue.values["rut_breakout_week"]:
        text += " The Russell 2000 broke out to a record after a long base."
    return text


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
        "generator_version": __version__,
    }
    return (json.dumps(doc, indent=2, allow_nan=False) + "\n").encode("utf-8")


def _stale_json(s: StaleInput) -> dict[str, object]:
    return {"ticker": s.ticker, "last_date": s.last_date.isoformat() if s.last_date else None}


def render_sitemap(config: Config, files: Mapping[str, bytes]) -> bytes:
    """`sitemap.xml` listing every HTML page except 404."""
    urls = sorted(
        config.url(_dir_of(p)) for p in files if p.endswith(".html") and p != "404.html"
    )
    body = "".join(f"  <url><loc>{_xml_escape(u)}</loc></url>\n" for u in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{body}</urlset>\n"
    ).encode()


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
