"""PNG images of the site (sharing cards, the feed's score charts), cached by content hash.

A key is computed from the image code and the exact inputs before Altair or vl-convert is
imported, so an unchanged rebuild renders nothing.  Cache: `<cache_dir>/images/<key>.png`.
Many misses are rendered in worker processes (vl-convert's PNG takes ~0.5 s each).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from generator.charts import vega as chartrender

from generator.cache import workers as renderer
from generator.config import Config
from generator.files import CachedFile, write_atomic
from generator.signals.issues import Issue
from generator.site.templates import fmt_date

PARALLEL_MIN_JOBS = 8


@dataclass(frozen=True)
class IssueImages:
    """The PNGs of one issue: its sharing card and (feed issues only) its score chart."""

    card: bytes | CachedFile
    score: bytes | CachedFile | None = None


@dataclass(frozen=True)
class _Job:
    key: str
    kind: str  # "card" | "score" | "site"
    text: tuple[str, ...]
    window: pd.DataFrame | None


def _code() -> str:
    return chartrender.code_version("card")  # the card's sources include the chart code's


def _key(code: str, kind: str, text: tuple[str, ...], window: pd.DataFrame | None) -> str:
    h = hashlib.sha256(f"{code}\n{kind}\n{text!r}\n".encode())
    if window is not None:
        h.update(window.index.to_numpy(dtype="datetime64[D]").tobytes())
        h.update(window["score"].to_numpy(dtype="float64").tobytes())
    return h.hexdigest()


def _card_text(issue: Issue, config: Config) -> tuple[str, ...]:
    return (config.title, issue.week, fmt_date(issue.as_of), repr(float(issue.score)),
            repr(float(issue.previous_score)))


def issue_images_started(
    issues: list[Issue], config: Config, feed_weeks: set[str]
) -> Callable[[], dict[str, IssueImages]]:
    """A card for every issue, plus the score PNG of the issues in `feed_weeks`; a few
    missing images are rendered in the background (`renderer`): call the result to get them."""
    code = _code()
    jobs: dict[tuple[str, str], _Job] = {}
    for issue in issues:
        window = issue.window  # the renderer reads only its "score" column
        text = _card_text(issue, config)
        jobs[(issue.week, "card")] = _Job(_key(code, "card", text, window), "card", text, window)
        if issue.week in feed_weeks:
            jobs[(issue.week, "score")] = _Job(_key(code, "score", (), window), "score", (),
                                               window)
    pending = _render_cached(list(jobs.values()), config.cache_dir / "images")

    def finish() -> dict[str, IssueImages]:
        png = pending()
        return {
            issue.week: IssueImages(png[jobs[(issue.week, "card")].key],
                                    png[jobs[(issue.week, "score")].key]
                                    if (issue.week, "score") in jobs else None)
            for issue in issues
        }

    return finish


def site_card(config: Config) -> bytes | CachedFile:
    """The site's own card (pages that are not an issue): title and description."""
    text = (config.title, config.description)
    job = _Job(_key(_code(), "site", text, None), "site", text, None)
    return _render_cached([job], config.cache_dir / "images")()[job.key]


def render_job(job: _Job, cache_dir: Path | None = None) -> bytes:
    """PNG bytes of one job (through compiled layouts in `cache_dir/templates/`)."""
    from generator.charts import cards as images

    if job.kind == "score":
        return images.render_score_png(job.window, cache_dir=cache_dir)
    if job.kind == "site":
        return images.render_site_card_png(*job.text)
    site, week, as_of, score, previous = job.text
    text = images.card_text(site, week, as_of, float(score), float(previous))
    return images.render_card_png(text, job.window, cache_dir=cache_dir)


def _render_chunk(args: tuple[list[_Job], Path]) -> list[tuple[str, int]]:
    """Render and store each image (in the worker); returns each key and file size."""
    jobs, cache_dir = args
    out = []
    for job in jobs:
        png = render_job(job, cache_dir)
        _store(cache_dir / "images", job.key, png)
        out.append((job.key, len(png)))
    return out


def _render_cached(jobs: list[_Job], cache: Path) -> Callable[[], dict[str, bytes | CachedFile]]:
    """Every job's PNG as a cache file, rendered when missing: a few in the warm worker
    (the returned call collects them), many by a pool on every core before this returns."""
    out: dict[str, bytes | CachedFile] = {}
    missing: dict[str, _Job] = {}
    for job in jobs:
        path = cache / f"{job.key}.png"
        try:
            out[job.key] = CachedFile(path, path.stat().st_size)
        except FileNotFoundError:
            missing[job.key] = job
    todo = list(missing.values())
    if not todo:
        return lambda: out
    if len(todo) < PARALLEL_MIN_JOBS or (os.cpu_count() or 1) < 2:
        pending = renderer.submit(_render_chunk, (todo, cache.parent))
    else:
        chunks = [(todo[i : i + 10], cache.parent) for i in range(0, len(todo), 10)]
        results = [r for chunk in renderer.run_all(_render_chunk, chunks) for r in chunk]
        pending = lambda: results  # noqa: E731

    def collect() -> dict[str, bytes | CachedFile]:
        for key, size in pending():
            out[key] = CachedFile(cache / f"{key}.png", size)
        return out

    return collect


def _store(cache: Path, key: str, png: bytes) -> None:
    write_atomic(cache / f"{key}.png", png)
