"""`riskon serve`: a local preview with drafts, rebuilt on change, with live reload.

The preview is built into `.cache/preview/` (never `site/`), served on 127.0.0.1 only, and
a tiny script added to each HTML response asks `/__riskon/version` once a second; when the
number changes the page reloads.  Nothing of this reaches the published site.
"""

from __future__ import annotations

import functools
import http.server
import threading
import time
from collections.abc import Callable
from pathlib import Path

from generator.config import Config

RELOAD_SCRIPT = b"""<script>(function(){var v=null;function poll(){fetch('/__riskon/version',
{cache:'no-store'}).then(function(r){return r.text()}).then(function(t){if(v!==null&&t!==v)
location.reload();v=t}).catch(function(){}).finally(function(){setTimeout(poll,1000)})}poll()})();
</script>"""


def watched_files(config: Config) -> dict[Path, float]:
    """Modification times of everything a rebuild depends on (content, templates, settings)."""
    stamps: dict[Path, float] = {}
    for folder in (config.content_dir, config.templates_dir):
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.is_file():
                    stamps[path] = path.stat().st_mtime_ns
    settings = config.root / "pyproject.toml"
    if settings.is_file():
        stamps[settings] = settings.stat().st_mtime_ns
    return stamps


class PreviewState:
    """The build number the browser polls, and the last error to show."""

    def __init__(self) -> None:
        self.version = 0
        self.error = ""


def make_handler(root: Path, state: PreviewState) -> type[http.server.BaseHTTPRequestHandler]:
    """A static file handler for `root` that injects the reload script into HTML."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            if self.path.startswith("/__riskon/version"):
                body = str(state.version).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            if path.suffix == ".html" and path.is_file():
                html = path.read_bytes()
                if state.error:
                    note = state.error.encode("utf-8", "replace").replace(b"<", b"&lt;")
                    html = html.replace(b"<body>", b'<body><pre style="background:#fdd;'
                                        b'color:#600;padding:1em;white-space:pre-wrap">'
                                        + note + b"</pre>", 1)
                html = html.replace(b"</body>", RELOAD_SCRIPT + b"</body>", 1)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(html)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(html)
                return
            super().do_GET()

        def log_message(self, format: str, *args) -> None:  # quiet
            pass

    return functools.partial(Handler, directory=str(root))  # type: ignore[return-value]


def serve(
    config: Config, rebuild: Callable[[], str], *, out: Path, port: int,
    log: Callable[[str], None], interval: float = 0.5, stop: threading.Event | None = None,
) -> None:
    """Serve `out` on 127.0.0.1:`port`, calling `rebuild()` (returns an error or "") on change."""
    state = PreviewState()
    state.error = rebuild()
    state.version = 1
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), make_handler(out, state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    log(f"previewing on http://127.0.0.1:{server.server_address[1]}/ (drafts shown); Ctrl-C stops")
    stamps = watched_files(config)
    stop = stop or threading.Event()
    try:
        while not stop.wait(interval):
            now = watched_files(config)
            if now != stamps:
                stamps = now
                started = time.perf_counter()
                state.error = rebuild()
                state.version += 1
                log(("rebuild failed: " + state.error) if state.error
                    else f"rebuilt in {time.perf_counter() - started:.1f} s")
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
