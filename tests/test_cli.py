"""`riskon new`, `check` and `backfill` as an editor and an owner use them (`serve`:
tests/test_preview.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main

REPO = Path(__file__).resolve().parents[1]


def run(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), *args])


def test_check_passes_on_the_project_content(project):
    result = run(project, "check")
    assert result.exit_code == 0, result.output
    assert "ok:" in result.output


def test_check_lists_every_problem_with_its_file(project):
    issues = project / "content" / "issues"
    (issues / "2025-W10.md").write_text("---\ntitle: [x\n---\nbody\n", encoding="utf-8")
    (issues / "notes.md").write_text("hello\n", encoding="utf-8")
    (issues / "2021-W53.md").write_text("body\n", encoding="utf-8")
    result = run(project, "check")
    assert result.exit_code == 4
    for name in ("2025-W10.md", "notes.md", "2021-W53.md"):
        assert name in result.output
    assert "Traceback" not in result.output


def test_new_scaffolds_a_draft_for_the_latest_complete_week(project):
    result = run(project, "new", "--source", "sample")
    assert result.exit_code == 0, result.output
    created = sorted((project / "content" / "issues").glob("2026-*.md"))
    path = [p for p in created if p.name != "2026-W08.md"][-1]
    text = path.read_text(encoding="utf-8")
    assert "draft: true" in text and "Risk-on score" in text
    assert run(project, "check").exit_code == 0  # the scaffold is valid content
    again = run(project, "new", "--source", "sample", "--week", path.stem)
    assert again.exit_code == 4 and "already exists" in again.output


def test_new_rejects_a_week_without_data(project):
    result = run(project, "new", "--source", "sample", "--week", "2030-W01")
    assert result.exit_code != 0 and "no issue for that week" in result.output


def test_drafts_never_reach_the_built_site(project):
    draft = project / "content" / "issues" / "2026-W40.md"
    draft.write_text("---\ndraft: true\n---\nSECRET DRAFT TEXT\n", encoding="utf-8")
    assert run(project, "build", "--source", "sample", "--since", "2026-09-20").exit_code == 0
    for path in (project / "site").rglob("*"):
        if path.is_file():
            assert b"SECRET DRAFT TEXT" not in path.read_bytes(), path


def test_backfill_marks_snapshots_and_never_rewrites_without_force(project, csv_dir):
    result = run(project, "backfill", "--source", f"csv:{csv_dir}", "--since", "2026-09-01")
    assert result.exit_code == 0, result.output
    snaps = sorted((project / "data" / "issues").glob("*.json"))
    assert snaps and all(json.loads(p.read_text())["backfilled"] for p in snaps)
    p = snaps[0]
    p.write_text(p.read_text().replace('"backfilled": true', '"backfilled": false'))
    edited = p.read_bytes()
    assert run(project, "backfill", "--source", f"csv:{csv_dir}",
               "--since", "2026-09-01").exit_code == 0
    assert p.read_bytes() == edited
    forced = run(project, "backfill", "--source", f"csv:{csv_dir}", "--since", "2026-09-01",
                 "--force")
    assert forced.exit_code == 0 and "--force" in forced.output
    assert json.loads(p.read_text())["backfilled"] is True


def test_backfill_refuses_the_sample(project):
    assert run(project, "backfill", "--source", "sample").exit_code != 0


@pytest.mark.parametrize(("args", "code"), [(["--version"], 0), (["--no-such-option"], 2),
                                            (["--project", "{missing}", "check"], 3)])
def test_the_program_ends_with_its_commands_exit_code(tmp_path, args, code):
    """`python -m generator` (as the `riskon` script) ends at once after a command, with the
    command's exit code and its output flushed."""
    import subprocess
    import sys

    argv = [a.replace("{missing}", str(tmp_path / "missing")) for a in args]
    done = subprocess.run([sys.executable, "-m", "generator", *argv], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == code, done.stderr
    assert (done.stdout + done.stderr).strip()  # something said, and not lost
