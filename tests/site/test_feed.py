"""The feeds, pure: feed-safe text under a hostile corpus, RSS and JSON Feed 1.1 side by side,
tags as categories, the editor's title beside the week and score, images that fit a phone."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest

from generator.config import COMPONENTS, load_config
from generator.content.notes import parse_note
from generator.signals.core import SIGNAL_COLUMNS
from generator.signals.issues import COMPONENT_LABELS, COMPONENT_UNITS, Component, Issue
from generator.site.feed import (
    IMAGE_WIDTH,
    WORD_JOINER,
    FeedItem,
    feed_items,
    feed_text,
    item_title,
    render_feed,
    render_json_feed,
)
from generator.site.inputs import SiteInputs

REPO = Path(__file__).resolve().parents[2]
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"

# What an attacker (or a careless paste) puts in a title, an author, a summary or a body.
HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "javascript:alert(1)",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "&#x3C;img src=x onerror=alert(1)&#x3E;",
    "&amp;lt;b&amp;gt;",
    "S&P 500 < 4,000 & VIX > 30",
    "R&D <b>bold</b> AT&T",
    "<!-- comment --> <![CDATA[x]]> ]]>",
    "</title><script>alert(1)</script>",
    "\"quoted\" 'single' `tick` <iframe src=//x>",
    "&copy &amp &lt",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]


class _Reader(HTMLParser):
    """What a reader that renders a field as HTML shows (text) and would build (elements)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, data):
        self.elements.append(("!--", []))

    def unknown_decl(self, data):
        self.elements.append(("![", []))


def as_html(field: str) -> _Reader:
    reader = _Reader()
    reader.feed(field)
    reader.close()
    return reader


def assert_plain_field(shown: str, original: str) -> None:
    """`shown` (a field as a feed parser hands it over) is the same text rendered as text
    or as HTML, builds no element, and reads as `original` once the joiners are removed."""
    html = as_html(shown)
    assert html.elements == [], (shown, html.elements)
    assert "".join(html.text) == shown, shown  # as HTML it shows exactly what text shows
    assert shown.replace(WORD_JOINER, "") == original  # not escaped twice, nothing lost


def assert_inert_html(content: str) -> None:
    """HTML content builds nothing that runs script."""
    for tag, attrs in as_html(content).elements:
        assert tag not in {"script", "iframe", "object", "embed", "svg", "math", "style",
                           "base", "form", "meta", "link"}, (tag, content[:200])
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name in {"href", "src", "action", "formaction", "xlink:href"} and value:
                assert not re.match(r"(?i)\s*(javascript|vbscript|data):", value), value


@pytest.mark.parametrize("text", HOSTILE)
def test_feed_text_shows_the_same_as_text_and_as_html(text):
    assert_plain_field(feed_text(text), text)


def test_feed_text_leaves_plain_words_alone():
    assert feed_text("Small caps < large caps & 5 > 3") == "Small caps < large caps & 5 > 3"
    assert feed_text("Bitcoin at a record") == "Bitcoin at a record"


# --- the feeds of crafted issues ----------------------------------------------------------


def _issue(week: str, as_of: dt.date, score: float, band: str, breakout: bool = False) -> Issue:
    values = {c: math.nan for c in SIGNAL_COLUMNS}
    values.update(week=week, rut_close=2000.0, rut_record_level=2100.0,
                  rut_drawdown=2000 / 2100 - 1, rut_record_week=breakout,
                  rut_breakout_week=breakout, iwm_breakout_week=False, btc_close=90000.0,
                  btc_rut_corr_90d=0.3, altseason_index=50.0, vix=18.0, score=score,
                  band=band)
    components = tuple(
        Component(n, *COMPONENT_LABELS[n], COMPONENT_UNITS[n], 0.0, 50.0, 50.0, 1.0)
        for n in COMPONENTS)
    return Issue(week=week, as_of=as_of, values=values, previous=None, components=components,
                 provisional=False, narrative=(f"The risk-on score is {score:.1f}.",))


def _note(tmp_path: Path, week: str, front: dict, body: str):
    path = tmp_path / f"{week}.md"
    data = ("---\n" + "".join(f"{k}: {json.dumps(v)}\n" for k, v in front.items())
            + "---\n" + body + "\n").encode("utf-8")
    path.write_bytes(data)
    return parse_note(path, data, kind="issue")


def _inputs(notes: dict) -> SiteInputs:
    config = load_config(REPO)
    issues = [_issue("2026-W07", dt.date(2026, 2, 13), 52.25, "Neutral"),
              _issue("2026-W08", dt.date(2026, 2, 20), 68.04, "Risk-on", breakout=True)]
    return SiteInputs(config=config, issues=issues, notes=notes, pages={}, issue_charts={},
                      archive_chart=None, signals_csv="", source_label="test")


def _feeds(inputs: SiteInputs) -> tuple[bytes, bytes]:
    items = feed_items(inputs)
    updated = dt.datetime(2026, 2, 20, 22, tzinfo=dt.UTC)
    return render_feed(inputs.config, items, updated), render_json_feed(inputs.config, items)


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_editor_fields_reach_no_feed_field_as_markup(tmp_path, payload):
    front = {"title": payload, "author": payload, "summary": payload, "tags": ["credit"]}
    body = f"{payload}\n\nText with [a link](javascript:alert(1)) and {payload}."
    note = _note(tmp_path, "2026-W08", front, body)
    rss, jf = _feeds(_inputs({"2026-W08": note}))

    parsed = feedparser.parse(rss)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    item = ET.fromstring(rss).find("./channel/item")
    assert item is not None
    # A reader that takes the XML text as it is (text) and one that renders it (HTML).
    assert_plain_field(item.findtext("title"), item_title(_inputs({})
                                                          .issues[-1], payload))
    assert_plain_field(item.findtext("description"), payload)
    assert_plain_field(item.findtext(DC_CREATOR), payload)
    assert_inert_html(item.findtext(CONTENT))
    assert parsed.entries[0].title == item.findtext("title")  # feedparser: text, as is

    entry = json.loads(jf)["items"][0]
    assert_plain_field(entry["title"], item_title(_inputs({}).issues[-1], payload))
    assert_plain_field(entry["summary"], payload)
    assert_plain_field(entry["authors"][0]["name"], payload)
    assert_inert_html(entry["content_html"])
    assert entry["content_html"] == item.findtext(CONTENT)
    assert "</" not in jf.decode("utf-8")


def test_hostile_tags_are_plain_categories_in_both_feeds():
    config = load_config(REPO)
    items = [FeedItem(title=feed_text(t), url=config.url("issues/2026-w08/"),
                      published=dt.datetime(2026, 2, 20, 22, tzinfo=dt.UTC),
                      summary=feed_text(t), html="<p>x</p>", week="2026-W08", score=60.0,
                      band="Risk-on", tags=(feed_text(t),)) for t in HOSTILE]
    rss = render_feed(config, items, items[0].published)
    for element, text in zip(ET.fromstring(rss).findall("./channel/item"), HOSTILE,
                             strict=True):
        assert_plain_field(element.findtext("category"), text)
    for entry, text in zip(json.loads(render_json_feed(config, items))["items"], HOSTILE,
                           strict=True):
        assert_plain_field(entry["tags"][0], text)


def test_editor_title_tags_and_author_in_both_feeds(tmp_path):
    note = _note(tmp_path, "2026-W08",
                 {"title": "Small caps break out", "author": "Jane Editor",
                  "summary": "One sentence.", "tags": ["breakout", "small caps"]},
                 "Body.")
    rss, jf = _feeds(_inputs({"2026-W08": note}))
    parsed = feedparser.parse(rss)
    newest, older = parsed.entries
    assert newest.title == "Small caps break out — Week 2026-W08: Risk-on (68.0)"
    assert older.title == "Week 2026-W07: Neutral (52.2)"  # no note: week, band and score
    assert [t.term for t in newest.tags] == ["breakout", "small caps"]
    assert newest.author == "Jane Editor"
    assert "tags" not in older
    doc = json.loads(jf)
    first = doc["items"][0]
    assert first["title"] == newest.title
    assert first["tags"] == ["breakout", "small caps"]
    assert first["authors"] == [{"name": "Jane Editor"}]
    assert first["_risk_on"] == {"week": "2026-W08", "score": 68.0, "band": "Risk-on"}
    assert "tags" not in doc["items"][1] and "authors" not in doc["items"][1]


def test_json_feed_follows_version_1_1(tmp_path):
    rss, jf = _feeds(_inputs({}))
    doc = json.loads(jf)
    base = "https://example.github.io/risk-on-monitor/"
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["feed_url"] == base + "feed.json" and doc["home_page_url"] == base
    assert isinstance(doc["title"], str) and doc["title"]
    ids = [item["id"] for item in doc["items"]]
    assert len(set(ids)) == len(ids) == 2
    rss_links = [e.link for e in feedparser.parse(rss).entries]
    assert ids == rss_links  # the same issues, in the same order, as the RSS feed
    for item in doc["items"]:
        assert item["url"] == item["id"] and item["url"].startswith(base)
        assert item["content_html"]
        dt.datetime.fromisoformat(item["date_published"])  # RFC 3339
        assert item["date_published"].endswith("+00:00")


def test_the_stale_inputs_line_appears_once(tmp_path):
    from generator.signals.issues import StaleInput

    inputs = _inputs({})
    stale = StaleInput("BTC-USD", dt.date(2026, 1, 28))
    latest = inputs.issues[-1]
    sentence = "Stale or missing inputs: BTC-USD (last 28 January 2026)."
    issue = Issue(week=latest.week, as_of=latest.as_of, values=latest.values, previous=None,
                  components=latest.components, provisional=False, stale=(stale,),
                  narrative=(*latest.narrative, sentence))
    inputs = SiteInputs(**{**inputs.__dict__, "issues": [inputs.issues[0], issue]})
    html = feed_items(inputs)[0].html
    assert html.count("Stale or missing inputs") == 1


def test_feed_images_fit_a_phone_and_carry_their_description():
    from generator.charts.data import Chart
    from generator.site.inputs import IssueImages

    svg = '<svg viewBox="0 0 640 250"></svg>'
    narrow = '<svg viewBox="0 0 340 300"></svg>'
    charts = [Chart(n, f"Title {n}", f"Description of {n}.", svg, narrow_svg=narrow)
              for n in ("score", "rut", "relative_strength", "correlation", "altseason")]
    inputs = _inputs({})
    inputs = SiteInputs(**{**inputs.__dict__,
                           "issue_charts": {"2026-W08": charts},
                           "images": {"2026-W08": IssueImages(b"card", b"png-bytes")}})
    html = feed_items(inputs)[0].html
    imgs = [dict(attrs) for tag, attrs in as_html(html).elements if tag == "img"]
    assert [i["src"].rsplit("/", 1)[1] for i in imgs] == [
        "score.png", "chart-rut-narrow.svg", "chart-correlation-narrow.svg"]
    for img in imgs:  # the phone layouts, at their own size, never wider than a phone
        assert (int(img["width"]), int(img["height"])) == (340, 300)
        assert 340 <= IMAGE_WIDTH <= 360
        assert "max-width:340px" in img["style"] and "height:auto" in img["style"]
        assert img["alt"].startswith("Chart: Title ")
    for name in ("score", "rut", "correlation"):
        assert f"<p><em>Description of {name}.</em></p>" in html
    assert "relative_strength" not in html
