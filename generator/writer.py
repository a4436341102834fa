"""The one place that writes files: the site tree, and any single file atomically.

The first build into a folder (or one whose record is missing) writes a complete new tree
beside it and swaps it in: on Linux with one `renameat2(RENAME_EXCHANGE)`, so the folder is
at every instant the old tree or the new one (elsewhere two renames, repaired on the next run
if the process dies between them). Later builds update the folder in place, touching only
what changed: every changed file is first written beside its target under a temporary name,
and only when all of them are written are they renamed over their targets and the files no
longer published removed. A journal (`.riskon-swap` in the folder) says which phase a
build is in, so that a build killed at any instant (even `kill -9`) is repaired by the next
run before anything else (`recover`): temporary files of an unfinished staging are removed,
the renames of an unfinished commit completed; until then the folder's record is not
trusted, so no build reports "up to date" over a half-updated site. `.riskon-manifest`
records the content digest and size of every file the last build wrote, so the record is
the same whether a file was rendered or linked from the cache.

`lock` serialises the commands that write one folder (the site, the project's `data/`):
a second build waits for the first, then goes on, or gives up with one clear line.

`write_atomic` writes one file (committed data, cache entries) so that readers see the old
bytes or the new, never half of either; it is 0644, like the site's files (a cache file is
linked into the site as it is).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath

from generator.errors import UserError

MARKER = ".riskon-site"  # this folder was built by riskon; holds the build's input stamp
MANIFEST = ".riskon-manifest"  # {site path: [digest, size]} of the files last written
_STAGED = ".riskon-new"
JOURNAL = ".riskon-swap"  # in the folder: the phase of an in-place update in progress
LOCK_WAIT_SECONDS = 300.0


class StoredFile:
    """A file whose bytes already sit in a file (the cache): the writer hard-links `source`
    instead of writing the bytes again, and copies them when it cannot link.

    `digest` is the blake2b-128 of its bytes (as `_digest` computes it for plain bytes);
    the bytes are read only when asked for (`data`); `len()` is its size. `source` is a
    0644 file (the store's are), so the link needs no chmod. `inode`: the source's (inode,
    device) when its stats were just taken, so that the writer need not take them again.
    """

    __slots__ = ("_data", "digest", "inode", "size", "source")

    def __init__(self, source: Path | str, size: int, digest: str,
                 data: bytes | None = None, inode: tuple[int, int] | None = None) -> None:
        self.source = source
        self.size = size
        self.digest = digest
        self._data = data
        self.inode = inode

    @property
    def data(self) -> bytes:
        if self._data is None:
            with open(self.source, "rb") as handle:
                self._data = handle.read()
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
        os.fchmod(fd, 0o644)  # not mkstemp's 0600: a cache file may be linked into the site
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
    recover(out)
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
    """Write what changed beside its target, then rename it all into place (journalled)."""
    changed = []
    root = str(out)
    for rel in sorted(files):
        if previous.get(rel) != digests[rel] or not _is_current(
                os.path.join(root, _safe_rel(rel)), files[rel]):
            changed.append(rel)
    gone = sorted(rel for rel in previous if rel not in files)
    order = sorted([*changed, MANIFEST], key=lambda rel: _commit_order(rel))
    journal = {"staged": order, "gone": gone}
    _write_journal(out, {"phase": "staging", **journal})
    made: list[Path] = []
    try:
        for rel in changed:
            target = out / _safe_relative(rel)
            _make_dirs(target.parent, out, made)
            tmp = _staged(target)
            tmp.unlink(missing_ok=True)  # a crash's leftover may be a link to a cache file
            _write_file(tmp, files[rel])
        manifest = _staged(out / MANIFEST)
        manifest.unlink(missing_ok=True)
        _write_file(manifest, _manifest_bytes(digests))
    except BaseException:
        _roll_back(out, order)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        (out / JOURNAL).unlink(missing_ok=True)
        raise
    # From here on the update only goes forward: a run that finds this journal finishes it.
    # The build's stamp no longer describes the folder until `write_stamp` writes the new one.
    (out / MARKER).write_bytes(b"{}\n")
    _write_journal(out, {"phase": "committing", **journal})
    _roll_forward(out, order, gone)
    (out / JOURNAL).unlink()


def _staged(target: Path) -> Path:
    return target.with_name(f".{target.name}{_STAGED}")


def _write_journal(out: Path, doc: Mapping[str, object]) -> None:
    tmp = out / (JOURNAL + ".tmp")  # a fixed name, so that `recover` can remove a leftover
    with open(tmp, "wb") as handle:
        handle.write(json.dumps(doc, sort_keys=True).encode())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, out / JOURNAL)


def _roll_back(out: Path, staged: list[str]) -> None:
    for rel in staged:
        _staged(out / _safe_relative(rel)).unlink(missing_ok=True)


def _roll_forward(out: Path, staged: list[str], gone: list[str]) -> None:
    """Rename every staged file over its target (new pages first, the pages that link to
    them after, the home page and feed last), then remove the files no longer published.
    Safe to repeat: a file already renamed is simply no longer staged."""
    for rel in staged:
        target = out / _safe_relative(rel)
        with contextlib.suppress(FileNotFoundError):
            os.replace(_staged(target), target)
    for rel in gone:
        path = out / _safe_relative(rel)
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # only when it is now empty


def recover(out: Path) -> str | None:
    """Repair what a build killed while writing `out` left behind; say what was done.

    An in-place update killed while staging is rolled back (its temporary files removed:
    the folder still holds the previous site); one killed while committing is finished.
    A whole-tree swap killed halfway leaves folders beside `out`: the new tree is swapped
    in when `out` itself is missing, and the leftovers removed.
    """
    out = Path(out)
    done = None
    for leftover in (JOURNAL + ".tmp", MARKER + ".tmp"):
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            (out / leftover).unlink()
    try:
        doc = json.loads((out / JOURNAL).read_bytes())
    except (FileNotFoundError, NotADirectoryError):
        doc = None
    except (OSError, ValueError):
        doc = {}
    if doc is not None:
        staged = [str(r) for r in doc.get("staged", [])] if isinstance(doc, dict) else []
        gone = [str(r) for r in doc.get("gone", [])] if isinstance(doc, dict) else []
        staged = [r for r in staged if _is_safe(r)]
        gone = [r for r in gone if _is_safe(r)]
        if isinstance(doc, dict) and doc.get("phase") == "committing":
            (out / MARKER).write_bytes(b"{}\n")
            _roll_forward(out, staged, gone)
            done = "finished the interrupted update of"
        else:
            _roll_back(out, staged)
            done = "removed the temporary files of an interrupted build in"
        (out / JOURNAL).unlink(missing_ok=True)
    beside = sorted(out.parent.glob(f".{out.name}-new-*")) + sorted(
        out.parent.glob(f".{out.name}-old-*"))
    if beside and not out.exists():
        for folder in beside:  # a complete new tree first, else the old one
            candidate = folder if "-new-" in folder.name else folder / "site"
            if (candidate / MANIFEST).is_file():
                os.replace(candidate, out)
                done = "restored the interrupted swap of"
                break
    for folder in beside:
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
            done = done or "removed the leftovers of an interrupted build beside"
    return f"{done} {out}" if done else None


def interrupted(out: Path) -> bool:
    """Whether a build writing `out` was killed before it finished (see `recover`)."""
    return (Path(out) / JOURNAL).exists() or any(out.parent.glob(f".{out.name}-new-*"))


def _commit_order(rel: str) -> tuple[int, str]:
    last = rel in ("index.html", "feed.xml", "sitemap.xml", MANIFEST)
    return (2 if last else 0 if rel.count("/") > 1 else 1, rel)


def _is_current(path: Path | str, data: FileData) -> bool:
    """Whether the file the manifest describes is still there: its size, and for a cache
    file, still the cache file itself (not a copy, nor a file replaced since)."""
    try:
        st = os.stat(path)
        if st.st_size != len(data):
            return False
        if isinstance(data, StoredFile):
            inode = data.inode
            if inode is None:
                source = os.stat(data.source)
                inode = (source.st_ino, source.st_dev)
            return (st.st_ino, st.st_dev) == inode
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


def _write_file(path: Path | str, data: FileData) -> None:
    if isinstance(data, StoredFile):
        if _link(data.source, path):
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
    made: set[str] = set()
    root = str(tmp)
    try:
        for rel, data in sorted(files.items()):
            target = os.path.join(root, _safe_rel(rel))
            parent = os.path.dirname(target)
            if parent not in made:
                os.makedirs(parent, exist_ok=True)
                made.add(parent)
            _write_file(target, data)
        _write_file(tmp / MARKER, b"{}\n")
        _write_file(tmp / MANIFEST, _manifest_bytes(digests))
        _fix_modes(tmp, made)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if out.exists():
        if _exchange(tmp, out):  # one atomic step: `out` is the old tree or the new one
            shutil.rmtree(tmp, ignore_errors=True)
            return
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
        os.replace(out, old / "site")  # a crash here is repaired by `recover`
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where that is not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


@contextlib.contextmanager
def lock(path: Path, what: str, *, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created if need be) while writing `what`.

    When another riskon process holds it, one line on stderr says so and the lock is waited
    for up to `wait` seconds; then one clear `UserError`. The lock goes with the process, so
    a killed build never leaves it held.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                if time.monotonic() >= deadline:
                    raise UserError(
                        f"{what} is being written by another riskon process (pid {holder}); "
                        f"gave up after {wait:.0f} s: try again when it has finished") from None
                if not told:
                    print(f"waiting for another riskon process (pid {holder}) writing {what}",
                          file=sys.stderr, flush=True)
                    told = True
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _link(source: Path | str, target: Path | str) -> bool:
    """Hard-link an unchanged cache file into the new tree (False: write it instead)."""
    try:
        os.link(source, target)
    except OSError:  # another file system, no hard links, the cache file gone
        return False
    return True


def _is_safe(rel: str) -> bool:
    try:
        _safe_relative(rel)
    except ValueError:
        return False
    return True


def _safe_relative(rel: str) -> Path:
    """A site path as a relative filesystem path; refuses absolute paths and `..`."""
    return Path(_safe_rel(rel))


def _safe_rel(rel: str) -> str:
    """`_safe_relative` as a string (what the loops over thousands of files use)."""
    parts = rel.split("/")
    if rel and not rel.startswith("/") and all(p and p != "." and p != ".." for p in parts):
        return rel  # already normal: no empty, `.` or `..` part
    p = PurePosixPath(rel)
    if p.is_absolute() or ".." in p.parts or not p.parts:
        raise ValueError(f"unsafe site path: {rel!r}")
    return "/".join(p.parts)


def _fix_modes(root: Path, folders: set[str]) -> None:
    """mkdtemp makes 0700 folders and makedirs follows the umask: give `root` and every
    folder made in it (`folders` and their parents) the ordinary 0755 (files are written
    0644 by `_write_file`)."""
    top = str(root)
    done = {top}
    os.chmod(top, 0o755)
    for folder in sorted(folders):
        while folder not in done and folder.startswith(top):
            os.chmod(folder, 0o755)
            done.add(folder)
            folder = os.path.dirname(folder)
