"""The editors' tags as pages: `/tags/` lists every tag, `/tags/<slug>/` its issues (pure).

A tag's slug is its ASCII form in lowercase, runs of anything else one `-`
(`S&P 500` -> `s-p-500`); tags with the same slug are one tag, shown as first spelled in
the oldest issue. A tag with no ASCII letter or digit gets `tag-` and a short digest.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from generator.content.note import Note
from generator.signals.issues import Issue

TAGS_PATH = "tags/"


def tag_slug(tag: str) -> str:
    """`Bitcoin` -> `bitcoin`, `S&P 500` -> `s-p-500`; stable for any tag."""
    ascii_text = unicodedata.normalize("NFKD", tag).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "tag-" + hashlib.blake2b(tag.casefold().encode(), digest_size=4).hexdigest()


def tag_path(tag: str) -> str:
    """Site path of a tag's page: `tags/bitcoin/`."""
    return f"{TAGS_PATH}{tag_slug(tag)}/"


@dataclass(frozen=True)
class TagLink:
    """A tag as an issue page links to it."""

    label: str
    path: str


@dataclass(frozen=True)
class TagPage:
    """One tag and its issues, newest first."""

    label: str
    slug: str
    issues: tuple[Issue, ...]

    @property
    def path(self) -> str:
        return f"{TAGS_PATH}{self.slug}/"


def tag_links(note: Note | None) -> list[TagLink]:
    """The tags of an issue's note, as links (none without a note)."""
    return [TagLink(t, tag_path(t)) for t in (note.tags if note else ())]


def build_tag_pages(issues: Sequence[Issue], notes: Mapping[str, Note]) -> list[TagPage]:
    """Every tag of the published notes with its issues, sorted by tag."""
    labels: dict[str, str] = {}
    tagged: dict[str, list[Issue]] = {}
    for issue in issues:  # oldest first: the first spelling names the tag
        note = notes.get(issue.week)
        for tag in (note.tags if note else ()):
            slug = tag_slug(tag)
            labels.setdefault(slug, tag)
            listed = tagged.setdefault(slug, [])
            if not listed or listed[-1].week != issue.week:  # two spellings, one issue
                listed.append(issue)
    pages = [TagPage(labels[s], s, tuple(reversed(tagged[s]))) for s in tagged]
    return sorted(pages, key=lambda p: (p.label.casefold(), p.slug))
