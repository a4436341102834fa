"""Rendered issue pages, cached by the hash of everything a page is made of.

A page's key covers the code that renders it (every template and asset, every generator
source, the version and libraries), the site settings, the issue (its `repr`, which holds
every field a page shows), the editor's note, the hash its charts are cached by, its
neighbours in the archive and its sharing card. An unchanged page is then hard-linked from
the cache into the site: neither rendered nor written again, and its charts are never read.
The cache is a memo: a build gives the same bytes with it or without it.

Cache: `<cache_dir>/pages/<key>.html`; beside them, keyed by an issue's charts alone, its
chart specs `<key>.charts.json` and the SVG files of its lazy charts `<key>.<name>.svg`; and
`index.json`. A full build removes the files it did not use.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from generator import files

from generator.cache import keys as memo
from generator.files import CachedFile, write_atomic

INDEX = "index.json"  # {file name: [size, mtime_ns]} of every file written to the cache
SUFFIXES = (".html", ".charts.json", ".svg")  # what the cache holds: pages, specs, charts


_DIGESTS: dict[tuple, str] = {}


def code_digest(templates_dir: Path) -> str:
    """Hash of what renders a page: templates and assets, and the generator's code
    (`memo.code_digest`: its sources, the version, the libraries).

    Templates are read again only when one of them changed size or time (`serve` rebuilds
    in one process while templates are edited)."""
    root = Path(templates_dir).resolve()
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        st = path.stat()
        found.append((path.relative_to(root).as_posix(), path, st.st_size, st.st_mtime_ns))
    signature = (memo.code_digest(), *((rel, size, mtime) for rel, _, size, mtime in found))
    digest = _DIGESTS.get(signature)
    if digest is None:
        h = hashlib.blake2b(memo.code_digest().encode(), digest_size=20)
        for rel, path, _, _ in found:
            data = path.read_bytes()
            h.update(f"{rel}\n{len(data)}\n".encode())
            h.update(data)
        digest = _DIGESTS[signature] = h.hexdigest()
    return digest


class PageCache:
    """Get and put rendered pages by key; `save` records them (and prunes after a full build).

    A cached page is hard-linked into the site, so the two are one file: the index records
    each page's size and modification time, and a page whose file no longer matches (edited
    in place in the site) is rendered again instead of being published as it now is.
    """

    def __init__(self, folder: Path, templates_dir: Path) -> None:
        self.folder = folder
        self.code = code_digest(templates_dir)
        self.known = _read_index(folder / INDEX)
        self.used: set[str] = set()
        self.hits = 0

    def key(self, *parts: str) -> str:
        h = hashlib.blake2b(self.code.encode(), digest_size=20)
        for part in parts:
            h.update(b"\0" + part.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def get(self, key: str, suffix: str = ".html") -> CachedFile | None:
        name = key + suffix
        stamp = self.known.get(name)
        if stamp is None:
            return None
        path = self.folder / name
        try:
            st = path.stat()
        except OSError:
            return None
        if [st.st_size, st.st_mtime_ns] != stamp:
            return None
        self.used.add(name)
        if suffix == ".html":
            self.hits += 1
        return CachedFile(path, st.st_size)

    def put(self, key: str, data: bytes, suffix: str = ".html") -> CachedFile:
        assert suffix.endswith(SUFFIXES), suffix
        name = key + suffix
        path = self.folder / name
        write_atomic(path, data)
        st = path.stat()
        self.known[name] = [st.st_size, st.st_mtime_ns]
        self.used.add(name)
        return CachedFile(path, st.st_size, data)

    def save(self, *, prune: bool) -> None:
        """Record the files in the index; with `prune` (a full build) keep only the files
        this build used and remove the others."""
        keep = {k: v for k, v in self.known.items() if k in self.used or not prune}
        if prune:
            for suffix in SUFFIXES:
                files.prune(self.folder, set(keep), suffix)
        if keep or (self.folder / INDEX).exists():
            write_atomic(self.folder / INDEX,
                         json.dumps(keep, sort_keys=True, separators=(",", ":")).encode())


def _read_index(path: Path) -> dict[str, list[int]]:
    try:
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(doc, dict):
        return {}
    return {k: v for k, v in doc.items() if isinstance(v, list) and len(v) == 2}
