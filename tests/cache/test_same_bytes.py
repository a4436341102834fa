"""Same inputs, same bytes: a cache is an optimisation, never an input.

Each test changes one thing (a formatter, a template, a chart layout, a setting, a content
file, one price), then builds with the cache as the previous build left it (warm) and with
no cache at all (cold), and compares the whole trees byte for byte, cards and dotfiles
included. Code changes are built by a subprocess running a modified copy of the package.
Also: the first build that freezes weeks equals the next build with the same inputs, and
a snapshot is the same whether its week was frozen from data cut at a date or from all of it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cache.keys import PACKAGE
from tests.conftest import build, make_project

pytestmark = pytest.mark.build

EPOCH = "1796212800"  # 2026-12-02 12:00 UTC: the sample market ends on 2026-10-30
START = "2026-09-21"  # a short archive: six weeks of issues
CUT = "2026-10-14"  # a Wednesday: its week is provisional in the cut build


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def differing(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


@pytest.fixture(scope="module")
def base(tmp_path_factory, csv_dir) -> Path:
    """A project with its own copy of the market, built once (snapshots and cache)."""
    root = tmp_path_factory.mktemp("same-bytes")
    project = make_project(root / "project")
    settings = project / "pyproject.toml"
    settings.write_text(settings.read_text(encoding="utf-8")
                        .replace('archive_start = "2016-01-01"', f'archive_start = "{START}"')
                        .replace("feed_size = 20", "feed_size = 3"), encoding="utf-8")
    (project / "content" / "issues" / "2026-W41.md").write_text(
        "---\ntitle: A week with a note\n---\nThe editor's words.\n", encoding="utf-8")
    shutil.copytree(csv_dir, project / "market")
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        build(project, "--source", f"csv:{project / 'market'}", "--out", str(project / "site"))
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH")
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    return project


@pytest.fixture
def project(base, tmp_path, monkeypatch) -> Path:
    """A copy of the built project: its site, its snapshots, its warm cache."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    copy = tmp_path / "project"
    shutil.copytree(base, copy, symlinks=True)
    return copy


def riskon(project: Path, out: str, code: Path | None = None) -> None:
    """Build into `project/out` from the project's market, in this process or (`code`: a
    copy of the package) in a subprocess running that code."""
    args = ["--source", f"csv:{project / 'market'}", "--out", str(project / out)]
    if code is None:
        build(project, *args)
        return
    env = {**os.environ, "PYTHONPATH": str(code), "SOURCE_DATE_EPOCH": EPOCH}
    done = subprocess.run([sys.executable, "-m", "generator", "--project", str(project),
                           "build", *args], env=env, cwd=project, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr


def warm_and_cold(project: Path, code: Path | None = None) -> tuple[dict, dict]:
    riskon(project, "warm", code)
    shutil.rmtree(project / ".cache")
    riskon(project, "cold", code)
    return tree(project / "warm"), tree(project / "cold")


def package_copy(tmp_path: Path, rel: str, old: str, new: str) -> Path:
    """A copy of the generator package with one source edited."""
    code = tmp_path / "code"
    shutil.copytree(PACKAGE, code / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    path = code / "generator" / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{rel} no longer holds {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return code


def test_a_formatter_change_reaches_every_page_and_card(project, tmp_path):
    before = tree(project / "site")
    code = package_copy(tmp_path, "format.py", 'return f"{cut(float(x), digits):.{digits}f}"',
                        'return f"{cut(float(x), digits):.{digits}f}".replace(".", "·")')
    warm, cold = warm_and_cold(project, code)
    assert differing(warm, cold) == []
    changed = differing(before, warm)
    cards = [p for p in before if p.startswith("issues/") and p.endswith("card.png")]
    assert cards and set(cards) <= set(changed)  # the stale-card defect: cards follow too


def test_a_template_change(project):
    before = tree(project / "site")
    page = project / "templates" / "issue.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "</article>", "<p>template-marker</p></article>", 1), encoding="utf-8")
    warm, cold = warm_and_cold(project)
    assert differing(warm, cold) == []
    assert "issues/2026-w40/index.html" in differing(before, warm)


def test_a_chart_layout_change(project, tmp_path):
    before = tree(project / "site")
    code = package_copy(tmp_path, "charts/data.py", '"strokeWidth": 1.75', '"strokeWidth": 2.5')
    warm, cold = warm_and_cold(project, code)
    assert differing(warm, cold) == []
    assert "issues/2026-w40/chart-rut.svg" in differing(before, warm)


def test_a_setting_change(project):
    before = tree(project / "site")
    settings = project / "pyproject.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        'title = "Risk-On Monitor"', 'title = "Risk Watch"'), encoding="utf-8")
    warm, cold = warm_and_cold(project)
    assert differing(warm, cold) == []
    assert {"feed.xml", "issues/2026-w40/card.png", "assets/card.png"} <= set(
        differing(before, warm))


def test_a_content_change(project):
    before = tree(project / "site")
    (project / "content" / "issues" / "2026-W41.md").write_text(
        "---\ntitle: Other words\n---\nThe editor changed their mind.\n", encoding="utf-8")
    warm, cold = warm_and_cold(project)
    assert differing(warm, cold) == []
    assert "issues/2026-w41/index.html" in differing(before, warm)


def test_a_price_change(project):
    before = tree(project / "site")
    btc = project / "market" / "BTC-USD.csv"
    lines = btc.read_text(encoding="utf-8").splitlines()
    cells = lines[-3].split(",")
    cells[4] = repr(float(cells[4]) * 1.01)  # one close, 1% higher
    lines[-3] = ",".join(cells)
    btc.write_text("\n".join(lines) + "\n", encoding="utf-8")
    warm, cold = warm_and_cold(project)
    assert differing(warm, cold) == []
    assert "data/signals.csv" in differing(before, warm)


def test_the_build_that_freezes_equals_the_next_one(tmp_path, csv_dir, monkeypatch):
    """Cut, then full twice: the second and third builds are the same tree; every snapshot
    is the one a build from all the data writes."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    trees, snapshots = [], []
    for name, cut in (("cut-then-full", CUT), ("full", None)):
        project = make_project(tmp_path / name)
        settings = project / "pyproject.toml"
        settings.write_text(settings.read_text(encoding="utf-8").replace(
            'archive_start = "2016-01-01"', f'archive_start = "{START}"'), encoding="utf-8")
        source = ["--source", f"csv:{csv_dir}"]
        if cut:
            build(project, *source, "--until", cut)
            frozen = tree(project / "data" / "issues")
            assert frozen and all(w < "2026-W42" for w in frozen)  # complete weeks only
        build(project, *source, "--out", str(project / "first"))
        build(project, *source, "--out", str(project / "second"))
        first, second = tree(project / "first"), tree(project / "second")
        assert differing(first, second) == []
        assert b"backfilled" in first["issues/2026-w39/index.html"]
        trees.append(first)
        snapshots.append(tree(project / "data" / "issues"))
    assert snapshots[0] == snapshots[1]
    assert differing(*trees) == []


def test_the_weeks_a_build_freezes_are_found_in_the_cache_by_the_next(tmp_path, csv_dir,
                                                                      monkeypatch):
    """A week frozen by a build is keyed as its snapshot file: the next build reads the file
    and finds that week's charts and pages in the store (nothing rendered or rewritten)."""
    from generator.config import load_config
    from generator.pipeline import run_build

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = make_project(tmp_path / "project")
    settings = project / "pyproject.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        'archive_start = "2016-01-01"', f'archive_start = "{START}"'), encoding="utf-8")
    config = load_config(project)
    first = run_build(config, source=f"csv:{csv_dir}", fetch=False)
    assert first.newly_frozen and first.rendered
    pages = {week: project / "site" / "issues" / week.lower() / "index.html"
             for week in first.newly_frozen}
    inodes = {week: page.stat().st_ino for week, page in pages.items()}
    again = run_build(config, source=f"csv:{csv_dir}", fetch=False)
    assert again.newly_frozen == [] and again.frozen == len(first.newly_frozen)
    assert again.rendered == 0
    assert {week: page.stat().st_ino for week, page in pages.items()} == inodes


def test_a_new_weeks_track_record_takes_its_intervals_from_the_frozen_weeks(
        tmp_path, csv_dir, monkeypatch):
    """The bootstrap intervals a build computes from the frozen weeks alone, before the
    week's own scores, are the ones its track record needs: it computes none itself, and
    the record is the one a build without cache publishes."""
    import datetime as dt

    from generator.config import load_config
    from generator.evidence import track
    from generator.pipeline import run_build

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = make_project(tmp_path / "project")
    settings = project / "pyproject.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        'archive_start = "2016-01-01"', 'archive_start = "2026-03-02"'), encoding="utf-8")
    config = load_config(project)
    run_build(config, source=f"csv:{csv_dir}", fetch=False, until=dt.date(2026, 10, 14))
    real = track.block_bootstrap_spearman

    def computed_again(*args, **kwargs):
        raise AssertionError("the track record computed an interval itself")

    monkeypatch.setattr(track, "block_bootstrap_spearman", computed_again)
    run_build(config, source=f"csv:{csv_dir}", fetch=False)
    monkeypatch.setattr(track, "block_bootstrap_spearman", real)
    run_build(config, source=f"csv:{csv_dir}", fetch=False, cache=False,
              out=tmp_path / "no-cache")
    made = (project / "site" / "data" / "track-record.csv").read_text(encoding="utf-8")
    assert made == (tmp_path / "no-cache" / "data" / "track-record.csv").read_text(
        encoding="utf-8")
    assert len([line for line in made.splitlines()
                if line.startswith("all,") and line.split(",")[-1]]) >= 4  # intervals
