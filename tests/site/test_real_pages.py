"""Every issue page of the real data says what its numbers say: shown values and shown
changes add up, like-for-like changes where the set of components changed, coverage named.

The pages are rendered by the build's own page code from the real market files (issues
frozen and read back as a snapshot, as a build does; charts left out). The files live
outside the repo, in `../shared/data/market`; without them these tests skip.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest

from tests.signals.test_reference_real_data import MARKET_DIR, REPO_ROOT, load_market

pytestmark = pytest.mark.skipif(
    not MARKET_DIR.is_dir(), reason=f"real market data not present at {MARKET_DIR}"
)

NUM = r"(?:[+\u2212]?\d[\d,]*\.\d)"


def _dec(text: str) -> Decimal:
    return Decimal(text.replace(",", "").replace("\u2212", "-").replace("+", ""))


@pytest.fixture(scope="module")
def real():
    """(issues by week, prices, {week: page text}) of the real data."""
    from generator.config import load_config
    from generator.pipeline import reread
    from generator.signals.core import archive_weeks
    from generator.signals.weekly import compute_weekly, enriched_issues
    from generator.site.inputs import SiteInputs
    from generator.site.pages import issue_jobs, render_jobs
    from generator.store.snapshots import snapshot_of

    config = load_config(REPO_ROOT)
    prices = load_market(MARKET_DIR)
    weekly = compute_weekly(prices, config)
    issues = enriched_issues(archive_weeks(weekly.weeks, config), weekly, config, prices)
    issues = [reread(snapshot_of(i, config.weights, backfilled=True)) for i in issues]
    inputs = SiteInputs(config=config, issues=issues, notes={}, pages={}, issue_charts={},
                        archive_chart=None, signals_csv="", source_label="real data")
    files = render_jobs(issue_jobs(inputs))
    pages = {}
    for issue in issues:
        raw = files[f"{issue.path}index.html"].decode("utf-8")
        pages[issue.week] = (raw, _text(raw))
    return {i.week: i for i in issues}, prices, pages


def _text(raw: str) -> str:
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", raw))).strip()


def test_every_page_shows_a_score_and_a_change_that_add_up(real):
    issues, _, pages = real
    checked = 0
    for week, (raw, text) in pages.items():
        box = re.search(r'score-value">(' + NUM + r")<", raw)
        change = re.search(r"Change since last week</dt><dd>(" + NUM + r"|0\.0) points \(from ("
                           + NUM + r")", raw)
        if box is None or change is None:
            assert issues[week].previous is None or issues[week].score != issues[week].score
            continue
        assert _dec(box[1]) == _dec(change[2]) + _dec(change[1]), week
        said = re.search(r"The risk-on score is (" + NUM + r") of 100 .*?, (up|down) (" + NUM
                         + r") points? from (" + NUM + r") last week", text)
        if said is not None:
            sign = 1 if said[2] == "up" else -1
            assert _dec(said[1]) == _dec(said[4]) + sign * _dec(said[3]), week
        for a, b, way, c in re.findall(r"it went from (" + NUM + r") to (" + NUM + r"), (up|down) ("
                                       + NUM + r") points?", text):
            assert _dec(b) == _dec(a) + (1 if way == "up" else -1) * _dec(c), week
        for c, a, b in re.findall(r"(" + NUM + r") points \(from (" + NUM + r") to (" + NUM
                                  + r")\)", text):
            assert _dec(b) == _dec(a) + _dec(c), week
        checked += 1
    assert checked >= len(pages) - 1


def test_changes_of_a_changed_set_of_components_are_like_for_like(real):
    _, _, pages = real
    w05 = pages["2026-W05"][1]
    assert "up 0.7 points from 68.2 last week, but that change is not like for like" in w05
    assert "Bitcoin trend was scored last week and not this week" in w05
    assert "On the 5 components scored in both weeks it went from 77.6 to 68.9, down 8.7" in w05
    w06 = pages["2019-W06"][1]
    assert "Altcoin season was scored this week and not last week" in w06
    assert "down 2.7 points" in w06
    assert ("The band changed from Strong risk-off to Risk-off only because the set of "
            "components changed") in w06


def test_coverage_is_named(real):
    issues, prices, pages = real
    assert ("9 of the 13 alts have prices on 19 September 2025 and 90 days earlier, and all 9 "
            "beat Bitcoin") in pages["2025-W38"][1]
    configured = _configured()
    days = {t: set(prices[t]["close"].dropna().index.date) if t in prices else set()
            for t in configured}
    for week, (_, text) in pages.items():
        as_of = issues[week].as_of
        missing = [t for t in configured if as_of not in days[t]]
        # "every ... has a price" exactly when every configured series has a bar that day
        assert ("configured price series has a price" in text) == (not missing), week
        assert "Every input" not in text, week
        for ticker in missing:  # the list names every series without a price
            assert ticker in text.split("What changed")[1].split("At a glance")[0], (week,
                                                                                     ticker)
        assert not re.search(r"(?<![\d,])1 trading days", text), week
        assert "Below record" not in text, week
    after_alts_stop = [w for w in pages if w >= "2025-W40"]
    assert after_alts_stop and not any("has a price on" in pages[w][1] for w in after_alts_stop)


def _configured() -> list[str]:
    from generator.config import load_config
    from generator.signals.coverage import configured_inputs

    return [t for t, _ in configured_inputs(load_config(REPO_ROOT))]


def test_no_signed_zero_and_no_double_negative(real):
    _, _, pages = real
    for week, (_, text) in pages.items():
        assert "+0.0%" not in text and "\u22120.0%" not in text, week
        assert "\u2212" not in text.split("Distance from record")[1].split("Record this")[0]
