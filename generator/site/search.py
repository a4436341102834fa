"""Site search, the pure parts: which pages Pagefind indexes, how, in which bundles, and
which files of a bundle the site publishes.

Pagefind (PyPI `pagefind[bin]`) builds a static full-text index over the issue pages, one
bundle per year: `pagefind/YYYY/` indexes the pages `issues/YYYY-wNN/` (YYYY of the
folder), so a new week re-indexes only its own year (two at a year's turn, when the week
before gets its "next" link). The search page (`search/`) loads the newest year's
`pagefind.js` from the site itself and merges every other year's bundle into it
(Pagefind's `mergeIndex`), so no request leaves the site. Each issue page marks what is
indexed (`data-pagefind-body` on the issue: its generated text and the editor's
commentary) and the week, score and band a result shows (`data-pagefind-meta`). No
`data-pagefind-filter`: Pagefind 1.5.2 writes its filter files in a different order on
every run (a hash map's order), so a filtered index would break "same inputs, same bytes";
without filters its output is byte-identical run after run (checked on the 529 real issue
pages). The binary itself runs at the edge (`generator.searchindex`); the cache wing keeps
each year's bundle by the digests of that year's pages (`generator.cache.search`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from generator.site.inputs import FileData

BUNDLE = "pagefind/"  # where the yearly bundles are published (`pagefind/YYYY/`)
PAGE = "search/index.html"
_ISSUE_PAGE = re.compile(r"^issues/\d{4}-w\d{2}/index\.html$")
_ISSUE_YEAR = re.compile(r"^issues/(\d{4})-w\d{2}/")
# Indexed: the generated sentences, notices, chart descriptions (figure captions) and the
# editor's commentary. Left out: chart drawings (axis ticks, legends) and the fact lists and
# tables, whose labels ("Breakout this week: no") would make every week match every word.
EXCLUDE_SELECTORS = ("svg", ".glance", "table")
LANGUAGE = "en"
# What the search page uses: the search library, its worker and WebAssembly, the entry
# file, the metadata, the index and the fragments. Pagefind's own UI bundles are left out.
# Every year's bundle keeps them all; the page runs the newest year's library and
# WebAssembly, and of a merged year reads the entry file, metadata, index and fragments.
_PUBLISHED = re.compile(
    r"^(pagefind\.js|pagefind-worker\.js|pagefind-entry\.json|pagefind\.[^/]+\.pf_meta"
    r"|wasm\.[a-z-]+\.pagefind|index/[^/]+\.pf_index|fragment/[^/]+\.pf_fragment)$")


def documents(files: Mapping[str, FileData]) -> dict[str, FileData]:
    """The pages indexed: every issue page (the home page repeats the latest one)."""
    return {path: data for path, data in sorted(files.items()) if _ISSUE_PAGE.match(path)}


def year_of(path: str) -> str:
    """The year of an issue's folder (`issues/2026-w07/...` -> "2026"): its bundle's."""
    found = _ISSUE_YEAR.match(path)
    if found is None:
        raise ValueError(f"not an issue's path: {path}")
    return found.group(1)


def bundle_of(year: str) -> str:
    """Where the bundle of `year` is published: `pagefind/YYYY/`."""
    return f"{BUNDLE}{year}/"


def bundles(documents: Mapping[str, FileData]) -> dict[str, dict[str, FileData]]:
    """The pages indexed, one group per bundle: {`pagefind/YYYY/`: {path: page}}, years and
    pages in order whatever the order of `documents`."""
    out: dict[str, dict[str, FileData]] = {}
    for path in sorted(documents):
        out.setdefault(bundle_of(year_of(path)), {})[path] = documents[path]
    return out


def years(paths: Iterable[str]) -> list[str]:
    """The years of the issues at `paths`, newest first: the search page loads the first
    year's bundle and merges the others into it."""
    return sorted({year_of(path) for path in paths}, reverse=True)


def is_published(name: str) -> bool:
    """Whether a file of Pagefind's output (a path inside the bundle) goes on the site."""
    return bool(_PUBLISHED.match(name))


def pagefind_arguments(site: str, output: str) -> list[str]:
    """The command-line arguments of an indexing run over `site`, written to `output`."""
    args = ["--site", site, "--output-path", output, "--force-language", LANGUAGE, "--silent"]
    for selector in EXCLUDE_SELECTORS:
        args += ["--exclude-selectors", selector]
    return args
