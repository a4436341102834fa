"""Frozen issues: `data/issues/YYYY-Www.json`, written once, then the page's only source.

A snapshot holds every number, flag and chart input an issue page shows, a schema version
and the generator version.  `riskon build` only adds snapshots for complete weeks and never
rewrites one; `riskon backfill --force` may.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from generator import __version__
from generator.errors import DataError
from generator.signals.coverage import Unpriced
from generator.signals.issues import (
    CHART_COLUMNS,
    DataNotice,
    Issue,
    StaleInput,
    make_components,
)
from generator.writer import write_atomic

SCHEMA_VERSION = 1
_NAME = re.compile(r"^(\d{4})-W(\d\d)\.json$")


def snapshot_path(issues_dir: Path, week: str) -> Path:
    """`data/issues/<week>.json`."""
    return issues_dir / f"{week}.json"


def _plain(value: Any) -> Any:
    """JSON-ready value: NaN -> None, numpy scalars -> Python, dates -> ISO text."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return value


def _plain_list(values: list[Any]) -> list[Any]:
    """`_plain` of every item; plain Python numbers, flags and text go the short way."""
    out = []
    for v in values:
        kind = type(v)
        if kind is float:
            out.append(None if v != v else v)
        elif v is None or kind is bool or kind is int or kind is str:
            out.append(v)
        else:
            out.append(_plain(v))
    return out


def make_snapshot(
    *,
    week: str,
    as_of: dt.date,
    values: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    weights: Mapping[str, float],
    stale: list[dict[str, Any]],
    chart_window: Mapping[str, list[Any]],
    backfilled: bool,
    narrative: tuple[str, ...] = (),
    notes: Mapping[str, str] | None = None,
    coverage: Mapping[str, Any] | None = None,
    data_notices: tuple[DataNotice, ...] = (),
) -> dict[str, Any]:
    """The snapshot document of one issue (plain JSON types, NaN as null).

    `data_notices` (rejected inputs named on the page) is written only when there are any,
    so the snapshot of a clean week has the same bytes as before the key existed.
    """
    doc = {
        "schema": SCHEMA_VERSION,
        "generator_version": __version__,
        "week": week,
        "as_of": as_of.isoformat(),
        "backfilled": backfilled,
        "values": {k: _plain(v) for k, v in values.items()},
        "previous": None if previous is None else {k: _plain(v) for k, v in previous.items()},
        "weights": {k: float(v) for k, v in weights.items()},
        "stale": stale,
        "chart_window": {k: _plain_list(vs) for k, vs in chart_window.items()},
        "narrative": list(narrative),
        "notes": dict(notes or {}),
        "coverage": dict(coverage or {}),
    }
    if data_notices:
        doc["data_notices"] = [
            {"kind": n.kind, "ticker": n.ticker, "first": n.first.isoformat(),
             "last": n.last.isoformat(), "text": n.text} for n in data_notices]
    return doc


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def render_snapshot(doc: Mapping[str, Any]) -> bytes:
    """Canonical bytes of a snapshot: sorted keys, shortest exact floats, LF.

    One line per top-level entry, and per entry of `values`, `previous` and `chart_window`
    (a chart column is one line): readable diffs, written by the C JSON encoder.
    """
    lines = []
    for key in sorted(doc):
        value = doc[key]
        if isinstance(value, Mapping) and value and key in ("values", "previous", "chart_window"):
            inner = ",\n".join(f" {json.dumps(k)}:{_compact(v)}" for k, v in sorted(value.items()))
            lines.append(f"{json.dumps(key)}:{{\n{inner}\n}}")
        else:
            lines.append(f"{json.dumps(key)}:{_compact(value)}")
    return ("{\n" + ",\n".join(lines) + "\n}\n").encode("utf-8")


def parse_snapshot(path: Path, data: bytes) -> dict[str, Any]:
    """A snapshot document, checked; DataError naming the file when it is unusable."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise DataError(f"{path}: not a valid issue snapshot ({exc})") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA_VERSION:
        raise DataError(
            f"{path}: snapshot schema {doc.get('schema') if isinstance(doc, dict) else '?'} "
            f"is not {SCHEMA_VERSION}; re-freeze it with `riskon backfill --force`"
        )
    for key in ("week", "as_of", "values", "chart_window", "weights", "stale"):
        if key not in doc:
            raise DataError(f"{path}: snapshot lacks {key!r}")
    if f"{doc['week']}.json" != path.name:
        raise DataError(f"{path}: snapshot is for week {doc['week']}, not its file name")
    return doc


def read_snapshot_files(issues_dir: Path) -> dict[str, tuple[Path, bytes]]:
    """The bytes of every snapshot in `data/issues/`, by week (file names are checked)."""
    out: dict[str, tuple[Path, bytes]] = {}
    for path in sorted(issues_dir.glob("*.json")) if issues_dir.is_dir() else []:
        if not _NAME.match(path.name):
            raise DataError(f"{path}: not a snapshot name (YYYY-Www.json)")
        out[path.stem] = (path, path.read_bytes())
    return out


def parse_issue(path: Path, data: bytes) -> Issue:
    """The issue a snapshot file froze; DataError naming the file when it is unusable."""
    return issue_from_snapshot(parse_snapshot(path, data))


def load_frozen(issues_dir: Path) -> dict[str, Issue]:
    """Every issue frozen in `data/issues/`, by week, each as its snapshot says."""
    return {week: parse_issue(path, data)
            for week, (path, data) in read_snapshot_files(issues_dir).items()}


def write_snapshot(issues_dir: Path, doc: Mapping[str, Any], *, force: bool = False) -> bool:
    """Write one snapshot atomically; never replaces an existing one unless `force`."""
    path = snapshot_path(issues_dir, str(doc["week"]))
    if path.exists() and not force:
        return False
    data = render_snapshot(doc)
    if path.exists() and path.read_bytes() == data:
        return False
    write_atomic(path, data, durable=True)
    return True


# --- issues <-> snapshots ------------------------------------------------------------------


def snapshot_of(issue: Issue, weights: Mapping[str, float], *, backfilled: bool) -> dict[str, Any]:
    """The snapshot of a computed issue."""
    window = issue.window
    days = window.index.to_numpy(dtype="datetime64[D]")
    columns: dict[str, list[Any]] = {"as_of": np.datetime_as_string(days, unit="D").tolist()}
    for col in window.columns:
        columns[col] = window[col].tolist()
    return make_snapshot(
        week=issue.week,
        as_of=issue.as_of,
        values=issue.values,
        previous=issue.previous,
        weights=weights,
        stale=[
            {"ticker": s.ticker, "last_date": s.last_date.isoformat() if s.last_date else None}
            for s in issue.stale
        ],
        chart_window=columns,
        backfilled=backfilled,
        narrative=issue.narrative,
        notes=issue.notes,
        coverage={
            "configured": issue.inputs_configured,
            "unpriced": [{"ticker": u.ticker, "group": u.group,
                          "last_date": u.last_date.isoformat() if u.last_date else None}
                         for u in issue.unpriced],
        },
        data_notices=issue.data_notices,
    )


def issue_from_snapshot(doc: Mapping[str, Any]) -> Issue:
    """The issue a snapshot froze, exactly as it was (weights included)."""
    values = {k: (math.nan if v is None and k != "band" else v) for k, v in doc["values"].items()}
    if values.get("band") is None:
        values["band"] = ""
    previous = doc.get("previous")
    if previous is not None:
        previous = {k: (math.nan if v is None and k != "band" else v) for k, v in previous.items()}
    cols = dict(doc["chart_window"])
    days = np.array(cols.pop("as_of", []), dtype="datetime64[D]")
    dates = pd.DatetimeIndex(days.astype("datetime64[ns]"), name="as_of")
    order = [c for c in CHART_COLUMNS if c in cols] + [c for c in cols if c not in CHART_COLUMNS]
    # null -> NaN (numbers) or False (flags), as the window had before it was frozen
    arrays = {k: np.array(cols[k], dtype=bool if k.endswith("_week") else "float64")
              for k in order}
    window = pd.DataFrame(arrays, index=dates, columns=order)
    return Issue(
        week=doc["week"],
        as_of=dt.date.fromisoformat(doc["as_of"]),
        values=values,
        previous=previous,
        components=make_components(values, previous, doc["weights"]),
        provisional=False,
        stale=tuple(
            StaleInput(s["ticker"], _date_or_none(s["last_date"])) for s in doc["stale"]
        ),
        window=window,
        frozen=True,
        backfilled=bool(doc.get("backfilled")),
        # Snapshots written before these existed lack them: the build fills them in.
        narrative=tuple(doc.get("narrative") or ()),
        notes=dict(doc.get("notes") or {}),
        unpriced=tuple(Unpriced(u["ticker"], u["group"], _date_or_none(u["last_date"]))
                       for u in (doc.get("coverage") or {}).get("unpriced", ())),
        inputs_configured=int((doc.get("coverage") or {}).get("configured", 0)),
        data_notices=tuple(
            DataNotice(n["kind"], n["ticker"], dt.date.fromisoformat(n["first"]),
                       dt.date.fromisoformat(n["last"]), n["text"])
            for n in doc.get("data_notices") or ()),
    )


def _date_or_none(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None
