"""The built site served as GitHub Pages serves it: under the base URL's path, with
`404.html` at every missing address. Every link of the 404 page resolves at any depth."""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from generator.config import load_config


def pages_like_server(site: Path, base_path: str) -> ThreadingHTTPServer:
    """A static host: files under `base_path`, folders to their index.html, else 404.html."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            path = urlsplit(self.path).path
            target = None
            if path.startswith(base_path):
                target = site / path[len(base_path):]
                if target.is_dir():
                    target = target / "index.html"
            status = 200 if target is not None and target.is_file() else 404
            body = (target if status == 200 else site / "404.html").read_bytes()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


@pytest.fixture(scope="module")
def host(sample_site) -> Iterator[tuple[str, str]]:
    """(the served site's URL, the configured base URL it stands for)."""
    base_url = load_config(sample_site.project).base_url
    base_path = urlsplit(base_url).path
    assert base_path != "/"  # the project's own settings publish under a sub-path
    server = pages_like_server(sample_site.site, base_path)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}{base_path}", base_url
    server.shutdown()
    server.server_close()


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as err:
        return err.code


@pytest.mark.parametrize("missing", ["issues/2099-w01/", "nope", "a/b/c/d/e/", "issues/x.html"])
def test_every_link_of_the_404_page_resolves_at_any_depth(host, missing):
    site_url, base_url = host
    url = site_url + missing
    try:
        urllib.request.urlopen(url, timeout=10)
        raise AssertionError(f"{url} should be missing")
    except urllib.error.HTTPError as err:
        assert err.code == 404
        html = err.read().decode("utf-8")
    assert "Page not found" in html
    links = re.findall(r'(?:href|src)="([^"#]+)"', html)
    assert len(links) >= 10
    for link in links:
        if link.startswith(("data:", "mailto:")):
            continue
        target = urljoin(url, link).replace(base_url, site_url)  # the site's own host, here
        assert target.startswith(site_url), (link, target)
        assert status_of(target) == 200, (missing, link, target)
