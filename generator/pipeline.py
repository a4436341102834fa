"""`riskon build`: read everything, compute, render charts and pages, write the site once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from generator.cache import charts as chartset

from generator import clock

from generator.cache import images as imageset

from generator.cache import keys as memo

from generator.cache import workers as renderer
from generator.config import Config
from generator.content.notes import Note, load_issue_notes, load_pages
from generator.signals.weekly import (
    PUBLISHED_COLUMNS,
    Weekly,
    complete_frozen,
    compute_weekly,
    enriched_issues,
    needs_completion,
)
from generator.errors import DataError, UserError
from generator.evidence.study import Evidence, cached_evidence
from generator.files import CachedFile, prune
from generator.cache.stamp import compute_fingerprint
from generator.signals.issues import Issue
from generator.cache.pages import PageCache
from generator.store.shares import cut_shares
from generator.signals.core import archive_weeks, format_signals_csv
from generator.site.pages import SiteInputs, build_site
from generator.store.snapshots import load_frozen, snapshot_of, write_snapshot
from generator.sources.load import Loaded, cut_prices, load_source
from generator.writer import check_output_dir, write_site, write_stamp

Progress = Callable[[str, int, int], None]
EVIDENCE_CHART_ASSETS = ("BTC-USD", "alt-basket")


@dataclass
class BuildReport:
    """What a build did, for the command line to print."""

    out: Path
    weeks: int = 0
    first_week: str = ""
    latest_week: str = ""
    pages: int = 0
    charts_rendered: int = 0
    charts_cached: int = 0
    frozen: int = 0
    newly_frozen: list[str] = field(default_factory=list)
    sample: bool = False
    failures: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    # names of the chart and image cache files this build used ({"charts": ..., "images": ...})
    cache_files: dict[str, set[str]] = field(default_factory=dict)

    def summary(self) -> str:
        """One deterministic line: what the site holds."""
        return (f"{self.weeks} weekly issues ({self.first_week} to {self.latest_week})"
                + (", sample data" if self.sample else ""))


def load_notes_and_pages(
    config: Config, *, drafts: bool = False
) -> tuple[dict[str, Note], dict[str, Note]]:
    """Editor commentary by week and the fixed pages by slug (drafts only when asked)."""
    notes = load_issue_notes(config.content_dir, include_drafts=drafts)
    pages = {slug: p for slug, p in load_pages(config.content_dir).items() if drafts or not p.draft}
    return notes, pages


def run_build(
    config: Config,
    *,
    source: str = "yfinance",
    out: Path | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    fetch: bool = True,
    progress: Progress | None = None,
    drafts: bool = False,
    freeze_weeks: bool = True,
    recent: int | None = None,
    stamp_options: dict[str, object] | None = None,
) -> BuildReport:
    """Build the whole site from `source` into `out` (default `site/`), atomically.

    With `stamp_options`, the output records the fingerprint of its inputs so that an
    identical rebuild can be skipped (see `generator.cache.stamp`).
    """
    out = (out or config.root / "site").resolve()
    check_output_dir(out)
    with renderer.warm():
        return _build(config, source=source, out=out, since=since, until=until, fetch=fetch,
                      progress=progress, drafts=drafts, freeze_weeks=freeze_weeks,
                      recent=recent, stamp_options=stamp_options)


def _build(config: Config, *, source: str, out: Path, since: dt.date | None,
           until: dt.date | None, fetch: bool, progress: Progress | None, drafts: bool,
           freeze_weeks: bool, recent: int | None, stamp_options: dict[str, object] | None,
           ) -> BuildReport:
    # Phase 1: read every input (content first: a content error should not wait for a fetch).
    notes, pages = load_notes_and_pages(config, drafts=drafts)
    loaded = load_source(source, config, fetch=fetch)
    prices = cut_prices(loaded.prices, until)
    report = BuildReport(out=out, sample=loaded.sample, failures=dict(loaded.failures),
                         warnings=list(loaded.warnings))
    # Phase 2: compute, point in time.
    inputs = compute_site_inputs(config, loaded, prices, notes, pages, since=since,
                                 recent=recent, progress=progress, report=report,
                                 shares=cut_shares(loaded.shares, until))
    # Phase 3: render and write once; freeze new complete weeks only once the site is out.
    files = build_site(inputs)
    write_site(files, out)
    full = since is None and recent is None
    if inputs.page_cache is not None:  # a full build's unused pages are outdated: pruned
        inputs.page_cache.save(prune=full)
    if full:  # and so are the charts and images it did not use
        for folder, suffix in (("charts", ".json"), ("images", ".png")):
            if report.cache_files.get(folder):
                prune(config.cache_dir / folder, report.cache_files[folder], suffix)
    report.pages = sum(1 for p in files if p.endswith(".html"))
    if freeze_weeks and not loaded.sample:
        report.newly_frozen = freeze(config, inputs.issues, force=False)
    if stamp_options is not None:
        fingerprint = compute_fingerprint(config, stamp_options)
        if fingerprint:
            write_stamp(out, {"fingerprint": fingerprint, "summary": report.summary(),
                              "stale": report.stale, "failed": sorted(report.failures)})
    return report


def compute_issues(config: Config, *, source: str = "yfinance") -> list[Issue]:
    """Every archive issue computed from `source` (no fetch, nothing frozen or written)."""
    loaded = load_source(source, config, fetch=False)
    if config.tickers.rut not in loaded.prices:
        raise DataError(f"no {config.tickers.rut} prices from {loaded.label}")
    weekly = compute_weekly(loaded.prices, config, loaded.shares)
    return enriched_issues(archive_weeks(weekly.weeks, config), weekly, config, loaded.prices)


def run_backfill(
    config: Config, *, source: str = "yfinance", since: dt.date | None = None,
    force: bool = False,
) -> tuple[list[str], int]:
    """Freeze every complete past week point in time, marked backfilled.

    Existing snapshots are kept unless `force`. Returns the weeks written and the number
    of weeks that could not be frozen (provisional, stale inputs or no score).
    """
    if source == "sample":
        raise UserError("backfill freezes real issues: --source sample is not allowed")
    issues = compute_issues(config, source=source)
    written = freeze(config, issues, force=force, backfill=True, since=since)
    skipped = sum(1 for i in issues if not freezable(i) and (since is None or i.as_of >= since))
    return written, skipped


def freezable(issue: Issue) -> bool:
    """A computed week may be frozen: complete, every core input present, a score."""
    return not (issue.frozen or issue.provisional or issue.stale) and issue.score == issue.score


def freeze(
    config: Config, issues: list[Issue], *, force: bool, backfill: bool = False,
    since: dt.date | None = None,
) -> list[str]:
    """Write snapshots of the freezable issues; returns the weeks written.

    A week is marked backfilled when `backfill` says so, or when it is more than a week
    older than the build clock (computed later from history, not published live).
    """
    cutoff = clock.today() - dt.timedelta(days=7)
    docs = [snapshot_of(issue, config.weights, backfilled=backfill or issue.as_of < cutoff)
            for issue in issues
            if (since is None or issue.as_of >= since) and freezable(issue)]
    return [str(doc["week"]) for doc in docs
            if write_snapshot(config.issues_dir, doc, force=force)]


def _weekly(prices, config: Config, shares) -> Weekly:
    """`compute_weekly`, or its result kept in the cache while the prices, shares, settings
    and code are unchanged (~0.3 s for 30 years of daily prices)."""
    h = memo.new_key("weekly", memo.settings(config))
    memo.frames(h, prices)
    memo.frames(h, shares)
    key = h.hexdigest()
    weekly = memo.recall(config.cache_dir, "weekly", key)
    if weekly is None:
        weekly = compute_weekly(prices, config, shares)
        memo.keep(config.cache_dir, "weekly", key, weekly)
    return weekly


def compute_site_inputs(
    config: Config,
    loaded: Loaded,
    prices,
    notes: dict[str, Note],
    pages: dict[str, Note],
    *,
    since: dt.date | None,
    progress: Progress | None,
    report: BuildReport,
    recent: int | None = None,
    shares=None,
) -> SiteInputs:
    """Signals, issues and charts for every archive week."""
    if config.tickers.rut not in prices:
        reason = loaded.failures.get(config.tickers.rut)
        raise DataError(
            f"no {config.tickers.rut} prices from {loaded.label}"
            + (f" (the fetch failed: {reason}; the store in data/prices has none either)"
               if reason else "")
            + ": nothing to build "
            "(run `riskon fetch`, or use --source csv:DIR or --source sample)"
        )
    weekly = _weekly(prices, config, shares)
    weeks_all = weekly.weeks
    archive = archive_weeks(weeks_all, config)
    # Forward returns look ahead: the evidence uses every archive week and all the data. It
    # is read back when its inputs are unchanged, else computed in a thread while this one
    # goes on (the worker process is kept for a new week's charts: numpy's sorts, most of
    # the work, run without the GIL).
    with ThreadPoolExecutor(max_workers=1) as thread:
        evidence_done = thread.submit(cached_evidence, archive, prices, config, config.cache_dir)
        return _site_inputs(config, loaded, prices, notes, pages, weekly, archive,
                            evidence_done.result, since=since, recent=recent,
                            progress=progress, report=report)


def _site_inputs(config: Config, loaded: Loaded, prices, notes: dict[str, Note],
                 pages: dict[str, Note], weekly, archive: pd.DataFrame,
                 evidence_done: Callable[[], Evidence], *, since: dt.date | None,
                 recent: int | None, progress: Progress | None, report: BuildReport,
                 ) -> SiteInputs:
    weeks_all = weekly.weeks
    if since is not None:
        archive = archive[archive.index >= pd.Timestamp(since)]
    if recent is not None:
        archive = archive.tail(recent)
    if archive.empty:
        raise DataError(
            f"no week with {config.tickers.rut} data on or after "
            f"{(since or config.archive_start).isoformat()}: nothing to publish"
        )
    # Frozen weeks come from their snapshots; only the others (and snapshots older than
    # the further signals) are computed.
    weeks_shown = [str(w) for w in archive["week"]]
    snapshots = {} if loaded.sample else load_frozen(config.issues_dir, config.cache_dir)
    frozen = {w: snapshots[w] for w in weeks_shown if w in snapshots}
    need = {w for w in weeks_shown if w not in frozen or needs_completion(frozen[w])}
    computed = {i.week: i for i in enriched_issues(archive, weekly, config, prices, only=need)}
    issues = [complete_frozen(frozen[w], computed[w], weekly) if w in frozen and w in computed
              else frozen[w] if w in frozen else computed[w] for w in weeks_shown]
    report.frozen = sum(i.frozen for i in issues)
    table = archive.reset_index()
    table["as_of"] = table["as_of"].dt.strftime("%Y-%m-%d")
    known = {i.week for i in issues}
    for week, note in notes.items():
        if week not in known:
            report.warnings.append(
                f"{note.path}: no issue for week {week}; the note is not published"
            )
    # A new week's few charts and images render in the warm worker.
    charts_done = chartset.issue_charts_started(weeks_all, issues, config, progress=progress)
    images_done = imageset.issue_images_started(issues, config,
                                                {i.week for i in issues[-config.feed_size:]})
    evidence, charts, images = evidence_done(), charts_done(), images_done()
    report.charts_rendered, report.charts_cached = charts.rendered, charts.cached
    chart_files = set(charts.files)
    evidence_charts = chartset.evidence_charts(evidence.table, EVIDENCE_CHART_ASSETS, config,
                                               chart_files)
    site_card = imageset.site_card(config)
    pngs = [site_card, *(png for i in images.values() for png in (i.card, i.score))]
    report.cache_files = {"charts": chart_files,
                          "images": {p.source.name for p in pngs if isinstance(p, CachedFile)}}
    renderer.stop()  # nothing is rendered after this: the workers' memory goes back
    report.weeks = len(issues)
    report.first_week, report.latest_week = issues[0].week, issues[-1].week
    report.stale = [
        f"{s.ticker} (last {s.last_date.isoformat() if s.last_date else 'never'})"
        for s in issues[-1].stale
    ]
    return SiteInputs(
        config=config,
        issues=issues,
        notes={w: n for w, n in notes.items() if w in known},
        pages=pages,
        issue_charts=charts.by_week,
        archive_chart=charts.archive,
        signals_csv=format_signals_csv(table[list(PUBLISHED_COLUMNS)]),
        source_label=loaded.label,
        sample=loaded.sample,
        evidence=evidence,
        evidence_charts=evidence_charts,
        images=images,
        site_card=site_card,
        page_cache=PageCache(config.cache_dir / "pages", config.templates_dir),
    )
