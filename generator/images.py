"""PNG images of an issue: the feed's score chart and the 1200×630 sharing card.

Pure builders (Altair charts) plus `render_*` functions returning PNG bytes through
vl-convert; caching and parallel rendering live in `imageset.py`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import altair as alt
import pandas as pd

from generator.charts import BANDS, CONFIG, FONT, LINE, _series, band_of, render_png, score_chart
from generator.render import fmt_score, fmt_signed

CARD_W, CARD_H = 1200, 630
CARD_WEEKS = 52
_BAND_INK = {  # the site's light-mode band colours (contrast ≥ 4.5 on white)
    "Strong risk-off": "#b3261e", "Risk-off": "#a34f00", "Neutral": "#5f656d",
    "Risk-on": "#2e7a3d", "Strong risk-on": "#1e6b34",
}


@dataclass(frozen=True)
class CardText:
    """What a card says: site title, the week line, score, band and change (all preformatted)."""

    site: str
    week: str
    score: str
    band: str
    change: str


def card_text(site: str, week: str, as_of: str, score: float, previous: float) -> CardText:
    """Card wording for one issue (`as_of` already formatted for people)."""
    ok = not math.isnan(score)
    change = ""
    if ok and not math.isnan(previous):
        change = f"{fmt_signed(score - previous)} points on the week".replace("-", "\u2212")
    return CardText(site, f"Week {week} · as of {as_of}", fmt_score(score),
                    band_of(score) if ok else "No score", change)


def card_chart(text: CardText, weeks: pd.DataFrame | None) -> alt.LayerChart:
    """The 1200×630 card: text on the left, the last year of the score on the right."""
    ink = _BAND_INK.get(text.band, "#1d232b")
    rows = [
        (60, 80, text.site, 34, 700, "#1d232b"),
        (60, 130, text.week, 26, 400, "#5b6570"),
        (60, 200, "Risk-on score", 28, 600, "#5b6570"),
        (60, 370, text.score, 170, 800, ink),
        (60, 450, text.band, 52, 700, ink),
        (60, 510, text.change, 28, 400, "#1d232b"),
        (60, 585, "Small caps · crypto · credit · volatility, weekly", 22, 400, "#5b6570"),
    ]
    layers: list = [
        alt.Chart(pd.DataFrame({"t": [t]})).mark_text(
            align="left", baseline="alphabetic", font=FONT, fontSize=size, fontWeight=weight,
            color=color,
        ).encode(x=alt.value(x), y=alt.value(y), text="t:N")
        for x, y, t, size, weight, color in rows if t
    ]
    if weeks is not None:
        s = _series(weeks, "score").tail(CARD_WEEKS).dropna()
        if len(s) >= 2:
            layers += _card_line(s)
    return alt.layer(*layers).properties(
        width=CARD_W, height=CARD_H,
        config={**CONFIG, "autosize": {"type": "none"}, "padding": 0, "background": "white"},
    )


def _card_line(s: pd.Series) -> list:
    data = pd.DataFrame({"i": range(len(s)), "score": s.round(1).to_numpy()})
    x = alt.X("i:Q", scale=alt.Scale(domain=[0, len(s) - 1], range=[640, 1140]), axis=None)
    yscale = alt.Scale(domain=[0, 100], range=[520, 200])
    y = alt.Y("score:Q", scale=yscale, axis=None)
    bands = pd.DataFrame([{"lo": lo, "hi": hi, "c": _BAND_INK[name]} for lo, hi, name in BANDS])
    return [
        alt.Chart(bands).mark_rect(opacity=0.1).encode(
            x=alt.value(640), x2=alt.value(1140), y=alt.Y("lo:Q", scale=yscale, axis=None),
            y2="hi:Q", color=alt.Color("c:N", scale=None)),
        alt.Chart(data).mark_line(color=LINE, strokeWidth=5).encode(x=x, y=y),
        alt.Chart(data.tail(1)).mark_point(filled=True, size=320, color=LINE, opacity=1)
        .encode(x=x, y=y),
        alt.Chart(pd.DataFrame({"t": ["Score, last 52 weeks"]})).mark_text(
            align="left", fontSize=22, color="#5b6570", font=FONT,
        ).encode(x=alt.value(640), y=alt.value(560), text="t:N"),
    ]


def render_card_png(text: CardText, weeks: pd.DataFrame | None) -> bytes:
    """The sharing card as a 1200×630 PNG."""
    return render_png(card_chart(text, weeks), scale=1.0)


def render_score_png(weeks: pd.DataFrame) -> bytes:
    """The issue's score chart as a PNG on white (for feed readers)."""
    return render_png(score_chart(weeks), scale=1.5)


def render_site_card_png(title: str, description: str) -> bytes:
    """The site's card: its title and description, wrapped, on white."""
    words, lines, line = description.split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > 44 and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    layers = [
        alt.Chart(pd.DataFrame({"t": [t]})).mark_text(
            align="left", baseline="alphabetic", font=FONT, fontSize=size, fontWeight=weight,
            color=color,
        ).encode(x=alt.value(80), y=alt.value(y), text="t:N")
        for y, t, size, weight, color in [
            (200, title, 72, 800, "#1d232b"),
            *((290 + 60 * i, t, 40, 400, "#5b6570") for i, t in enumerate(lines[:4])),
        ]
    ]
    rule = alt.Chart(pd.DataFrame({"x": [80]})).mark_rule(color=LINE, strokeWidth=8).encode(
        x=alt.value(80), x2=alt.value(380), y=alt.value(540))
    chart = alt.layer(*layers, rule).properties(
        width=CARD_W, height=CARD_H,
        config={**CONFIG, "autosize": {"type": "none"}, "padding": 0, "background": "white"},
    )
    return render_png(chart, scale=1.0)
