"""Steps read back from the cache only while everything they read is unchanged."""

from __future__ import annotations

import pandas as pd
import pytest

from generator.cache import keys as memo
from generator.config import load_config
from generator.sources.load import load_source
from tests.conftest import REPO


def key_of(**frames) -> str:
    h = memo.new_key("test")
    memo.frames(h, frames)
    return h.hexdigest()


def test_keys_follow_every_value_label_and_dtype():
    base = pd.DataFrame({"close": [1.0, 2.0]}, index=pd.to_datetime(["2026-01-01", "2026-01-02"]))
    assert key_of(a=base) == key_of(a=base.copy())
    assert key_of(a=base) != key_of(b=base)
    assert key_of(a=base) != key_of(a=base.assign(close=[1.0, 2.5]))
    assert key_of(a=base) != key_of(a=base.rename(columns={"close": "open"}))
    assert key_of(a=base) != key_of(a=base.astype("float32"))
    assert key_of(a=base) != key_of(a=base.set_axis(pd.to_datetime(["2026-01-01", "2026-01-03"])))


@pytest.mark.parametrize("damage", [b"", b"junk", b"\x80\x05N."])
def test_recall_gives_only_what_was_kept_under_that_key(tmp_path, damage):
    assert memo.recall(tmp_path, "step", "k1") is None
    memo.keep(tmp_path, "step", "k1", {"value": 1})
    assert memo.recall(tmp_path, "step", "k1") == {"value": 1}
    assert memo.recall(tmp_path, "step", "k2") is None
    (tmp_path / "step.pickle").write_bytes(damage)
    assert memo.recall(tmp_path, "step", "k1") is None
    assert memo.recall(None, "step", "k1") is None


def test_prices_are_read_again_when_a_file_changes(csv_dir, tmp_path, monkeypatch):
    folder = tmp_path / "csv"
    folder.mkdir()
    for path in csv_dir.glob("*.csv"):
        (folder / path.name).write_bytes(path.read_bytes())
    monkeypatch.setenv("RISKON_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    config = load_config(REPO)
    first = load_source(f"csv:{folder}", config, fetch=False)
    assert (tmp_path / "cache" / "prices.pickle").is_file()
    again = load_source(f"csv:{folder}", config, fetch=False)
    assert sorted(again.prices) == sorted(first.prices)
    assert all(again.prices[t].equals(first.prices[t]) for t in first.prices)
    spy = folder / "SPY.csv"
    lines = spy.read_text(encoding="utf-8").splitlines()
    spy.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # one day fewer
    later = load_source(f"csv:{folder}", config, fetch=False)
    assert len(later.prices["SPY"]) == len(first.prices["SPY"]) - 1
    spy.write_text("date,close\nnot a date,1\n", encoding="utf-8")
    with pytest.raises(Exception, match="SPY.csv"):
        load_source(f"csv:{folder}", config, fetch=False)
