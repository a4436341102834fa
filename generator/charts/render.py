"""Every chart and image the site shows, as a render job and its bytes.

A `RenderJob` names what to draw (`kind`) and carries exactly the inputs it is drawn from
(`args`: frames, words, numbers), so the cache wing can key it by its inputs and ship it to
a worker process. `render(job, layouts)` returns its bytes: a JSON list of `Chart`s
(`"issue"`, `"archive"`, `"evidence"`) or a PNG (`"card"`, `"score"`, `"site"`). Pure: the
same job gives the same bytes (vl-convert's output is deterministic; SVG layout is measured
with the fonts of `charts/fonts/` on every machine; PNG text is drawn in Liberation Sans,
the system's copy when it has one, else vl-convert's).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass

import pandas as pd

from generator.charts import vega
from generator.charts.data import CHART_DATA, ISSUE_CHARTS, Chart, prepare

# Estimated seconds of work per job on this kind of machine: the render-pool policy's input.
COST = {"issue": 0.45, "archive": 0.18, "evidence": 0.18, "track": 0.1, "card": 0.45,
        "score": 0.35, "site": 0.3}
SUFFIX = {"issue": ".json", "archive": ".json", "evidence": ".json", "track": ".json",
          "card": ".png", "score": ".png", "site": ".png"}


@dataclass(frozen=True)
class RenderJob:
    """What to draw and everything it is drawn from."""

    kind: str
    args: tuple

    @property
    def suffix(self) -> str:
        return SUFFIX[self.kind]

    @property
    def cost(self) -> float:
        return COST[self.kind]


def issue_charts(window: pd.DataFrame) -> RenderJob:
    """An issue's five charts (`ISSUE_CHARTS`) of its chart window."""
    return RenderJob("issue", (window,))


def archive_chart(rows: pd.DataFrame, title: str) -> RenderJob:
    """The archive's score chart over every week shown."""
    return RenderJob("archive", (rows[["score"]], title))


def evidence_chart(rows: pd.DataFrame, asset: str) -> RenderJob:
    """The evidence page's chart of one asset (its rows of the forward-return table)."""
    return RenderJob("evidence", (rows.reset_index(drop=True), asset))


def track_chart(summary: pd.DataFrame) -> RenderJob:
    """The evidence page's track-record chart (the track record's summary rows)."""
    return RenderJob("track", (summary.reset_index(drop=True),))


def card(site: str, week: str, as_of: dt.date, score: float, previous: float,
         window: pd.DataFrame) -> RenderJob:
    """An issue's 1200×630 sharing card (it draws the `score` column of `window`)."""
    return RenderJob("card", (site, week, as_of, float(score), float(previous), window))


def score_png(window: pd.DataFrame) -> RenderJob:
    """An issue's score chart as a PNG on white, for feed readers (the `score` column)."""
    return RenderJob("score", (window,))


def site_card(title: str, description: str) -> RenderJob:
    """The site's own card (pages that are not an issue)."""
    return RenderJob("site", (title, description))


def render(job: RenderJob, layouts: vega.Layouts = vega.in_memory) -> bytes:
    """The bytes of `job` (JSON list of charts, or PNG)."""
    if job.kind == "issue":
        (window,) = job.args
        return dump_charts([render_chart(name, window, layouts=layouts)
                            for name in ISSUE_CHARTS])
    if job.kind == "archive":
        rows, title = job.args
        return dump_charts([render_chart("score", rows, title=title, layouts=layouts)])
    if job.kind == "evidence":
        rows, asset = job.args
        return dump_charts([render_evidence(rows, asset, layouts)])
    if job.kind == "track":
        (summary,) = job.args
        return dump_charts([render_track(summary, layouts)])
    from generator.charts import cards

    if job.kind == "card":
        site, week, as_of, score, previous, window = job.args
        parts = cards.card_parts(cards.card_text(site, week, as_of, score, previous), window)
        return vega.vega_to_png(vega.vega_spec(parts, live=False, kind="card",
                                               layouts=layouts), scale=1.0)
    if job.kind == "score":
        (window,) = job.args
        # The phone layout (340 px, drawn at 2x): a feed reader shows it at a phone's width
        # with its text at full size, and scales it up crisply enough on a wider screen.
        return vega.vega_to_png(vega.vega_spec(prepare("score", window), live=False,
                                               layouts=layouts, narrow=True), scale=2.0)
    if job.kind == "site":
        parts = cards.site_card_parts(*job.args)
        return vega.vega_to_png(vega.vega_spec(parts, live=False, kind="site",
                                               layouts=layouts), scale=1.0)
    raise ValueError(f"unknown render job {job.kind!r}")


def render_chart(name: str, window: pd.DataFrame, *, title: str | None = None,
                 layouts: vega.Layouts = vega.in_memory) -> Chart:
    """Chart `name` of the weekly rows `window`: static SVG and live Vega, wide and narrow."""
    parts = prepare(name, window, title)
    description = CHART_DATA[name].describe(window)
    prefix = f"c-{name.replace('_', '-')}"
    svg, narrow_svg = (
        vega.static_svg(vega.vega_spec(parts, live=False, layouts=layouts, narrow=narrow),
                        prefix=prefix + ("-n" if narrow else ""), description=description)
        for narrow in (False, True))
    live, narrow_live = (
        vega.vega_json(vega.vega_spec(parts, live=True, layouts=layouts, narrow=narrow))
        for narrow in (False, True))
    return Chart(name, parts.texts["title"], description, svg, live, narrow_svg, narrow_live)


def render_evidence(rows: pd.DataFrame, asset: str,
                    layouts: vega.Layouts = vega.in_memory) -> Chart:
    """The evidence chart of one asset (static only), wide and narrow."""
    from generator.charts import evidence

    event = "any" if "episode_start" in rows else "rut"  # episodes when the rows mark them
    parts = evidence.forward_return_parts(rows, asset, event)
    description = evidence.describe_forward_returns(rows, asset, event)
    name = f"evidence-{asset.lower().replace('-usd', '')}"
    svg, narrow_svg = (
        vega.static_svg(vega.vega_spec(parts, live=False, kind="evidence", layouts=layouts,
                                       narrow=narrow),
                        prefix=f"c-{name}" + ("-n" if narrow else ""), description=description)
        for narrow in (False, True))
    return Chart(name, parts.texts["title"], description, svg, narrow_svg=narrow_svg)


def render_track(summary: pd.DataFrame, layouts: vega.Layouts = vega.in_memory) -> Chart:
    """The track-record chart (static only), wide and narrow."""
    from generator.charts import evidence

    parts = evidence.track_parts(summary)
    description = evidence.describe_track(summary)
    svg, narrow_svg = (
        vega.static_svg(vega.vega_spec(parts, live=False, kind="evidence", layouts=layouts,
                                       narrow=narrow),
                        prefix="c-track-record" + ("-n" if narrow else ""),
                        description=description)
        for narrow in (False, True))
    return Chart("track-record", parts.texts["title"], description, svg, narrow_svg=narrow_svg)


def dump_charts(charts: list[Chart]) -> bytes:
    """Charts as JSON bytes (what the cache stores)."""
    doc = [dataclasses.asdict(c) for c in charts]
    return json.dumps(doc, sort_keys=True, ensure_ascii=False).encode("utf-8")


def load_charts(data: bytes) -> list[Chart]:
    """The charts `dump_charts` wrote."""
    return [Chart(**c) for c in json.loads(data.decode("utf-8"))]
