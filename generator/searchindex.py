"""Run Pagefind over the issue pages (the edge of the search stage: a binary, a temporary
folder). What to index and publish is decided in `generator.site.search`."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from generator.errors import UserError
from generator.site import search


def pagefind_binary() -> Path:
    """The Pagefind executable shipped by the `pagefind[bin]` wheel."""
    try:
        import pagefind_bin
    except ImportError as exc:
        raise UserError("site search: Pagefind is not installed "
                        "(python -m pip install 'pagefind[bin]')") from exc
    return Path(pagefind_bin.get_executable())


def run_pagefind(pages: Mapping[str, bytes]) -> dict[str, bytes]:
    """The search bundle of `pages` ({site path: HTML}) as {site path: bytes} under
    `search.BUNDLE`, only the files the site publishes. Same pages, same bytes."""
    binary = pagefind_binary()
    with tempfile.TemporaryDirectory(prefix="riskon-search-") as tmp:
        site, out = Path(tmp) / "site", Path(tmp) / "bundle"
        for path, data in pages.items():
            target = site / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        site.mkdir(exist_ok=True)
        done = subprocess.run([str(binary), *search.pagefind_arguments(str(site), str(out))],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise UserError(f"site search: Pagefind failed (exit {done.returncode})"
                            + (f": {detail[-1]}" if detail else ""))
        return {search.BUNDLE + f.relative_to(out).as_posix(): f.read_bytes()
                for f in sorted(out.rglob("*"))
                if f.is_file() and search.is_published(f.relative_to(out).as_posix())}
