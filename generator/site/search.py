"""Site search, the pure parts: which pages Pagefind indexes, how, and which files of its
bundle the site publishes.

Pagefind (PyPI `pagefind[bin]`) builds a static full-text index over the issue pages; the
search page (`search/`) loads `pagefind/pagefind.js` from the site itself and asks it, so
no request leaves the site. Each issue page marks what is indexed (`data-pagefind-body` on
the issue: its generated text and the editor's commentary) and the week, score and band a
result shows (`data-pagefind-meta`). No `data-pagefind-filter`: Pagefind 1.5.2 writes its
filter files in a different order on every run (a hash map's order), so a filtered index
would break "same inputs, same bytes"; without filters its output is byte-identical run
after run (checked on the 529 real issue pages). The binary itself runs
at the edge (`generator.searchindex`); the cache wing keeps its output by the digests of
the pages it read (`generator.cache.search`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from generator.site.inputs import FileData

BUNDLE = "pagefind/"  # where the index is published, beside the site root
PAGE = "search/index.html"
_ISSUE_PAGE = re.compile(r"^issues/\d{4}-w\d{2}/index\.html$")
# Indexed: the generated sentences, notices, chart descriptions (figure captions) and the
# editor's commentary. Left out: chart drawings (axis ticks, legends) and the fact lists and
# tables, whose labels ("Breakout this week: no") would make every week match every word.
EXCLUDE_SELECTORS = ("svg", ".glance", "table")
LANGUAGE = "en"
# What the search page uses: the search library, its worker and WebAssembly, the entry
# file, the metadata, the index and the fragments. Pagefind's own UI bundles are left out.
_PUBLISHED = re.compile(
    r"^(pagefind\.js|pagefind-worker\.js|pagefind-entry\.json|pagefind\.[^/]+\.pf_meta"
    r"|wasm\.[a-z-]+\.pagefind|index/[^/]+\.pf_index|fragment/[^/]+\.pf_fragment)$")


def documents(files: Mapping[str, FileData]) -> dict[str, FileData]:
    """The pages indexed: every issue page (the home page repeats the latest one)."""
    return {path: data for path, data in sorted(files.items()) if _ISSUE_PAGE.match(path)}


def is_published(name: str) -> bool:
    """Whether a file of Pagefind's output (a path inside the bundle) goes on the site."""
    return bool(_PUBLISHED.match(name))


def pagefind_arguments(site: str, output: str) -> list[str]:
    """The command-line arguments of an indexing run over `site`, written to `output`."""
    args = ["--site", site, "--output-path", output, "--force-language", LANGUAGE, "--silent"]
    for selector in EXCLUDE_SELECTORS:
        args += ["--exclude-selectors", selector]
    return args
