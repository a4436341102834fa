"""The search index: two Pagefind bundles (the latest year's, every earlier year's),
deterministic; the store keeps each by the digests of its pages, so an unchanged rebuild
does not run Pagefind and a new week runs it over the latest year only."""

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
# Three years: two weeks of 2024, the last of 2025 (ISO year of the folder) and PAGES.
YEARS = {**{f"issues/2024-w{n:02d}/index.html": _page(f"2024-W{n:02d}", f"Week {n} of 2024")
            for n in (10, 11)},
         "issues/2025-w52/index.html": _page("2025-W52", "Year end"), **PAGES}


def test_only_issue_pages_are_indexed():
    files = {**PAGES, "index.html": b"home", "issues/index.html": b"archive",
             "search/index.html": b"search", "issues/2026-w01/chart-rut.svg": b"<svg/>"}
    assert list(search.documents(files)) == sorted(PAGES)


def test_pages_are_grouped_in_the_latest_years_bundle_and_the_earlier_years():
    shuffled = dict(reversed(list(YEARS.items())))
    groups = search.bundles(shuffled)
    assert list(groups) == ["pagefind/2026/", "pagefind/2024-2025/"]  # the page's order
    assert list(groups["pagefind/2024-2025/"]) == ["issues/2024-w10/index.html",
                                                   "issues/2024-w11/index.html",
                                                   "issues/2025-w52/index.html"]
    assert list(groups["pagefind/2026/"]) == sorted(PAGES)
    assert search.bundle_folders(YEARS) == list(groups)
    assert search.bundle_folders(["issues/2025-w01/", "issues/2026-w01/"]) == [
        "pagefind/2026/", "pagefind/2025/"]
    assert list(search.bundles(PAGES)) == search.bundle_folders(PAGES) == ["pagefind/2026/"]
    assert search.bundles({}) == {} and search.bundle_folders([]) == []
    with pytest.raises(ValueError):
        search.year_of("issues/2026/index.html")  # a year's archive page is no issue


def test_only_the_bundle_the_page_runs_carries_pagefinds_library():
    for name in ("pagefind.js", "pagefind-worker.js", "wasm.en.pagefind"):
        assert search.is_published(name) and not search.is_published(name, library=False)
    for name in ("pagefind-entry.json", "pagefind.en_1a2b.pf_meta", "index/en_1.pf_index",
                 "fragment/en_1.pf_fragment"):
        assert search.is_published(name) and search.is_published(name, library=False)
    for name in ("pagefind-ui.js", "pagefind-ui.css", "pagefind-highlight.js"):
        assert not search.is_published(name)


def test_pagefind_output_is_the_same_bytes_whatever_the_order():
    pytest.importorskip("pagefind_bin")
    first = search_cache.run_pagefind(PAGES, "pagefind/2026/")
    again = search_cache.run_pagefind(dict(reversed(list(PAGES.items()))), "pagefind/2026/")
    assert first == again
    assert "pagefind/2026/pagefind.js" in first and "pagefind/2026/pagefind-entry.json" in first
    assert any(p.startswith("pagefind/2026/fragment/") for p in first)
    assert all(search.is_published(p[len("pagefind/2026/"):]) for p in first)
    assert not any(p.endswith(("-ui.js", "-ui.css", "highlight.js")) for p in first)
    assert b'"page_count":3' in first["pagefind/2026/pagefind-entry.json"]
    fragments = [json.loads(gzip.decompress(data)[len(b"pagefind_dcd"):])
                 for p, data in first.items() if p.startswith("pagefind/2026/fragment/")]
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
    runs = [search_cache.run_pagefind(pages, "pagefind/all/") for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]


def test_the_bundles_are_the_same_bytes_whatever_the_order(tmp_path):
    """The split, end to end with Pagefind: the latest year's bundle and the earlier years',
    each indexing its own pages only, identical bytes from pages given in another order,
    with a store or without; Pagefind's library only in the latest year's."""
    pytest.importorskip("pagefind_bin")
    first = search_cache.search_bundle(None, YEARS)
    again = search_cache.search_bundle(Store(tmp_path / "cache", "code"),
                                       dict(reversed(list(YEARS.items()))))
    assert list(first) == list(again) == sorted(first)
    assert {p: file_bytes(d) for p, d in first.items()} == {
        p: file_bytes(d) for p, d in again.items()}
    for bundle, count in (("pagefind/2024-2025/", 3), ("pagefind/2026/", 3)):
        entry = file_bytes(first[f"{bundle}pagefind-entry.json"])
        assert f'"page_count":{count}'.encode() in entry, bundle
        assert any(p.startswith(f"{bundle}fragment/") for p in first)
    assert {p.split("/")[1] for p in first} == {"2024-2025", "2026"}
    assert "pagefind/2026/pagefind.js" in first
    assert "pagefind/2026/pagefind-worker.js" in first
    assert any(p.startswith("pagefind/2026/wasm.") for p in first)
    assert not any(p.startswith("pagefind/2024-2025/") and
                   not search.is_published(p[len("pagefind/2024-2025/"):], library=False)
                   for p in first)
    assert "pagefind/2024-2025/pagefind.js" not in first


def test_issue_pages_declare_no_pagefind_filter():
    template = Path(__file__).resolve().parents[2] / "templates" / "issue.html"
    assert "data-pagefind-filter" not in template.read_text(encoding="utf-8")


def test_an_unchanged_rebuild_reuses_the_stored_index(tmp_path, monkeypatch):
    calls: list[int] = []

    def fake(pages, bundle, **_):
        calls.append(len(pages))
        return {f"{bundle}pagefind.js": b"js", f"{bundle}fragment/en_1.pf_fragment":
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
    monkeypatch.setattr(search_cache, "run_pagefind", lambda pages, bundle, **_:
                        calls.append(1) or {f"{bundle}pagefind.js": b"js"})
    store = Store(tmp_path / "cache", "code")
    stored = search_cache.search_bundle(store, PAGES)["pagefind/2026/pagefind.js"]
    stored.source.write_bytes(b"edited in place")
    search_cache.search_bundle(store, PAGES)
    assert len(calls) == 2


def test_only_the_bundle_whose_pages_changed_is_indexed_again(tmp_path, monkeypatch):
    calls: list[tuple[str, int, bool]] = []

    def fake(pages, bundle, *, library=True):
        calls.append((bundle, len(pages), library))
        return {**({f"{bundle}pagefind.js": b"js"} if library else {}),
                f"{bundle}fragment/en_1.pf_fragment": b"|".join(pages[p] for p in sorted(pages))}

    monkeypatch.setattr(search_cache, "run_pagefind", fake)
    store = Store(tmp_path / "cache", "code-1")
    cold = search_cache.search_bundle(store, YEARS)
    assert sorted(calls) == [("pagefind/2024-2025/", 3, False), ("pagefind/2026/", 3, True)]
    assert sorted({p.split("/")[1] for p in cold}) == ["2024-2025", "2026"]
    store.save(prune=True)
    calls.clear()
    # A new week: 2026-W04 appears and 2026-W03 gets its "next" link; earlier years unchanged.
    new_week = dict(YEARS, **{"issues/2026-w03/index.html": _page("2026-W03", "Bitcoin next"),
                              "issues/2026-w04/index.html": _page("2026-W04", "New week")})
    store = Store(tmp_path / "cache", "code-1")
    warm = search_cache.search_bundle(store, new_week)
    assert calls == [("pagefind/2026/", 4, True)]
    assert {p: file_bytes(d) for p, d in warm.items() if "/2026/" not in p} == {
        p: file_bytes(d) for p, d in cold.items() if "/2026/" not in p}
    assert b"New week" in file_bytes(warm["pagefind/2026/fragment/en_1.pf_fragment"])
    store.save(prune=True)  # the earlier years' bundle stays in the store; 2026's old goes
    calls.clear()
    # The year's turn, once a year: 2027-W01 appears and 2026-W04 (the week before)
    # changes; 2026 moves into the earlier years' bundle.
    turn = dict(new_week, **{"issues/2026-w04/index.html": _page("2026-W04", "Next year"),
                             "issues/2027-w01/index.html": _page("2027-W01", "First")})
    store = Store(tmp_path / "cache", "code-1")
    search_cache.search_bundle(store, turn)
    assert sorted(calls) == [("pagefind/2024-2026/", 7, False), ("pagefind/2027/", 1, True)]
    store.save(prune=True)
    calls.clear()
    # The second week of the year: only the latest year's bundle again.
    second = dict(turn, **{"issues/2027-w01/index.html": _page("2027-W01", "First, next"),
                           "issues/2027-w02/index.html": _page("2027-W02", "Second")})
    store = Store(tmp_path / "cache", "code-1")
    search_cache.search_bundle(store, second)
    assert calls == [("pagefind/2027/", 2, True)]
    calls.clear()
    search_cache.search_bundle(store, dict(reversed(list(second.items()))))
    assert calls == []  # nothing changed, whatever the order: nothing indexed
