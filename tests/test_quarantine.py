"""Crafted corruptions of the sample market through the CSV path: for each, no traceback,
nothing non-finite anywhere, and every issue either has the numbers of a clean run or a
notice naming the input; no week resting on a suspect bar may be frozen."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.config import load_config
from generator.pipeline import compute_issues, freezable
from generator.prices import format_price_csv
from generator.signals.issues import Issue
from generator.sources.spec import ticker_filename
from generator.store.prices import load_price_csv
from tests.conftest import make_project

pytestmark = pytest.mark.build  # slow: each case computes the weeks from a CSV folder

SINCE = "2020-01-01"  # the history kept in the CSV folder: enough for every window, fast
ARCHIVE = "2026-08-03"  # the weeks compared: the last dozen of the sample market


@pytest.fixture(scope="module")
def folder(tmp_path_factory, csv_dir) -> Path:
    """The sample market as CSV files, from 2020."""
    out = tmp_path_factory.mktemp("trimmed")
    for path in csv_dir.iterdir():
        frame = load_price_csv(path)
        out.joinpath(path.name).write_text(format_price_csv(frame[frame.index >= SINCE]))
    return out


@pytest.fixture(scope="module")
def recent_project(tmp_path_factory) -> Path:
    project = make_project(tmp_path_factory.mktemp("quarantine") / "project")
    settings = project / "pyproject.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace('archive_start = "2016-01-01"',
                                     f'archive_start = "{ARCHIVE}"'), encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def clean(recent_project, folder) -> dict[str, Issue]:
    config = load_config(recent_project)
    return {i.week: i for i in compute_issues(config, source=f"csv:{folder}")}


def edit(folder: Path, tmp_path: Path, ticker: str, change) -> Path:
    """A copy of `folder` with `change(frame) -> frame` applied to one ticker's file."""
    out = tmp_path / "corrupt"
    shutil.copytree(folder, out)
    path = out / ticker_filename(ticker)
    text = change(load_price_csv(path))
    path.write_text(text if isinstance(text, str) else format_price_csv(text), encoding="utf-8")
    return out


def scale(day: str, factor: float):
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        frame.loc[pd.Timestamp(day), ["open", "high", "low", "close", "adj_close"]] *= factor
        return frame
    return change


def set_close(day: str, value: float):
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        frame.loc[pd.Timestamp(day), ["close", "adj_close"]] = value
        return frame
    return change


def forward_fill(days: int):
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        frame.iloc[-days:, :] = frame.iloc[-days - 1].to_numpy()
        return frame
    return change


def duplicate(day: str, factor: float):
    def change(frame: pd.DataFrame) -> str:
        text = format_price_csv(frame)
        line = next(ln for ln in text.splitlines() if ln.startswith(day))
        cells = line.split(",")
        cells[4] = cells[5] = repr(float(cells[4]) * factor)
        return text.replace(line + "\n", line + "\n" + ",".join(cells) + "\n")
    return change


def add_bar(day: str):
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        before = frame[frame.index < day].iloc[-1]
        row = pd.DataFrame([before.to_numpy()], columns=frame.columns,
                           index=pd.DatetimeIndex([day], name="date"))
        return pd.concat([frame, row]).sort_index()
    return change


def drop_bar(day: str):
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.drop(pd.Timestamp(day))
    return change


CASES = {  # name: (ticker, change, the week that must name the ticker)
    "rut 100x on the newest bar": ("^RUT", scale("2026-10-30", 100), "2026-W44"),
    "rut 5x up and back": ("^RUT", scale("2026-10-21", 5), "2026-W43"),
    "rut 5x down and back": ("^RUT", scale("2026-10-21", 0.2), "2026-W43"),
    "btc 100x up and back": ("BTC-USD", scale("2026-10-14", 100), "2026-W42"),
    "btc inf in history": ("BTC-USD", set_close("2026-10-14", math.inf), "2026-W42"),
    "btc inf on the newest bar": ("BTC-USD", set_close("2026-10-30", math.inf), "2026-W44"),
    "btc nan close": ("BTC-USD", set_close("2026-10-14", math.nan), "2026-W42"),
    "hyg negative close": ("HYG", set_close("2026-10-14", -82.0), "2026-W42"),
    "iwm conflicting duplicate": ("IWM", duplicate("2026-10-14", 1.05), "2026-W42"),
    "hyg forward-filled 10 days": ("HYG", forward_fill(10), "2026-W44"),
    "btc forward-filled 10 days": ("BTC-USD", forward_fill(10), "2026-W44"),
    "rut bar on a Saturday": ("^RUT", add_bar("2026-10-17"), "2026-W43"),
    "rut bar on Christmas": ("^RUT", add_bar("2025-12-25"), None),  # before the weeks shown
    "rut missing a Friday": ("^RUT", drop_bar("2026-10-16"), None),
    "sol 100x up and back": ("SOL-USD", scale("2026-10-14", 100), "2026-W42"),
}


def finite_or_nan(issue: Issue) -> bool:
    for value in issue.values.values():
        if isinstance(value, float) and math.isinf(value):
            return False
    return np.isfinite(issue.window.select_dtypes("number").to_numpy(dtype=float)
                       [~np.isnan(issue.window.select_dtypes("number").to_numpy(dtype=float))]
                       ).all()


def same_numbers(a: Issue, b: Issue) -> bool:
    for key, value in a.values.items():
        other = b.values.get(key)
        if isinstance(value, float) and isinstance(other, float):
            if not (value == other or (math.isnan(value) and math.isnan(other))):
                return False
        elif value != other:
            return False
    return True


def named(issue: Issue, ticker: str) -> bool:
    return (any(ticker in n.text for n in issue.data_notices)
            or any(s.ticker == ticker for s in issue.stale))


@pytest.mark.parametrize("case", list(CASES))
def test_a_corruption_is_quarantined_or_named(case, recent_project, folder, clean, tmp_path):
    ticker, change, week = CASES[case]
    corrupt = edit(folder, tmp_path, ticker, change)
    config = load_config(recent_project)
    issues = compute_issues(config, source=f"csv:{corrupt}")  # no traceback
    assert [i.week for i in issues] == list(clean)
    for issue in issues:
        assert finite_or_nan(issue), issue.week
        base = clean.get(issue.week)
        if base is not None and base.as_of == issue.as_of and same_numbers(issue, base):
            continue
        # a different number: the page names the input, or the week stays open
        assert named(issue, ticker) or issue.provisional, (case, issue.week)
    if week is not None:
        hit = next(i for i in issues if i.week == week)
        assert named(hit, ticker), (case, week)
        # a bar on a closed day changes no number: its week may be frozen, notice and all
        assert freezable(hit) is (case == "rut bar on a Saturday")


def test_a_rejected_bar_makes_its_components_na_for_its_week(recent_project, folder, tmp_path):
    corrupt = edit(folder, tmp_path, "BTC-USD", set_close("2026-10-14", math.inf))
    issues = {i.week: i for i in compute_issues(load_config(recent_project),
                                                 source=f"csv:{corrupt}")}
    week = issues["2026-W42"]
    scores = {c.name: c.score for c in week.components}
    assert math.isnan(scores["btc_trend"]) and math.isnan(scores["altseason_index"])
    assert not math.isnan(scores["rut_trend"])
    text = " ".join(n.text for n in week.data_notices)
    assert "BTC-USD: the bar of 14 October 2026 was rejected" in text
    assert "Bitcoin trend" in text and "Altcoin season" in text
    later = issues["2026-W43"]  # computed without the bar, and says so
    assert any("BTC-USD" in n.text and "without it" in n.text for n in later.data_notices)
    assert not math.isnan({c.name: c.score for c in later.components}["btc_trend"])


def test_an_unconfirmed_newest_bar_is_shown_with_a_notice_and_keeps_its_week_open(
        recent_project, folder, clean, tmp_path):
    corrupt = edit(folder, tmp_path, "^RUT", scale("2026-10-30", 100))
    latest = compute_issues(load_config(recent_project), source=f"csv:{corrupt}")[-1]
    assert latest.week == "2026-W44" and latest.provisional and not latest.incomplete
    assert latest.values["rut_close"] == pytest.approx(clean["2026-W44"].values["rut_close"] * 100)
    [notice] = latest.data_notices
    assert notice.kind == "unconfirmed" and "^RUT" in notice.text
    assert "30 October 2026" in notice.text


def test_a_missing_friday_keeps_that_week_provisional(recent_project, folder, tmp_path):
    corrupt = edit(folder, tmp_path, "^RUT", drop_bar("2026-10-16"))
    issues = {i.week: i for i in compute_issues(load_config(recent_project),
                                                 source=f"csv:{corrupt}")}
    week = issues["2026-W42"]
    assert week.as_of.isoformat() == "2026-10-15" and week.incomplete and week.provisional
    assert not freezable(week)
    assert not issues["2026-W43"].provisional  # a later, complete week freezes as usual


def run(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), *args])


def test_the_page_names_the_input_and_nothing_suspect_is_frozen(folder, tmp_path):
    """Through the command line: an inf on BTC's newest bar and a 100x ^RUT newest bar."""
    project = make_project(tmp_path / "project")
    corrupt = edit(folder, tmp_path, "^RUT", scale("2026-10-30", 100))
    btc = corrupt / ticker_filename("BTC-USD")
    frame = load_price_csv(btc)
    frame.loc[pd.Timestamp("2026-10-23"), ["close", "adj_close"]] = math.inf
    btc.write_text(format_price_csv(frame), encoding="utf-8")
    result = run(project, "build", "--source", f"csv:{corrupt}", "--since", "2026-10-05")
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "BTC-USD: rejected 1 bar with a non-finite close" in result.output
    home = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert "Price checks" in home and "^RUT: the newest close" in home
    assert "not confirmed yet" in home
    week43 = (project / "site" / "issues" / "2026-w43" / "index.html").read_text("utf-8")
    assert "BTC-USD: the bar of 23 October 2026 was rejected" in week43
    frozen = {p.stem for p in (project / "data" / "issues").glob("*.json")}
    assert "2026-W42" in frozen  # clean and complete
    assert not frozen & {"2026-W43", "2026-W44"}  # a rejected bar in the week; unconfirmed
    latest = json.loads((project / "site" / "data" / "latest.json").read_text())
    assert latest["provisional"] is True
    kinds = [(n["kind"], n["ticker"]) for n in latest["data_notices"]]
    assert kinds == [("unconfirmed", "^RUT"), ("rejected", "BTC-USD")]  # BTC: computed without
    signals = (project / "site" / "data" / "signals.csv").read_text()
    assert "inf" not in signals.lower()


def test_an_inf_in_the_store_neither_crashes_the_build_nor_is_used(tmp_path, monkeypatch):
    """A store file holding an `inf` (written by an older version, or by hand): the build
    from the store names it, leaves its components n/a in its week and freezes nothing
    that rests on it."""
    from generator.sources.sample import load_sample

    project = make_project(tmp_path / "project")
    prices = load_sample(load_config(project))
    for ticker, frame in prices.items():
        frame = frame[frame.index >= SINCE]
        if ticker == "BTC-USD":
            frame = frame.copy()
            frame.loc[pd.Timestamp("2026-10-21"), ["close", "adj_close"]] = math.inf
        path = project / "data" / "prices" / ticker_filename(ticker)
        path.write_text(format_price_csv(frame), encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793448000")  # Sat 2026-10-31: the store is fresh
    result = run(project, "build", "--no-fetch", "--since", "2026-10-05")
    assert result.exit_code == 0, result.output
    page = (project / "site" / "issues" / "2026-w43" / "index.html").read_text("utf-8")
    assert "BTC-USD: the bar of 21 October 2026 was rejected" in page
    assert "Bitcoin trend" in page
    frozen = {p.stem for p in (project / "data" / "issues").glob("*.json")}
    assert "2026-W42" in frozen and "2026-W43" not in frozen
    latest = json.loads((project / "site" / "data" / "latest.json").read_text())
    assert latest["week"] == "2026-W44"
