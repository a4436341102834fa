"""The track record uses each week's score as its issue published it (point in time)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd

from generator.pipeline import _published
from generator.signals.issues import Issue


def test_a_frozen_issue_s_score_and_band_replace_the_computed_ones(tmp_path):
    archive = pd.DataFrame({"week": ["2024-W01", "2024-W02"], "score": [40.0, 60.0],
                            "band": ["Risk-off", "Risk-on"]},
                           index=pd.to_datetime(["2024-01-05", "2024-01-12"]))
    frozen = Issue(week="2024-W01", as_of=dt.date(2024, 1, 5),
                   values={"score": 56.0, "band": "Risk-on"}, previous=None, components=(),
                   provisional=False, frozen=True)
    computed = Issue(week="2024-W02", as_of=dt.date(2024, 1, 12),
                     values={"score": 99.0, "band": "Strong risk-on"}, previous=None,
                     components=(), provisional=False, frozen=False)
    loaded = SimpleNamespace(sample=True)  # no snapshot folder is read
    config = SimpleNamespace(issues_dir=tmp_path / "issues")
    published = _published(archive, [frozen, computed], loaded, None, config)
    assert list(published["score"]) == [56.0, 60.0]  # frozen as published; else computed
    assert list(published["band"]) == ["Risk-on", "Risk-on"]
    assert list(archive["score"]) == [40.0, 60.0]  # the archive itself is left alone
