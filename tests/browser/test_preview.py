"""`riskon serve` in Chromium: a save reloads the page the editor is on, a build error shows
in a banner inside the viewport wherever the page is scrolled, and the next good save
clears it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser import wait_until
from tests.browser.test_browser import CHROMIUM_FLAGS, _chromium

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def page(preview) -> Iterator[object]:
    exe = _chromium()
    if exe is None:
        pytest.skip("no Chromium binary (apt-get install -y chromium)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_FLAGS, headless=True)
        yield browser.new_page(viewport={"width": 390, "height": 800})
        browser.close()


def scroll_down(page) -> None:
    page.wait_for_load_state("load")
    wait_until(page, "() => { window.scrollTo(0, document.documentElement.scrollHeight);"
                           " return window.scrollY > 1000; }")


def test_error_banner_is_in_the_viewport_and_cleared_by_the_next_good_save(preview, page):
    issue = preview.site.inputs.issues[-1]
    note = preview.site.project / "content" / "issues" / f"{issue.week}.md"
    page.goto(preview.url + issue.path)
    scroll_down(page)

    note.write_text("---\ndraft: true\n---\nFirst words from the editor.\n", encoding="utf-8")
    wait_until(page, "document.body.textContent.includes('First words from the editor.')",
                           timeout=10_000)

    scroll_down(page)
    note.write_text("---\ntitle: [unclosed\n---\nBroken.\n", encoding="utf-8")
    banner = page.wait_for_selector("#riskon-preview-error", timeout=10_000)
    assert f"{issue.week}.md" in banner.inner_text()
    box = page.evaluate("""() => {
        const r = document.getElementById('riskon-preview-error').getBoundingClientRect();
        return {top: r.top, bottom: r.bottom, height: r.height, vh: innerHeight,
                scrolled: scrollY};
    }""")
    assert box["scrolled"] > 1000  # the editor is far down the page ...
    assert box["top"] == 0 and 0 < box["height"] and box["bottom"] <= box["vh"]  # ... and sees it
    assert page.evaluate("() => document.elementFromPoint(195, 10)"
                         ".closest('#riskon-preview-error') !== null")

    note.write_text("---\ndraft: true\n---\nFixed words.\n", encoding="utf-8")
    wait_until(page, "document.body.textContent.includes('Fixed words.')", timeout=10_000)
    assert page.query_selector("#riskon-preview-error") is None
