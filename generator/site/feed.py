"""The RSS 2.0 feed (feedgen): newest issues, full sanitized HTML, absolute URLs."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from generator.config import Config
from generator.format import fmt_date, fmt_score
from generator.signals.issues import Issue
from generator.site.inputs import SiteInputs
from generator.site.links import rebase_links
from generator.site.notice import data_age_notice
from generator.site.templates import render_page


@dataclass(frozen=True)
class FeedItem:
    """One issue in the feed."""

    title: str
    url: str
    published: dt.datetime
    summary: str
    html: str
    author: str = ""
    image_url: str = ""  # the key chart as a PNG (absolute URL), sent as an enclosure
    image_length: int = 0


def render_feed(config: Config, items: Sequence[FeedItem], updated: dt.datetime) -> bytes:
    """RSS 2.0 XML of `items` (newest first); `updated` comes from the data, not the clock."""
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.load_extension("dc")
    fg.title(config.title)
    fg.description(config.description)
    fg.language(config.language)
    # feedgen uses the last link() call as the channel <link>: self first, then the site.
    fg.link(href=config.url("feed.xml"), rel="self", type="application/rss+xml")
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
        if item.author:
            entry.dc.dc_creator(item.author)
        if item.image_url:
            entry.enclosure(item.image_url, str(item.image_length), "image/png")
    return fg.rss_str(pretty=True)


def published(issue: Issue) -> dt.datetime:
    """Publication time of an issue: its as-of date, 22:00 UTC (after the US close)."""
    return dt.datetime.combine(issue.as_of, dt.time(22, 0), tzinfo=dt.UTC)


def issue_title(issue: Issue) -> str:
    """`Week 2026-W08: Risk-on (68.0)` — the feed title of an issue with no editor's title."""
    return f"Week {issue.week}: {issue.band or 'no score'} ({fmt_score(issue.score)})"


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
            config=cfg, sample=inputs.sample, root=cfg.url(), image_url=image_url,
            data_age_notice=data_age_notice(inputs),
        )
        html = rebase_links(html, cfg.url(), url)
        items.append(FeedItem(
            title=note.title if note and note.title else issue_title(issue),
            url=url,
            published=published(issue),
            summary=note.summary if note and note.summary else _summary(issue),
            html=html,
            author=note.author if note else "",
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
