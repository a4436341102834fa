"""Frozen issues read back from their snapshots, through the parsed-snapshot cache or not."""

from __future__ import annotations

import pytest

from generator.errors import DataError
from generator.signals.issues import DIGEST_ATTR
from generator.store.snapshots import issue_from_snapshot, load_frozen, render_snapshot
from tests.test_charts import make_weeks

PARSED = "snapshots.pickle"  # the memo file of load_frozen in the cache folder


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
            and list(a.window.columns) == list(b.window.columns)
            and a.window.attrs[DIGEST_ATTR][0] == b.window.attrs[DIGEST_ATTR][0])


def test_cached_issues_equal_the_parsed_ones(issues_dir, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    plain = load_frozen(issues_dir)
    first = load_frozen(issues_dir, cache)  # parses, then stores
    assert (cache / PARSED).is_file()
    again = load_frozen(issues_dir, cache)  # from the cache
    assert list(plain) == list(again) == ["2026-W05", "2026-W06", "2026-W07"]
    for week in plain:
        assert same(plain[week], first[week]) and same(plain[week], again[week])
        window = again[week].window
        assert window.attrs[DIGEST_ATTR][1] == id(window)  # tied to the object it describes
    import json
    doc = json.loads((issues_dir / "2026-W06.json").read_text())
    assert same(issue_from_snapshot(doc), again["2026-W06"])


def test_a_changed_snapshot_is_parsed_again(issues_dir, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    load_frozen(issues_dir, cache)
    (issues_dir / "2026-W06.json").write_bytes(
        render_snapshot(snapshot("2026-W06", "2026-02-06", 12.5)))
    (issues_dir / "2026-W05.json").unlink()
    got = load_frozen(issues_dir, cache)
    assert list(got) == ["2026-W06", "2026-W07"] and got["2026-W06"].score == 12.5
    assert load_frozen(issues_dir, cache)["2026-W06"].score == 12.5


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05garbage"])
def test_a_damaged_cache_is_ignored(issues_dir, tmp_path, damage):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / PARSED).write_bytes(damage)
    assert load_frozen(issues_dir, cache)["2026-W07"].score == 61.25
    assert load_frozen(issues_dir, cache)["2026-W07"].score == 61.25


def test_a_bad_snapshot_is_named_even_with_a_cache(issues_dir, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    load_frozen(issues_dir, cache)
    (issues_dir / "2026-W07.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="2026-W07.json"):
        load_frozen(issues_dir, cache)
    (issues_dir / "2026-W07.json").unlink()
    (issues_dir / "notes.json").write_text("{}", encoding="utf-8")
    with pytest.raises(DataError, match="notes.json: not a snapshot name"):
        load_frozen(issues_dir, cache)
