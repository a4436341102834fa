"""The build, read as two phases: gather every input and compute, then hand the site as
`{path: bytes}` to the writer.

    gather:  content -> prices (sources, store) -> signals and issues (the weeks with no
             snapshot computed point in time first, their charts sent to the render worker;
             then the frozen ones) -> charts and images  (`gather_issues`; the evidence and
             the track record are computed in a thread meanwhile, each sending its charts to
             the worker as soon as it is done: `with_evidence` collects them; the track
             record's bootstrap intervals are started from the frozen weeks' scores as soon
             as the snapshots are read, `stages.track_intervals`)
    files:   site.issue_jobs -> issue pages; the search index (Pagefind over the bundles
             whose pages changed, in its own processes; a new week: the latest year's)
             while site.page_jobs makes the other template pages and site.build_site
             every other file -> {path: bytes} (issue and other pages kept in the store)
    write:   writer.write_site -> new snapshots (data/issues) -> cache index -> stamp

The cache wing (`generator.cache`) wraps the pure stages from here: a build with a cold
cache, a warm one or none at all gives the same bytes. Weeks frozen by this build are
rendered from their snapshot exactly as the next build will read it back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from generator import clock, writer
from generator.cache import keys, pages, renders, stages, workers
from generator.cache.search import search_bundle
from generator.cache.stamp import compute_stamp, remember_signature
from generator.cache.store import Store
from generator.charts import render as jobs
from generator.charts.data import Chart
from generator.config import Config
from generator.content.note import Note
from generator.errors import DataError, UserError
from generator.format import fmt_data_age, fmt_input_age
from generator.prices import BarProblem
from generator.signals import quality
from generator.signals.core import archive_weeks, format_signals_csv
from generator.signals.coverage import total_return_caveat, total_return_etfs
from generator.signals.freshness import DataAge, compute_data_age
from generator.signals.issues import Issue
from generator.signals.weekly import (
    PUBLISHED_COLUMNS,
    complete_frozen,
    enriched_issues,
    needs_completion,
)
from generator.site import search
from generator.site.inputs import IssueImages, SiteInputs
from generator.site.pages import build_site, issue_jobs, page_jobs
from generator.sources.load import (
    YAHOO_LABEL,
    Loaded,
    core_tickers,
    cut_prices,
    cut_shares,
    load_sample_source,
    read_inputs,
    stale_by_clock,
)
from generator.sources.yahoo import FetchResult
from generator.store.snapshots import (
    read_snapshot_files,
    snapshot_of,
    write_snapshot,
)
from generator.writer import check_output_dir, write_site, write_stamp

T = TypeVar("T")
Progress = Callable[[str, int, int, str], Any]  # (stage, done, total, current item)
EVIDENCE_CHART_ASSETS = ("BTC-USD", "alt-basket")


@dataclass
class BuildReport:
    """What a build did, for the command line to print."""

    out: Path
    weeks: int = 0
    first_week: str = ""
    latest_week: str = ""
    pages: int = 0
    rendered: int = 0  # charts and images rendered by this build
    reused: int = 0  # charts and images found in the cache
    frozen: int = 0
    newly_frozen: list[str] = field(default_factory=list)
    sample: bool = False
    failures: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    unreachable: str | None = None  # what showed Yahoo could not be reached (the fetch gave up)
    data_age: DataAge | None = None  # the prices' age by the build clock (None: sample)

    def summary(self) -> str:
        """One deterministic line: what the site holds."""
        return (f"{self.weeks} weekly issues ({self.first_week} to {self.latest_week})"
                + (", sample data" if self.sample else ""))


def open_store(config: Config) -> Store:
    """The cache of this project (`.cache/`), keyed by the code hash."""
    return Store(config.cache_dir, keys.code_hash(config.templates_dir))


def load_notes_and_pages(
    config: Config, *, drafts: bool = False, store: Store | None = None
) -> tuple[dict[str, Note], dict[str, Note]]:
    """Editor commentary by week and the fixed pages by slug (drafts only when asked)."""
    return stages.notes_and_pages(store, config.content_dir, drafts=drafts)


def load_prices(config: Config, source: str, *, fetch: bool, store: Store | None,
                progress: Progress | None = None,
                on_fetched: Callable[[FetchResult], Any] | None = None) -> Loaded:
    """Prices from `source` (for `yfinance`, fetched into the store first when `fetch`;
    `on_fetched` hears how the fetch went before the build goes on)."""
    if source == "sample":
        return load_sample_source(config)
    fetched: FetchResult | None = None
    if source == "yfinance" and fetch:
        from generator.sources import yahoo

        fetched = yahoo.fetch_all(config, progress=progress)
        if on_fetched is not None:
            on_fetched(fetched)
    inputs = read_inputs(source, config)
    assert inputs is not None
    stages.exchange_calendar(store)  # the NYSE sessions the checks and the weeks use
    prices, notes, shares, problems = stages.parsed_inputs(store, inputs)
    return Loaded(prices, inputs.label,
                  failures=dict(fetched.failures) if fetched else {},
                  warnings=[*(fetched.warnings if fetched else []), *notes], shares=shares,
                  unreachable=fetched.unreachable if fetched else None,
                  problems=tuple(BarProblem.from_plain(p) for p in problems))


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
    stamp: str | None = None,
    signature: str | None = None,
    cache: bool = True,
    on_fetched: Callable[[FetchResult], Any] | None = None,
) -> BuildReport:
    """Build the whole site from `source` into `out` (default `site/`), atomically.

    With `stamp_options`, the output records the key of its inputs so that an identical
    rebuild can be skipped (`generator.cache.stamp`; `stamp`: that key computed before the
    build, used when the build wrote no snapshot, and `signature`: the stats of the files it
    was computed from, then remembered in the cache). `cache=False` builds without reading or
    writing `.cache/` (the bytes are the same).
    """
    out = (out or config.root / "site").resolve()
    check_output_dir(out)
    with project_lock(config), site_lock(out):
        return _build_locked(config, out, source=source, since=since, until=until, fetch=fetch,
                             progress=progress, drafts=drafts, freeze_weeks=freeze_weeks,
                             recent=recent, stamp_options=stamp_options, stamp=stamp,
                             signature=signature, cache=cache, on_fetched=on_fetched)


def project_lock(config: Config) -> Any:
    """Held by every command that writes the project's `data/` or `.cache/`."""
    return writer.lock(config.cache_dir / "lock", f"the project {config.root}")


def site_lock(out: Path) -> Any:
    """Held while a build writes the site folder `out`."""
    return writer.lock(out.parent / f".{out.name}.riskon-lock", str(out))


def _build_locked(config: Config, out: Path, *, source: str, since: dt.date | None,
                  until: dt.date | None, fetch: bool, progress: Progress | None, drafts: bool,
                  freeze_weeks: bool, recent: int | None,
                  stamp_options: dict[str, object] | None, stamp: str | None,
                  signature: str | None, cache: bool,
                  on_fetched: Callable[[FetchResult], Any] | None
                  ) -> BuildReport:
    recovered = writer.recover(out)  # a build killed while writing `out`: repair it first
    with workers.warm(), keys.reuse_digests():
        store = open_store(config) if cache else None
        # Phase 1: gather (content first: a content error should not wait for a fetch).
        notes, pages_ = load_notes_and_pages(config, drafts=drafts, store=store)
        loaded = load_prices(config, source, fetch=fetch, store=store, progress=progress,
                             on_fetched=on_fetched)
        report = BuildReport(out=out, sample=loaded.sample, failures=dict(loaded.failures),
                             warnings=[*([recovered] if recovered else []), *loaded.warnings],
                             unreachable=loaded.unreachable)
        # The evidence, the track record and the search index go on in threads (numpy,
        # and Pagefind's own processes) while this one goes on.
        with ThreadPoolExecutor(max_workers=3) as thread, \
                pages.compiled_templates(store, config.templates_dir):
            part = gather_issues(
                config, loaded, notes, pages_, store=store, since=since, until=until,
                recent=recent, progress=progress, report=report,
                freeze_weeks=freeze_weeks and not loaded.sample, thread=thread)
            snapshots = part.snapshots
            # Phase 2: the site as {path: bytes}: the issue pages first, so that Pagefind
            # indexes them (kept by their digests) while the evidence is finished.
            issue_files = pages.memo_files(store, issue_jobs(part.inputs))
            bundle = thread.submit(search_bundle, store, search.documents(issue_files))
            inputs = with_evidence(part, store, report)
            files = build_site(inputs, {**issue_files,
                                        **pages.memo_files(store, page_jobs(inputs))})
            files.update(bundle.result())
        report.pages = sum(1 for p in files if p.endswith(".html"))
    # Phase 3: write the site; then the snapshots of the weeks it froze; then the cache.
    write_site(files, out)
    report.newly_frozen = [str(doc["week"]) for doc in snapshots
                           if write_snapshot(config.issues_dir, doc)]
    if store is not None:
        store.save(prune=since is None and recent is None)
    if stamp_options is not None:
        if stamp is None or report.newly_frozen:  # new snapshots are inputs of the next build
            stamp, signature = compute_stamp(config, stamp_options), None
        if stamp:
            write_stamp(out, {"fingerprint": stamp, "summary": report.summary(),
                              "stale": report.stale, "failed": sorted(report.failures)})
            if signature and cache:
                remember_signature(config, out, signature, stamp)
    return report


def gather(
    config: Config, loaded: Loaded, notes: dict[str, Note], pages: dict[str, Note], *,
    store: Store | None, since: dt.date | None, until: dt.date | None, recent: int | None,
    progress: Progress | None, report: BuildReport, freeze_weeks: bool,
) -> tuple[SiteInputs, list[dict[str, Any]]]:
    """Everything the site shows, point in time, and the snapshots of the weeks it freezes."""
    with ThreadPoolExecutor(max_workers=2) as thread:
        part = gather_issues(config, loaded, notes, pages, store=store, since=since,
                             until=until, recent=recent, progress=progress, report=report,
                             freeze_weeks=freeze_weeks, thread=thread)
        return with_evidence(part, store, report), part.snapshots


@dataclass
class Gathered:
    """The issues' part of the site (all an issue page is made of) and the evidence, still
    being computed in a thread: a build renders the issue pages meanwhile."""

    inputs: SiteInputs  # without the evidence page's parts
    snapshots: list[dict[str, Any]]  # of the weeks this build freezes
    # (value, the call giving its charts' bytes, how many of them are rendered): `_with_chart`
    evidence: Future[Any]
    track: Future[Any]
    intervals: workers.Shared[str, tuple[float, float]]  # the track record's, being made
    rendered: _Rendered  # the issues' charts and images (a new week's maybe still drawn)


def gather_issues(
    config: Config, loaded: Loaded, notes: dict[str, Note], pages: dict[str, Note], *,
    store: Store | None, since: dt.date | None, until: dt.date | None, recent: int | None,
    progress: Progress | None, report: BuildReport, freeze_weeks: bool,
    thread: ThreadPoolExecutor,
) -> Gathered:
    """Everything the issues show, point in time, with their charts; the evidence and the
    track record computed in `thread` (at least two workers) meanwhile."""
    prices = cut_prices(loaded.prices, until)
    shares = cut_shares(loaded.shares, until)
    if config.tickers.rut not in prices:
        reason = loaded.failures.get(config.tickers.rut)
        raise DataError(
            f"no {config.tickers.rut} prices from {loaded.label}"
            + (f" (the fetch failed: {reason}; the store in data/prices has none either)"
               if reason else "")
            + ": nothing to build "
            "(run `riskon fetch`, or use --source csv:DIR or --source sample)"
        )
    data_age = None if loaded.sample else compute_data_age(config, prices, clock.today())
    report.data_age = data_age
    if data_age is not None and data_age.stale_inputs:
        report.warnings.append(stale_inputs_line(data_age))
    problems = quality.problems_until(loaded.problems, until)
    # The snapshots' published scores first: the track record's bootstrap intervals rest on
    # the frozen weeks, so the render worker (idle until a new week's charts are known)
    # computes them from these while this thread makes the weekly table.
    files = {} if loaded.sample else read_snapshot_files(config.issues_dir)
    keys_ = stages.snapshot_keys(store, files)
    parsed: dict[str, Issue] = {}  # the snapshots `frozen_scores` had to parse (cold cache)
    frozen_scores = stages.frozen_scores(store, files, keys_, parsed)
    intervals = stages.track_intervals(
        store, _frozen_published(frozen_scores, config.archive_start), prices, config)
    weekly = quality.checked_weekly(stages.weekly(store, prices, config, shares), problems,
                                    config)
    caveat = total_return_caveat(total_return_etfs(prices, config), config)
    if caveat:  # said once per build, and on the methodology page
        report.warnings.append(caveat)
    archive = archive_weeks(weekly.weeks, config)
    # Forward returns look ahead: the evidence uses every archive week and all the data.
    # It runs in a thread while this one goes on (numpy's sorts, most of it, free the GIL).
    evidence_done = thread.submit(_with_chart, store, lambda: stages.evidence(
        store, archive, prices, config), lambda evidence: {
            f"evidence {a}": jobs.evidence_chart(evidence.chart_rows(a), a)
            for a in EVIDENCE_CHART_ASSETS})
    shown = archive
    if since is not None:
        shown = shown[shown.index >= pd.Timestamp(since)]
    if recent is not None:
        shown = shown.tail(recent)
    if shown.empty:
        raise DataError(
            f"no week with {config.tickers.rut} data on or after "
            f"{(since or config.archive_start).isoformat()}: nothing to publish"
        )
    weeks = [str(w) for w in shown["week"]]
    feed = set(weeks[-config.feed_size:])
    # The weeks with no snapshot first (a new week): computed, frozen where complete, and
    # their charts sent to the render worker, which draws them while the snapshots are read.
    fresh, snapshots = _computed(config, weekly, shown, prices, problems,
                                 {w for w in weeks if w not in files}, store=store,
                                 freeze=freeze_weeks)
    # The track record, from every week's score as published (a snapshot's where there is
    # one), made in the render worker while this thread reads back every snapshot in
    # data/issues for the issues shown: sent before the new week's charts, whose pages
    # are made before the evidence page needs the record.
    published = _published(archive, {**frozen_scores, **{
        w: (i.score, i.band) for w, i in fresh.items() if i.frozen}})
    track_done = thread.submit(_with_chart, store, lambda: stages.track_record(
        store, published, prices, config, intervals),
        lambda track: {"track record": jobs.track_chart(track.summary)})
    early_batch = _issue_batch(config, fresh.values(), feed)
    early = _render(store, early_batch, progress)
    frozen = stages.frozen_issues(store, files, keys_, parsed)
    issues = _issues(config, weekly, shown, prices, frozen, fresh, problems)
    report.frozen = sum(i.frozen for i in issues)
    known = {i.week for i in issues}
    for week, note in notes.items():
        if week not in known:
            report.warnings.append(
                f"{note.path}: no issue for week {week}; the note is not published")
    # The other charts and images: found in the store, or rendered (a cold build's many
    # on every core).
    batch = _issue_batch(config, [i for i in issues if i.week not in fresh], feed)
    rows = weekly.weeks.loc[pd.Timestamp(issues[0].as_of):pd.Timestamp(issues[-1].as_of)]
    batch["archive"] = jobs.archive_chart(
        rows, f"Composite risk-on score, every week since {issues[0].as_of.year}")
    batch["site card"] = jobs.site_card(config.title, config.description)
    late = _render(store, batch, progress)
    # What the store did not have (a new week's charts, the archive's) is waited for when
    # first asked for: by its page, or the archive chart by `with_evidence`.
    done = _Rendered((early, early_batch), (late, batch))
    report.rendered = early[2] + late[2]
    report.reused = len(done) - report.rendered
    charts = _charts(done, {f"charts {i.week}": i.week for i in issues})
    table = shown.reset_index()  # the weeks published: the pages and the table agree
    table["as_of"] = table["as_of"].dt.strftime("%Y-%m-%d")
    report.weeks = len(issues)
    report.first_week, report.latest_week = issues[0].week, issues[-1].week
    behind = {s.ticker: s.last_date for s in issues[-1].stale}
    if loaded.label == YAHOO_LABEL and until is None:  # the store: is it as new as the clock?
        behind.update(stale_by_clock(prices, core_tickers(config), clock.today()))
    report.stale = [f"{t} (last {d.isoformat() if d else 'never'})" for t, d in behind.items()]
    inputs = SiteInputs(
        config=config,
        issues=issues,
        notes={w: n for w, n in notes.items() if w in known},
        pages=pages,
        issue_charts=charts,
        archive_chart=None,  # drawn maybe still: `with_evidence` adds it
        signals_csv=format_signals_csv(table[list(PUBLISHED_COLUMNS)]),
        source_label=loaded.label,
        sample=loaded.sample,
        images=renders.Lazy([i.week for i in issues], lambda w: IssueImages(
            done[f"card {w}"], done.get(f"score {w}"))),
        site_card=done["site card"],
        caveats=(caveat,) if caveat else (),
        data_age=data_age,
    )
    return Gathered(inputs, snapshots, evidence_done, track_done, intervals, done)


def with_evidence(part: Gathered, store: Store | None, report: BuildReport) -> SiteInputs:
    """The whole site's inputs: `part`'s, and the evidence and track record once computed,
    with their charts (the last charts of a build)."""
    part.intervals.help()  # nothing else to do here until the track record is made
    evidence, evidence_charts, from_evidence = part.evidence.result()
    track, track_charts, from_track = part.track.result()
    done = {**evidence_charts(), **track_charts()}
    part.rendered.wait()  # the issues' charts and images, the archive chart
    workers.stop()  # nothing is rendered after this: the workers' memory goes back
    report.rendered += from_evidence + from_track
    report.reused += len(done) - from_evidence - from_track
    return dataclasses.replace(
        part.inputs,
        archive_chart=_charts(part.rendered, {"archive": "archive"})["archive"][0],
        evidence=evidence,
        evidence_charts=[_charts(done, {k: k})[k][0]
                         for k in (f"evidence {a}" for a in EVIDENCE_CHART_ASSETS)],
        track=track,
        track_chart=_charts(done, {"track record": "t"})["t"][0],
    )


def _frozen_published(frozen: Mapping[str, tuple[float, str, dt.date]], start: dt.date
                      ) -> pd.DataFrame:
    """The frozen weeks of the archive (as-of on or after `start`) with their published
    scores and bands, as `_published` gives every week (`as_of` index, date order)."""
    rows = sorted((as_of, week, score, band) for week, (score, band, as_of) in frozen.items()
                  if as_of >= start)
    return pd.DataFrame({"week": [r[1] for r in rows], "score": [r[2] for r in rows],
                         "band": [r[3] for r in rows]},
                        index=pd.DatetimeIndex([pd.Timestamp(r[0]) for r in rows],
                                               name="as_of"))


def _published(archive: pd.DataFrame, frozen: Mapping[str, tuple[Any, ...]]
               ) -> pd.DataFrame:
    """Every archive week's score and band as its issue published them: `frozen`'s (the
    score and band of every snapshot, this build's included) where there is one, else the
    week's computed numbers."""
    published = archive[["week", "score", "band"]].copy()
    weeks = published["week"].astype(str)
    for n, column in enumerate(("score", "band")):
        published[column] = [frozen[w][n] if w in frozen else v
                             for w, v in zip(weeks, published[column], strict=True)]
    return published


def stale_inputs_line(age: DataAge) -> str:
    """Which inputs stop before the day they should have reached, by the build clock."""
    head = (fmt_data_age(age.newest, age.build_date) if age.stale
            else f"The site's prices are current ({age.newest.isoformat()})")
    names = ", ".join(fmt_input_age(s.ticker, s.last_date) for s in age.stale_inputs)
    return (f"{head}. Stale inputs by the build clock (equities should reach "
            f"{age.expected.isoformat()}, crypto {age.expected_crypto.isoformat()}): {names}")


def _render(store: Store | None, batch: dict[str, jobs.RenderJob], progress: Progress | None
            ) -> tuple[dict[str, Any], Callable[[], dict[str, Any]], int]:
    """The jobs found in the store, the call giving the bytes of every job (through the
    store when there is one, else rendered here), and how many jobs are rendered."""
    if store is not None:
        tick = (lambda done, total: progress("rendering charts", done, total, "")
                ) if progress else None
        return renders.render_all(store, batch, progress=tick)
    # No store: each job is rendered here when the result is asked for (in the calling
    # thread: a thread that only prepares a batch never runs vl-convert itself).
    return {}, (lambda: {name: jobs.render(job) for name, job in batch.items()}), len(batch)


def _charts(done: Mapping[str, Any], names: dict[str, str]) -> renders.Lazy[list[Chart]]:
    """Charts of the rendered jobs `names` ({job name: key}), read when first asked for."""
    return renders.lazy_charts(done, names)


class _Rendered(renders.Lazy[Any]):
    """The rendered jobs' files by job name, over the batches given to `_render`: a file
    the store had at once, the others of a batch (a new week's charts, the archive's) the
    first time one of them is asked for, so every other week's page is keyed and found in
    the store while the render worker draws them."""

    def __init__(self, *batches: tuple[tuple[dict[str, Any], Callable[[], dict[str, Any]],
                                              int], Iterable[str]]) -> None:
        self._found = [found for (found, _, _), _ in batches]
        self._collect = [collect for (_, collect, _), _ in batches]
        self._batch = {name: n for n, (_, names) in enumerate(batches) for name in names}
        self._collected: dict[int, dict[str, Any]] = {}
        super().__init__(self._batch, self._file)

    def _file(self, name: str) -> Any:
        n = self._batch[name]
        found = self._found[n].get(name)
        return found if found is not None else self._files(n)[name]

    def _files(self, n: int) -> dict[str, Any]:
        if n not in self._collected:
            self._collected[n] = self._collect[n]()
        return self._collected[n]

    def wait(self) -> None:
        """Every batch collected (its jobs all rendered)."""
        for n in range(len(self._collect)):
            self._files(n)


def _computed(config: Config, weekly: Any, shown: pd.DataFrame, prices: Any,
              problems: tuple[BarProblem, ...], weeks: set[str], *, store: Store | None,
              freeze: bool) -> tuple[dict[str, Issue], list[dict[str, Any]]]:
    """The issues of `weeks` computed point in time (by week), those this build freezes as
    their snapshot gives them back (`stages.reread`), and those snapshots (when `freeze`)."""
    if not weeks:
        return {}, []
    out: dict[str, Issue] = {}
    docs = []
    for issue in quality.issues_with_notices(
            enriched_issues(shown, weekly, config, prices, only=weeks), problems, config, weekly):
        if freeze and freezable(issue):
            doc = snapshot_of(issue, config.weights, backfilled=is_backfill(issue))
            docs.append(doc)
            issue = stages.reread(store, doc)
        out[issue.week] = issue
    return out, docs


def _issues(config: Config, weekly: Any, shown: pd.DataFrame, prices: Any,
            snapshots: dict[str, Issue], fresh: dict[str, Issue],
            problems: tuple[BarProblem, ...] = ()) -> list[Issue]:
    """The issues shown: `fresh` ones (the weeks with no snapshot, `_computed`), the others
    from their `snapshots` (every one in data/issues), completed from the computation when
    older than the further signals."""
    weeks = [str(w) for w in shown["week"]]
    old = {w for w in weeks if w not in fresh and needs_completion(snapshots[w])}
    completed, _ = _computed(config, weekly, shown, prices, problems, old, store=None,
                             freeze=False)
    return [fresh[w] if w in fresh
            else complete_frozen(snapshots[w], completed[w], weekly) if w in completed
            else snapshots[w] for w in weeks]


def _issue_batch(config: Config, issues: Iterable[Issue], feed: set[str]
                 ) -> dict[str, jobs.RenderJob]:
    """The render jobs of `issues`: charts, sharing card, and the score PNG of those in the
    feed."""
    batch: dict[str, jobs.RenderJob] = {}
    for issue in issues:
        batch[f"charts {issue.week}"] = jobs.issue_charts(issue.window)
        batch[f"card {issue.week}"] = jobs.card(config.title, issue.week, issue.as_of,
                                                 issue.score, issue.previous_score,
                                                 issue.window)
        if issue.week in feed:
            batch[f"score {issue.week}"] = jobs.score_png(issue.window)
    return batch


def _with_chart(store: Store | None, make: Callable[[], T],
                charts: Callable[[T], dict[str, jobs.RenderJob]]
                ) -> tuple[T, Callable[[], dict[str, Any]], int]:
    """`make()`, then its charts (`charts` of the value) sent to the render worker at once:
    the value, the call giving the charts' bytes, and how many are rendered."""
    value = make()
    _, rendered, missing = _render(store, charts(value), None)
    return value, rendered, missing


def freezable(issue: Issue) -> bool:
    """A computed week may be frozen: complete, every core input present, a score."""
    return (not (issue.frozen or issue.provisional or issue.stale)
            and not any(n.holds for n in issue.data_notices) and issue.score == issue.score)


def is_backfill(issue: Issue) -> bool:
    """Frozen more than a week after its as-of date: computed later from history."""
    return issue.as_of < clock.today() - dt.timedelta(days=7)


def reread(doc: dict[str, Any]) -> Issue:
    """The issue a snapshot document gives back once written and read again."""
    return stages.reread(None, doc)


def compute_issues(config: Config, *, source: str = "yfinance") -> list[Issue]:
    """Every archive issue computed from `source` (no fetch, nothing frozen or written)."""
    loaded = load_prices(config, source, fetch=False, store=None)
    if config.tickers.rut not in loaded.prices:
        raise DataError(f"no {config.tickers.rut} prices from {loaded.label}")
    from generator.signals.weekly import compute_weekly

    weekly = quality.checked_weekly(compute_weekly(loaded.prices, config, loaded.shares),
                                    loaded.problems, config)
    return quality.issues_with_notices(
        enriched_issues(archive_weeks(weekly.weeks, config), weekly, config, loaded.prices),
        loaded.problems, config, weekly)


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
    with project_lock(config):
        issues = [i for i in compute_issues(config, source=source)
                  if since is None or i.as_of >= since]
        docs = [snapshot_of(i, config.weights, backfilled=True) for i in issues if freezable(i)]
        written = [str(d["week"]) for d in docs
                   if write_snapshot(config.issues_dir, d, force=force)]
    return written, sum(1 for i in issues if not freezable(i))

