"""The one place that writes the site: a complete new tree swapped in atomically."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from generator.errors import UserError
from generator.files import CachedFile

MARKER = ".riskon-site"  # this folder was built by riskon; holds the build's input stamp


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


def write_site(files: Mapping[str, bytes], out: Path) -> None:
    """Write `files` into a fresh folder beside `out`, then swap it in for `out`.

    A failure at any point leaves the previous `out` exactly as it was.
    """
    out = out.resolve()
    check_output_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
    made: set[Path] = set()
    try:
        for rel, data in sorted(files.items()):
            target = tmp / _safe_relative(rel)
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            if isinstance(data, CachedFile) and _link(data.source, target):
                continue
            target.write_bytes(data)
        (tmp / MARKER).write_bytes(b"{}\n")
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
