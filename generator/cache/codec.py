"""Values of the pure stages as data files, not pickles.

A cached value (parsed prices, the weekly table, the evidence, a parsed snapshot) is written
as one file: a magic line, the length of a JSON header, the header, then the raw bytes of
every NumPy array the value holds. The header describes the value as a tree of plain JSON
and tagged nodes (tuples, dicts with any keys, dates, timestamps, paths, NumPy scalars, pandas
frames, series and indexes, and dataclasses of this package). Reading it back runs no code
from the file: a dataclass is rebuilt only when its class lives in `generator.` and is a
dataclass, field by field, without calling its `__init__`; arrays are read with an explicit
NumPy dtype, never with `allow_pickle`.

A value holding anything else cannot be written (`Unsupported`); the store then simply does
not keep it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import importlib
import json
import struct
from pathlib import Path, PurePath
from typing import Any

import numpy as np
import pandas as pd

MAGIC = b"riskon-value 1\n"
_LEN = struct.Struct("<Q")


class Unsupported(TypeError):
    """The value holds something the codec does not write."""


class Corrupt(ValueError):
    """The file is not a value this codec wrote."""


def dumps(value: Any) -> bytes:
    """The bytes of `value` (see the module docstring)."""
    arrays: list[np.ndarray] = []
    tree = _enc(value, arrays)
    table = []
    offset = 0
    for arr in arrays:
        table.append([arr.dtype.str, list(arr.shape), offset, arr.nbytes])
        offset += arr.nbytes
    header = json.dumps({"v": tree, "a": table}, separators=(",", ":"), allow_nan=True).encode()
    return b"".join([MAGIC, _LEN.pack(len(header)), header, *(a.tobytes() for a in arrays)])


def loads(data: bytes) -> Any:
    """The value `dumps` wrote into `data`; `Corrupt` when the bytes are not such a value."""
    if not data.startswith(MAGIC):
        raise Corrupt("not a riskon value")
    start = len(MAGIC) + _LEN.size
    try:
        (size,) = _LEN.unpack_from(data, len(MAGIC))
        doc = json.loads(data[start:start + size])
        body = memoryview(data)[start + size:]
        arrays = []
        for dtype, shape, offset, nbytes in doc["a"]:
            kind = np.dtype(dtype)
            if kind.hasobject:
                raise Corrupt("object arrays are not read")
            arr = np.frombuffer(body[offset:offset + nbytes], dtype=kind).reshape(shape)
            arrays.append(arr.copy())
        return _dec(doc["v"], arrays)
    except (KeyError, TypeError, ValueError, IndexError, struct.error) as exc:
        raise Corrupt(str(exc)) from exc


# --- encoding -----------------------------------------------------------------------------


def _enc(v: Any, arrays: list[np.ndarray]) -> Any:
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, np.generic):
        return _enc_scalar(v)
    if isinstance(v, int):
        return v if type(v) is int else {"$": "int", "v": int(v)}
    if isinstance(v, float):
        return v if type(v) is float else {"$": "float", "v": float(v)}
    if isinstance(v, list):
        return [_enc(x, arrays) for x in v]
    if isinstance(v, tuple):
        return {"$": "tuple", "v": [_enc(x, arrays) for x in v]}
    if isinstance(v, dict):
        if type(v) is not dict:
            raise Unsupported(type(v).__name__)
        return {"$": "dict", "k": [_enc(k, arrays) for k in v],
                "v": [_enc(x, arrays) for x in v.values()]}
    if isinstance(v, (set, frozenset)):
        tag = "set" if isinstance(v, set) else "frozenset"
        return {"$": tag, "v": [_enc(x, arrays) for x in sorted(v, key=repr)]}
    if isinstance(v, pd.Timestamp):
        if v is pd.NaT:
            return {"$": "nat"}
        return {"$": "ts", "v": v.as_unit("ns").value, "u": v.unit, "z": _tz(v.tz)}
    if v is pd.NaT:
        return {"$": "nat"}
    if isinstance(v, dt.datetime):
        if v.tzinfo is not None:
            raise Unsupported("aware datetime")
        return {"$": "datetime", "v": v.isoformat()}
    if isinstance(v, dt.date):
        return {"$": "date", "v": v.isoformat()}
    if isinstance(v, PurePath):
        if not isinstance(v, Path):
            raise Unsupported(type(v).__name__)
        return {"$": "path", "v": str(v)}
    if isinstance(v, pd.DataFrame):
        out = {"$": "df", "i": _enc_index(v.index, arrays), "c": _enc_index(v.columns, arrays),
               "t": _enc(dict(v.attrs), arrays) if v.attrs else None}
        kinds = set(v.dtypes)
        if v.shape[1] and len(kinds) == 1 and _plain(next(iter(kinds))):
            # One dtype (the usual numeric frame): one 2-D array, rebuilt as one block.
            arrays.append(np.ascontiguousarray(v.to_numpy()))
            out["b"] = len(arrays) - 1
        else:
            out["d"] = [_enc_values(v.iloc[:, j], arrays) for j in range(v.shape[1])]
        return out
    if isinstance(v, pd.Series):
        return {"$": "series", "i": _enc_index(v.index, arrays), "n": _enc(v.name, arrays),
                "d": _enc_values(v, arrays)}
    if isinstance(v, pd.Index):
        return _enc_index(v, arrays)
    if isinstance(v, np.ndarray):
        if v.dtype.hasobject:
            return {"$": "olist", "v": [_enc(x, arrays) for x in v.tolist()]}
        arrays.append(np.ascontiguousarray(v))
        return {"$": "arr", "i": len(arrays) - 1}
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        cls = type(v)
        if not cls.__module__.startswith("generator."):
            raise Unsupported(cls.__qualname__)
        return {"$": "dc", "c": f"{cls.__module__}:{cls.__qualname__}",
                "f": {f.name: _enc(getattr(v, f.name), arrays) for f in dataclasses.fields(v)}}
    raise Unsupported(type(v).__name__)


def _enc_scalar(v: np.generic) -> Any:
    if isinstance(v, np.datetime64):
        return {"$": "np", "d": v.dtype.str, "v": int(v.astype("int64"))}
    if isinstance(v, (np.floating, np.integer, np.bool_)):
        return {"$": "np", "d": v.dtype.str, "v": v.item()}
    raise Unsupported(type(v).__name__)


def _tz(tz: Any) -> str | None:
    if tz is None:
        return None
    name = str(tz)
    if name != "UTC":
        raise Unsupported(f"time zone {name}")
    return name


def _plain(dtype: Any) -> bool:
    """A NumPy dtype whose values are raw bytes (no objects, no extension type)."""
    return isinstance(dtype, np.dtype) and not dtype.hasobject


def _enc_values(s: pd.Series, arrays: list[np.ndarray]) -> Any:
    """A column's values: a NumPy array, or an extension/object column as a list + dtype."""
    dtype = s.dtype
    if _plain(dtype):
        arrays.append(np.ascontiguousarray(s.to_numpy()))
        return {"$": "arr", "i": len(arrays) - 1}
    if isinstance(dtype, pd.DatetimeTZDtype):
        arrays.append(np.ascontiguousarray(s.dt.tz_convert(None).to_numpy()))
        return {"$": "tzarr", "i": len(arrays) - 1, "z": _tz(dtype.tz)}
    values = [None if x is pd.NA else _enc(x, arrays) for x in s.astype(object).tolist()]
    return {"$": "olist", "v": values, "t": str(dtype)}


def _enc_index(ix: pd.Index, arrays: list[np.ndarray]) -> Any:
    name = _enc(ix.name, arrays) if not isinstance(ix, pd.MultiIndex) else None
    if isinstance(ix, pd.RangeIndex):
        return {"$": "range", "v": [ix.start, ix.stop, ix.step], "n": name}
    if isinstance(ix, pd.MultiIndex):
        return {"$": "multi", "v": [_enc(t, arrays) for t in ix.tolist()],
                "n": [_enc(n, arrays) for n in ix.names]}
    if isinstance(ix, pd.DatetimeIndex):
        naive = ix.tz_convert(None) if ix.tz else ix
        arrays.append(np.ascontiguousarray(naive.to_numpy()))
        return {"$": "dtindex", "i": len(arrays) - 1, "n": name, "z": _tz(ix.tz),
                "f": _freq(ix.freq)}
    return {"$": "index", "d": _enc_values(pd.Series(ix, copy=False), arrays), "n": name}


def _freq(freq: Any) -> str | None:
    """A DatetimeIndex's frequency as text that names it exactly, or Unsupported: a custom
    business day's text ("C") loses its holidays and would not decode."""
    if freq is None:
        return None
    text = freq.freqstr
    try:
        same = pd.tseries.frequencies.to_offset(text) == freq
    except ValueError:
        same = False
    if not same:
        raise Unsupported(f"index frequency {text!r}")
    return text


# --- decoding -----------------------------------------------------------------------------


# JSON scalars decode to themselves: the walk skips the call for them.
_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def _dec(v: Any, arrays: list[np.ndarray]) -> Any:
    kind = type(v)
    if kind is list:
        return [x if type(x) in _JSON_SCALARS else _dec(x, arrays) for x in v]
    if kind is not dict:
        return v
    tag = v["$"]
    if tag == "tuple":
        return tuple(_dec(v["v"], arrays))
    if tag == "dict":
        return dict(zip(_dec(v["k"], arrays), _dec(v["v"], arrays), strict=True))
    if tag in ("set", "frozenset"):
        items = (_dec(x, arrays) for x in v["v"])
        return set(items) if tag == "set" else frozenset(items)
    if tag == "int":
        return int(v["v"])
    if tag == "float":
        return float(v["v"])
    if tag == "np":
        kind = np.dtype(v["d"])
        if kind.kind == "M":
            return np.int64(v["v"]).astype(kind)
        return kind.type(v["v"])
    if tag == "nat":
        return pd.NaT
    if tag == "ts":
        return pd.Timestamp(int(v["v"]), unit="ns", tz=v["z"]).as_unit(v["u"])
    if tag == "datetime":
        return dt.datetime.fromisoformat(v["v"])
    if tag == "date":
        return dt.date.fromisoformat(v["v"])
    if tag == "path":
        return Path(v["v"])
    if tag == "arr":
        return arrays[v["i"]]
    if tag == "olist":
        return np.array([_dec(x, arrays) for x in v["v"]] or [], dtype=object)
    if tag == "df":
        index = _dec_index(v["i"], arrays)
        columns = _dec_index(v["c"], arrays)
        if "b" in v:
            block = arrays[v["b"]]
            if block.ndim != 2 or block.shape != (len(index), len(columns)):
                raise Corrupt("a frame's block does not fit its index and columns")
            df = pd.DataFrame(block, index=index, columns=columns, copy=False)
        else:
            df = _frame([_dec_values(d, arrays) for d in v["d"]], index, columns)
        if v.get("t"):
            df.attrs.update(_dec(v["t"], arrays))
        return df
    if tag == "series":
        return pd.Series(_dec_values(v["d"], arrays), index=_dec_index(v["i"], arrays),
                         name=_dec(v["n"], arrays), copy=False)
    if tag in ("range", "multi", "dtindex", "index"):
        return _dec_index(v, arrays)
    if tag == "dc":
        return _dec_dataclass(v, arrays)
    raise Corrupt(f"unknown tag {tag!r}")


def _frame(values: list[Any], index: pd.Index, columns: pd.Index) -> pd.DataFrame:
    """A frame of one column per entry of `values` (arrays of its length, as written).

    pandas' own constructor from arrays, which skips checking what `dumps` already wrote
    (three times faster than a frame from a dict, which was a third of a snapshot's
    decoding); the public constructor where a pandas lacks it."""
    if len(set(map(len, values)) | {len(index)}) != 1 or len(values) != len(columns):
        raise Corrupt("a frame's columns do not fit its index")
    from_arrays = getattr(pd.DataFrame, "_from_arrays", None)
    if from_arrays is not None:
        try:
            return from_arrays(values, columns=columns, index=index, verify_integrity=False)
        except TypeError:  # another signature
            pass
    df = pd.DataFrame(dict(enumerate(values)), index=index, copy=False)
    df.columns = columns
    return df


def _dec_values(v: dict, arrays: list[np.ndarray]) -> Any:
    tag = v["$"]
    if tag == "arr":
        return arrays[v["i"]]
    if tag == "tzarr":
        return pd.DatetimeIndex(arrays[v["i"]]).tz_localize(v["z"])
    values = [_dec(x, arrays) for x in v["v"]]
    if v["t"] == "object":
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out
    return pd.array([pd.NA if x is None else x for x in values], dtype=v["t"])


def _dec_index(v: dict, arrays: list[np.ndarray]) -> pd.Index:
    tag = v["$"]
    if tag == "range":
        start, stop, step = v["v"]
        return pd.RangeIndex(start, stop, step, name=_dec(v["n"], arrays))
    if tag == "multi":
        return pd.MultiIndex.from_tuples([_dec(t, arrays) for t in v["v"]],
                                         names=[_dec(n, arrays) for n in v["n"]])
    if tag == "dtindex":
        ix = pd.DatetimeIndex(arrays[v["i"]], name=_dec(v["n"], arrays))
        if v["z"]:
            ix = ix.tz_localize("UTC").tz_convert(v["z"])
        if v["f"]:
            ix = pd.DatetimeIndex(ix, freq=v["f"])
        return ix
    if tag == "index":
        return pd.Index(_dec_values(v["d"], arrays), name=_dec(v["n"], arrays))
    raise Corrupt(f"not an index: {tag!r}")


def _dec_dataclass(v: dict, arrays: list[np.ndarray]) -> Any:
    cls, names = _dataclass(v["c"])
    fields = v["f"]
    if fields.keys() != names:
        raise Corrupt(f"fields of {v['c']} changed")
    obj = object.__new__(cls)
    for name, value in fields.items():
        object.__setattr__(obj, name,
                           value if type(value) in _JSON_SCALARS else _dec(value, arrays))
    return obj


@functools.cache
def _dataclass(name: str) -> tuple[type, frozenset[str]]:
    """The dataclass named `module:qualname` (only in this package) and its field names."""
    module, _, qualname = name.partition(":")
    if not module.startswith("generator."):
        raise Corrupt(f"class outside the package: {name}")
    try:
        cls: Any = importlib.import_module(module)
        for part in qualname.split("."):
            cls = getattr(cls, part)
    except (ImportError, AttributeError) as exc:
        raise Corrupt(f"no such class: {name}") from exc
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise Corrupt(f"not a dataclass: {name}")
    return cls, frozenset(f.name for f in dataclasses.fields(cls))
