"""The search index: Pagefind's output is deterministic, and the store keeps it by the
digests of the pages it read, so an unchanged rebuild does not run Pagefind."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from generator.cache import search as search_cache
from generator.cache.store import Store
from generator.site import search
from generator.writer import file_bytes


def _page(week: str, words: str) -> bytes:
    return (f'<!doctype html><html lang="en"><head><title>{week}</title></head><body>'
            f'<nav>Latest Archive</nav><main><article data-pagefind-body>'
            f'<span hidden data-pagefind-meta="week:{week}"></span>'
            f'<h1>Week {week}</h1><p>{words}</p><svg><text>Apr 2026</text></svg>'
            f'<dl class="glance"><dt>Breakout this week</dt><dd>no</dd></dl>'
            f'</article></main></body></html>').encode()


PAGES = {f"issues/2026-w0{n}/index.html": _page(f"2026-W0{n}", words) for n, words in
         [(1, "Small caps broke out"), (2, "Credit lagged Treasuries"), (3, "Bitcoin quiet")]}


def test_only_issue_pages_are_indexed():
    files = {**PAGES, "index.html": b"home", "issues/index.html": b"archive",
             "search/index.html": b"search", "issues/2026-w01/chart-rut.svg": b"<svg/>"}
    assert list(search.documents(files)) == sorted(PAGES)


def test_pagefind_output_is_the_same_bytes_whatever_the_order():
    pytest.importorskip("pagefind_bin")
    first = search_cache.run_pagefind(PAGES)
    again = search_cache.run_pagefind(dict(reversed(list(PAGES.items()))))
    assert first == again
    assert "pagefind/pagefind.js" in first and "pagefind/pagefind-entry.json" in first
    assert any(p.startswith("pagefind/fragment/") for p in first)
    assert all(search.is_published(p[len(search.BUNDLE):]) for p in first)
    assert not any(p.endswith(("-ui.js", "-ui.css", "highlight.js")) for p in first)
    assert b'"page_count":3' in first["pagefind/pagefind-entry.json"]
    fragments = [json.loads(gzip.decompress(data)[len(b"pagefind_dcd"):])
                 for p, data in first.items() if p.startswith("pagefind/fragment/")]
    by_week = {f["meta"]["week"]: f for f in fragments}
    assert set(by_week) == {"2026-W01", "2026-W02", "2026-W03"}
    one = by_week["2026-W01"]
    assert "Small caps broke out" in one["content"]
    assert "Apr 2026" not in one["content"]  # chart drawings are not indexed
    assert "Breakout this week" not in one["content"]  # nor the fact lists
    assert "Latest Archive" not in one["content"]  # nor the navigation
    assert one["filters"] == {}


def test_pagefind_output_is_deterministic_over_many_pages():
    """Many pages with meta and a sort key (filters are not: see generator.site.search)."""
    pytest.importorskip("pagefind_bin")
    bands = ["Risk-off", "Neutral", "Risk-on", "Strong risk-on", "Strong risk-off"]
    pages = {f"issues/20{y}-w{w:02d}/index.html":
             _page(f"20{y}-W{w:02d}", f"{bands[(y * w) % 5]} week {w} of 20{y}, score {w + y}")
             .replace(b"<h1>", f'<span hidden data-pagefind-meta="band:{bands[w % 5]}">'
                               f'</span><h1>'.encode())
             for y in range(16, 27) for w in range(1, 53, 3)}
    runs = [search_cache.run_pagefind(pages) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]


def test_issue_pages_declare_no_pagefind_filter():
    template = Path(__file__).resolve().parents[2] / "templates" / "issue.html"
    assert "data-pagefind-filter" not in template.read_text(encoding="utf-8")


def test_an_unchanged_rebuild_reuses_the_stored_index(tmp_path, monkeypatch):
    calls: list[int] = []

    def fake(pages):
        calls.append(len(pages))
        return {"pagefind/pagefind.js": b"js", "pagefind/fragment/en_1.pf_fragment":
                b"|".join(sorted(pages.values()))}

    monkeypatch.setattr(search_cache, "run_pagefind", fake)
    store = Store(tmp_path / "cache", "code-1")
    cold = search_cache.search_bundle(store, PAGES)
    store.save(prune=True)
    store = Store(tmp_path / "cache", "code-1")
    warm = search_cache.search_bundle(store, PAGES)
    assert calls == [3]  # the second build read the stored bundle
    assert {p: file_bytes(d) for p, d in warm.items()} == {
        p: file_bytes(d) for p, d in cold.items()}
    changed = dict(PAGES, **{"issues/2026-w03/index.html": _page("2026-W03", "Edited")})
    search_cache.search_bundle(store, changed)
    assert calls == [3, 3]  # one page changed: Pagefind runs again
    other_code = Store(tmp_path / "cache", "code-2")
    search_cache.search_bundle(other_code, PAGES)
    assert calls == [3, 3, 3]  # new code (or a new Pagefind): made again


def test_a_damaged_stored_file_means_the_index_is_made_again(tmp_path, monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(search_cache, "run_pagefind",
                        lambda pages: calls.append(1) or {"pagefind/pagefind.js": b"js"})
    store = Store(tmp_path / "cache", "code")
    stored = search_cache.search_bundle(store, PAGES)["pagefind/pagefind.js"]
    stored.source.write_bytes(b"edited in place")
    search_cache.search_bundle(store, PAGES)
    assert len(calls) == 2
