"""The archive's parts (pure): issues by year with a score strip each, the breakout weeks
and the band changes as lists of their own.

The archive page (`issues/`) shows every year's heading, counts and strip with a link to
the year's own page (`issues/YYYY/`, which holds its full table); only the latest year's
table is on the archive page too. `issues/YYYY/` never collides with an issue's folder
(`issues/YYYY-wNN/`).

A strip is one bar per issue of the year, placed by ISO week number and as tall as the
score, in its band's colour (CSS classes; the numbers are in each bar's title and in the
strip's label). The geometry is computed here so the template only draws it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from generator.format import band_class, fmt_score, missing, plural
from generator.signals.issues import Issue

STRIP_WEEKS = 53  # the most ISO weeks a year can have
BAR_STEP = 6  # px per week in the strip's own units (it scales to its box)
BAR_WIDTH = 5
STRIP_HEIGHT = 40


@dataclass(frozen=True)
class Bar:
    """One week in a year's strip."""

    x: int
    y: float
    height: float
    css_class: str
    label: str  # "2026-W08: 68.0, Risk-on"


@dataclass(frozen=True)
class Year:
    """One year of the archive: its issues (newest first), strip and summary."""

    year: int
    anchor: str  # "y2026"
    issues: list[Issue]
    bars: list[Bar]
    label: str  # what the strip shows, in words
    breakouts: int
    band_changes: int

    @property
    def path(self) -> str:
        """The year's own page: `issues/2026/`."""
        return f"issues/{self.year}/"

    @property
    def bar_width(self) -> int:
        return BAR_WIDTH

    @property
    def width(self) -> int:
        return STRIP_WEEKS * BAR_STEP

    @property
    def height(self) -> int:
        return STRIP_HEIGHT


def is_breakout(issue: Issue) -> bool:
    """The week holds a ^RUT or an IWM breakout (SPEC §5)."""
    return bool(issue.values.get("rut_breakout_week") or issue.values.get("iwm_breakout_week"))


def is_band_change(issue: Issue) -> bool:
    """The band differs from the previous week's (both weeks scored)."""
    return bool(issue.previous is not None and issue.band and issue.previous_band
                and issue.band != issue.previous_band)


def compute_years(issues: Sequence[Issue]) -> list[Year]:
    """The archive's years, newest first, each with its issues newest first."""
    by_year: dict[int, list[Issue]] = {}
    for issue in issues:
        by_year.setdefault(int(issue.week[:4]), []).append(issue)
    return [_year(year, sorted(group, key=lambda i: i.week))
            for year, group in sorted(by_year.items(), reverse=True)]


def _year(year: int, issues: list[Issue]) -> Year:
    bars = []
    for issue in issues:
        if missing(issue.score):
            continue
        week = int(issue.week[-2:])
        height = round(max(issue.score, 1.0) / 100 * STRIP_HEIGHT, 2)
        bars.append(Bar((week - 1) * BAR_STEP, round(STRIP_HEIGHT - height, 2), height,
                        band_class(issue.band),
                        f"{issue.week}: {fmt_score(issue.score)}, {issue.band or 'n/a'}"))
    return Year(year, f"y{year}", list(reversed(issues)), bars, _strip_label(year, issues),
                sum(map(is_breakout, issues)), sum(map(is_band_change, issues)))


def _strip_label(year: int, issues: list[Issue]) -> str:
    """`Risk-on score in 2026, 44 weeks: from 31.2 to 78.2; latest 78.2 (Strong risk-on).`"""
    scored = [i for i in issues if not missing(i.score)]
    weeks = plural(len(issues), "week")
    if not scored:
        return f"Risk-on score in {year}, {weeks}: no week scored."
    low = min(scored, key=lambda i: i.score)
    high = max(scored, key=lambda i: i.score)
    last = scored[-1]
    return (f"Risk-on score in {year}, {weeks}: from {fmt_score(low.score)} ({low.week}) "
            f"to {fmt_score(high.score)} ({high.week}); latest {fmt_score(last.score)} "
            f"({last.band or 'n/a'}, {last.week}).")


def breakout_weeks(issues: Sequence[Issue]) -> list[Issue]:
    """Every breakout week, newest first."""
    return [i for i in reversed(issues) if is_breakout(i)]


def band_changes(issues: Sequence[Issue]) -> list[Issue]:
    """Every week whose band changed from the week before, newest first."""
    return [i for i in reversed(issues) if is_band_change(i)]
