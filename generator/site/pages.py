"""Every page and file of the site as `{site path: bytes}` (pure: nothing is read but the
templates, nothing is written).

Issue pages and the files beside them are `FileJob`s: their site path, everything they are
made of (`inputs`, the exact context handed to the template) and how to render them. The
cache wing keys each job by its inputs and renders only what it does not have; without a
cache, `render_jobs` renders them all. The other pages are few and always rendered.
"""

from __future__ import annotations

import dataclasses
import posixpath
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator import __version__
from generator.charts.data import ISSUE_CHARTS, Chart
from generator.evidence.study import format_evidence_csv
from generator.evidence.text import page_context as evidence_page_context
from generator.evidence.track import format_track_csv
from generator.evidence.track_text import track_page_context
from generator.format import fmt_date, fmt_score
from generator.signals.further import further_rows
from generator.signals.issues import Issue
from generator.site import archive, chartfiles, search
from generator.site.datafiles import render_latest_json, render_robots, render_sitemap
from generator.site.downloads import downloads
from generator.site.feed import JSON_FEED, RSS, feed_items, published, render_feed, render_json_feed
from generator.site.inputs import FileData, SiteInputs
from generator.site.links import rebase_links
from generator.site.notice import data_age_notice
from generator.site.tags import build_tag_pages, tag_links
from generator.site.templates import render_page, stylesheet

NOT_FOUND = "404.html"  # served by the host at every missing address, at any depth


@dataclass(frozen=True)
class FileJob:
    """One file to publish: where, everything it is made of, and how to make it."""

    path: str
    inputs: tuple
    render: Callable[[], bytes] = field(compare=False, repr=False)

    @property
    def suffix(self) -> str:
        return posixpath.splitext(self.path)[1]




def render_jobs(jobs: Iterable[FileJob]) -> dict[str, bytes]:
    """Every job rendered (a build without a cache)."""
    return {job.path: job.render() for job in jobs}


def _root(path: str, base_url: str) -> str:
    """How a page links to the site's root: relative to where it sits, except the 404
    page, which the host serves at any missing address: from the base URL's path."""
    if path == NOT_FOUND:
        return urlsplit(base_url).path or "/"
    depth = path.count("/")
    return "../" * depth if depth else "./"


def _dir_of(path: str) -> str:
    return path[: -len("index.html")] if path.endswith("index.html") else path


def _common(inputs: SiteInputs) -> dict[str, Any]:
    cfg = inputs.config
    return {
        "config": cfg,
        "sample": inputs.sample,
        "source_label": inputs.source_label,
        "version": __version__,
        "og_image": cfg.url("assets/card.png") if inputs.site_card is not None else None,
        "og_image_alt": f"{cfg.title}: {cfg.description}",
        "data_age_notice": data_age_notice(inputs),
    }


def _context(inputs: SiteInputs, path: str, **context: Any) -> dict[str, Any]:
    """The whole context of a page's template: site-wide values, then the page's own."""
    root = _root(path, inputs.config.base_url)
    for key in ("note", "page"):
        if context.get(key) is not None:
            context[f"{key}_html"] = rebase_links(context[key].html, root)
    return {**_common(inputs), "root": root, "canonical": inputs.config.url(_dir_of(path)),
            **context}


def _key_context(context: dict[str, Any], key_config: Any) -> dict[str, Any]:
    """A page context as a cache key sees it: where the project and the editor's file sit
    on disk is no part of a page (a moved checkout keeps its cache). `key_config`: the
    settings without their folder, one object for every page (hashed once). A function of
    this package the template calls (a formatter, holding no state) is code, which the code
    hash covers: the key names it."""
    return {key: _code_name(value) or value
            for key, value in {**context, "config": key_config}.items()}


def _code_name(value: Any) -> str | None:
    if (isinstance(value, types.FunctionType) and value.__closure__ is None
            and value.__module__.startswith("generator.")):
        return f"{value.__module__}.{value.__qualname__}"
    return None


def issue_jobs(inputs: SiteInputs) -> list[FileJob]:
    """Each issue's page, the home page, and the chart files beside each issue page."""
    issues = inputs.issues
    templates = inputs.config.templates_dir
    key_config = dataclasses.replace(inputs.config, root=Path("."))
    jobs: list[FileJob] = []

    def page_job(path: str, i: int, is_home: bool) -> FileJob:
        issue = issues[i]
        context = _context(
            inputs, path, issue=issue, note=inputs.notes.get(issue.week), is_home=is_home,
            previous=_neighbour(issues, i - 1), following=_neighbour(issues, i + 1),
            specs=chartfiles.specs_of(issue.path),
            further=further_rows(issue.values, issue.notes), **_card(inputs, issue),
            tags=tag_links(inputs.notes.get(issue.week)),
        )

        def render() -> bytes:
            charts = inputs.issue_charts.get(issue.week, [])
            return render_page(templates, "issue.html", charts=charts, **context).encode()

        # The charts are made from `issue.window` alone, which the key already holds.
        return FileJob(path, ("issue.html", _key_context(context, key_config)), render)

    for i, issue in enumerate(issues):
        jobs.append(page_job(f"{issue.path}index.html", i, False))
        jobs.extend(_chart_file_jobs(inputs, issue))
    jobs.append(page_job("index.html", len(issues) - 1, True))
    return jobs


@dataclass(frozen=True)
class Neighbour:
    """The previous or next issue, as the pager links to it."""

    week: str
    path: str


def _neighbour(issues: list[Issue], i: int) -> Neighbour | None:
    return Neighbour(issues[i].week, issues[i].path) if 0 <= i < len(issues) else None


def _chart_file_jobs(inputs: SiteInputs, issue: Issue) -> list[FileJob]:
    """The chart files beside an issue page: `charts.json`, `charts-narrow.json` and each
    chart's SVG, wide and narrow (`chartfiles.chart_files`)."""
    if issue.week not in inputs.issue_charts:
        return []
    templates = inputs.config.templates_dir

    def charts() -> list[Chart]:
        return inputs.issue_charts[issue.week]

    def specs(narrow: bool) -> Callable[[], bytes]:
        return lambda: chartfiles.chart_specs(charts(), narrow)

    def svg(name: str, narrow: bool) -> Callable[[], bytes]:
        def render() -> bytes:
            chart = next(c for c in charts() if c.name == name)
            return chartfiles.svg_file(chart, chartfiles.svg_file_style(stylesheet(templates)),
                                       narrow)
        return render

    # Made from the issue's chart window (and the code and stylesheet: the code hash).
    jobs = []
    for narrow in (False, True):
        jobs.append(FileJob(chartfiles.specs_of(issue.path, narrow),
                            ("specs", narrow, issue.window), specs(narrow)))
        jobs += [FileJob(chartfiles.chart_file(issue.path, name, narrow),
                         ("svg", name, narrow, issue.window), svg(name, narrow))
                 for name in ISSUE_CHARTS]
    return jobs


def page_jobs(inputs: SiteInputs) -> list[FileJob]:
    """Every other page made from a template (the archive and its years, the evidence, the
    tags, the editors' pages, 404, search), each kept by its whole context like an issue
    page. The data page lists every file's size, so `build_site` makes it."""
    cfg = inputs.config
    issues = inputs.issues
    if not issues:
        raise ValueError("no issues to publish")
    templates = cfg.templates_dir
    key_config = dataclasses.replace(cfg, root=Path("."))
    jobs: list[FileJob] = []

    def page(path: str, template: str, **context: Any) -> None:
        full = _context(inputs, path, **context)

        def render() -> bytes:
            return render_page(templates, template, **full).encode("utf-8")

        jobs.append(FileJob(path, (template, _key_context(full, key_config)), render))

    changes = archive.band_changes(issues)
    changed = {i.week for i in changes}
    years = archive.compute_years(issues)
    page("issues/index.html", "archive.html", issues=list(reversed(issues)),
         chart=inputs.archive_chart, notes=inputs.notes, specs=chartfiles.specs_of("issues/"),
         years=years, breakouts=archive.breakout_weeks(issues),
         changes=changes, changed=changed)
    for n, year in enumerate(years):  # newest first: the newer year before, the older after
        page(f"{year.path}index.html", "archive_year.html", y=year, notes=inputs.notes,
             changed=changed, newer=years[n - 1] if n else None,
             older=years[n + 1] if n + 1 < len(years) else None)
    if inputs.evidence is not None:
        page("evidence/index.html", "evidence.html", charts=list(inputs.evidence_charts),
             issue_paths={i.week: i.path for i in issues},
             track=inputs.track, track_chart=inputs.track_chart,
             **evidence_page_context(inputs.evidence, cfg),
             **(track_page_context(inputs.track, cfg) if inputs.track is not None else {}))
    tags = build_tag_pages(issues, inputs.notes)
    page("tags/index.html", "tags.html", tags=tags)
    for tag in tags:
        page(f"{tag.path}index.html", "tag.html", tag=tag, notes=inputs.notes)
    for slug, note in inputs.pages.items():
        page(f"{slug}/index.html", "page.html", page=note,
             caveats=inputs.caveats if slug == "methodology" else ())
    page(NOT_FOUND, "404.html")
    page(search.PAGE, "search.html", count=len(issues),
         bundles=search.bundle_folders(i.path for i in issues))
    return jobs


def build_site(inputs: SiteInputs, page_files: Mapping[str, FileData]) -> dict[str, FileData]:
    """Every page and data file; keys are site paths like `issues/2025-w38/index.html`.

    `page_files` holds the files of `issue_jobs` and `page_jobs`, rendered or from the cache.
    """
    cfg = inputs.config
    issues = inputs.issues
    if not issues:
        raise ValueError("no issues to publish")
    templates = cfg.templates_dir
    files: dict[str, FileData] = dict(page_files)
    if inputs.archive_chart is not None:
        files.update(chartfiles.chart_files("issues/", [inputs.archive_chart],
                                            stylesheet(templates)))
    if inputs.evidence is not None:
        evidence_charts = [*inputs.evidence_charts,
                           *([inputs.track_chart] if inputs.track_chart is not None else [])]
        files.update(chartfiles.chart_files("evidence/", evidence_charts, stylesheet(templates)))
        files["data/evidence.csv"] = format_evidence_csv(inputs.evidence.table).encode("utf-8")
    if inputs.track is not None:
        files["data/track-record.csv"] = format_track_csv(inputs.track.summary).encode("utf-8")
    for asset in ("style.css", "charts.js", "vega.min.js", "vega-interpreter.js", "search.js"):
        if (templates / "assets" / asset).is_file():
            files[f"assets/{asset}"] = (templates / "assets" / asset).read_bytes()
    files.update(_image_files(inputs))
    files["data/signals.csv"] = inputs.signals_csv.encode("utf-8")
    files["data/latest.json"] = render_latest_json(cfg, issues[-1], inputs.sample)
    files["data/index.html"] = render_page(
        templates, "data.html",
        **_context(inputs, "data/index.html", downloads=downloads(files))).encode("utf-8")
    items = feed_items(inputs)
    files[RSS] = render_feed(cfg, items, published(issues[-1]))
    files[JSON_FEED] = render_json_feed(cfg, items)
    files["sitemap.xml"] = render_sitemap(cfg, [_dir_of(p) for p in files
                                                if p.endswith(".html") and p != NOT_FOUND])
    files["robots.txt"] = render_robots(cfg)
    return files


def _card(inputs: SiteInputs, issue: Issue) -> dict[str, str]:
    """Open Graph image of an issue page: its own card, when one was rendered."""
    if issue.week not in inputs.images:
        return {}
    alt = (f"Risk-on score {fmt_score(issue.score)} of 100, {issue.band or 'no score'}, "
           f"week {issue.week}, as of {fmt_date(issue.as_of)}")
    return {"og_image": inputs.config.url(f"{issue.path}card.png"), "og_image_alt": alt}


def _image_files(inputs: SiteInputs) -> dict[str, FileData]:
    """Issue cards and feed score charts next to each issue page; the site's own card."""
    out = {"assets/card.png": inputs.site_card} if inputs.site_card is not None else {}
    paths = {i.week: i.path for i in inputs.issues}
    for week, images in inputs.images.items():
        out[f"{paths[week]}card.png"] = images.card
        if images.score is not None:
            out[f"{paths[week]}score.png"] = images.score
    return out

