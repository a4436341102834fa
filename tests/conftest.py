"""Shared fixtures and the test layers.

Layers (markers, applied here): `build` for tests that build a site or run the command
line on a project, `browser` for tests that drive Chromium (`tests/browser/`). The pure
layer runs alone with `pytest -m "not build and not browser"`.

No test shares a cache through the environment: each project has its own `.cache/`. A
test that wants a warm cache says so by building twice, or by copying `warm_cache`.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from generator.preview import Preview

REPO = Path(__file__).resolve().parents[1]
SHARED_MARKET = REPO.parent / "shared" / "data" / "market"
SAMPLE_SINCE = "2026-08-01"  # a dozen recent weeks: every page type, charts, fast
BUILD_FIXTURES = {"sample_site", "built_project", "warm_cache", "project"}


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        parts = Path(str(item.fspath)).relative_to(REPO / "tests").parts
        if parts[0] == "browser":
            item.add_marker(pytest.mark.browser)
        if BUILD_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.build)


def make_project(dest: Path) -> Path:
    """A copy of the project's settings, templates and content in `dest` (no data, no cache)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "pyproject.toml", dest / "pyproject.toml")
    shutil.copytree(REPO / "templates", dest / "templates")
    shutil.copytree(REPO / "content", dest / "content")
    (dest / "data" / "prices").mkdir(parents=True)
    (dest / "data" / "issues").mkdir(parents=True)
    return dest


def build(project: Path, *args: str) -> str:
    """`riskon --project PROJECT build ARGS` through the command line's own code path."""
    from click.testing import CliRunner

    from generator.cli import main

    result = CliRunner().invoke(main, ["--project", str(project), "build", *args])
    assert result.exit_code == 0, result.output
    return result.output


@dataclass(frozen=True)
class Built:
    project: Path
    site: Path

    def read(self, rel: str) -> str:
        return (self.site / rel).read_text(encoding="utf-8")

    def html_pages(self) -> list[Path]:
        return sorted(self.site.rglob("*.html"))


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Built:
    """The sample site built once through the command line's own code path."""
    project = make_project(tmp_path_factory.mktemp("project"))
    build(project, "--source", "sample", "--since", SAMPLE_SINCE)
    return Built(project, project / "site")


@pytest.fixture(scope="session")
def warm_cache(sample_site) -> Path:
    """The `.cache/` the sample site's build left: copy it into a project to start warm."""
    return sample_site.project / ".cache"


@pytest.fixture
def project(tmp_path) -> Path:
    """A fresh copy of the project for tests that change content or settings."""
    return make_project(tmp_path / "project")


@pytest.fixture
def built_project(tmp_path, warm_cache) -> Path:
    """A fresh copy of the project with the sample site's cache copied in (starts warm)."""
    project = make_project(tmp_path / "project")
    shutil.copytree(warm_cache, project / ".cache")
    return project


@pytest.fixture
def preview(built_project) -> Iterator[Preview]:
    """`riskon serve`'s preview of `built_project` (sample source), started on a free port."""
    from generator.preview import Preview

    p = Preview(built_project, source="sample", port=0,
                since=dt.date.fromisoformat(SAMPLE_SINCE), log=lambda m: None)
    p.start()
    yield p
    p.stop()


@pytest.fixture(scope="session")
def csv_dir(tmp_path_factory) -> Path:
    """The sample market written as a `csv:DIR` folder (data the project generates)."""
    from generator.config import load_config
    from generator.prices import format_price_csv
    from generator.sources.sample import load_sample
    from generator.sources.spec import ticker_filename

    folder = tmp_path_factory.mktemp("csv")
    for ticker, frame in load_sample(load_config(REPO)).items():
        (folder / ticker_filename(ticker)).write_text(format_price_csv(frame), encoding="utf-8")
    return folder
