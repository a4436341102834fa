"""The hostile corpus through both feeds, rendered as HTML in Chromium the way a careless
feed reader would (every field inserted as HTML): nothing runs."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html import escape

import pytest

from tests.browser.test_browser import browser  # noqa: F401  (fixture)
from tests.site.test_feed import CONTENT, DC_CREATOR, HOSTILE, _feeds, _inputs, _note

# Every payload that would run calls this; the page records it.
TRAP = "top.__ran=1"  # no spaces: it must survive unquoted attributes too


def _armed(payload: str) -> str:
    return payload.replace("alert(1)", TRAP)


def _reader_page(fields: list[str]) -> str:
    """A page that shows each field as HTML, as a reader that trusts its feed would."""
    body = "".join(f"<section>{field}</section>" for field in fields)
    return (f"<!doctype html><html><head><title>{escape('feed')}</title></head>"
            f"<body>{body}</body></html>")


@pytest.mark.parametrize("payload", HOSTILE)
def test_no_feed_field_runs_script_when_rendered_as_html(tmp_path, browser, payload):  # noqa: F811
    armed = _armed(payload)
    note = _note(tmp_path, "2026-W08",
                 {"title": armed, "author": armed, "summary": armed, "tags": ["credit"]},
                 f"{armed}\n\n[a link](javascript:{TRAP}) and {armed}.")
    rss, jf = _feeds(_inputs({"2026-W08": note}))
    item = ET.fromstring(rss).find("./channel/item")
    entry = json.loads(jf)["items"][0]
    fields = [item.findtext("title"), item.findtext("description"),
              item.findtext(DC_CREATOR), item.findtext(CONTENT), entry["title"],
              entry["summary"], entry["authors"][0]["name"], entry["content_html"]]
    # The control: the raw payload, inserted the same way, does run (the trap works).
    context = browser.new_context()
    try:
        page = context.new_page()
        page.on("dialog", lambda d: d.dismiss())
        page.set_content(_reader_page(fields), wait_until="load")
        page.wait_for_timeout(50)
        assert page.evaluate("window.__ran || 0") == 0
        for link in page.query_selector_all("a[href]"):
            assert not link.get_attribute("href").lower().startswith("javascript:")
    finally:
        context.close()


@pytest.mark.parametrize("payload", [p for p in HOSTILE if "alert(1)" in p and "&" not in p
                                     and not p.startswith("<math")])  # (a sanitizer trap)
def test_the_trap_fires_on_the_raw_payload(browser, payload):  # noqa: F811
    """The control: inserted raw, without the feeds' treatment, the payload does run."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.on("dialog", lambda d: d.dismiss())
        page.set_content(_reader_page([_armed(payload)]), wait_until="load")
        if "href=" in payload or payload.startswith("javascript:"):
            pytest.skip("runs only when clicked")
        page.wait_for_function("window.__ran === 1", timeout=5000)
    finally:
        context.close()
