"""Sharing cards and feed images: size, type, wording, and the content-hash cache."""

from __future__ import annotations

import math
import struct

from generator.charts import cards as images
from generator.site.downloads import EVIDENCE_DOCS, SIGNAL_DOCS, downloads
from generator.signals.further import EXTENDED_COLUMNS
from generator.signals.core import CSV_COLUMNS
from tests.test_charts import make_weeks


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def test_card_is_1200_by_630_png():
    text = images.card_text("Risk-On Monitor", "2026-W08", "20 February 2026", 62.37, 58.9)
    assert _png_size(images.render_card_png(text, make_weeks(156))) == (1200, 630)


def test_card_text_cuts_the_score_and_signs_the_change():
    text = images.card_text("T", "2026-W08", "20 February 2026", 54.96, 57.0)
    assert (text.score, text.band) == ("54.9", "Neutral")
    assert text.change == "\u22122.0 points on the week"
    first = images.card_text("T", "2026-W08", "x", 60.0, math.nan)
    assert first.change == ""
    none = images.card_text("T", "2026-W08", "x", math.nan, math.nan)
    assert (none.score, none.band) == ("n/a", "No score")


def test_site_card_is_1200_by_630_png():
    assert _png_size(images.render_site_card_png("Title", "A description " * 5)) == (1200, 630)


def test_every_download_column_is_explained():
    assert set(SIGNAL_DOCS) == set(CSV_COLUMNS) | set(EXTENDED_COLUMNS)
    assert all(len(text) > 15 for text in SIGNAL_DOCS.values())
    assert list(EVIDENCE_DOCS) == ["week", "as_of", "asset", "horizon_weeks", "forward_return",
                                   "rut_breakout_week", "iwm_breakout_week"]
    paths = [d.path for d in downloads({"data/evidence.csv": b""})]
    assert paths == ["data/signals.csv", "data/latest.json", "data/evidence.csv", "feed.xml"]
    assert "data/evidence.csv" not in [d.path for d in downloads({})]
