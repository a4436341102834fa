"""Site search in a browser: the Pagefind index built with the site answers a query for a
week's own words, shows week, score and band, and nothing leaves 127.0.0.1; a site whose
weeks span two years has one bundle per year, and one query finds the weeks of both."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.browser.test_browser import (  # noqa: F401,F811
    _QuietHandler,
    _Visit,
    base_url,
    browser,
    visit,
)
from tests.conftest import Built, build, make_project

# Seven sample weeks across a year's turn: 2025-W50 to 2026-W04.
TWO_YEARS = ("--since", "2025-12-10", "--until", "2026-01-20")


def _narrative_word(sample_site) -> tuple[str, str]:
    """A week and a word its generated sentences use that few other weeks use."""
    pages = {p.parent.name: p.read_text(encoding="utf-8")
             for p in sorted((sample_site.site / "issues").glob("*-w*/index.html"))}
    sentences = {w: " ".join(re.findall(r"<section class=\"what-changed\".*?</section>", h,
                                        flags=re.S)) for w, h in pages.items()}
    for week, text in sorted(sentences.items()):
        # "dd Month yyyy" dates of records are specific to a week or two.
        for day in re.findall(r"\b(\d{1,2} [A-Z][a-z]+ 20\d\d)\b", text):
            hits = [w for w, t in sentences.items() if day in t]
            if len(hits) <= 3:
                return week, day
    pytest.skip("no distinctive words in the sample weeks")


def test_search_finds_a_week_by_its_words_with_week_score_and_band(sample_site, visit):  # noqa: F811
    week, words = _narrative_word(sample_site)
    v = visit(f"search/?q={words.replace(' ', '+')}")
    page = v.page
    # (Locators, not wait_for_function: the page's CSP forbids evaluating strings.)
    page.locator("#search-status", has_text=re.compile("found|No issue")).wait_for(
        timeout=20000)
    results = page.query_selector_all(".search-result")
    assert results, page.inner_text("#search-status")
    hrefs = [r.query_selector("a").get_attribute("href") for r in results]
    assert any(h.rstrip("/").endswith(f"issues/{week}") for h in hrefs), (week, hrefs)
    facts = results[0].query_selector(".kicker").inner_text()
    assert re.search(r"Week \d{4}-W\d\d · score \d+\.\d · ", facts), facts
    assert results[0].query_selector(".band") is not None
    assert set(v.hosts) == {"127.0.0.1"}, v.hosts
    assert v.errors == []  # no CSP violation either (Pagefind's WebAssembly is allowed)
    csp = re.search(r'Content-Security-Policy" content="([^"]+)"',
                    sample_site.read("search/index.html")).group(1)
    assert "'wasm-unsafe-eval'" in csp
    assert "'unsafe-eval'" not in csp.replace("'wasm-unsafe-eval'", "")
    other = re.search(r'Content-Security-Policy" content="([^"]+)"',
                      sample_site.read("index.html")).group(1)
    assert "wasm" not in other  # only the search page runs WebAssembly


def test_header_links_to_search_on_every_page(sample_site):
    for rel in ("index.html", "issues/index.html", "about/index.html", "search/index.html"):
        html = sample_site.read(rel)
        assert re.search(r'<nav[^>]*>.*href="[./]*search/">Search</a>', html, flags=re.S), rel


class _Recording(_Visit):
    """A visit that also records the URL of every request (from the first)."""

    def __init__(self, browser, base_url: str, path: str) -> None:  # noqa: F811
        self.urls: list[str] = []
        super().__init__(browser, base_url, path)

    def _route(self, route) -> None:
        self.urls.append(route.request.url)
        super()._route(route)


@pytest.fixture(scope="module")
def two_years(tmp_path_factory) -> Iterator[tuple[Built, str]]:
    """The sample site over weeks of two years, built and served on 127.0.0.1."""
    project = make_project(tmp_path_factory.mktemp("two-years"))
    build(project, "--source", "sample", *TWO_YEARS)
    site = Built(project, project / "site")
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_QuietHandler, directory=str(site.site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield site, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.build
def test_one_query_finds_weeks_of_both_bundles(two_years, browser):  # noqa: F811
    site, url = two_years
    weeks = sorted(p.parent.name for p in (site.site / "issues").glob("*-w*/index.html"))
    assert {w[:4] for w in weeks} == {"2025", "2026"}, weeks
    assert sorted(p.name for p in (site.site / "pagefind").iterdir()) == ["2025", "2026"]
    script = re.search(r'<script src="[^"]*search\.js" data-pagefind-bundles="([^"]+)"',
                       site.read("search/index.html")).group(1)
    assert script == "../pagefind/2026/ ../pagefind/2025/"  # the latest year's first
    # Every issue says "The risk-on score is ... of 100": all weeks of both years match.
    v = _Recording(browser, url, "search/?q=score")
    try:
        v.page.locator("#search-status", has_text=re.compile("found|No issue|could not")).wait_for(
            timeout=30000)
        status = v.page.inner_text("#search-status")
        assert status.startswith(f"{len(weeks)} issues found"), status
        hrefs = [a.get_attribute("href") for a in v.page.query_selector_all(".search-result h2 a")]
        found = sorted(h.rstrip("/").rsplit("/", 1)[-1] for h in hrefs)
        assert found == weeks, hrefs  # both years, each week once, linked to its page
        assert all(h.startswith("/issues/") for h in hrefs), hrefs  # the site's own root
        for result in v.page.query_selector_all(".search-result"):
            assert re.search(r"Week \d{4}-W\d\d · score \d+\.\d · ",
                             result.query_selector(".kicker").inner_text())
        assert set(v.hosts) == {"127.0.0.1"}, v.hosts
        assert v.errors == []  # no CSP violation, no Pagefind warning printed as an error
        # The latest year's library and WebAssembly; of 2025 only its index files (its
        # bundle has no others).
        paths = {Path(u.split("?")[0].split("/", 3)[3]) for u in v.urls}
        pagefind = sorted(str(p) for p in paths if p.parts[0] == "pagefind")
        assert "pagefind/2026/pagefind.js" in pagefind
        assert "pagefind/2025/pagefind-entry.json" in pagefind
        assert not any(p.startswith("pagefind/2025/") and p.endswith((".js", ".pagefind"))
                       for p in pagefind), pagefind
        assert not list((site.site / "pagefind" / "2025").glob("*.js"))
    finally:
        v.close()
