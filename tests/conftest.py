"""Shared fixtures: one session-scoped build of the sample site that many tests read."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_MARKET = REPO.parent / "shared" / "data" / "market"
SAMPLE_SINCE = "2026-08-01"  # a dozen recent weeks: every page type, charts, fast


def make_project(dest: Path) -> Path:
    """A copy of the project's settings, templates and content in `dest` (no data, no cache)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "pyproject.toml", dest / "pyproject.toml")
    shutil.copytree(REPO / "templates", dest / "templates")
    shutil.copytree(REPO / "content", dest / "content")
    (dest / "data" / "prices").mkdir(parents=True)
    (dest / "data" / "issues").mkdir(parents=True)
    return dest


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
    from click.testing import CliRunner

    from generator.cli import main

    project = make_project(tmp_path_factory.mktemp("project"))
    result = CliRunner().invoke(
        main, ["--project", str(project), "build", "--source", "sample", "--since", SAMPLE_SINCE]
    )
    assert result.exit_code == 0, result.output
    return Built(project, project / "site")


@pytest.fixture
def project(tmp_path) -> Path:
    """A fresh copy of the project for tests that change content or settings."""
    return make_project(tmp_path / "project")


@pytest.fixture(scope="session", autouse=True)
def shared_chart_cache(tmp_path_factory):
    """One chart cache for every test build: equal charts are rendered once per session."""
    import os

    old = os.environ.get("RISKON_CACHE_DIR")
    os.environ["RISKON_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if old is None:
        os.environ.pop("RISKON_CACHE_DIR", None)
    else:
        os.environ["RISKON_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def csv_dir(tmp_path_factory) -> Path:
    """The sample market written as a `csv:DIR` folder (data the project generates)."""
    from generator.config import load_config
    from generator.prices import format_price_csv, ticker_filename
    from generator.sources.sample import load_sample

    folder = tmp_path_factory.mktemp("csv")
    for ticker, frame in load_sample(load_config(REPO)).items():
        (folder / ticker_filename(ticker)).write_text(format_price_csv(frame), encoding="utf-8")
    return folder
