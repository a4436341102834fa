"""The 1200×630 sharing cards: an issue's (score, band, change, its last year of scores)
and the site's own (title and description).

Parts (words, rows, shape) are pandas only; the layouts (Altair, imported when called) are
compiled once per shape by `vega.py`; `render.py` turns them into PNG bytes.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from generator.charts.data import CONFIG, FONT, LINE, Parts
from generator.charts.data import series as _series
from generator.format import BANDS, band_of, fmt_change, fmt_date, fmt_score

if TYPE_CHECKING:
    import altair as alt

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


def card_text(site: str, week: str, as_of: dt.date, score: float, previous: float
              ) -> CardText:
    """Card wording for one issue."""
    ok = not math.isnan(score)
    change = ""
    if ok and not math.isnan(previous):
        change = f"{fmt_change(score, previous)} points on the week"
    return CardText(site, f"Week {week} · as of {fmt_date(as_of)}", fmt_score(score),
                    band_of(score) if ok else "No score", change)


CARD_LINES = (  # x, y, text key, font size, weight, colour ("ink": the band's)
    (60, 80, "site", 34, 700, "#1d232b"),
    (60, 130, "week", 26, 400, "#5b6570"),
    (60, 200, "heading", 28, 600, "#5b6570"),
    (60, 370, "score", 170, 800, "ink"),
    (60, 450, "band", 52, 700, "ink"),
    (60, 510, "change", 28, 400, "#1d232b"),
    (60, 585, "footer", 22, 400, "#5b6570"),
)


def card_parts(text: CardText, weeks: pd.DataFrame | None) -> Parts:
    """The card's words, its last year of scores and its shape (which lines it has)."""
    texts = {
        "site": text.site, "week": text.week, "heading": "Risk-on score", "score": text.score,
        "band": text.band, "change": text.change,
        "footer": "Small caps · crypto · credit · volatility, weekly",
        "ink": _BAND_INK.get(text.band, "#1d232b"),
    }
    lines = tuple(key for _, _, key, *_ in CARD_LINES if texts[key])
    s = _series(weeks, "score").tail(CARD_WEEKS).dropna() if weeks is not None else None
    data: dict[str, list] = {}
    n = 0
    if s is not None and len(s) >= 2:
        n = len(s)
        data["line"] = [{"i": i, "score": round(float(v), 1)} for i, v in enumerate(s)]
        data["last"] = data["line"][-1:]
    return Parts(("card", lines, n), {k: texts[k] for k in (*lines, "ink")}, data)


def card_layout(shape: tuple, texts: dict[str, str], live: bool = False) -> alt.LayerChart:
    """The 1200×630 card: text on the left, the last year of the score on the right."""
    import altair as alt

    _, lines, n = shape
    layers: list = [
        alt.Chart(pd.DataFrame({"t": [texts[key]]})).mark_text(
            align="left", baseline="alphabetic", font=FONT, fontSize=size, fontWeight=weight,
            color=texts["ink"] if color == "ink" else color,
        ).encode(x=alt.value(x), y=alt.value(y), text="t:N")
        for x, y, key, size, weight, color in CARD_LINES if key in lines
    ]
    if n:
        layers += _card_line(n)
    return alt.layer(*layers).properties(
        width=CARD_W, height=CARD_H,
        config={**CONFIG, "autosize": {"type": "none"}, "padding": 0, "background": "white"},
    )


def _card_line(n: int) -> list:
    import altair as alt

    x = alt.X("i:Q", scale=alt.Scale(domain=[0, n - 1], range=[640, 1140]), axis=None)
    yscale = alt.Scale(domain=[0, 100], range=[520, 200])
    y = alt.Y("score:Q", scale=yscale, axis=None)
    bands = pd.DataFrame([{"lo": lo, "hi": hi, "c": _BAND_INK[name]} for lo, hi, name in BANDS])
    return [
        alt.Chart(bands).mark_rect(opacity=0.1).encode(
            x=alt.value(640), x2=alt.value(1140), y=alt.Y("lo:Q", scale=yscale, axis=None),
            y2="hi:Q", color=alt.Color("c:N", scale=None)),
        alt.Chart(alt.Data(name="line")).mark_line(color=LINE, strokeWidth=5).encode(x=x, y=y),
        alt.Chart(alt.Data(name="last")).mark_point(filled=True, size=320, color=LINE, opacity=1)
        .encode(x=x, y=y),
        alt.Chart(pd.DataFrame({"t": ["Score, last 52 weeks"]})).mark_text(
            align="left", fontSize=22, color="#5b6570", font=FONT,
        ).encode(x=alt.value(640), y=alt.value(560), text="t:N"),
    ]


def site_card_parts(title: str, description: str) -> Parts:
    """The site's card: its title and its description wrapped to four lines of ~44 chars."""
    words, lines, line = description.split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > 44 and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    texts = {"title": title, **{f"line{i}": text for i, text in enumerate(lines[:4])}}
    return Parts(("site", len(lines[:4])), texts)


def site_card_layout(shape: tuple, texts: dict[str, str], live: bool = False
                     ) -> alt.LayerChart:
    """The site's 1200×630 card: title, description and a rule in the line colour."""
    import altair as alt

    rows = [(200, "title", 72, 800, "#1d232b"),
            *((290 + 60 * i, f"line{i}", 40, 400, "#5b6570") for i in range(shape[1]))]
    layers = [
        alt.Chart(pd.DataFrame({"t": [texts[key]]})).mark_text(
            align="left", baseline="alphabetic", font=FONT, fontSize=size, fontWeight=weight,
            color=color,
        ).encode(x=alt.value(80), y=alt.value(y), text="t:N")
        for y, key, size, weight, color in rows
    ]
    rule = alt.Chart(pd.DataFrame({"x": [80]})).mark_rule(color=LINE, strokeWidth=8).encode(
        x=alt.value(80), x2=alt.value(380), y=alt.value(540))
    return alt.layer(*layers, rule).properties(
        width=CARD_W, height=CARD_H,
        config={**CONFIG, "autosize": {"type": "none"}, "padding": 0, "background": "white"},
    )
