"""Results of pure steps kept in the cache folder by the hash of their inputs.

A step's result is stored with its key in `<cache_dir>/<name>.pickle` (the last result
only). The key covers the code (every generator source and the library versions) and
everything the step reads, so a result read back is the result the step would compute.
The cache folder is the project's own (`.cache/`); a missing, damaged or foreign file only
means the step runs.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import pickle
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from generator import __version__
from generator.config import Config
from generator.files import write_atomic

_GENERATOR = Path(__file__).resolve().parent.parent


@functools.cache
def code_digest() -> str:
    """Hash of every generator source and the versions of Python, numpy and pandas."""
    h = hashlib.blake2b(f"{__version__} {sys.version} {np.__version__} {pd.__version__}".encode(),
                        digest_size=20)
    for path in sorted(_GENERATOR.rglob("*.py")):
        h.update(f"\0{path.relative_to(_GENERATOR).as_posix()}\0".encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def new_key(*parts: str) -> Any:
    """A hash to feed (`.update`, `frames`, `files`), starting with the code and `parts`."""
    h = hashlib.blake2b(code_digest().encode(), digest_size=20)
    for part in parts:
        h.update(f"\0{part}".encode())
    return h


def settings(config: Config) -> str:
    """The settings as text, without where the project sits on disk."""
    return repr(dataclasses.replace(config, root=Path(".")))


def frames(h: Any, named: Mapping[str, pd.DataFrame | pd.Series] | None) -> None:
    """Feed every frame or series (index, column names, dtypes and values) to `h`."""
    for name, frame in sorted((named or {}).items()):
        h.update(f"\0frame\0{name}\0".encode())
        table = frame.to_frame() if isinstance(frame, pd.Series) else frame
        for label, values in (("index", table.index.to_numpy()),
                              *((str(c), table[c].to_numpy()) for c in table.columns)):
            h.update(f"\0{label}\0{values.dtype}\0".encode())
            if values.dtype == object:
                h.update("\x1f".join(map(repr, values)).encode())
            else:
                h.update(np.ascontiguousarray(values).tobytes())


def files(h: Any, paths: Iterable[Path]) -> None:
    """Feed the name and bytes of every existing file to `h` (a missing one counts too)."""
    for path in paths:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            h.update(f"\0missing\0{path.name}\0".encode())
            continue
        h.update(f"\0file\0{path.name}\0{len(data)}\0".encode())
        h.update(data)


def recall(cache_dir: Path | None, name: str, key: str) -> Any:
    """The result stored under `key`, or None."""
    if cache_dir is None:
        return None
    try:
        stored_key, value = pickle.loads((cache_dir / f"{name}.pickle").read_bytes())
    except Exception:  # noqa: BLE001  (missing, truncated or from other code: compute it)
        return None
    return value if stored_key == key else None


def keep(cache_dir: Path | None, name: str, key: str, value: Any) -> None:
    """Store `value` under `key` (replacing the step's previous result)."""
    if cache_dir is not None:
        write_atomic(cache_dir / f"{name}.pickle",
                     pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL))
