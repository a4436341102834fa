"""The GitHub Actions workflows and the site soundness check (.github/scripts/check_site.py).

- zizmor (offline) reports nothing on .github/workflows, when zizmor is installed;
- without zizmor, a YAML reading enforces the same publishing contract: every action
  pinned to a full commit SHA with a version comment, least privilege, a Saturday
  schedule off the top of the hour, no expressions inside shell scripts;
- the check script accepts a sound site and rejects each kind of broken one.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
CHECK_SITE = ROOT / ".github" / "scripts" / "check_site.py"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))

SHA_PIN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$")
VERSION_COMMENT = re.compile(r"#\s*v\d+(?:\.\d+){0,2}\b")


# --------------------------------------------------------------------------- helpers


def load(path: Path) -> dict:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(doc, dict), f"{path.name}: not a mapping"
    # YAML 1.1 reads the bare key `on` as the boolean True.
    if True in doc and "on" not in doc:
        doc["on"] = doc.pop(True)
    return doc


def triggers(doc: dict) -> dict:
    on = doc["on"]
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return on


def steps(doc: dict):
    for job_id, job in doc["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


def find_zizmor() -> str | None:
    found = shutil.which("zizmor")
    if found:
        return found
    beside = Path(sys.executable).with_name("zizmor")
    return str(beside) if beside.exists() else None


# ------------------------------------------------------------------------------ zizmor


def test_workflows_exist():
    names = {p.name for p in WORKFLOW_FILES}
    assert {"publish.yml", "test.yml"} <= names


def test_zizmor_reports_nothing():
    zizmor = find_zizmor()
    if zizmor is None:
        pytest.skip("zizmor is not installed (python -m pip install zizmor)")
    result = subprocess.run(
        [
            zizmor,
            "--offline",
            "--format",
            "plain",
            "--no-progress",
            "--color",
            "never",
            str(WORKFLOWS),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"zizmor found problems:\n{output}"
    assert "No findings to report" in output, output


def test_zizmor_is_really_auditing(tmp_path):
    """A deliberately bad workflow must be flagged, or the test above proves nothing."""
    zizmor = find_zizmor()
    if zizmor is None:
        pytest.skip("zizmor is not installed (python -m pip install zizmor)")
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "name: bad\n"
        "on: [pull_request_target]\n"
        "jobs:\n"
        "  x:\n"
        "    runs-on: ubuntu-24.04\n"
        "    steps:\n"
        "      - uses: actions/checkout@v7\n"
        '      - run: echo "${{ github.event.pull_request.title }}"\n',
        encoding="utf-8",
    )
    result = subprocess.run(
        [zizmor, "--offline", "--format", "plain", "--no-progress", "--color", "never", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    for audit in ("unpinned-uses", "template-injection"):
        assert audit in output, output


# ------------------------------------------------------------------- workflow contract


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_sha_with_version_comment(path):
    uses_lines = [
        (number, match.group(1), match.group(2))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if (match := USES_LINE.match(line))
    ]
    assert uses_lines, f"{path.name}: uses no action at all?"
    for number, ref, rest in uses_lines:
        ref = ref.strip("'\"")
        if ref.startswith("./"):
            continue  # an action of this repository
        where = f"{path.name}:{number}: {ref}"
        assert SHA_PIN.match(ref), f"{where}: not pinned to a full 40-hex commit SHA"
        assert VERSION_COMMENT.search(rest), f"{where}: no '# vX.Y.Z' comment"


def test_one_sha_per_action_across_workflows():
    pins: dict[str, set[str]] = {}
    for path in WORKFLOW_FILES:
        for _, step in steps(load(path)):
            if "uses" in step and "@" in step["uses"]:
                action, sha = step["uses"].split("@", 1)
                pins.setdefault(action, set()).add(sha)
    assert pins
    drift = {action: shas for action, shas in pins.items() if len(shas) > 1}
    assert not drift, f"actions pinned to different commits in different workflows: {drift}"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_workflow_permissions_are_read_only(path):
    doc = load(path)
    assert doc.get("permissions") == {"contents": "read"}, path.name


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_no_expressions_inside_shell_scripts(path):
    """Values reach scripts through env:, never pasted into the script (injection)."""
    for job_id, step in steps(load(path)):
        if "run" in step:
            assert "${{" not in step["run"], f"{path.name}: {job_id}: {step.get('name')}"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_checkout_does_not_persist_credentials(path):
    for job_id, step in steps(load(path)):
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step.get("with", {}).get("persist-credentials") is False, (
                f"{path.name}: {job_id}: checkout leaves the token in .git/config"
            )


def test_publish_schedule_is_saturday_off_the_hour():
    schedule = triggers(load(WORKFLOWS / "publish.yml"))["schedule"]
    assert schedule, "publish.yml has no schedule"
    for entry in schedule:
        fields = entry["cron"].split()
        assert len(fields) == 5, entry
        minute, _hour, _dom, _month, dow = fields
        assert minute.isdigit() and 0 < int(minute) < 60, f"minute must not be 0: {entry}"
        assert dow.upper() in {"6", "SAT"}, f"must run on Saturday: {entry}"


def test_publish_triggers():
    on = triggers(load(WORKFLOWS / "publish.yml"))
    assert "workflow_dispatch" in on
    assert "pull_request" not in on and "pull_request_target" not in on
    push = on["push"]
    assert push["branches"] == ["main"]
    for path in (
        "content/**",
        "templates/**",
        "generator/**",
        "pyproject.toml",
        ".github/workflows/publish.yml",
    ):
        assert path in push["paths"], path


def test_publish_jobs_least_privilege_and_pages_deploy():
    doc = load(WORKFLOWS / "publish.yml")
    jobs = doc["jobs"]
    assert jobs["build"]["permissions"] == {"contents": "write"}
    deploy = jobs["deploy"]
    assert deploy["needs"] == "build" or "build" in deploy["needs"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert "page_url" in deploy["environment"]["url"]
    assert deploy["concurrency"]["group"] == "pages"
    assert deploy["concurrency"]["cancel-in-progress"] is False
    # No other job holds any write permission.
    for job_id, job in jobs.items():
        if job_id not in {"build", "deploy"}:
            granted = job.get("permissions", {}) or {}
            assert "write" not in granted.values(), job_id
    assert "concurrency" in doc


def test_publish_pipeline_order_and_failure_handling():
    doc = load(WORKFLOWS / "publish.yml")
    build_steps = doc["jobs"]["build"]["steps"]
    runs = [s.get("run", "") for s in build_steps]
    uses = [s.get("uses", "") for s in build_steps]

    def index(predicate) -> int:
        for i, step in enumerate(build_steps):
            if predicate(step):
                return i
        raise AssertionError("step not found")

    fetch = index(lambda s: "riskon fetch" in s.get("run", ""))
    build = index(lambda s: "riskon build" in s.get("run", ""))
    check = index(lambda s: "check_site.py" in s.get("run", ""))
    commit = index(lambda s: "HEAD:main" in s.get("run", ""))
    upload = index(lambda s: s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert fetch < build < check < commit < upload, (runs, uses)

    # A failed fetch must not stop the build from the committed store ...
    fetch_run = build_steps[fetch]["run"]
    assert "set +e" in fetch_run and "GITHUB_OUTPUT" in fetch_run
    # ... but the run fails loudly at the end, after the last good data is deployed.
    report = doc["jobs"]["report"]
    assert set(report["needs"]) >= {"build", "deploy"}
    assert "always()" in report["if"]
    assert "::error" in report["steps"][-1]["run"]
    assert "exit" in report["steps"][-1]["run"]

    commit_run = build_steps[commit]["run"]
    assert "github-actions[bot]" in commit_run
    assert "pull --rebase" in commit_run
    assert "--quiet" in commit_run and "diff --cached" in commit_run  # no empty commits
    assert build_steps[commit]["env"]["GITHUB_TOKEN"] == "${{ github.token }}"
    assert build_steps[upload]["with"]["path"] == "site"


def test_test_workflow_runs_suite_and_checks_sample_site():
    doc = load(WORKFLOWS / "test.yml")
    on = triggers(doc)
    assert "pull_request" in on
    assert on["push"]["branches"] == ["main"] and "paths" not in on["push"]
    text = "\n".join(step.get("run", "") for _, step in steps(doc))
    assert "pip install --require-hashes --no-deps -r requirements.lock" in text
    assert "python -m pytest" in text
    assert "riskon build --source sample --out site" in text
    assert "check_site.py site" in text
    for job in doc["jobs"].values():
        assert "permissions" not in job or "write" not in job["permissions"].values()
    assert "deploy-pages" not in (WORKFLOWS / "test.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_dependencies_come_from_the_hashed_lock_file(path):
    """Every `pip install` installs the lock with hashes, or the project without its deps."""
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    assert "--hash=sha256:" in lock and "\nsetuptools==" in lock
    for _, step in steps(load(path)):
        for line in step.get("run", "").splitlines():
            if "pip install" in line:
                assert ("--require-hashes --no-deps -r requirements.lock" in line
                        or "--no-deps --no-build-isolation" in line), line
            if "setup-python" in str(step.get("uses", "")):
                assert step["with"]["cache-dependency-path"] == "requirements.lock"


def test_publish_fetches_once_and_builds_from_the_store():
    doc = load(WORKFLOWS / "publish.yml")
    commands = [line.strip() for _, s in steps(doc) for line in s.get("run", "").splitlines()]
    assert sum(line.startswith("riskon fetch") for line in commands) == 1
    builds = [line for line in commands if line.startswith("riskon build")]
    assert builds and all("--no-fetch" in line for line in builds), builds
    build_steps = doc["jobs"]["build"]["steps"]
    order = [s.get("uses", "").split("@")[0] or s.get("run", "").split("\n")[0]
             for s in build_steps]
    cache = order.index("actions/cache")
    fetch = next(i for i, s in enumerate(build_steps) if "riskon fetch" in s.get("run", ""))
    assert cache < fetch  # the chart cache (and yfinance's) is restored before the fetch


def test_annotations_follow_the_exit_codes():
    """The fetch step knows 0, 5 and 6; the build step publishes on 0 and 6 only; the
    report job fails the run on a fetch exit 5 or 6 and a build exit 6."""
    from generator import errors

    assert (errors.EXIT_DATA, errors.EXIT_STALE) == (5, 6)
    doc = load(WORKFLOWS / "publish.yml")
    fetch = next(s["run"] for _, s in steps(doc) if "riskon fetch" in s.get("run", ""))
    build = next(s["run"] for _, s in steps(doc) if "riskon build" in s.get("run", ""))
    report = doc["jobs"]["report"]["steps"][-1]["run"]
    for code in ("0)", "5)", "6)", "*)"):
        assert code in fetch, code
    assert "0)" in build and "6)" in build and 'exit "$status"' in build
    assert "5)" in report and "6)" in report and '"$BUILD_STATUS" = "6"' in report


def test_actions_are_at_their_current_majors():
    """Node 24 majors (STACK.md; actions/cache v4 is a Node 20 action)."""
    majors = {"actions/checkout": 7, "actions/setup-python": 7, "actions/cache": 6,
              "actions/upload-pages-artifact": 5, "actions/configure-pages": 6,
              "actions/deploy-pages": 5}
    for path in WORKFLOW_FILES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = USES_LINE.match(line)
            if match and "@" in match.group(1):
                action = match.group(1).split("@")[0]
                version = re.search(r"#\s*v(\d+)", match.group(2))
                assert action in majors and version, f"{path.name}:{number}: {line}"
                assert int(version.group(1)) == majors[action], f"{path.name}:{number}: {line}"


# ---------------------------------------------------------------- site soundness check


def load_check_site():
    spec = importlib.util.spec_from_file_location("check_site", CHECK_SITE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GOOD_INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Risk-On Monitor</title>
<style>.x::after { content: "undefined" }</style>
<script src="/assets/app.js"></script>
<script>var data = {{"a": 1}}; var b = undefined;</script>
</head><body>
<header><a href="/">Risk-On Monitor</a></header>
<main><h1>Week 2026-W47</h1>
<p>Score <strong>62.5</strong> &mdash; band: risk-on.</p>
<p>None of the breakout signals fired this week.</p>
<table><tr><th>RUT breakout</th><td></td><td>n/a</td></tr></table>
<!-- {{ debug }} None -->
<svg xmlns="http://www.w3.org/2000/svg"><text x="1" y="2">BTC-USD</text></svg>
</main></body></html>
"""

GOOD_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>Risk-On Monitor</title>
<link>https://example.github.io/risk-on-monitor/</link>
<description>Weekly risk appetite.</description>
<atom:link href="https://example.github.io/risk-on-monitor/feed.xml" rel="self"
 type="application/rss+xml"/>
<item>
<title>2026-W47: risk-on</title>
<link>https://example.github.io/risk-on-monitor/issues/2026-w47/</link>
<guid isPermaLink="true">https://example.github.io/risk-on-monitor/issues/2026-w47/</guid>
<pubDate>Fri, 20 Nov 2026 00:00:00 +0000</pubDate>
<description>&lt;p&gt;Score 62.5&lt;/p&gt;</description>
</item>
</channel>
</rss>
"""

GOOD_SIGNALS = (
    "week,as_of,score,rut_breakout_week\n2026-W46,2026-11-13,55.0,false\n"
    "2026-W47,2026-11-20,62.5,\n"
)


def make_site(root: Path) -> Path:
    site = root / "site"
    (site / "data").mkdir(parents=True)
    (site / "issues" / "2026-w47").mkdir(parents=True)
    (site / "index.html").write_text(GOOD_INDEX, encoding="utf-8")
    (site / "issues" / "2026-w47" / "index.html").write_text(GOOD_INDEX, encoding="utf-8")
    (site / "feed.xml").write_text(GOOD_FEED, encoding="utf-8")
    (site / "data" / "signals.csv").write_text(GOOD_SIGNALS, encoding="utf-8")
    (site / "data" / "latest.json").write_text(json.dumps({"score": 62.5}), encoding="utf-8")
    return site


def run_check(site: Path, *extra: str) -> subprocess.CompletedProcess:
    if importlib.util.find_spec("feedparser") is None:
        pytest.skip("feedparser is not installed (it is in the [test] extra)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHONWARNINGS")}
    return subprocess.run(
        [sys.executable, str(CHECK_SITE), str(site), "--title", "Risk-On Monitor", *extra],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_check_site_accepts_a_sound_site(tmp_path):
    result = run_check(make_site(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "::error::" not in result.stdout


def test_check_site_reads_title_from_pyproject(tmp_path):
    site = make_site(tmp_path)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.riskon]\ntitle = "Another Title"\n', encoding="utf-8")
    if importlib.util.find_spec("feedparser") is None:
        pytest.skip("feedparser is not installed (it is in the [test] extra)")
    result = subprocess.run(
        [sys.executable, str(CHECK_SITE), str(site), "--pyproject", str(pyproject)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Another Title" in result.stdout


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (lambda s: (s / "index.html").unlink(), "index.html: missing"),
        (lambda s: (s / "index.html").write_text("<p>hello</p>"), "site title"),
        (lambda s: (s / "feed.xml").write_text("<rss><channel><item>"), "does not parse"),
        (
            lambda s: (s / "feed.xml").write_text(
                GOOD_FEED.split("<item>")[0] + "</channel></rss>"
            ),
            "has no items",
        ),
        (
            lambda s: (s / "feed.xml").write_text(GOOD_FEED.replace("Score 62.5", "Score nan")),
            "'nan'",
        ),
        (lambda s: (s / "data" / "signals.csv").write_text("week,as_of,score\n"), "no rows"),
        (lambda s: (s / "data" / "signals.csv").write_text(""), "no header"),
        (
            lambda s: (s / "data" / "signals.csv").write_text(
                "week,as_of\n2026-W47,2026-11-20,1\n"
            ),
            "fields",
        ),
        (
            lambda s: (s / "data" / "signals.csv").write_text(
                "week,as_of,score\n2026-W47,2026-11-20,nan\n"
            ),
            "non-value",
        ),
        (lambda s: (s / "data" / "latest.json").write_text('{"score": NaN}'), "latest.json"),
        (lambda s: (s / "about.html").write_text("<p>Score: <b>nan</b></p>"), "'nan'"),
        (lambda s: (s / "about.html").write_text("<td>NaN%</td>"), "'nan'"),
        (lambda s: (s / "about.html").write_text("<td>None</td>\n<td>true</td>"), "'None'"),
        (lambda s: (s / "about.html").write_text("<p>Band: None.</p>"), "'None'"),
        (lambda s: (s / "about.html").write_text("<span>undefined</span>"), "'undefined'"),
        (lambda s: (s / "about.html").write_text("<h1>{{ issue.title }}</h1>"), "'{{'"),
        (lambda s: (s / "about.html").write_text("<p>{% if x %}</p>"), "'{%25'"),  # % is escaped
        (lambda s: (s / "about.html").write_text('<a href="{{ url }}">x</a>'), "in a tag"),
        (lambda s: (s / "chart.svg").write_text("<svg><text>NaN</text></svg>"), "'nan'"),
    ],
)
def test_check_site_rejects_a_broken_site(tmp_path, breakage, expected):
    site = make_site(tmp_path)
    breakage(site)
    result = run_check(site)
    assert result.returncode == 1, result.stdout + result.stderr
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error::")]
    assert errors, result.stdout
    assert any(expected in line for line in errors), errors


def test_check_site_missing_directory(tmp_path):
    result = run_check(tmp_path / "nowhere")
    assert result.returncode == 1
    assert "::error::" in result.stdout


def test_visible_text_ignores_scripts_styles_comments_and_tags():
    module = load_check_site()
    assert module.leaks_in(GOOD_INDEX) == []
    text = module.visible_text(GOOD_INDEX)
    assert "None of the breakout signals" in text
    assert "debug" not in text and "var data" not in text
    assert module.leaks_in("<p>None</p>") == [("None", "None")]
    assert module.leaks_in("<p>banana nano Nanjing</p>") == []
