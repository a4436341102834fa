"""The no-change check: the stamp of a build's inputs, and their signature (file stats)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.cache import stamp
from generator.config import load_config
from generator.writer import write_stamp
from tests.conftest import make_project

OPTIONS = {"source": "yfinance", "since": None, "until": None, "fetch": False,
           "drafts": False}


@pytest.fixture
def inputs(tmp_path, csv_dir):
    """A project (settings, content) with price files in data/prices and one snapshot."""
    root = make_project(tmp_path / "p")
    for path in csv_dir.iterdir():
        (root / "data" / "prices" / path.name).write_bytes(path.read_bytes())
    (root / "data" / "issues" / "2026-W40.json").write_text("{}\n", encoding="utf-8")
    out = root / "site"
    out.mkdir()
    return load_config(root), out


def settled(monkeypatch) -> None:
    """Files written a moment ago count as settled (else no signature is taken)."""
    monkeypatch.setattr(stamp, "RACY_NS", -10**15)


def built(config, out) -> str:
    """Record in `out` what a good build of the current inputs records."""
    fingerprint = stamp.compute_stamp(config, OPTIONS)
    assert fingerprint
    write_stamp(out, {"fingerprint": fingerprint, "summary": "s", "stale": [], "failed": []})
    return fingerprint


def no_reads_of(monkeypatch, folder: Path) -> None:
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        assert folder not in self.parents, f"read {self}"
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)


def test_unchanged_stats_spare_reading_the_inputs(inputs, monkeypatch):
    config, out = inputs
    settled(monkeypatch)
    fingerprint = built(config, out)
    recorded, key, signature = stamp.up_to_date(config, OPTIONS, out)  # hashes, remembers
    assert recorded is not None and key == fingerprint and signature
    no_reads_of(monkeypatch, config.root / "data")
    again, key2, signature2 = stamp.up_to_date(config, OPTIONS, out)
    assert again == recorded and key2 == fingerprint and signature2 == signature
    # The signature is remembered for one output folder: another one's check reads the files.
    assert stamp._known_stamp(config, config.root / "elsewhere", signature) is None


def test_a_removed_site_with_unchanged_inputs_is_rebuilt_without_reading_them(
        inputs, monkeypatch):
    """The stamp the build will record comes from the remembered signature."""
    import shutil

    config, out = inputs
    settled(monkeypatch)
    fingerprint = built(config, out)
    stamp.up_to_date(config, OPTIONS, out)  # hashes, remembers
    shutil.rmtree(out)
    no_reads_of(monkeypatch, config.root / "data")
    recorded, key, signature = stamp.up_to_date(config, OPTIONS, out)
    assert recorded is None and key == fingerprint and signature


@pytest.mark.parametrize("change", ["same size, old time", "new file", "removed file",
                                    "other options"])
def test_any_change_is_seen_even_with_its_old_size_and_time(inputs, monkeypatch, change):
    config, out = inputs
    settled(monkeypatch)
    built(config, out)
    assert stamp.up_to_date(config, OPTIONS, out)[0] is not None  # remembered
    options = OPTIONS
    price = config.root / "data" / "prices" / "SPY.csv"
    if change == "same size, old time":  # a change that keeps size and modification time
        st = price.stat()
        data = price.read_bytes()
        price.write_bytes(data[:-2] + (b"9" if data[-2:-1] != b"9" else b"8") + data[-1:])
        os.utime(price, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert price.stat().st_size == st.st_size and price.stat().st_mtime_ns == st.st_mtime_ns
    elif change == "new file":
        (config.content_dir / "pages" / "new.md").write_text("# New\n", encoding="utf-8")
    elif change == "removed file":
        (config.root / "data" / "issues" / "2026-W40.json").unlink()
    else:
        options = {**OPTIONS, "since": "2026-01-01"}
    assert stamp.up_to_date(config, options, out)[0] is None


def test_files_changed_a_moment_ago_give_no_signature(inputs):
    config, out = inputs
    built(config, out)  # the fixture's files were all written just now
    recorded, key, signature = stamp.up_to_date(config, OPTIONS, out)
    assert recorded is not None and key and signature is None  # up to date, by their bytes
    assert not (config.cache_dir / stamp.SIGNATURE_FILE).exists()


def test_no_signature_when_a_fetch_may_change_the_inputs(inputs, monkeypatch):
    config, out = inputs
    settled(monkeypatch)
    fetching = {**OPTIONS, "fetch": True}
    assert stamp.up_to_date(config, fetching, out) == (None, None, None)
