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
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from generator import chartrender
from generator.chartdata import CHART_DATA, prepare
from generator.config import Config
from generator.files import write_atomic
from generator.issues import CHART_COLUMNS, Issue
from generator.site import Chart

ISSUE_CHARTS = ("score", "rut", "relative_strength", "correlation", "altseason")
PARALLEL_MIN_JOBS = 40

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ChartSet:
    """Charts per issue week, the archive chart, and how many were rendered vs cached."""

    by_week: dict[str, list[Chart]]
    archive: Chart | None
    rendered: int
    cached: int


@dataclass(frozen=True)
class _Job:
    key: str
    name: str
    title: str | None
    window: pd.DataFrame


def _code_version() -> str:
    # "vega-1": cached charts carry their Vega spec (format of the cache JSON)
    return hashlib.sha256(chartrender.code_version().encode() + b"vega-1").hexdigest()


def window_digest(window: pd.DataFrame) -> str:
    """Hash of a chart input: its dates and every column (by name, so order never matters)."""
    h = hashlib.sha256(window.index.to_numpy(dtype="datetime64[D]").tobytes())
    for col in sorted(window.columns):
        h.update(col.encode())
        h.update(window[col].to_numpy(dtype="float64").tobytes())
    return h.hexdigest()


def data_key(code: str, name: str, window: pd.DataFrame | str, title: str | None = None) -> str:
    """Content hash of one chart: chart code, name, title and its input (or its digest)."""
    digest = window if isinstance(window, str) else window_digest(window)
    return hashlib.sha256(f"{code}\n{name}\n{title}\n{digest}".encode()).hexdigest()


def issue_charts(
    weeks_all: pd.DataFrame, issues: list[Issue], config: Config, *,
    progress: Progress | None = None,
) -> ChartSet:
    """Charts of every issue (its frozen or computed window) plus the archive's history."""
    code = _code_version()
    cache = config.cache_dir / "charts"
    jobs: list[tuple[str, _Job]] = []
    for issue in issues:
        window = issue.window
        digest = window_digest(window)
        for name in ISSUE_CHARTS:
            jobs.append((issue.week, _Job(data_key(code, name, digest), name, None, window)))
    archive_rows = weeks_all.loc[pd.Timestamp(issues[0].as_of) : pd.Timestamp(issues[-1].as_of),
                                 list(CHART_COLUMNS)]
    archive_title = f"Composite risk-on score, every week since {issues[0].as_of.year}"
    archive_job = _Job(data_key(code, "score", archive_rows, archive_title), "score",
                       archive_title, archive_rows)
    all_jobs = [job for _, job in jobs] + [archive_job]
    found = {job.key: hit for job in all_jobs if (hit := _load(cache, job.key)) is not None}
    missing = list({job.key: job for job in all_jobs if job.key not in found}.values())
    found.update(_render_all(missing, config.cache_dir, progress))
    by_week: dict[str, list[Chart]] = {}
    for week, job in jobs:
        by_week.setdefault(week, []).append(found[job.key])
    return ChartSet(by_week, found[archive_job.key], rendered=len(missing),
                    cached=len(all_jobs) - len(missing))


def _load(cache: Path, key: str) -> Chart | None:
    try:
        doc = json.loads((cache / f"{key}.json").read_text(encoding="utf-8"))
        return Chart(**doc)
    except (FileNotFoundError, ValueError, TypeError):
        return None


def _store(cache: Path, key: str, chart: Chart) -> None:
    write_atomic(cache / f"{key}.json", json.dumps(chart.__dict__, sort_keys=True).encode())


def render_one(job: _Job, cache_dir: Path | None = None, code: str | None = None) -> Chart:
    """Describe and render one chart through its compiled layout (`cache_dir/templates/`)."""
    code = code or chartrender.code_version()
    data = CHART_DATA[job.name]
    parts = prepare(job.name, job.window, job.title)
    description = data.describe(job.window)
    static = chartrender.vega_spec(parts, live=False, cache_dir=cache_dir, code=code)
    svg = chartrender.postprocess_svg(chartrender.vega_to_svg(static),
                                      prefix=f"c-{job.name.replace('_', '-')}",
                                      label=description, title=description)
    live = chartrender.vega_spec(parts, live=True, cache_dir=cache_dir, code=code)
    return Chart(job.name, parts.texts["title"], description, svg, chartrender.vega_json(live))


def _render_chunk(args: tuple[list[_Job], Path]) -> list[tuple[str, Chart]]:
    jobs, cache_dir = args
    code = chartrender.code_version()
    return [(job.key, render_one(job, cache_dir, code)) for job in jobs]


def _render_all(jobs: list[_Job], cache_dir: Path, progress: Progress | None
                ) -> dict[str, Chart]:
    done: dict[str, Chart] = {}
    if not jobs:
        return done
    cache = cache_dir / "charts"
    workers = min(os.cpu_count() or 1, 4)
    if len(jobs) < PARALLEL_MIN_JOBS or workers < 2:
        code = chartrender.code_version()
        for i, job in enumerate(jobs):
            chart = render_one(job, cache_dir, code)
            _store(cache, job.key, chart)
            done[job.key] = chart
            if progress:
                progress("charts", i + 1, len(jobs))
        return done
    import multiprocessing

    chunks = [(jobs[i : i + 25], cache_dir) for i in range(0, len(jobs), 25)]
    # Never fork a process that may already run vl-convert's engine (it deadlocks): workers
    # come from a clean fork server that has imported the chart code once.
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        ctx.set_forkserver_preload(["generator.chartrender", "vl_convert"])
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        for results in pool.map(_render_chunk, chunks):
            for key, chart in results:
                _store(cache, key, chart)
                done[key] = chart
            if progress:
                progress("charts", len(done), len(jobs))
    return done


EVIDENCE_SOURCES = ("charts.py", "evidence_chart.py", "evidence_text.py", "evidence.py")


def evidence_charts(table: pd.DataFrame, assets: tuple[str, ...], config: Config) -> list[Chart]:
    """The evidence page's charts (one per asset, ^RUT events), cached by their rows."""
    code = hashlib.sha256(b"".join(Path(__file__).with_name(n).read_bytes()
                                   for n in EVIDENCE_SOURCES)).hexdigest()
    cache = config.cache_dir / "charts"
    out = []
    for asset in assets:
        rows = table[table["asset"] == asset]
        key = hashlib.sha256(f"{code}\nevidence\n{asset}\n{_code_version()}\n".encode()
                             + rows.to_csv(index=False).encode()).hexdigest()
        chart = _load(cache, key)
        if chart is None:
            chart = render_evidence(rows, asset)
            _store(cache, key, chart)
        out.append(chart)
    return out


def render_evidence(rows: pd.DataFrame, asset: str) -> Chart:
    """Build, describe and render one evidence chart (imports Altair and vl-convert)."""
    from generator import charts, evidence_chart

    chart = evidence_chart.forward_return_chart(rows, asset)
    description = evidence_chart.describe_forward_returns(rows, asset)
    name = f"evidence-{asset.lower().replace('-usd', '')}"
    svg = charts.render_svg(chart, cache_dir=None, prefix=f"c-{name}", description=description)
    title = chart.to_dict(validate=False)["title"]["text"]
    return Chart(name, title, description, svg)
