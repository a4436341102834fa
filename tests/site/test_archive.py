"""The archive: years with a jump list and a score strip each, breakout weeks and band
changes listed on their own, the latest year's table; each year's own page with its whole
table; crafted issues (pure, and rendered by the build's page code) and the built sample
site."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from generator.site.archive import (
    BAR_STEP,
    STRIP_HEIGHT,
    band_changes,
    breakout_weeks,
    compute_years,
)
from tests.site.test_feed import REPO, _issue
from tests.site.test_pages import parse, signals_rows


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


def _rows(html: str) -> list[str]:
    """The week slugs of the table rows of a page, in page order."""
    return re.findall(r'<tr id="w([^"]+)">', html)


def _year_links(html: str) -> dict[str, str]:
    """{year: link text} of each year section's link to its own page."""
    return dict(re.findall(r'<p class="year-link"><a href="\.\./issues/(\d{4})/">([^<]+)</a>',
                           html))


def test_archive_page_has_a_jump_list_years_and_lists(sample_site):
    html = sample_site.read("issues/index.html")
    rows = signals_rows(sample_site)
    years = sorted({r["week"][:4] for r in rows}, reverse=True)
    jump = re.search(r'<nav class="archive-jump".*?</nav>', html, flags=re.S).group(0)
    targets = re.findall(r'href="#([^"]+)"', jump)
    assert targets == ["breakouts", "band-changes", *[f"y{y}" for y in years]]
    for target in targets:
        assert f'id="{target}"' in html
    assert re.findall(r'<section id="y(\d{4})" class="archive-year"', html) == years
    assert html.count('<svg class="strip"') == len(years)
    # only the latest year's table: its weeks, newest first; each year links its own page
    latest = [r["week"].lower() for r in rows if r["week"].startswith(years[0])]
    assert _rows(html) == latest[::-1]
    assert list(_year_links(html)) == years


def test_every_year_has_a_page_with_exactly_its_weeks(sample_site):
    rows = signals_rows(sample_site)
    years = sorted({r["week"][:4] for r in rows})
    found = sorted(p.parent.name for p in (sample_site.site / "issues").glob("*/index.html")
                   if re.fullmatch(r"\d{4}", p.parent.name))
    assert found == years
    for year in years:
        html = sample_site.read(f"issues/{year}/index.html")
        weeks = [r["week"].lower() for r in rows if r["week"].startswith(year)]
        assert _rows(html) == weeks[::-1], year
        assert f"<title>{year} issues — " in html
        assert html.count("<h1") == 1 and html.count('<svg class="strip"') == 1


# --- crafted issues of three years, rendered by the build's page code ----------------------


@pytest.fixture(scope="module")
def crafted() -> dict[str, str]:
    """The site's pages (text) for ISSUES: 2024-W52, three weeks of 2025, 2026-W01."""
    from generator.config import load_config
    from generator.site.inputs import SiteInputs
    from generator.site.pages import build_site, page_jobs, render_jobs

    inputs = SiteInputs(config=load_config(REPO), issues=ISSUES, notes={}, pages={},
                        issue_charts={}, archive_chart=None, signals_csv="", source_label="t")
    files = build_site(inputs, render_jobs(page_jobs(inputs)))
    return {path: data.decode("utf-8") for path, data in files.items()
            if path.endswith((".html", ".xml"))}


YEAR_WEEKS = {"2026": ["2026-w01"], "2025": ["2025-w03", "2025-w02", "2025-w01"],
              "2024": ["2024-w52"]}


def test_crafted_archive_holds_only_the_latest_years_table(crafted):
    html = crafted["issues/index.html"]
    assert _rows(html) == ["2026-w01"]
    assert _year_links(html) == {"2026": "The one issue of 2026",
                                 "2025": "All 3 issues of 2025",
                                 "2024": "The one issue of 2024"}
    assert html.count('<svg class="strip"') == 3
    # the jump list's years are sections of this page
    for year in YEAR_WEEKS:
        assert f'<section id="y{year}" class="archive-year"' in html
    # the breakout and band-change lists link the issue pages themselves
    lists = re.search(r'<section id="breakouts".*?<section id="band-changes".*?</section>',
                      html, flags=re.S).group(0)
    assert re.findall(r'href="([^"]+)"', lists) == [
        "../evidence/", "../issues/2025-w02/", "../issues/2025-w03/", "../issues/2025-w01/"]


def test_crafted_year_pages_hold_exactly_their_weeks(crafted):
    years = sorted(p[len("issues/"):-len("/index.html")] for p in crafted
                   if re.fullmatch(r"issues/\d{4}/index\.html", p))
    assert years == ["2024", "2025", "2026"]
    for year, weeks in YEAR_WEEKS.items():
        html = crafted[f"issues/{year}/index.html"]
        assert _rows(html) == weeks, year
        for week in weeks:
            assert f'<th scope="row"><a href="../../issues/{week}/">' in html
        assert f"<title>{year} issues — Risk-On Monitor</title>" in html
        assert re.search(rf'<meta name="description" content="[^"]*in {year}, ', html)
        canonical = f"https://example.github.io/risk-on-monitor/issues/{year}/"
        assert f'<link rel="canonical" href="{canonical}">' in html
        page = parse(html)
        assert len(page.ids) == len(set(page.ids))
        assert re.findall(r"<h(\d)", html.split("<main", 1)[1]) == ["1"], year
        assert (f'<div class="table-wrap" role="region" tabindex="0" '
                f'aria-label="Weekly issues of {year}">') in html
        assert re.search(rf'<svg class="strip" [^>]*role="img" aria-label="Risk-on score in '
                         rf'{year}, [^"]+"><title>Risk-on score in {year}', html)
    assert "band change</span>" in crafted["issues/2025/index.html"]
    assert "^RUT breakout</span>" in crafted["issues/2025/index.html"]


def test_crafted_year_pages_link_the_years_before_and_after(crafted):
    def pager(year: str) -> tuple[str | None, str | None, bool]:
        nav = re.search(r'<nav class="pager" aria-label="Years">.*?</nav>',
                        crafted[f"issues/{year}/index.html"], flags=re.S).group(0)
        prev = re.search(r'rel="prev" href="\.\./\.\./issues/(\d{4})/"', nav)
        after = re.search(r'rel="next" href="\.\./\.\./issues/(\d{4})/"', nav)
        return (prev and prev[1], after and after[1], 'href="../../issues/">All issues' in nav)

    assert pager("2024") == (None, "2025", True)
    assert pager("2025") == ("2024", "2026", True)
    assert pager("2026") == ("2025", None, True)


def test_crafted_sitemap_lists_the_year_pages(crafted):
    locs = re.findall(r"<loc>([^<]+)</loc>", crafted["sitemap.xml"])
    base = "https://example.github.io/risk-on-monitor/"
    for year in YEAR_WEEKS:
        assert f"{base}issues/{year}/" in locs
    assert f"{base}issues/" in locs


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
