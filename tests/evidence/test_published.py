"""The track record uses each week's score as its issue published it (point in time)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from generator.pipeline import _published
from generator.signals.issues import Issue


def test_a_frozen_issue_s_score_and_band_replace_the_computed_ones():
    archive = pd.DataFrame({"week": ["2024-W01", "2024-W02"], "score": [40.0, 60.0],
                            "band": ["Risk-off", "Risk-on"]},
                           index=pd.to_datetime(["2024-01-05", "2024-01-12"]))
    frozen = Issue(week="2024-W01", as_of=dt.date(2024, 1, 5),
                   values={"score": 56.0, "band": "Risk-on"}, previous=None, components=(),
                   provisional=False, frozen=True)
    computed = Issue(week="2024-W02", as_of=dt.date(2024, 1, 12),
                     values={"score": 99.0, "band": "Strong risk-on"}, previous=None,
                     components=(), provisional=False, frozen=False)
    published = _published(archive, {frozen.week: (frozen.score, frozen.band)})
    assert list(published["score"]) == [56.0, 60.0]  # frozen as published; else computed
    assert list(published["band"]) == ["Risk-on", "Risk-on"]
    assert computed.score != 60.0  # the computed week's number comes from the archive
    assert list(archive["score"]) == [40.0, 60.0]  # the archive itself is left alone


def test_a_snapshot_not_shown_in_this_build_still_gives_its_published_score():
    archive = pd.DataFrame({"week": ["2024-W01", "2024-W02"], "score": [40.0, 60.0],
                            "band": ["Risk-off", "Risk-on"]},
                           index=pd.to_datetime(["2024-01-05", "2024-01-12"]))
    snap = Issue(week="2024-W01", as_of=dt.date(2024, 1, 5),
                 values={"score": 52.0, "band": "Neutral"}, previous=None, components=(),
                 provisional=False, frozen=True)
    published = _published(archive, {"2024-W01": (snap.score, snap.band)})
    assert list(published["score"]) == [52.0, 60.0]
    assert list(published["band"]) == ["Neutral", "Risk-on"]
