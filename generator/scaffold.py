"""`riskon new`: the skeleton of an editor's file for a week (pure text + one file write)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from generator.errors import ContentError, UserError
from generator.format import fmt_below_record, fmt_change, fmt_date, fmt_score
from generator.signals.issues import Issue

WEEK = re.compile(r"^(\d{4})-W(\d\d)$")


def pick_week(issues: Sequence[Issue], week: str | None) -> Issue:
    """The issue to write about: `week`, or the latest complete one."""
    if week is not None:
        if not WEEK.match(week):
            raise UserError(f"--week {week!r}: use the ISO form YYYY-Www, e.g. 2026-W08")
        for issue in issues:
            if issue.week == week:
                return issue
        raise UserError(f"--week {week}: there is no issue for that week in the data")
    complete = [i for i in issues if not i.provisional]
    if not complete:
        raise UserError("no complete week in the data yet")
    return complete[-1]


def starting_points(issue: Issue, sentences: Sequence[str] = ()) -> list[str]:
    """Facts for the editor, from the issue's own numbers."""
    v = issue.values
    lines = list(sentences)
    if not lines:
        lines.append(f"Risk-on score {fmt_score(issue.score)} ({issue.band or 'n/a'})"
                     + (f", {fmt_change(issue.score, issue.previous_score)} points on the week."
                        if issue.previous else "."))
        lines.append(f"Russell 2000 {v['rut_close']:,.2f}, {fmt_below_record(v['rut_drawdown'])} "
                     f"of {v['rut_record_level']:,.2f}"
                     + ("; a breakout week." if v["rut_breakout_week"] else "."))
    for c in issue.components:
        lines.append(f"{c.label}: score {fmt_score(c.score)}")
    for s in issue.stale:
        last = fmt_date(s.last_date) if s.last_date else "never"
        lines.append(f"Stale input: {s.ticker} (last price {last})")
    return lines


def render_scaffold(issue: Issue, sentences: Sequence[str] = ()) -> str:
    """Markdown with front matter and the generated facts in an HTML comment (never shown)."""
    points = starting_points(issue, sentences)
    facts = "\n".join(f"  - {line}".replace("--", "–") for line in points)
    return (
        "---\n"
        'title: ""\n'
        'author: ""\n'
        'summary: ""\n'
        "tags: []\n"
        "draft: true\n"
        "---\n"
        "<!--\n"
        f"  Week {issue.week}, as of {fmt_date(issue.as_of)}. Generated starting points\n"
        "  (the page shows the numbers itself; this comment is never published):\n"
        f"{facts}\n"
        "  Set draft: false when the commentary is ready.\n"
        "-->\n"
        "\n"
        "Write the commentary here.\n"
    )


def write_scaffold(content_dir: Path, issue: Issue, text: str) -> Path:
    """Create `content/issues/<week>.md`; never overwrites an existing file."""
    path = content_dir / "issues" / f"{issue.week}.md"
    if path.exists():
        raise ContentError(f"{path}: already exists for week {issue.week} (as of "
                           f"{fmt_date(issue.as_of)}); edit it instead, or pick another week "
                           "with --week YYYY-Www")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return path
