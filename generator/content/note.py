"""The `Note` of an editor's file, alone: what the pages, the feed and the cache need of the
content, without importing the Markdown, YAML and HTML libraries that make it
(`content.notes`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 1_000_000  # a content file larger than this is refused


def read_limited(path: Path) -> bytes:
    """A content file's bytes, `MAX_FILE_BYTES` and one more at most (a larger file is
    refused by `notes.parse_note`); OSError when it cannot be read."""
    with Path(path).open("rb") as fh:
        return fh.read(MAX_FILE_BYTES + 1)


def content_files(content_dir: Path) -> dict[str, bytes | None]:
    """Every entry of `content_dir/issues` and `content_dir/pages` by path: a regular file's
    bytes (`read_limited`), None for anything else. What the notes are parsed from, and
    what they are kept in the cache by."""
    out: dict[str, bytes | None] = {}
    for sub in ("issues", "pages"):
        folder = Path(content_dir) / sub
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            data = None
            if path.is_file():
                try:
                    data = read_limited(path)
                except OSError:
                    pass
            out[str(path)] = data
    return out


@dataclass(frozen=True)
class Note:
    """One editor file: plain-text front matter plus sanitized body HTML."""

    path: Path
    slug: str  # file stem: "2025-W38", "about"
    week: str | None  # "YYYY-Www" for issue notes, None for pages
    title: str
    author: str
    summary: str
    tags: tuple[str, ...]
    draft: bool
    html: str  # sanitized body HTML (insert with |safe, never compile as a template)
    text: str  # plain text of the body, at most ~TEXT_CHARS characters (summary fallback)
