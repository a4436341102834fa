"""The archive: years with a jump list and a score strip each, breakout weeks and band
changes listed on their own; crafted issues (pure) and the built sample site."""

from __future__ import annotations

import datetime as dt
import re

from generator.site.archive import (
    BAR_STEP,
    STRIP_HEIGHT,
    band_changes,
    breakout_weeks,
    compute_years,
)
from tests.site.test_feed import _issue
from tests.site.test_pages import signals_rows


def _week(week: str, score: float, band: str, previous: tuple[float, str] | None = None,
          breakout: bool = False):
    issue = _issue(week, dt.date.fromisocalendar(int(week[:4]), int(week[-2:]), 5), score,
                   band, breakout=breakout)
    if previous is None:
        return issue
    from dataclasses import replace

    return replace(issue, previous=dict(issue.values, score=previous[0], band=previous[1]))


ISSUES = [
    _week("2024-W52", 40.0, "Risk-off"),
    _week("2025-W01", 50.0, "Neutral", (40.0, "Risk-off")),
    _week("2025-W02", 54.9, "Neutral", (50.0, "Neutral"), breakout=True),
    _week("2025-W03", 75.0, "Strong risk-on", (54.9, "Neutral")),
    _week("2026-W01", float("nan"), "", (75.0, "Strong risk-on")),
]


def test_years_newest_first_with_their_issues_newest_first():
    years = compute_years(ISSUES)
    assert [y.year for y in years] == [2026, 2025, 2024]
    assert [i.week for i in years[1].issues] == ["2025-W03", "2025-W02", "2025-W01"]
    assert [y.anchor for y in years] == ["y2026", "y2025", "y2024"]
    assert (years[1].breakouts, years[1].band_changes) == (1, 2)


def test_strip_bars_sit_at_their_week_and_are_as_tall_as_the_score():
    year = compute_years(ISSUES)[1]
    assert [b.x for b in year.bars] == [0, BAR_STEP, 2 * BAR_STEP]
    assert [b.height for b in year.bars] == [20.0, round(54.9 / 100 * STRIP_HEIGHT, 2), 30.0]
    assert all(b.y + b.height == STRIP_HEIGHT for b in year.bars)
    assert [b.css_class for b in year.bars] == ["band-neutral", "band-neutral",
                                                "band-strong-risk-on"]
    assert year.bars[2].label == "2025-W03: 75.0, Strong risk-on"
    assert year.label == ("Risk-on score in 2025, 3 weeks: from 50.0 (2025-W01) to 75.0 "
                          "(2025-W03); latest 75.0 (Strong risk-on, 2025-W03).")


def test_a_year_without_a_scored_week_says_so_and_draws_no_bar():
    year = compute_years(ISSUES)[0]
    assert year.bars == []
    assert year.label == "Risk-on score in 2026, 1 week: no week scored."


def test_breakouts_and_band_changes_newest_first():
    assert [i.week for i in breakout_weeks(ISSUES)] == ["2025-W02"]
    # 2026-W01 has no score (no band): not a change; the first week has no previous week.
    assert [i.week for i in band_changes(ISSUES)] == ["2025-W03", "2025-W01"]


# --- the built sample site ----------------------------------------------------------------


def test_archive_page_has_a_jump_list_years_and_lists(sample_site):
    html = sample_site.read("issues/index.html")
    rows = signals_rows(sample_site)
    years = sorted({r["week"][:4] for r in rows}, reverse=True)
    jump = re.search(r'<nav class="archive-jump".*?</nav>', html, flags=re.S).group(0)
    targets = re.findall(r'href="#([^"]+)"', jump)
    assert targets == ["breakouts", "band-changes", *[f"y{y}" for y in years]]
    for target in targets:
        assert f'id="{target}"' in html
    opened = re.findall(r'<section id="(y\d{4})"[^>]*>\s*<details( open)?>', html)
    assert opened == [(f"y{y}", " open" if n == 0 else "") for n, y in enumerate(years)]
    assert html.count('<svg class="strip"') == len(years)
    assert html.count("<tr id=\"w") == len(rows)


def test_breakout_and_band_change_lists_match_the_data(sample_site):
    html = sample_site.read("issues/index.html")
    rows = signals_rows(sample_site)
    breakouts = [r["week"] for r in rows
                 if "true" in (r["rut_breakout_week"], r["iwm_breakout_week"])]
    changes = [b["week"] for a, b in zip(rows, rows[1:], strict=False)
               if a["band"] and b["band"] and a["band"] != b["band"]]
    section = re.search(r'<section id="breakouts".*?</section>', html, flags=re.S).group(0)
    assert re.findall(r">(\d{4}-W\d\d)</a>", section) == breakouts[::-1]
    section = re.search(r'<section id="band-changes".*?</section>', html, flags=re.S).group(0)
    found = re.findall(r">(\d{4}-W\d\d)</a>", section)
    # The first week shown compares with a week before the range (not in the CSV).
    assert [w for w in found if w != rows[0]["week"]] == changes[::-1]
