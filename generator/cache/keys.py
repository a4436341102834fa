"""The two hashes every cache key is made of: ONE code hash and ONE data hash.

- `code_hash(templates_dir)`: every generator source (the whole package, read once per
  process), every file under `templates/` (read again only when one changes size or time,
  as `riskon serve` edits them in one process) and the versions of Python and of every
  library that shapes the output. Any change to any of them changes every key.
- `data_hash(*values)`: a canonical hash of plain Python values, dataclasses, dates, numpy
  arrays and pandas frames. A `Path` is hashed by its name only: paths locate inputs, whose
  contents are hashed where they are read, so a moved checkout keeps its cache.

A key is `key(code, kind, *values)`: what the cached value was made of, all of it.
Standard library only (pandas and numpy are recognised without being imported), so the
no-change check (`stamp.py`) stays cheap.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import math
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent.parent
# Libraries whose version can change a byte of the site (numbers, charts, pages, feed).
LIBRARIES = ("numpy", "pandas", "altair", "vl-convert-python", "jinja2", "markdown", "nh3",
             "feedgen", "python-frontmatter", "pyyaml", "markupsafe", "pagefind-bin",
             "exchange-calendars")  # its holidays decide which bars are rejected
DIGEST_SIZE = 20


def new_hash() -> Any:
    return hashlib.blake2b(digest_size=DIGEST_SIZE)


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _installed_versions() -> dict[str, str]:
    """Name -> version of the distributions installed on `sys.path`, from the names of
    their `NAME-VERSION.dist-info` folders, first found first (as `importlib.metadata` finds
    them, without its ~20 ms import: this runs on every no-change rebuild)."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = sorted(e.name for e in os.scandir(entry or "."))
        except OSError:
            continue
        for folder in names:
            if folder.endswith(".dist-info"):
                name, _, version = folder.removesuffix(".dist-info").partition("-")
                if version:
                    found.setdefault(_normalised(name), version)
    return found


def library_version(name: str, installed: dict[str, str] | None = None) -> str:
    """The installed version of distribution `name` ("-" when it is not installed)."""
    version = (installed if installed is not None else _installed_versions()).get(
        _normalised(name))
    if version is not None:
        return version
    import importlib.metadata  # an egg or an unusual layout: the library's own lookup

    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "-"


@functools.cache
def _package_digest() -> str:
    """Hash of every file of the generator package and the library versions."""
    h = new_hash()
    h.update(sys.version.encode())
    installed = _installed_versions()
    for name in LIBRARIES:
        h.update(f"\0{name}={library_version(name, installed)}".encode())
    for path in package_files():
        h.update(f"\0{path.relative_to(PACKAGE).as_posix()}\0".encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def package_files() -> list[Path]:
    """Every file of the generator package (sources, and the charts' measuring fonts), not
    Python's compiled caches."""
    return sorted(p for p in PACKAGE.rglob("*")
                  if "__pycache__" not in p.parts and p.suffix != ".pyc" and p.is_file())


_TEMPLATES: dict[tuple, str] = {}


def _templates_digest(templates_dir: Path) -> str:
    root = Path(templates_dir).resolve()
    found = sorted((p.relative_to(root).as_posix(), p) for p in root.rglob("*") if p.is_file())
    signature = tuple((rel, p.stat().st_size, p.stat().st_mtime_ns) for rel, p in found)
    digest = _TEMPLATES.get((root, signature))
    if digest is None:
        h = new_hash()
        for rel, path in found:
            data = path.read_bytes()
            h.update(f"\0{rel}\0{len(data)}\0".encode())
            h.update(data)
        digest = _TEMPLATES[(root, signature)] = h.hexdigest()
    return digest


def code_hash(templates_dir: Path) -> str:
    """The one code hash: the generator's sources, the templates, the library versions."""
    h = new_hash()
    h.update(_package_digest().encode())
    h.update(_templates_digest(templates_dir).encode())
    return h.hexdigest()


def data_hash(*values: Any) -> str:
    """The one data hash: a canonical digest of `values` (see the module docstring)."""
    h = new_hash()
    for value in values:
        _feed(h, value)
    return h.hexdigest()


# Within `reuse_digests()`, the digest of a frame or a frozen dataclass is computed once per
# object: a build hashes each issue (and its chart window) for several keys. The objects
# are held until the block ends, so an id is never reused for another object meanwhile.
_REUSED: dict[int, tuple[Any, str]] | None = None


@contextmanager
def reuse_digests() -> Iterator[None]:
    """Hash each frame and frozen dataclass once within the block (none is mutated in it)."""
    global _REUSED
    outer = _REUSED
    _REUSED = {} if outer is None else outer
    try:
        yield
    finally:
        _REUSED = outer


def _reused(h: Any, v: Any, feed: Any) -> None:
    if _REUSED is None:
        feed(h, v)
        return
    hit = _REUSED.get(id(v))
    if hit is None:
        sub = new_hash()
        feed(sub, v)
        hit = _REUSED[id(v)] = (v, sub.hexdigest())
    _tag(h, "digest", hit[1])


def assume_digest(value: Any, digest: str) -> None:
    """Within `reuse_digests()`, take `digest` as the digest of `value` (a frame or a frozen
    dataclass) without hashing it. Only for a value this code makes from inputs that
    `digest` already identifies (an issue parsed from a snapshot file: the file's key)."""
    if _REUSED is not None:
        _REUSED[id(value)] = (value, digest)


def key(code: str, kind: str, *values: Any) -> str:
    """A cache key: the code hash, what kind of value, and everything it was made of."""
    return data_hash(code, kind, *values)


def bytes_digest(data: bytes) -> str:
    """Digest of a file's bytes (what the site manifest records)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _tag(h: Any, tag: str, text: str = "") -> None:
    h.update(f"\x1e{tag}\x1f{text}".encode("utf-8", "surrogatepass"))


# Exact types whose repr is exact and typed (a date's repr names its type and every field).
_SCALARS = frozenset({type(None), bool, int, float, str, dt.date, dt.datetime})


def _feed(h: Any, v: Any) -> None:  # noqa: C901  (one branch per kind of value)
    kind = type(v)
    if (kind is dict and all(type(k) is str and type(x) in _SCALARS for k, x in v.items())) \
            or (kind in (tuple, list) and all(type(x) in _SCALARS for x in v)):
        # Plain values only: their repr is exact and typed (1, 1.0, '1', True, nan differ).
        _tag(h, "plain-map" if kind is dict else "plain-seq",
             repr(sorted(v.items()) if kind is dict else list(v)))
    elif v is None or kind is bool or kind is int or kind is str:
        _tag(h, kind.__name__, str(v))
    elif kind is float:
        _tag(h, "float", repr(v))
    elif isinstance(v, bytes | bytearray | memoryview):
        data = bytes(v)
        _tag(h, "bytes", str(len(data)))
        h.update(data)
    elif isinstance(v, Path):
        _tag(h, "path", v.name)
    elif isinstance(v, dt.datetime | dt.date | dt.time):
        _tag(h, kind.__name__, v.isoformat())
    elif isinstance(v, tuple | list):
        _tag(h, "seq", str(len(v)))
        for item in v:
            _feed(h, item)
    elif isinstance(v, dict):
        _tag(h, "map", str(len(v)))
        for k in sorted(v, key=repr):
            _feed(h, k)
            _feed(h, v[k])
    elif isinstance(v, set | frozenset):
        _tag(h, "set", str(len(v)))
        for item in sorted(v, key=repr):
            _feed(h, item)
    elif dataclasses.is_dataclass(v) and not isinstance(v, type):
        names = _field_names(kind)
        values = [getattr(v, name) for name in names]
        if all(type(x) in _SCALARS for x in values):  # plain fields: one exact, typed repr
            _tag(h, "dataclass", f"{kind.__module__}.{kind.__qualname__}")
            _tag(h, "plain-fields", repr(list(zip(names, values, strict=True))))
        elif kind.__dataclass_params__.frozen:  # type: ignore[attr-defined]
            _reused(h, v, _feed_dataclass)
        else:
            _feed_dataclass(h, v)
    elif kind.__module__.startswith("numpy"):
        _feed_numpy(h, v)
    elif kind.__module__.startswith("pandas"):
        if type(v).__name__ == "DataFrame":
            _reused(h, v, _feed_pandas)
        else:
            _feed_pandas(h, v)
    elif isinstance(v, float):  # float subclasses
        _tag(h, "float", repr(float(v)))
    elif hasattr(kind, "__digest_value__"):  # a value read when first needed: as the value
        _reused(h, v, lambda sub, lazy: _feed(sub, lazy.__digest_value__()))
    else:
        raise TypeError(f"cannot hash a {kind.__qualname__} for a cache key")


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names


def _feed_dataclass(h: Any, v: Any) -> None:
    kind = type(v)
    _tag(h, "dataclass", f"{kind.__module__}.{kind.__qualname__}")
    for name in _field_names(kind):
        _tag(h, "field", name)
        _feed(h, getattr(v, name))


def _feed_numpy(h: Any, v: Any) -> None:
    if hasattr(v, "shape") and hasattr(v, "dtype") and getattr(v, "ndim", 0) > 0:
        _tag(h, "ndarray", f"{v.dtype.str}{v.shape}")
        if v.dtype.kind == "O":
            for item in v.ravel().tolist():
                _feed(h, item)
        else:
            import numpy as np  # present: v is a numpy array

            h.update(np.ascontiguousarray(v).tobytes())
    else:  # a numpy scalar
        item = v.item()
        if isinstance(item, float) and math.isnan(item):
            item = math.nan
        _feed(h, item)


def _feed_pandas(h: Any, v: Any) -> None:
    name = type(v).__name__
    if name == "DataFrame":
        _tag(h, "frame", str(v.shape))
        _feed_index(h, v.index)
        _feed(h, [str(c) for c in v.columns])
        dtypes = v.dtypes.tolist()
        _feed(h, [_dtype_name(d) for d in dtypes])
        if all(d.kind in "fiub" for d in dtypes):  # numbers and flags: one array
            _feed_numpy(h, v.to_numpy(dtype="float64", na_value=math.nan))
        else:
            for column in range(v.shape[1]):
                _feed_numpy(h, v.iloc[:, column].to_numpy())
    elif name == "Series":
        _tag(h, "series", str(v.name))
        _feed_index(h, v.index)
        _feed_numpy(h, v.to_numpy())
    elif name == "Timestamp":
        _tag(h, "timestamp", v.isoformat())
    elif name in ("DatetimeIndex", "Index", "RangeIndex"):
        _feed_index(h, v)
    elif v is getattr(sys.modules.get("pandas"), "NA", object()) or name == "NaTType":
        _tag(h, name)
    else:
        raise TypeError(f"cannot hash a pandas {name} for a cache key")


def _dtype_name(dtype: Any) -> str:
    """A column's dtype as text: NumPy's exact code (`<f8`, `|b1`, `<M8[ns]`), else its name."""
    return dtype.str if type(dtype).__module__.startswith("numpy") else str(dtype)


def _feed_index(h: Any, index: Any) -> None:
    _tag(h, "index", f"{type(index).__name__}:{index.name}")
    values = index.to_numpy()
    if values.dtype.kind == "M":
        values = values.astype("datetime64[ns]")
    _feed_numpy(h, values)
