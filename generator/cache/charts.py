"""Every chart of the site, cached by the hash of its data so unchanged charts are never redone.

The cache key is computed from the chart's input rows and the chart code, before Altair or
vl-convert is imported: a rebuild where nothing changed imports neither.  Misses are
rendered through compiled layouts (`chartrender`), in worker processes when there are many
of them (both cores).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from generator.charts import vega as chartrender

from generator.cache import workers as renderer
from generator.charts.data import CHART_DATA, prepare
from generator.config import Config
from generator.files import write_atomic
from generator.signals.issues import CHART_COLUMNS, DIGEST_ATTR, Issue, digest_window
from generator.site.pages import ISSUE_CHARTS, Chart

PARALLEL_MIN_JOBS = 40

Progress = Callable[[str, int, int], None]


class WeekCharts(Mapping[str, list[Chart]]):
    """An issue week's charts, read from the cache only when a page asks for them (a page
    found in the page cache never does). `key(week)` is the hash the charts are stored by."""

    def __init__(self, keys: dict[str, str], loaded: dict[str, list[Chart]],
                 groups: dict[str, Group], cache_dir: Path) -> None:
        self._keys, self._loaded, self._groups, self._cache_dir = keys, loaded, groups, cache_dir

    def key(self, week: str) -> str:
        return self._keys[week]

    def __getitem__(self, week: str) -> list[Chart]:
        key = self._keys[week]
        charts = self._loaded.get(key)
        if charts is None:
            charts = _load(self._cache_dir / "charts", key)
            if charts is None:  # removed or damaged since the build looked: render it again
                [(_, charts)] = _render_chunk(([self._groups[key]], self._cache_dir))
            self._loaded[key] = charts
        return charts

    def __contains__(self, week: object) -> bool:
        return week in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


@dataclass(frozen=True)
class ChartSet:
    """Charts per issue week, the archive chart, and how many were rendered vs cached."""

    by_week: WeekCharts
    archive: Chart | None
    rendered: int
    cached: int
    files: frozenset[str] = frozenset()  # the cache files these charts are stored in


@dataclass(frozen=True)
class _Job:
    key: str
    name: str
    title: str | None
    window: pd.DataFrame


def _code_version() -> str:
    # "vega-2": an issue's charts are cached together, each with its Vega spec
    return hashlib.sha256(chartrender.code_version().encode() + b"vega-2").hexdigest()


def window_digest(window: pd.DataFrame) -> str:
    """Hash of a chart input: its dates and every column (by name, so order never matters).

    A window read from a snapshot carries its digest (`issues.digest_window`, same value).
    """
    known = window.attrs.get(DIGEST_ATTR)
    if known is not None and known[1] == id(window):  # not a frame derived from it
        return known[0]
    return digest_window(window.index.to_numpy(dtype="datetime64[D]"),
                         {c: window[c].to_numpy(dtype="float64") for c in window.columns})


def data_key(code: str, name: str, window: pd.DataFrame | str, title: str | None = None) -> str:
    """Content hash of one chart (or of a group, `name`): code, title and input (or digest)."""
    digest = window if isinstance(window, str) else window_digest(window)
    return hashlib.sha256(f"{code}\n{name}\n{title}\n{digest}".encode()).hexdigest()


Group = tuple[str, list[_Job]]  # cache key of the group, its charts (one cache file)


def issue_charts_started(
    weeks_all: pd.DataFrame, issues: list[Issue], config: Config, *,
    progress: Progress | None = None,
) -> Callable[[], ChartSet]:
    """Charts of every issue (its frozen or computed window) plus the archive's history.

    A few missing charts are rendered in the background (the warm worker of `renderer`)
    while the caller goes on; call the result to get the ChartSet.

    An issue's five charts share one input, so they are cached together in one file.
    """
    code = _code_version()
    cache = config.cache_dir / "charts"
    groups: dict[str, Group] = {}
    weeks: list[tuple[str, str]] = []
    for issue in issues:
        key = data_key(code, "issue", window_digest(issue.window))
        groups[key] = (key, [_Job(f"{key}:{name}", name, None, issue.window)
                             for name in ISSUE_CHARTS])
        weeks.append((issue.week, key))
    archive_rows = weeks_all.loc[pd.Timestamp(issues[0].as_of) : pd.Timestamp(issues[-1].as_of),
                                 list(CHART_COLUMNS)]
    archive_title = f"Composite risk-on score, every week since {issues[0].as_of.year}"
    archive_key = data_key(code, "score", archive_rows, archive_title)
    groups[archive_key] = (archive_key, [_Job(archive_key, "score", archive_title,
                                              archive_rows)])
    # Cached charts are read when their page is rendered (WeekCharts), not here.
    missing = [group for key, group in groups.items() if not (cache / f"{key}.json").is_file()]
    rendering = _render_all(missing, config.cache_dir, progress)
    rendered = sum(len(jobs) for _, jobs in missing)
    total = sum(len(jobs) for _, jobs in groups.values())

    def finish() -> ChartSet:
        by_week = WeekCharts(dict(weeks), rendering(), groups, config.cache_dir)
        archive = by_week._loaded.get(archive_key) or _load(cache, archive_key)
        if archive is None:
            [(_, archive)] = _render_chunk(([groups[archive_key]], config.cache_dir))
        return ChartSet(by_week, archive[0], rendered=rendered, cached=total - rendered,
                        files=frozenset(f"{key}.json" for key in groups))

    return finish


def _load(cache: Path, key: str) -> list[Chart] | None:
    try:
        doc = json.loads((cache / f"{key}.json").read_text(encoding="utf-8"))
        return [Chart(**c) for c in doc["charts"]]
    except (FileNotFoundError, ValueError, TypeError, KeyError):
        return None


def _store(cache: Path, key: str, charts: list[Chart]) -> None:
    doc = {"charts": [c.__dict__ for c in charts]}
    write_atomic(cache / f"{key}.json", json.dumps(doc, sort_keys=True).encode())


def render_one(job: _Job, cache_dir: Path | None = None, code: str | None = None) -> Chart:
    """Describe and render one chart through its compiled layout (`cache_dir/templates/`)."""
    code = code or chartrender.code_version()
    data = CHART_DATA[job.name]
    parts = prepare(job.name, job.window, job.title)
    description = data.describe(job.window)
    static = chartrender.vega_spec(parts, live=False, cache_dir=cache_dir, code=code)
    svg = chartrender.static_svg(static, prefix=f"c-{job.name.replace('_', '-')}",
                                 description=description)
    live = chartrender.vega_spec(parts, live=True, cache_dir=cache_dir, code=code)
    return Chart(job.name, parts.texts["title"], description, svg, chartrender.vega_json(live))


def _render_chunk(args: tuple[list[Group], Path]) -> list[tuple[str, list[Chart]]]:
    """Render and store each group (in the worker: the build process only reads them)."""
    groups, cache_dir = args
    code = chartrender.code_version()
    out = []
    for key, jobs in groups:
        charts = [render_one(job, cache_dir, code) for job in jobs]
        _store(cache_dir / "charts", key, charts)
        out.append((key, charts))
    return out


def _render_chunk_quietly(args: tuple[list[Group], Path]) -> int:
    """`_render_chunk` returning only how many charts it stored (no charts sent back: the
    pages read the ones they need from the cache)."""
    return sum(len(charts) for _, charts in _render_chunk(args))


def _render_all(groups: list[Group], cache_dir: Path, progress: Progress | None
                ) -> Callable[[], dict[str, list[Chart]]]:
    """Render and store the groups' charts.

    A few go to the warm worker and are collected by the returned call; many are rendered
    by a pool on every core before this returns (and read from the cache when needed).
    """
    done: dict[str, list[Chart]] = {}
    if not groups:
        return lambda: done
    total = sum(len(jobs) for _, jobs in groups)
    workers = min(os.cpu_count() or 1, 4)
    if total < PARALLEL_MIN_JOBS or workers < 2:
        pending = renderer.submit(_render_chunk, (groups, cache_dir))

        def collect() -> dict[str, list[Chart]]:
            done.update(pending())
            if progress:
                progress("charts", total, total)
            return done

        return collect
    chunks = [(groups[i : i + 5], cache_dir) for i in range(0, len(groups), 5)]
    count = 0
    for stored in renderer.run_all(_render_chunk_quietly, chunks):
        count += stored
        if progress:
            progress("charts", count, total)
    return lambda: done


EVIDENCE_SOURCES = ("charts.py", "evidence_chart.py", "evidence_text.py", "evidence.py")


def evidence_charts(table: pd.DataFrame, assets: tuple[str, ...], config: Config,
                    used: set[str] | None = None) -> list[Chart]:
    """The evidence page's charts (one per asset, ^RUT events), cached by their rows; the
    names of their cache files are added to `used`."""
    code = chartrender.code_version("evidence")
    cache = config.cache_dir / "charts"
    out = []
    for asset in assets:
        rows = table[table["asset"] == asset]
        key = hashlib.sha256(f"{code}\nevidence\n{asset}\n{_code_version()}\n".encode()
                             + rows.to_csv(index=False).encode()).hexdigest()
        hit = _load(cache, key)
        if hit is None:
            hit = [renderer.run(render_evidence, rows, asset, config.cache_dir)]
            _store(cache, key, hit)
        out.append(hit[0])
        if used is not None:
            used.add(f"{key}.json")
    return out


def render_evidence(rows: pd.DataFrame, asset: str, cache_dir: Path | None = None) -> Chart:
    """Describe and render one evidence chart through its compiled layout."""
    from generator.charts import evidence as evidence_chart

    parts = evidence_chart.forward_return_parts(rows, asset)
    description = evidence_chart.describe_forward_returns(rows, asset)
    name = f"evidence-{asset.lower().replace('-usd', '')}"
    spec = chartrender.vega_spec(parts, live=False, cache_dir=cache_dir,
                                 code=chartrender.code_version("evidence"), kind="evidence")
    svg = chartrender.static_svg(spec, prefix=f"c-{name}", description=description)
    return Chart(name, parts.texts["title"], description, svg)
