"""Sharing cards and feed images: size, type and wording; what the downloads explain."""

from __future__ import annotations

import datetime as dt
import math
import struct

from generator.charts import cards
from generator.charts.render import card, render, site_card
from generator.signals.core import CSV_COLUMNS
from generator.signals.further import EXTENDED_COLUMNS
from generator.site.downloads import EVIDENCE_DOCS, SIGNAL_DOCS, downloads
from tests.charts.test_data import make_weeks

AS_OF = dt.date(2026, 2, 20)


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def test_card_is_1200_by_630_png():
    png = render(card("Risk-On Monitor", "2026-W08", AS_OF, 62.37, 58.9, make_weeks(156)))
    assert _png_size(png) == (1200, 630)


def test_card_text_cuts_the_score_dates_the_week_and_signs_the_change():
    text = cards.card_text("T", "2026-W08", AS_OF, 54.96, 57.0)
    assert (text.score, text.band) == ("54.9", "Neutral")
    assert text.week == "Week 2026-W08 · as of 20 February 2026"
    # the change is the difference of the scores as shown (57.0 to 54.9), so they add up
    assert text.change == "\u22122.1 points on the week"
    assert cards.card_text("T", "2026-W08", AS_OF, 57.0, 54.96).change == "+2.1 points on the week"
    same = cards.card_text("T", "2026-W08", AS_OF, 57.0, 57.04)
    assert same.change == "0.0 points on the week"  # shows as zero: no sign
    first = cards.card_text("T", "2026-W08", AS_OF, 60.0, math.nan)
    assert first.change == ""
    none = cards.card_text("T", "2026-W08", AS_OF, math.nan, math.nan)
    assert (none.score, none.band) == ("n/a", "No score")


def test_card_parts_show_the_last_year_of_scores():
    text = cards.card_text("T", "2026-W08", AS_OF, 62.37, 58.9)
    parts = cards.card_parts(text, make_weeks(156))
    assert parts.shape[2] == cards.CARD_WEEKS == len(parts.data["line"])
    assert parts.data["last"] == parts.data["line"][-1:]
    bare = cards.card_parts(cards.card_text("T", "2026-W08", AS_OF, 60.0, math.nan), None)
    assert bare.data == {} and bare.shape[2] == 0 and "change" not in bare.shape[1]


def test_site_card_is_1200_by_630_png():
    assert _png_size(render(site_card("Title", "A description " * 5))) == (1200, 630)


def test_every_download_column_is_explained():
    assert set(SIGNAL_DOCS) == set(CSV_COLUMNS) | set(EXTENDED_COLUMNS)
    assert all(len(text) > 15 for text in SIGNAL_DOCS.values())
    assert list(EVIDENCE_DOCS) == ["week", "as_of", "asset", "horizon_weeks", "forward_return",
                                   "rut_breakout_week", "iwm_breakout_week"]
    paths = [d.path for d in downloads({"data/evidence.csv": b""})]
    assert paths == ["data/signals.csv", "data/latest.json", "data/evidence.csv", "feed.xml"]
    assert "data/evidence.csv" not in [d.path for d in downloads({})]
