"""The pure stages a build repeats, memoised in the store by everything they read.

Each wrapper calls the stage itself when the store has no value under the key of its
inputs: the parsed price files (by their bytes), the weekly table (by the prices, shares
and settings), the evidence (by the archive, the prices and the settings), the track record
(by the published scores, the prices and the settings) and its bootstrap intervals (by the
frozen weeks' scores, the prices and the settings: started before the weekly table, in the
render worker), each frozen issue and, beside it, its published score, band and date and
its chart window (read only when a chart is drawn) (by its snapshot file's bytes), and the
NYSE sessions (by nothing but the code and the library versions), and the editors' notes and
pages (by the bytes of every content file: Markdown, YAML and nh3 are not even imported when
none changed). With `store=None` they simply call the stage.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from generator import weeks
from generator.cache import keys, workers
from generator.cache.store import Store, StoredValue, memo
from generator.config import Config
from generator.content.note import Note, content_files
from generator.evidence.stats import block_bootstrap_spearman
from generator.evidence.study import Evidence, compute_evidence
from generator.evidence.track import (
    TrackRecord,
    compute_track_record,
    spearman_jobs,
    with_intervals,
)
from generator.prices import Prices
from generator.signals.issues import Issue
from generator.signals.weekly import Weekly, compute_weekly
from generator.sources.load import Inputs, Parsed, parse_inputs
from generator.store.snapshots import parse_issue, render_snapshot, snapshot_path


def settings(config: Config) -> Config:
    """The settings as a key sees them: without where the project sits on disk."""
    return dataclasses.replace(config, root=Path("."))


def parsed_inputs(store: Store | None, inputs: Inputs) -> Parsed:
    """`parse_inputs`, kept by the bytes of every file read (~0.2 s for ~25 files)."""
    files = {t: data for t, (_, data) in inputs.prices.items()}
    shares = {t: data for t, (_, data) in inputs.shares.items()}
    return memo(store, "prices", (inputs.kind, files, shares), lambda: parse_inputs(inputs))


def notes_and_pages(store: Store | None, content_dir: Path, *, drafts: bool
                    ) -> tuple[dict[str, Note], dict[str, Note]]:
    """The editors' notes by week and the pages by slug (`content.notes`; drafts only with
    `drafts`), kept by the bytes of every content file, which are what they are parsed
    from (~0.07 s and ~30 ms of imports)."""
    files = content_files(content_dir)
    unlisted: list[Path] = []  # files that appeared while the notes were read

    def parse() -> tuple[dict[str, Note], dict[str, Note]]:
        from generator.content import notes as content

        def read(path: Path) -> bytes:
            found = files.get(str(path))
            if found is None and str(path) not in files:
                unlisted.append(path)
            return found if found is not None else content.read_file(path)

        notes = content.load_issue_notes(content_dir, include_drafts=drafts, read=read)
        pages = {slug: p for slug, p in content.load_pages(content_dir, read).items()
                 if drafts or not p.draft}
        return notes, pages

    if store is None:
        return parse()
    key = store.key("notes", drafts, files)
    found = store.get_value(key)
    if isinstance(found, tuple) and len(found) == 2:
        return found
    value = parse()
    if not unlisted:  # the value is a function of the bytes in the key
        store.put_value(key, value, "notes")
    return value


def weekly(store: Store | None, prices: Prices, config: Config,
           shares: dict[str, pd.Series]) -> Weekly:
    """`compute_weekly`, kept by the prices, the shares and the settings (~0.3 s)."""
    return memo(store, "weekly", (prices, shares, settings(config)),
                lambda: compute_weekly(prices, config, shares))


def evidence(store: Store | None, archive: pd.DataFrame, prices: Prices,
             config: Config) -> Evidence:
    """`compute_evidence`, kept by the archive rows, the prices and the settings."""
    return memo(store, "evidence", (archive, prices, settings(config)),
                lambda: compute_evidence(archive, prices, config))


def track_record(store: Store | None, published: pd.DataFrame, prices: Prices,
                 config: Config, intervals: workers.Shared[str, tuple[float, float]] | None
                 = None) -> TrackRecord:
    """`compute_track_record`, kept by the published scores, the prices and the settings.

    Made in the render worker when there is one (~0.1 s of pandas and Python, held under the
    GIL), without its bootstrap intervals, while those are made (`intervals`, from
    `track_intervals`); then given them here (`with_intervals`: any `intervals` lacks is
    computed here)."""
    def make() -> TrackRecord:
        partial = workers.run(functools.partial(compute_track_record, intervals=False),
                              published, prices, config)
        return with_intervals(partial, intervals.result() if intervals is not None else None)

    return memo(store, "track", (published, prices, settings(config)), make)


def track_intervals(store: Store | None, frozen: pd.DataFrame, prices: Prices,
                    config: Config) -> workers.Shared[str, tuple[float, float]]:
    """The bootstrap intervals of `spearman_jobs` over the frozen weeks' published scores
    (`frozen`, as `compute_track_weeks` takes them), kept by them, the prices and the
    settings: being made, or made already.

    A build asks for them as soon as it has read the snapshots, before the weekly table:
    the render worker, idle until a new week's charts are known, makes them meanwhile
    (`workers.Shared`: one call per interval, ~40 ms, two sent at a time, so those charts
    wait for two at most), and so does this process once it has nothing else to do
    (`help()`). The track record then takes those whose pairs it has: all of them when
    every week with a forward return is frozen (a new week, as a rule)."""
    if frozen.empty:
        return workers.Shared.made({})
    key = None if store is None else store.key("track intervals", frozen, prices,
                                                settings(config))
    found = None if store is None or key is None else store.get_value(key)
    if isinstance(found, dict):
        return workers.Shared.made(found)

    def keep(results: dict[str, tuple[float, float]]) -> None:
        if store is not None and key is not None:
            store.put_value(key, results, "track intervals")

    return workers.Shared(block_bootstrap_spearman, spearman_jobs(frozen, prices, config),
                          keep)


def exchange_calendar(store: Store | None) -> None:
    """Hand `weeks` the NYSE sessions it would otherwise build from the exchange calendar
    (~0.3 s a process), kept in the store (the library's version is in the code hash)."""
    if store is not None:
        weeks.use_span_sessions(memo(store, "sessions", (weeks.SPAN,), weeks.span_sessions))


def snapshot_keys(store: Store | None, files: Mapping[str, tuple[Path, bytes]]
                  ) -> dict[str, str]:
    """The key of each snapshot file (`read_snapshot_files`: its name and bytes), hashed once
    a build for `frozen_scores` and `frozen_issues`."""
    if store is None:
        return {}
    return {week: store.key("snapshot", path.name, data)
            for week, (path, data) in files.items()}


def frozen_scores(store: Store | None, files: Mapping[str, tuple[Path, bytes]],
                  keys_: Mapping[str, str], made: dict[str, Issue] | None = None
                  ) -> dict[str, tuple[float, str, dt.date]]:
    """Each frozen week's score, band and as-of date as its issue published them, kept beside the
    issue itself: a few bytes a week, read back in a few milliseconds, so the track record
    starts on them while the issues are read (`frozen_issues`, a few tenths of a second).
    The issues it had to parse for that go into `made`, for `frozen_issues`."""
    out: dict[str, tuple[float, str, dt.date]] = {}
    for week, (path, data) in files.items():
        key = keys_.get(week)
        short = None if store is None or key is None else store.key("published", key)
        value = None if store is None or short is None else store.get_value(short)
        if not (isinstance(value, tuple) and len(value) == 3):
            issue = snapshot_issue(store, path, data, key)
            if made is not None:
                made[week] = issue
            value = (issue.score, issue.band, issue.as_of)
            if store is not None and short is not None:
                store.put_value(short, value, "snapshot")
        out[week] = value
    return out


def frozen_issues(store: Store | None, files: Mapping[str, tuple[Path, bytes]],
                  keys_: Mapping[str, str] | None = None,
                  made: Mapping[str, Issue] | None = None) -> dict[str, Issue]:
    """Every issue frozen in `data/issues/` (its snapshot files, `read_snapshot_files`), each
    kept by its file's bytes (parsing 500 snapshots takes about half a second; a new week
    adds one). `keys_`: their keys, when `snapshot_keys` has hashed them already; `made`:
    issues `frozen_scores` parsed already (not read back again)."""
    keys_ = keys_ or {}
    made = made or {}
    return {week: made[week] if week in made else
            snapshot_issue(store, path, data, keys_.get(week))
            for week, (path, data) in files.items()}


def snapshot_issue(store: Store | None, path: Path, data: bytes, key: str | None = None
                   ) -> Issue:
    """The issue of one snapshot file (`path`, its bytes `data`), kept by the file's name
    and bytes (`key`, when known). Such an issue is made by this code from those bytes
    alone, so the build's cache keys take the entry's key as its digest, and a digest
    derived from it as its chart window's, instead of hashing them (~0.15 s for 500
    issues)."""
    if store is None:
        return parse_issue(path, data)
    if key is None:
        key = store.key("snapshot", path.name, data)
    window_key = keys.data_hash(key, "window")  # its chart window's, apart (read if drawn)
    issue = store.get_value(key)
    if isinstance(issue, Issue):
        store.keep(window_key)
        window = StoredValue(store, window_key, lambda: parse_issue(path, data).window)
        object.__setattr__(issue, "window", window)  # a new object, only this one's
    else:
        issue = parse_issue(path, data)
        store.put_value(key, dataclasses.replace(issue, window=pd.DataFrame()), "snapshot")
        store.put_value(window_key, issue.window, "window")
    keys.assume_digest(issue, key)
    keys.assume_digest(issue.window, window_key)
    return issue


def reread(store: Store | None, doc: Mapping[str, Any]) -> Issue:
    """The issue a snapshot document gives back once written and read again, exactly as the
    next build finds it in `data/issues/` (the same entry, the same digests)."""
    return snapshot_issue(store, snapshot_path(Path("."), str(doc["week"])),
                          render_snapshot(doc))
