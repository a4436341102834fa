"""`riskon serve`: the preview in memory, told to the browser by server-sent events."""

from __future__ import annotations

import json
import queue
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from generator.config import load_config
from generator.preview import Preview, plan
from generator.preview_server import PreviewState, inject


def test_a_page_reloads_only_when_it_changed_since_it_was_served():
    state = PreviewState()
    state.publish(["index.html", "issues/2026-w40/index.html"])
    assert state.message("index.html", 0) == {"reload": True}
    assert state.message("index.html", 1) == {"error": ""}
    state.publish([], "content/issues/2026-W40.md:2: unknown key 'titel'")
    assert state.message("index.html", 1) == {"error":
                                              "content/issues/2026-W40.md:2: unknown key 'titel'"}
    state.publish(["issues/2026-w40/index.html"])
    assert state.message("index.html", 1) == {"error": ""}  # the banner goes
    assert state.message("issues/2026-w40/index.html", 2) == {"reload": True}
    assert state.message("", 3) == {"reload": True}  # the no-build-yet page, once one is good


def test_settle_waits_for_the_pages_told_to_reload():
    state = PreviewState()
    state.watch(1, "index.html", 0)
    state.watch(2, "about/index.html", 0)
    state.publish(["index.html"])
    assert state.reloading == 1
    started = time.perf_counter()
    state.settle(0.2)  # nobody came back: gives up after the timeout
    assert time.perf_counter() - started >= 0.19
    state.unwatch(1)
    state.watch(3, "index.html", state.version)  # the reloaded page
    assert state.reloading == 0
    started = time.perf_counter()
    state.settle(5)
    assert time.perf_counter() - started < 1


def test_the_script_is_added_to_html_with_its_page_and_version():
    html = inject(b"<html><body><p>x</p></body></html>", "issues/2026-w40/index.html", 7)
    assert html.endswith(b'<script src="/__riskon/live.js" data-page="issues/2026-w40/'
                         b'index.html" data-version="7"></script></body></html>')


def test_plan_tells_commentary_saves_from_the_rest(project):
    config = load_config(project)
    note = project / "content" / "issues" / "2026-W40.md"
    assert plan(config, [note]) == ("content", ["2026-W40"])
    assert plan(config, [project / "content" / "pages" / "about.md"]) == ("content", [])
    assert plan(config, [note, project / "templates" / "base.html"]) == ("full", [])
    assert plan(config, [project / "pyproject.toml"]) == ("full", [])


# --- the preview on the sample market -------------------------------------------------------
def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8")


def events(url: str) -> queue.Queue[dict]:
    """The messages of one server-sent event stream, as a browser's EventSource gets them."""
    out: queue.Queue[dict] = queue.Queue()

    def read() -> None:
        with urllib.request.urlopen(url, timeout=30) as r:
            for line in r:
                if line.startswith(b"data: "):
                    out.put(json.loads(line[6:]))

    threading.Thread(target=read, daemon=True).start()
    return out


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def test_a_save_reaches_the_page_and_an_error_shows_until_the_next_good_save(preview):
    week = preview.site.inputs.issues[-1]
    page = f"{week.path}index.html"
    note = preview.site.project / "content" / "issues" / f"{week.week}.md"
    status, html = get(preview.url + week.path)
    assert status == 200 and f'data-page="{page}"' in html
    version = int(html.split('data-version="')[1].split('"')[0])
    stream = events(f"{preview.url}__riskon/events?page={page}&v={version}")
    assert stream.get(timeout=5) == {"error": ""}

    write(note, "---\ntitle: \"First look\"\ndraft: true\n---\nSmall caps woke up.\n")
    assert stream.get(timeout=10) == {"reload": True}
    status, html = get(preview.url + week.path)
    assert "Small caps woke up." in html and "First look" in html  # drafts are shown
    version = int(html.split('data-version="')[1].split('"')[0])

    stream = events(f"{preview.url}__riskon/events?page={page}&v={version}")
    assert stream.get(timeout=5) == {"error": ""}
    write(note, "---\ntitel: oops\n---\nBroken.\n")
    error = stream.get(timeout=10)["error"]
    assert f"{week.week}.md" in error and "titel" in error
    assert "Small caps woke up." in get(preview.url + week.path)[1]  # the last good page

    write(note, "---\ndraft: true\n---\nFixed.\n")
    assert stream.get(timeout=10) == {"reload": True}
    assert "Fixed." in get(preview.url + week.path)[1]
    # The rest of the site follows: the feed item holds the new commentary too.
    deadline = time.time() + 10
    while "Fixed." not in get(preview.url + "feed.xml")[1] and time.time() < deadline:
        time.sleep(0.1)
    assert "Fixed." in get(preview.url + "feed.xml")[1]


def test_the_preview_answers_under_the_base_path_and_404s_at_any_depth(preview):
    base = preview.url + "risk-on-monitor/"
    assert get(base)[0] == 200
    assert get(base + "issues/")[0] == 200
    status, html = get(base + "issues/2099-w01/")
    assert status == 404 and "Page not found" in html
    status, html = get(preview.url + "no/such/page/")
    assert status == 404 and "Page not found" in html


def test_without_prices_every_address_says_why_and_waits_for_a_fix(project):
    p = Preview(project, source="yfinance", port=0, log=lambda m: None)  # data/prices empty
    p.start()
    try:
        status, html = get(p.url + "issues/")
        assert status == 503 and "could not be built" in html and "^RUT" in html
        assert "/__riskon/live.js" in html  # the page reloads once a save fixes it
    finally:
        p.stop()
