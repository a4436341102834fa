"""Site search, the pure parts: which pages Pagefind indexes, how, in which bundles, and
which files of a bundle the site publishes.

Pagefind (PyPI `pagefind[bin]`) builds a static full-text index over the issue pages in
two bundles: the latest year's, `pagefind/YYYY/`, and one of every earlier year,
`pagefind/FIRST-LAST/` (years of the issue folders). A new week re-indexes only the latest
year's pages; the earlier years' bundle is made again when one of its pages changes: with
current prices once a year, when a new year's first issue gives the week before its "next"
link and moves that year into it. The search page
(`search/`) loads the latest year's `pagefind.js` from the site itself and merges the
earlier years' bundle into it (Pagefind's `mergeIndex`), so no request leaves the site and a
first query reads two small entry files, not one per year. Only the latest year's bundle
carries Pagefind's script, worker and WebAssembly: a merged index uses those of the index
it is merged into. Each issue page marks what is indexed (`data-pagefind-body` on the
issue: its generated text and the editor's commentary) and the week, score and band a result
shows (`data-pagefind-meta`). No `data-pagefind-filter`: Pagefind 1.5.2 writes its filter
files in a different order on every run (a hash map's order), so a filtered index would
break "same inputs, same bytes"; without filters its output is byte-identical run after run
(checked on the 529 real issue pages). The binary itself runs at the edge
(`generator.searchindex`); the cache wing keeps each bundle by the digests of its pages
(`generator.cache.search`).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from generator.site.inputs import FileData

BUNDLE = "pagefind/"  # where the bundles are published (`pagefind/YYYY/`, `pagefind/Y1-Y2/`)
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
# The merged (earlier years') bundle leaves out the library, its worker and WebAssembly:
# the page runs the latest year's, and of a merged bundle reads the entry file, metadata,
# index and fragments.
_LIBRARY = re.compile(r"^(pagefind\.js|pagefind-worker\.js|wasm\.[a-z-]+\.pagefind)$")
_INDEX = re.compile(
    r"^(pagefind-entry\.json|pagefind\.[^/]+\.pf_meta|index/[^/]+\.pf_index"
    r"|fragment/[^/]+\.pf_fragment)$")


def documents(files: Mapping[str, FileData]) -> dict[str, FileData]:
    """The pages indexed: every issue page (the home page repeats the latest one)."""
    return {path: data for path, data in sorted(files.items()) if _ISSUE_PAGE.match(path)}


def year_of(path: str) -> str:
    """The year of an issue's folder (`issues/2026-w07/...` -> "2026"): its bundle's."""
    found = _ISSUE_YEAR.match(path)
    if found is None:
        raise ValueError(f"not an issue's path: {path}")
    return found.group(1)


def bundle_folders(paths: Iterable[str]) -> list[str]:
    """The bundles of the issues at `paths`, the one the search page runs first: the latest
    year's `pagefind/YYYY/`, then (when there are earlier years) `pagefind/FIRST-LAST/`
    of every earlier year (`pagefind/YYYY/` when that is one year)."""
    found = sorted({year_of(path) for path in paths}, reverse=True)
    if not found:
        return []
    folders = [f"{BUNDLE}{found[0]}/"]
    if len(found) > 1:
        span = found[1] if len(found) == 2 else f"{found[-1]}-{found[1]}"
        folders.append(f"{BUNDLE}{span}/")
    return folders


def bundles(documents: Mapping[str, FileData]) -> dict[str, dict[str, FileData]]:
    """The pages indexed, one group per bundle (`bundle_folders`, latest first):
    {folder: {path: page}}, pages in order whatever the order of `documents`."""
    folders = bundle_folders(documents)
    out: dict[str, dict[str, FileData]] = {folder: {} for folder in folders}
    for path in sorted(documents):
        latest = folders[0] == f"{BUNDLE}{year_of(path)}/"
        out[folders[0] if latest else folders[1]][path] = documents[path]
    return out


def is_published(name: str, *, library: bool = True) -> bool:
    """Whether a file of Pagefind's output (a path inside a bundle) goes on the site; with
    `library=False` (a bundle merged into another) not the script, worker or WebAssembly."""
    return bool(_INDEX.match(name) or (library and _LIBRARY.match(name)))


def pagefind_arguments(site: str, output: str) -> list[str]:
    """The command-line arguments of an indexing run over `site`, written to `output`."""
    args = ["--site", site, "--output-path", output, "--force-language", LANGUAGE, "--silent"]
    for selector in EXCLUDE_SELECTORS:
        args += ["--exclude-selectors", selector]
    return args
