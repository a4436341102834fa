"""The feeds: RSS 2.0 (`feed.xml`, feedgen) and JSON Feed 1.1 (`feed.json`), the same
newest issues in both, full sanitized HTML, absolute URLs.

Feed-safe text. Readers disagree on whether a title, a summary, an author or a category
is text or HTML: escaped once, a `<script>` in a title runs in a reader that renders
titles as HTML; escaped twice, a reader that shows text prints `&lt;`. So every
plain-text field goes through `feed_text`, which leaves no markup in it at all — a U+2060
WORD JOINER (invisible, no line break) after each `<` that would open a tag and each `&`
that would start a character reference — and is then escaped once, by the XML or JSON
writer. Read as text or as HTML, the field shows the same characters and runs nothing.
The HTML fields (`content:encoded`, `content_html`) are ours: template-escaped text and
the editor's sanitized HTML.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from generator.config import Config
from generator.format import cut, fmt_date, fmt_score
from generator.signals.issues import Issue
from generator.site import chartfiles
from generator.site.inputs import SiteInputs
from generator.site.links import rebase_links
from generator.site.notice import data_age_notice
from generator.site.templates import render_page

RSS = "feed.xml"
JSON_FEED = "feed.json"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
# Charts of an issue shown in its feed item, after the score chart (a PNG): the Russell
# 2000 with its records and breakouts, and the BTC–RUT correlation — the seed's claim.
FEED_CHARTS = ("rut", "correlation")
# Feed images are the charts' phone layouts (about 340 px wide, text at full size): their
# width attribute is at most this, and an inline style lets them shrink to a narrower
# column, so a reader that drops styles still shows them inside a 360 px screen.
IMAGE_WIDTH = 360

WORD_JOINER = "\u2060"
_MARKUP = re.compile(r"([<&])(?=[A-Za-z0-9#/!?])")


def feed_text(text: str) -> str:
    """`text` with nothing an HTML parser reads as markup: a WORD JOINER after every `<`
    or `&` that would open a tag, a comment or a character reference (see the module)."""
    return _MARKUP.sub(lambda m: m.group(1) + WORD_JOINER, text)


@dataclass(frozen=True)
class FeedImage:
    """A chart in a feed item: where it is, its words, its size in CSS pixels."""

    url: str
    alt: str
    description: str
    width: int
    height: int

    @property
    def shown_width(self) -> int:
        """The width attribute: the image's own, at most `IMAGE_WIDTH`."""
        return min(self.width, IMAGE_WIDTH)

    @property
    def shown_height(self) -> int:
        """The height attribute that keeps the aspect ratio at `shown_width`."""
        return round(self.height * self.shown_width / self.width)


@dataclass(frozen=True)
class FeedItem:
    """One issue in the feeds (plain-text fields already passed through `feed_text`)."""

    title: str
    url: str
    published: dt.datetime
    summary: str
    html: str
    week: str
    score: float
    band: str
    author: str = ""
    tags: tuple[str, ...] = ()
    image_url: str = ""  # the key chart as a PNG (absolute URL), sent as an enclosure
    image_length: int = 0


def render_feed(config: Config, items: Sequence[FeedItem], updated: dt.datetime) -> bytes:
    """RSS 2.0 XML of `items` (newest first); `updated` comes from the data, not the clock."""
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.load_extension("dc")
    fg.title(feed_text(config.title))
    fg.description(feed_text(config.description))
    fg.language(config.language)
    # feedgen uses the last link() call as the channel <link>: self first, then the site.
    fg.link(href=config.url(RSS), rel="self", type="application/rss+xml")
    fg.link(href=config.url(), rel="alternate")
    fg.generator("Risk-On Monitor generator")
    fg.docs("https://www.rssboard.org/rss-specification")
    fg.lastBuildDate(updated)
    fg.pubDate(updated)
    fg.ttl(1440)
    # add_entry() prepends by default: add oldest first so the newest ends on top.
    for item in reversed(list(items)):
        entry = fg.add_entry()
        entry.title(item.title)
        entry.link(href=item.url)
        entry.guid(item.url, permalink=True)
        entry.pubDate(item.published)
        entry.description(item.summary)
        entry.content(item.html)  # escaped text, never CDATA (content may hold "]]>")
        for tag in item.tags:
            entry.category(term=tag)
        if item.author:
            entry.dc.dc_creator(item.author)
        if item.image_url:
            entry.enclosure(item.image_url, str(item.image_length), "image/png")
    return fg.rss_str(pretty=True)


def render_json_feed(config: Config, items: Sequence[FeedItem]) -> bytes:
    """JSON Feed 1.1 of `items` (newest first): the same items as the RSS feed, with the
    week, score and band of each in a `_risk_on` extension object."""
    doc = {
        "version": JSON_FEED_VERSION,
        "title": feed_text(config.title),
        "home_page_url": config.url(),
        "feed_url": config.url(JSON_FEED),
        "description": feed_text(config.description),
        "language": config.language,
        "items": [_json_item(item) for item in items],
    }
    # "</" never appears as such: the file stays inert even if a browser sniffs it as HTML.
    text = json.dumps(doc, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return (text + "\n").encode("utf-8")


def _json_item(item: FeedItem) -> dict[str, object]:
    out: dict[str, object] = {
        "id": item.url,
        "url": item.url,
        "title": item.title,
        "content_html": item.html,
        "summary": item.summary,
        "date_published": item.published.isoformat(),
    }
    if item.image_url:
        out["image"] = item.image_url
    if item.author:
        out["authors"] = [{"name": item.author}]
    if item.tags:
        out["tags"] = list(item.tags)
    out["_risk_on"] = {
        "week": item.week,
        "score": None if math.isnan(item.score) else cut(item.score),  # as shown
        "band": item.band or None,
    }
    return out


def published(issue: Issue) -> dt.datetime:
    """Publication time of an issue: its as-of date, 22:00 UTC (after the US close)."""
    return dt.datetime.combine(issue.as_of, dt.time(22, 0), tzinfo=dt.UTC)


def issue_title(issue: Issue) -> str:
    """`Week 2026-W08: Risk-on (68.0)` — the feed title of an issue with no editor's title."""
    return f"Week {issue.week}: {issue.band or 'no score'} ({fmt_score(issue.score)})"


def item_title(issue: Issue, editor_title: str = "") -> str:
    """The feed title: the editor's title, then the week, band and score beside it."""
    return f"{editor_title} — {issue_title(issue)}" if editor_title else issue_title(issue)


def feed_images(inputs: SiteInputs, issue: Issue) -> list[FeedImage]:
    """The issue's key charts as feed images: the score chart's PNG (when rendered) and the
    SVG files of `FEED_CHARTS`, each with its text description."""
    cfg = inputs.config
    charts = {c.name: c for c in inputs.issue_charts.get(issue.week, [])}
    images = inputs.images.get(issue.week)
    out = []
    score = charts.get("score")
    if images is not None and images.score is not None and score is not None:
        width, height = score.narrow_size if score.narrow_svg else score.size
        out.append(FeedImage(cfg.url(f"{issue.path}score.png"), f"Chart: {score.title}",
                             score.description, width, height))
    for name in FEED_CHARTS:
        chart = charts.get(name)
        if chart is None:
            continue
        narrow = bool(chart.narrow_svg)
        width, height = chart.narrow_size if narrow else chart.size
        out.append(FeedImage(cfg.url(chartfiles.chart_file(issue.path, name, narrow)),
                             f"Chart: {chart.title}", chart.description, width, height))
    return out


def feed_items(inputs: SiteInputs) -> list[FeedItem]:
    """The newest `feed_size` issues as feed items, newest first."""
    cfg = inputs.config
    items = []
    for issue in reversed(inputs.issues[-cfg.feed_size :]):
        note = inputs.notes.get(issue.week)
        url = cfg.url(issue.path)
        note_html = rebase_links(note.html, cfg.url(), url) if note else ""
        images = inputs.images.get(issue.week)
        png = images.score if images is not None else None
        image_url = cfg.url(f"{issue.path}score.png") if png is not None else ""
        html = render_page(
            cfg.templates_dir, "feed_item.html", issue=issue, note=note, note_html=note_html,
            config=cfg, sample=inputs.sample, root=cfg.url(), images=feed_images(inputs, issue),
            image_width=IMAGE_WIDTH, data_age_notice=data_age_notice(inputs),
        )
        html = rebase_links(html, cfg.url(), url)
        items.append(FeedItem(
            title=feed_text(item_title(issue, note.title if note else "")),
            url=url,
            published=published(issue),
            summary=feed_text(note.summary if note and note.summary else _summary(issue)),
            html=html,
            week=issue.week,
            score=float(issue.score),
            band=issue.band,
            author=feed_text(note.author) if note else "",
            tags=tuple(feed_text(t) for t in note.tags) if note else (),
            image_url=image_url,
            image_length=len(png) if png is not None else 0,
        ))
    return items


def _summary(issue: Issue) -> str:
    band = issue.band or "n/a"
    text = f"Risk-on score {fmt_score(issue.score)} ({band}) as of {fmt_date(issue.as_of)}."
    if not math.isnan(issue.previous_score):
        text += f" Last week: {fmt_score(issue.previous_score)} ({issue.previous_band})."
    if issue.values["rut_breakout_week"]:
        text += " The Russell 2000 broke out to a record after a long base."
    return text
