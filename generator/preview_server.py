"""The preview's server: the site's files from memory, and what each open page is told.

Every HTML response loads `/__riskon/live.js`, which opens a server-sent event stream
(`/__riskon/events?page=...&v=...`) naming its page and the version it was served at. The
server answers `{"reload": true}` once that page changed since, else `{"error": ...}`: the
last build error (shown by the script in a banner fixed at the top of the viewport) or ""
(the banner goes). Nothing of this reaches the published site.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import mimetypes
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

LIVE = "/__riskon/"


def _bytes(data: Any) -> bytes:
    return data if isinstance(data, bytes) else data.data


class PreviewState:
    """The version of every served page, the last error, and the browsers watching."""

    def __init__(self) -> None:
        self.version = 0
        self.error = ""
        self.changed_at: dict[str, int] = {}  # site path -> version that last changed it
        self.watching: dict[int, tuple[str, int]] = {}  # event stream -> (page, its version)
        self.reloading = 0  # pages told to reload and not yet back
        self.closing = False
        self.cond = threading.Condition()

    def publish(self, changed: Iterable[str], error: str = "") -> None:
        """A rebuild ended: the paths it changed, or the error that stopped it."""
        with self.cond:
            self.version += 1
            self.error = error
            for path in changed:
                self.changed_at[path] = self.version
            self.reloading = sum(self.changed_at.get(page, 0) > since
                                 for page, since in self.watching.values())
            self.cond.notify_all()

    def settle(self, timeout: float) -> None:
        """Wait until the pages told to reload are back (or `timeout` seconds): the rest of
        a rebuild must not slow down the page the editor is waiting for."""
        with self.cond:
            self.cond.wait_for(lambda: self.reloading <= 0 or self.closing, timeout=timeout)

    def watch(self, stream: int, page: str, since: int) -> None:
        with self.cond:
            self.watching[stream] = (page, since)
            if since >= self.version and self.reloading > 0:  # a page served since the change
                self.reloading -= 1
                self.cond.notify_all()

    def unwatch(self, stream: int) -> None:
        with self.cond:
            self.watching.pop(stream, None)

    def message(self, page: str, since: int) -> dict[str, Any]:
        """What a page served at version `since` should do now (`page` "": the error page
        shown while no build has succeeded, reloaded by the first good one)."""
        if self.changed_at.get(page, 0) > since or (not page and not self.error):
            return {"reload": True}
        return {"error": self.error}

    def close(self) -> None:
        with self.cond:
            self.closing = True
            self.cond.notify_all()


LIVE_JS = """(function () {
  var me = document.currentScript, page = me.dataset.page, v = me.dataset.version;
  function banner(text) {
    var b = document.getElementById('riskon-preview-error');
    if (!text) { if (b) b.remove(); return; }
    if (!b) {
      b = document.createElement('div');
      b.id = 'riskon-preview-error';
      b.setAttribute('role', 'alert');
      var s = b.style;  // CSSOM, allowed by the pages' Content-Security-Policy
      s.position = 'fixed'; s.top = '0'; s.left = '0'; s.right = '0'; s.zIndex = '2147483647';
      s.maxHeight = '45vh'; s.overflow = 'auto'; s.margin = '0'; s.padding = '.8em 1em';
      s.background = '#fde8e8'; s.color = '#6b0000'; s.borderBottom = '3px solid #b00020';
      s.font = '14px/1.4 ui-monospace, monospace'; s.whiteSpace = 'pre-wrap';
      s.boxShadow = '0 2px 8px rgba(0,0,0,.3)';
      document.body.appendChild(b);
    }
    b.textContent = 'Preview not updated: the last save has an error. ' +
      'Fix it and save again (this page shows the last good build).\\n\\n' + text;
  }
  var es = new EventSource('/__riskon/events?page=' + encodeURIComponent(page) + '&v=' + v);
  es.onmessage = function (e) {
    var m = JSON.parse(e.data);
    if (m.reload) { es.close(); location.reload(); } else { banner(m.error); }
  };
})();
"""


def inject(html: bytes, page: str, version: int) -> bytes:
    """`html` with the preview's script (its page and version as data attributes)."""
    tag = (f'<script src="{LIVE}live.js" data-page="{page}" data-version="{version}">'
           "</script>").encode()
    if b"</body>" in html:
        return html.replace(b"</body>", tag + b"</body>", 1)
    return html + tag


def error_page(error: str) -> bytes:
    """What every address shows while no build has succeeded yet."""
    from html import escape

    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Preview: '
            f'build failed</title></head><body><h1>The preview could not be built</h1>'
            f"<pre>{escape(error)}</pre><p>Fix the problem and save: this page reloads."
            f"</p></body></html>").encode()


def make_handler(files: Callable[[], Mapping[str, Any]], state: PreviewState, base_path: str
                 ) -> type[http.server.BaseHTTPRequestHandler]:
    """Serve `files()` at `/` and under `base_path`, plus the live-reload endpoints."""
    files_now = files

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            url = urlsplit(self.path)
            if url.path == LIVE + "events":
                self._events(parse_qs(url.query))
            elif url.path == LIVE + "live.js":
                self._send(200, LIVE_JS.encode(), "text/javascript; charset=utf-8")
            else:
                self._file(unquote(url.path))

        def do_HEAD(self) -> None:  # noqa: N802
            self.head_only = True
            self.do_GET()

        def _file(self, path: str) -> None:
            files, version = files_now(), state.version
            rel = path[len(base_path):] if path.startswith(base_path) else path.lstrip("/")
            if rel == "" or rel.endswith("/"):
                rel += "index.html"
            status = 200
            if rel not in files and rel + "/index.html" in files:
                self.send_response(301)
                self.send_header("Location", path + "/")
                self.end_headers()
                return
            if rel not in files:
                if not files:
                    self._send(503, inject(error_page(state.error), "", version),
                               "text/html; charset=utf-8")
                    return
                status, rel = 404, "404.html"
            data = _bytes(files[rel]) if rel in files else b"Not found"
            kind = mimetypes.guess_type(rel)[0] or "application/octet-stream"
            if kind == "text/html":
                data = inject(data, rel, version)
            if kind.startswith("text/") or kind in ("application/json", "image/svg+xml",
                                                     "application/xml", "text/javascript"):
                kind += "; charset=utf-8"
            if status == 200 and not kind.startswith("text/html"):
                # Scripts, styles and images are revalidated, not fetched again: a reload
                # after a save costs the page alone.
                etag = '"' + hashlib.blake2b(data, digest_size=12).hexdigest() + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self._send(status, data, kind, etag)
                return
            self._send(status, data, kind)

        def _events(self, query: dict[str, list[str]]) -> None:
            page = (query.get("page") or [""])[0]
            try:
                since = int((query.get("v") or ["0"])[0])
            except ValueError:
                since = 0
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            last: dict[str, Any] | None = None
            state.watch(id(self), page, since)
            try:
                self.wfile.write(b"retry: 250\n\n")
                while True:
                    with state.cond:
                        message = state.message(page, since)
                        quiet = False
                        if message == last:
                            seen = state.version
                            state.cond.wait_for(
                                lambda s=seen: state.version != s or state.closing, timeout=15)
                            if state.closing:
                                return
                            quiet = state.version == seen
                    if message != last:
                        self.wfile.write(f"data: {json.dumps(message)}\n\n".encode())
                        last = message
                        if message.get("reload"):
                            return
                    elif quiet:
                        self.wfile.write(b": still here\n\n")
            except OSError:  # the browser went away
                return
            finally:
                state.unwatch(id(self))

        def _send(self, status: int, body: bytes, kind: str, etag: str = "") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.send_header("Cache-Control", "no-cache" if etag else "no-store")
            self.end_headers()
            if not getattr(self, "head_only", False):
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (quiet)
            pass

    return Handler
