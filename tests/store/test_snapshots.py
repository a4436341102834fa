"""Frozen issues read back from their snapshots: every file, exactly as frozen, or named."""

from __future__ import annotations

import json

import pytest

from generator.errors import DataError
from generator.store.snapshots import (
    issue_from_snapshot,
    load_frozen,
    parse_issue,
    read_snapshot_files,
    render_snapshot,
    snapshot_of,
    write_snapshot,
)
from tests.charts.test_data import make_weeks


def snapshot(week: str, as_of: str, score: float) -> dict:
    weeks = make_weeks(30, end=as_of)[["score", "rut_close", "rut_breakout_week"]]
    return {
        "schema": 1, "week": week, "as_of": as_of,
        "values": {"band": "Neutral", "score": score}, "previous": None,
        "weights": {}, "stale": [], "backfilled": True,
        "chart_window": {"as_of": [d.strftime("%Y-%m-%d") for d in weeks.index],
                         **{c: weeks[c].tolist() for c in weeks.columns}},
    }


@pytest.fixture
def issues_dir(tmp_path):
    folder = tmp_path / "issues"
    folder.mkdir()
    for week, as_of, score in (("2026-W05", "2026-01-30", 41.5), ("2026-W06", "2026-02-06", 55.0),
                               ("2026-W07", "2026-02-13", 61.25)):
        (folder / f"{week}.json").write_bytes(render_snapshot(snapshot(week, as_of, score)))
    return folder


def same(a, b) -> bool:
    return (repr(a) == repr(b) and a.window.equals(b.window)
            and list(a.window.columns) == list(b.window.columns))


def test_frozen_issues_are_their_snapshots(issues_dir):
    frozen = load_frozen(issues_dir)
    assert list(frozen) == ["2026-W05", "2026-W06", "2026-W07"]
    for week, issue in frozen.items():
        doc = json.loads((issues_dir / f"{week}.json").read_text())
        assert same(issue, issue_from_snapshot(doc))
        assert issue.frozen and issue.backfilled and not issue.provisional
    assert [i.score for i in frozen.values()] == [41.5, 55.0, 61.25]
    window = frozen["2026-W07"].window
    assert len(window) == 30 and window.index[-1].strftime("%Y-%m-%d") == "2026-02-13"
    assert window["rut_breakout_week"].dtype == bool


def test_a_snapshot_round_trips_through_its_bytes(issues_dir):
    issue = load_frozen(issues_dir)["2026-W06"]
    doc = snapshot_of(issue, {"rut_trend": 1.0}, backfilled=True)
    path = issues_dir / "2026-W06.json"
    again = parse_issue(path, render_snapshot(doc))
    assert same(again, issue_from_snapshot(json.loads(render_snapshot(doc))))
    assert again.window.equals(issue.window) and again.values == issue.values


def test_the_files_are_read_as_they_are_now(issues_dir):
    load_frozen(issues_dir)
    (issues_dir / "2026-W06.json").write_bytes(
        render_snapshot(snapshot("2026-W06", "2026-02-06", 12.5)))
    (issues_dir / "2026-W05.json").unlink()
    got = load_frozen(issues_dir)
    assert list(got) == ["2026-W06", "2026-W07"] and got["2026-W06"].score == 12.5
    assert list(read_snapshot_files(issues_dir)) == ["2026-W06", "2026-W07"]
    assert load_frozen(issues_dir / "absent") == {}


def test_a_snapshot_is_written_once_unless_forced(issues_dir):
    doc = snapshot("2026-W07", "2026-02-13", 99.0)
    before = (issues_dir / "2026-W07.json").read_bytes()
    assert write_snapshot(issues_dir, doc) is False
    assert (issues_dir / "2026-W07.json").read_bytes() == before
    assert write_snapshot(issues_dir, doc, force=True) is True
    assert load_frozen(issues_dir)["2026-W07"].score == 99.0


def test_a_bad_snapshot_is_named(issues_dir):
    (issues_dir / "2026-W07.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="2026-W07.json"):
        load_frozen(issues_dir)
    (issues_dir / "2026-W07.json").write_bytes(
        render_snapshot(snapshot("2026-W08", "2026-02-20", 50.0)))
    with pytest.raises(DataError, match="2026-W07.json: snapshot is for week 2026-W08"):
        load_frozen(issues_dir)
    (issues_dir / "2026-W07.json").unlink()
    (issues_dir / "notes.json").write_text("{}", encoding="utf-8")
    with pytest.raises(DataError, match="notes.json: not a snapshot name"):
        load_frozen(issues_dir)


def test_coverage_is_frozen_with_the_issue(issues_dir):
    import dataclasses
    import datetime as dt

    from generator.signals.coverage import Unpriced

    issue = load_frozen(issues_dir)["2026-W06"]
    assert issue.inputs_configured == 0 and issue.unpriced == ()  # an older snapshot: unknown
    unpriced = (Unpriced("BTC-USD", "input", dt.date(2026, 1, 28)),
                Unpriced("DOT-USD", "alt", None))
    issue = dataclasses.replace(issue, unpriced=unpriced, inputs_configured=24)
    again = issue_from_snapshot(json.loads(render_snapshot(
        snapshot_of(issue, {"rut_trend": 1.0}, backfilled=True))))
    assert again.unpriced == unpriced and again.inputs_configured == 24
    assert not again.every_input_priced
def test_data_notices_are_frozen_with_the_issue_and_only_when_there_are_any(issues_dir):
    import dataclasses
    import datetime as dt

    from generator.signals.issues import DataNotice

    issue = load_frozen(issues_dir)["2026-W06"]
    plain = render_snapshot(snapshot_of(issue, {}, backfilled=True))
    assert b"data_notices" not in plain  # a clean week's bytes are as before the key existed
    notice = DataNotice("rejected", "BTC-USD", dt.date(2025, 9, 1), dt.date(2025, 9, 1),
                        "BTC-USD: the bar of 1 September 2025 was rejected: ...", holds=False)
    noted = dataclasses.replace(issue, data_notices=(notice,))
    data = render_snapshot(snapshot_of(noted, {}, backfilled=True))
    again = parse_issue(issues_dir / "2026-W06.json", data)
    assert again.data_notices == (notice,)
    assert again.last_session is None and not again.incomplete


def test_published_scores_and_dates_are_kept_beside_the_issues_and_equal_theirs(
        issues_dir, tmp_path):
    from generator.cache import stages
    from generator.cache.store import Store

    files = read_snapshot_files(issues_dir)
    expected = {w: (i.score, i.band, i.as_of) for w, i in load_frozen(issues_dir).items()}
    assert stages.frozen_scores(None, files, {}) == expected
    store = Store(tmp_path / "cache", "code")
    keys = stages.snapshot_keys(store, files)
    assert stages.frozen_scores(store, files, keys) == expected  # made: the issues parsed
    store.save(prune=False)
    again = Store(tmp_path / "cache", "code")
    assert stages.frozen_scores(again, files, keys) == expected
    assert again.hits == 3 and again.misses == 0  # read back: three small values, no issue
    issues = stages.frozen_issues(again, files, keys)
    assert {w: (i.score, i.band, i.as_of) for w, i in issues.items()} == expected
    assert again.misses == 0


def test_issues_parsed_for_their_scores_are_not_read_back_again(issues_dir, tmp_path):
    from generator.cache import stages
    from generator.cache.store import Store

    files = read_snapshot_files(issues_dir)
    store = Store(tmp_path / "cache", "code")
    keys = stages.snapshot_keys(store, files)
    made: dict = {}
    stages.frozen_scores(store, files, keys, made)
    assert sorted(made) == sorted(files)  # a cold store: every one parsed
    hits = store.hits
    issues = stages.frozen_issues(store, files, keys, made)
    assert all(issues[w] is made[w] for w in files) and store.hits == hits


def test_a_frozen_issues_chart_window_is_read_from_the_store_only_when_drawn(issues_dir,
                                                                            tmp_path):
    """Read back, a frozen issue's chart window is a `StoredValue`: not read with the issue,
    kept by the prune all the same, equal to the snapshot's when read, pickled as a frame,
    hashed as the digest assumed for it; a window lost from the store is parsed again."""
    import pickle

    from generator.cache import keys, stages
    from generator.cache.store import Store, StoredValue

    files = read_snapshot_files(issues_dir)
    frozen = load_frozen(issues_dir)
    store = Store(tmp_path / "cache", "code")
    first = stages.frozen_issues(store, files)  # parsed: the frames themselves
    assert all(not isinstance(i.window, StoredValue) for i in first.values())
    store.save(prune=True)
    again = Store(tmp_path / "cache", "code")
    with keys.reuse_digests():
        read = stages.frozen_issues(again, files)
        assert again.hits == 3  # the issues, not their windows
        assert all(isinstance(i.window, StoredValue) for i in read.values())
        keys.data_hash(*(i.window for i in read.values()))  # by the digests assumed
        assert again.hits == 3  # still unread
    again.save(prune=True)  # a frozen rebuild that drew nothing keeps the windows
    third = Store(tmp_path / "cache", "code")
    read = stages.frozen_issues(third, files)
    for week, issue in read.items():
        assert issue.window.value().equals(frozen[week].window)
        assert pickle.loads(pickle.dumps(issue.window)).equals(frozen[week].window)
    assert third.misses == 0
    name, data = "2026-W06.json", files["2026-W06"][1]
    window_key = keys.data_hash(third.key("snapshot", name, data), "window")
    (tmp_path / "cache" / "objects" / f"{window_key}.value").unlink()  # lost: parsed again
    lost = stages.frozen_issues(Store(tmp_path / "cache", "code"), files)["2026-W06"]
    assert isinstance(lost.window, StoredValue)
    assert lost.window.value().equals(frozen["2026-W06"].window)
