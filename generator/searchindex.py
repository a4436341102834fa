"""Run Pagefind over issue pages (the edge of the search stage: a binary, a temporary
folder), one bundle per run. What to index, in which bundle, and what to publish is decided
in `generator.site.search`."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from generator.errors import UserError
from generator.site import search
from generator.writer import FileData, StoredFile, file_bytes


def pagefind_binary() -> Path:
    """The Pagefind executable shipped by the `pagefind[bin]` wheel."""
    try:
        import pagefind_bin
    except ImportError as exc:
        raise UserError("site search: Pagefind is not installed "
                        "(python -m pip install 'pagefind[bin]')") from exc
    return Path(pagefind_bin.get_executable())


def run_pagefind(pages: Mapping[str, FileData], bundle: str, *, library: bool = True
                 ) -> dict[str, bytes]:
    """The search bundle of `pages` ({site path: HTML}) as {site path: bytes} under the
    folder `bundle` (e.g. `pagefind/2026/`), only the files the site publishes (without
    Pagefind's script, worker and WebAssembly unless `library`: `search.is_published`).
    Same pages, same bytes, whatever their order.

    Pagefind reads the pages from a temporary folder: a page kept in the cache is
    hard-linked there (Pagefind only reads it), any other is written."""
    binary = pagefind_binary()
    with tempfile.TemporaryDirectory(prefix="riskon-search-") as tmp:
        site, out = Path(tmp) / "site", Path(tmp) / "bundle"
        site.mkdir()
        made = {str(site)}
        for path, data in pages.items():
            target = os.path.join(site, *PurePosixPath(path).parts)
            folder = os.path.dirname(target)
            if folder not in made:
                os.makedirs(folder, exist_ok=True)
                made.add(folder)
            if isinstance(data, StoredFile):
                try:
                    os.link(data.source, target)
                    continue
                except OSError:  # another file system: write the bytes instead
                    pass
            with open(target, "wb") as handle:
                handle.write(file_bytes(data))
        done = subprocess.run([str(binary), *search.pagefind_arguments(str(site), str(out))],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise UserError(f"site search: Pagefind failed (exit {done.returncode})"
                            + (f": {detail[-1]}" if detail else ""))
        return {bundle + f.relative_to(out).as_posix(): f.read_bytes()
                for f in sorted(out.rglob("*"))
                if f.is_file()
                and search.is_published(f.relative_to(out).as_posix(), library=library)}
