"""The one place that writes files: the site tree, and any single file atomically.

The first build into a folder (or one whose record is missing) writes a complete new tree
beside it and swaps it in. Later builds update the folder in place, touching only what
changed: every changed file is first written beside its target under a temporary name, and
only when all of them are written are they renamed over their targets (each rename is
atomic) and the files no longer published removed. A failure before that point removes the
temporary files and leaves the site exactly as it was. `.riskon-manifest` records the
content digest and size of every file the last build wrote, so the record is the same
whether a file was rendered or linked from the cache.

`write_atomic` writes one file (committed data, cache entries) so that readers see the old
bytes or the new, never half of either.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from generator.errors import UserError

MARKER = ".riskon-site"  # this folder was built by riskon; holds the build's input stamp
MANIFEST = ".riskon-manifest"  # {site path: [digest, size]} of the files last written
_STAGED = ".riskon-new"


class StoredFile:
    """A file whose bytes already sit in a file (the cache): the writer hard-links `source`
    instead of writing the bytes again, and copies them when it cannot link.

    `digest` is the blake2b-128 of its bytes (as `_digest` computes it for plain bytes);
    the bytes are read only when asked for (`data`); `len()` is its size.
    """

    __slots__ = ("_data", "digest", "size", "source")

    def __init__(self, source: Path, size: int, digest: str, data: bytes | None = None) -> None:
        self.source = source
        self.size = size
        self.digest = digest
        self._data = data

    @property
    def data(self) -> bytes:
        if self._data is None:
            self._data = self.source.read_bytes()
        return self._data

    def __len__(self) -> int:
        return self.size

    def __repr__(self) -> str:
        return f"StoredFile({str(self.source)!r}, size={self.size})"


FileData = bytes | StoredFile


def file_bytes(data: FileData) -> bytes:
    """The bytes of a site file, read from its stored file if need be."""
    return data.data if isinstance(data, StoredFile) else data


def write_atomic(path: Path, data: bytes, *, durable: bool = False) -> None:
    """Write `data` to a temporary file beside `path`, then rename it over `path`.

    `durable` also flushes to disk first (committed data: prices, snapshots); caches skip it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_output_dir(out: Path) -> None:
    """Refuse to replace a folder that is not empty and was not written by riskon."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).is_file())):
        raise UserError(
            f"{out}: refusing to replace it: it is not empty and was not built by riskon "
            f"(no {MARKER} file); choose another --out or remove it"
        )


def write_stamp(out: Path, stamp: Mapping[str, object]) -> None:
    """Record what the site in `out` was built from (read by the no-change check)."""
    data = (json.dumps(dict(stamp), sort_keys=True, indent=1) + "\n").encode()
    tmp = out / (MARKER + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, out / MARKER)


def write_site(files: Mapping[str, FileData], out: Path) -> None:
    """Make `out` hold exactly `files` (see the module docstring for how).

    A failure before the new files are complete leaves the previous `out` as it was.
    """
    out = out.resolve()
    check_output_dir(out)
    digests = {rel: _digest(data) for rel, data in files.items()}
    previous = _read_manifest(out)
    if previous is not None:
        _update_in_place(files, digests, previous, out)
    else:
        _swap_in(files, digests, out)


def _digest(data: FileData) -> list:
    if isinstance(data, StoredFile):
        return [data.digest, len(data)]
    return [hashlib.blake2b(data, digest_size=16).hexdigest(), len(data)]


def _read_manifest(out: Path) -> dict[str, list] | None:
    try:
        doc = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, ValueError, UnicodeDecodeError):
        return None
    return doc if isinstance(doc, dict) else None


def _manifest_bytes(digests: Mapping[str, list]) -> bytes:
    return (json.dumps(dict(digests), sort_keys=True, separators=(",", ":")) + "\n").encode()


def _update_in_place(files: Mapping[str, FileData], digests: Mapping[str, list],
                     previous: Mapping[str, list], out: Path) -> None:
    """Write what changed beside its target, then rename it all into place."""
    changed = []
    for rel in sorted(files):
        target = out / _safe_relative(rel)
        if previous.get(rel) != digests[rel] or not _is_current(target, files[rel]):
            changed.append(rel)
    gone = sorted(rel for rel in previous if rel not in files)
    staged: list[tuple[Path, Path]] = []
    made: list[Path] = []
    try:
        for rel in changed:
            target = out / _safe_relative(rel)
            _make_dirs(target.parent, out, made)
            tmp = target.with_name(f".{target.name}{_STAGED}")
            tmp.unlink(missing_ok=True)  # a crash's leftover may be a link to a cache file
            staged.append((tmp, target))
            _write_file(tmp, files[rel])
        manifest = out / (MANIFEST + _STAGED)
        manifest.unlink(missing_ok=True)
        staged.append((manifest, out / MANIFEST))
        _write_file(manifest, _manifest_bytes(digests))
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    # The build's stamp no longer describes the folder until `write_stamp` writes the new one.
    (out / MARKER).write_bytes(b"{}\n")
    # New pages first, the pages that link to them after, the home page and feed last.
    for tmp, target in sorted(staged, key=lambda st: _commit_order(st[1], out)):
        os.replace(tmp, target)
    for rel in gone:
        path = out / _safe_relative(rel)
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # only when it is now empty


def _commit_order(target: Path, out: Path) -> tuple[int, str]:
    rel = target.relative_to(out).as_posix()
    last = rel in ("index.html", "feed.xml", "sitemap.xml", MANIFEST)
    return (2 if last else 0 if rel.count("/") > 1 else 1, rel)


def _is_current(path: Path, data: FileData) -> bool:
    """Whether the file the manifest describes is still there: its size, and for a cache
    file, still the cache file itself (not a copy, nor a file replaced since)."""
    try:
        st = path.stat()
        if st.st_size != len(data):
            return False
        if isinstance(data, StoredFile):
            source = data.source.stat()
            return (st.st_ino, st.st_dev) == (source.st_ino, source.st_dev)
    except OSError:
        return False
    return True


def _make_dirs(folder: Path, out: Path, made: list[Path]) -> None:
    """Create `folder` and its missing parents under `out`, recording each one created."""
    missing = []
    while folder != out and not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(mode=0o755)
        os.chmod(path, 0o755)
        made.append(path)


def _write_file(path: Path, data: FileData) -> None:
    if isinstance(data, StoredFile):
        if _link(data.source, path):
            os.chmod(path, 0o644)
            return
        data = data.data
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.fchmod(fd, 0o644)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _swap_in(files: Mapping[str, FileData], digests: Mapping[str, list],
             out: Path) -> None:
    """Write `files` into a fresh folder beside `out`, then swap it in for `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
    made: set[Path] = set()
    try:
        for rel, data in sorted(files.items()):
            target = tmp / _safe_relative(rel)
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            _write_file(target, data)
        (tmp / MARKER).write_bytes(b"{}\n")
        (tmp / MANIFEST).write_bytes(_manifest_bytes(digests))
        _fix_modes(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
        os.replace(out, old / "site")
    try:
        os.replace(tmp, out)
    except BaseException:
        if old is not None:
            os.replace(old / "site", out)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _link(source: Path, target: Path) -> bool:
    """Hard-link an unchanged cache file into the new tree (False: write it instead)."""
    try:
        os.link(source, target)
    except OSError:  # another file system, no hard links, the cache file gone
        return False
    return True


def _safe_relative(rel: str) -> Path:
    """A site path as a relative filesystem path; refuses absolute paths and `..`."""
    p = PurePosixPath(rel)
    if p.is_absolute() or ".." in p.parts or not p.parts:
        raise ValueError(f"unsafe site path: {rel!r}")
    return Path(*p.parts)


def _fix_modes(root: Path) -> None:
    """mkdtemp makes 0700 folders: give the tree ordinary permissions."""
    os.chmod(root, 0o755)
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), 0o755)
        for f in filenames:
            os.chmod(os.path.join(dirpath, f), 0o644)
