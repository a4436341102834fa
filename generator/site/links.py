"""Links in editor HTML, adjusted to where a page sits (pure)."""

from __future__ import annotations

import re
from urllib.parse import urljoin

_LINK = re.compile(r'\b(href|src)="([^"]*)"')


def rebase_links(html: str, root: str, page_url: str | None = None) -> str:
    """Point editor links at the right place from a page.

    Editors write site links from the site root (`/methodology/`); they become `root` +
    path, so the site works under any sub-path.  With `page_url` (the feed), every other
    relative link is made absolute against it.
    """

    def fix(m: re.Match[str]) -> str:
        attr, url = m.group(1), m.group(2)
        if url.startswith("/") and not url.startswith("//"):
            return f'{attr}="{root}{url[1:]}"'
        if page_url and not re.match(r"(?i)^[a-z][a-z0-9+.-]*:|#|//", url):
            return f'{attr}="{urljoin(page_url, url)}"'
        return m.group(0)

    return _LINK.sub(fix, html)
