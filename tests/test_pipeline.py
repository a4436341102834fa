"""Whole builds: reproducible bytes, atomic replacement, frozen issues, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main


def run(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), *args])


def tree(root: Path) -> dict[str, bytes]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p.relative_to(root)): p.read_bytes() for p in files}


SINCE = "2026-05-01"


def test_same_inputs_give_identical_bytes(sample_site, tmp_path):
    from tests.conftest import SAMPLE_SINCE

    out = tmp_path / "again"
    result = run(sample_site.project, "build", "--source", "sample", "--since", SAMPLE_SINCE,
                 "--out", str(out))
    assert result.exit_code == 0, result.output
    assert tree(out) == tree(sample_site.site)


def test_failed_build_leaves_previous_site_untouched(project):
    assert run(project, "build", "--source", "sample", "--since", "2026-09-15").exit_code == 0
    before = tree(project / "site")
    bad = project / "content" / "issues" / "2026-W40.md"
    bad.write_text("---\ntitle: [unterminated\n---\nbody\n", encoding="utf-8")
    result = run(project, "build", "--source", "sample", "--since", "2026-09-15")
    assert result.exit_code == 4
    assert "2026-W40.md" in result.output
    assert "Traceback" not in result.output
    assert tree(project / "site") == before


def test_build_refuses_to_replace_a_folder_it_did_not_write(project):
    other = project / "important"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    result = run(project, "build", "--source", "sample", "--since", "2026-10-01",
                 "--out", str(other))
    assert result.exit_code != 0 and "refusing" in result.output
    assert (other / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_bad_settings_are_listed_at_once(project):
    py = project / "pyproject.toml"
    py.write_text(py.read_text(encoding="utf-8").replace(
        'feed_size = 20', 'feed_size = "many"\nbase_url = "ftp://x"\nbogus = 1'
    ).replace('base_url = "https://example.github.io/risk-on-monitor/"\n', ""), encoding="utf-8")
    result = run(project, "build", "--source", "sample")
    assert result.exit_code == 3
    for key in ("feed_size", "base_url", "bogus"):
        assert key in result.output
    assert "Traceback" not in result.output


def test_unknown_source_is_a_usage_error(project):
    result = run(project, "build", "--source", "bloomberg")
    assert result.exit_code != 0 and "unknown source" in result.output


def test_sample_source_writes_no_snapshots(project):
    assert run(project, "build", "--source", "sample", "--since", "2026-10-01").exit_code == 0
    assert not list((project / "data" / "issues").iterdir())


def test_snapshots_are_frozen_point_in_time(project, csv_dir, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")  # 2026-09-21, the one clock
    # A build with data cut on Tuesday 2026-06-30: that week is partial.
    cut = run(project, "build", "--source", f"csv:{csv_dir}", "--since", SINCE,
              "--until", "2026-06-30")
    assert cut.exit_code == 0, cut.output
    issues = project / "data" / "issues"
    first = {p.name: p.read_bytes() for p in issues.glob("*.json")}
    assert "2026-W26.json" in first and "2026-W27.json" not in first
    latest = json.loads((project / "site" / "data" / "latest.json").read_text())
    assert latest["week"] == "2026-W27" and latest["provisional"] is True
    assert "Provisional." in (project / "site" / "index.html").read_text(encoding="utf-8")

    full = run(project, "build", "--source", f"csv:{csv_dir}", "--since", SINCE)
    assert full.exit_code == 0, full.output
    for name, data in first.items():  # never rewritten, and equal to a fresh computation
        assert (issues / name).read_bytes() == data
    w27 = json.loads((issues / "2026-W27.json").read_text())
    # frozen later, complete: Thursday 2 July is the week's last NYSE session (Friday 3 July
    # 2026 is Independence Day observed: the sample market's bar that day is rejected)
    assert w27["as_of"] == "2026-07-02"

    fresh = project.parent / "fresh"
    from tests.conftest import make_project

    make_project(fresh)
    assert run(fresh, "build", "--source", f"csv:{csv_dir}", "--since", SINCE).exit_code == 0
    for name, data in first.items():
        assert (fresh / "data" / "issues" / name).read_bytes() == data


def test_frozen_issue_is_rendered_from_its_snapshot(project, csv_dir, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    assert run(project, "build", "--source", f"csv:{csv_dir}", "--since", SINCE).exit_code == 0
    again = run(project, "build", "--source", f"csv:{csv_dir}", "--since", SINCE,
                "--out", str(project / "again"))
    assert again.exit_code == 0 and " 0 rendered" in again.output  # same cache keys
    path = project / "data" / "issues" / "2026-W20.json"
    doc = json.loads(path.read_text())
    assert doc["schema"] == 1 and doc["backfilled"] is True and doc["generator_version"]
    doc["values"]["rut_close"] = 12345.678  # what the snapshot says is what the page shows
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert run(project, "build", "--source", f"csv:{csv_dir}", "--since", SINCE).exit_code == 0
    page = (project / "site" / "issues" / "2026-w20" / "index.html").read_text(encoding="utf-8")
    assert "12,345.68" in page
    assert "backfilled: computed later from history" in page
