"""Site search in a browser: the Pagefind index built with the site answers a query for a
week's own words, shows week, score and band, and nothing leaves 127.0.0.1."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_browser import base_url, browser, visit  # noqa: F401,F811


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
