"""The RSS 2.0 feed (feedgen): newest issues, full sanitized HTML, absolute URLs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from generator.config import Config


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
