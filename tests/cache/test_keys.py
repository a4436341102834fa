"""The one data hash and the one code hash."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.cache import keys
from generator.config import Config
from generator.signals.issues import StaleInput


def frame(**changes) -> pd.DataFrame:
    base = pd.DataFrame({"close": [1.0, 2.0]},
                        index=pd.DatetimeIndex(["2026-01-01", "2026-01-02"], name="date"))
    return base.assign(**changes) if changes else base


def test_frames_hash_by_every_value_label_dtype_and_date():
    h = keys.data_hash
    assert h(frame()) == h(frame().copy())
    assert h(frame()) != h(frame(close=[1.0, 2.5]))
    assert h(frame()) != h(frame().rename(columns={"close": "open"}))
    assert h(frame()) != h(frame().astype("float32"))
    assert h(frame()) != h(frame().set_axis(pd.DatetimeIndex(["2026-01-01", "2026-01-03"])))
    seconds = frame().set_axis(frame().index.as_unit("s"))  # yfinance's unit under pandas 3
    assert h(frame()) == h(seconds)
    assert h(frame()["close"]) != h(frame())


def test_plain_values_are_typed_and_ordered():
    h = keys.data_hash
    assert h(1) != h(1.0) != h("1") != h(True)
    assert h([1, 2]) != h([2, 1]) and h((1, 2)) == h([1, 2])
    assert h({"a": 1, "b": 2}) == h({"b": 2, "a": 1})
    assert h({"a": 1}) != h({"a": 2})
    assert h(math.nan) == h(float("nan")) and h(0.0) != h(-0.0)
    assert h(dt.date(2026, 1, 2)) != h("2026-01-02")
    assert h(np.float64(1.5)) == h(1.5) and h(np.array([1.5])) != h([1.5])
    assert h("ab", "c") != h("a", "bc")  # values are delimited


def test_dataclasses_hash_every_field_and_paths_only_by_name():
    h = keys.data_hash
    assert h(StaleInput("BTC-USD", None)) != h(StaleInput("BTC-USD", dt.date(2026, 1, 1)))
    here = Config(root=Path("/one/project"))
    assert h(here) == h(Config(root=Path("/elsewhere/project")))  # a moved checkout
    assert h(here) != h(dataclasses.replace(here, title="Other"))


def test_unknown_objects_are_refused():
    with pytest.raises(TypeError, match="cannot hash"):
        keys.data_hash(object())


def test_code_hash_follows_the_templates(tmp_path):
    (tmp_path / "issue.html").write_text("x", encoding="utf-8")
    before = keys.code_hash(tmp_path)
    assert keys.code_hash(tmp_path) == before
    (tmp_path / "issue.html").write_text("yy", encoding="utf-8")
    assert keys.code_hash(tmp_path) != before
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "style.css").write_text("a{}", encoding="utf-8")
    assert len({before, keys.code_hash(tmp_path)}) == 2


def test_the_package_digest_covers_every_file_of_every_part(tmp_path, monkeypatch):
    copy = tmp_path / "generator"
    for path in keys.package_files():
        target = copy / path.relative_to(keys.PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    (copy / "charts" / "__pycache__").mkdir()
    monkeypatch.setattr(keys, "PACKAGE", copy)
    digests = set()
    changed = ("format.py", "charts/layouts.py", "site/pages.py", "signals/core.py",
               "charts/fonts/SystemUi-Regular.ttf")  # the measuring fonts shape every chart
    for rel in changed:
        keys._package_digest.cache_clear()
        digests.add(keys._package_digest())
        (copy / rel).write_bytes((copy / rel).read_bytes() + b"\n# changed\n")
    keys._package_digest.cache_clear()
    digests.add(keys._package_digest())
    # Python's compiled caches are not sources: writing one changes nothing.
    (copy / "charts" / "__pycache__" / "vega.cpython-311.pyc").write_bytes(b"compiled")
    keys._package_digest.cache_clear()
    digests.add(keys._package_digest())
    keys._package_digest.cache_clear()
    assert len(digests) == len(changed) + 1


def test_library_versions_are_the_installed_distributions():
    import importlib.metadata

    for name in (*keys.LIBRARIES, "click", "not-a-library-riskon"):
        try:
            expected = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            expected = "-"
        assert keys.library_version(name) == expected, name
