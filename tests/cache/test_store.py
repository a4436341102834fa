"""The one keyed store: get and put by key, one index, one prune."""

from __future__ import annotations

import os

import pytest

from generator.cache.store import INDEX, OBJECTS, Store, memo


def test_a_value_comes_back_only_under_its_key(tmp_path):
    store = Store(tmp_path, "code-1")
    key = store.key("render", "inputs")
    assert store.get(key, ".json") is None
    put = store.put(key, ".json", b'{"a":1}', "render")
    assert put.data == b'{"a":1}' and len(put) == 7
    store.save(prune=False)
    again = Store(tmp_path, "code-1")
    hit = again.get(key, ".json")
    assert hit is not None and hit.data == b'{"a":1}' and hit.digest == put.digest
    assert again.get(again.key("render", "other"), ".json") is None
    assert Store(tmp_path, "code-2").key("render", "inputs") != key  # other code, other key


def test_a_file_changed_behind_the_index_is_not_used(tmp_path):
    store = Store(tmp_path, "c")
    key = store.key("file", "page")
    store.put(key, ".html", b"<p>one</p>", "file")
    store.save(prune=False)
    path = tmp_path / OBJECTS / f"{key}.html"
    with open(path, "r+b") as handle:  # edited in place, as a hard-linked site file would be
        handle.write(b"<p>two</p>")
    assert Store(tmp_path, "c").get(key, ".html") is None


@pytest.mark.parametrize("damage", [b"", b"junk", b"\x80\x05N."])
def test_a_damaged_value_is_made_again(tmp_path, damage):
    store = Store(tmp_path, "c")
    made = []
    assert memo(store, "step", ("x",), lambda: made.append(1) or {"v": 1}) == {"v": 1}
    assert memo(store, "step", ("x",), lambda: made.append(1) or {"v": 2}) == {"v": 1}
    assert len(made) == 1
    path = next((tmp_path / OBJECTS).glob("*.value"))
    path.write_bytes(damage)
    fresh = Store(tmp_path, "c")
    fresh.index = store.index  # the index still describes the old file: size/time differ
    assert memo(fresh, "step", ("x",), lambda: {"v": 3}) == {"v": 3}
    assert memo(None, "step", ("x",), lambda: {"v": 4}) == {"v": 4}


def test_a_full_build_keeps_only_what_it_used_and_current_layouts(tmp_path):
    old = Store(tmp_path, "old-code")
    old_layout = old.key("layout", "shape")
    old.put(old_layout, ".json", b"{}", "layout")
    old.save(prune=False)
    store = Store(tmp_path, "code")
    used, unused, layout = (store.key(k, "x") for k in ("render", "file", "layout"))
    store.put(used, ".png", b"png", "render")
    store.put(unused, ".html", b"html", "file")
    store.put(layout, ".json", b"{}", "layout")
    store.save(prune=False)  # a partial build prunes nothing
    names = {p.name for p in (tmp_path / OBJECTS).iterdir()}
    assert {f"{used}.png", f"{unused}.html", f"{layout}.json", f"{old_layout}.json"} < names
    full = Store(tmp_path, "code")
    assert full.get(used, ".png") is not None
    removed = full.save(prune=True)
    names = {p.name for p in (tmp_path / OBJECTS).iterdir()}
    assert names == {INDEX, f"{used}.png", f"{layout}.json"} and removed == 2
    assert set(Store(tmp_path, "code").index) == {f"{used}.png", f"{layout}.json"}


def test_entries_written_by_another_process_are_adopted(tmp_path):
    worker = Store(tmp_path, "c")
    key = worker.key("render", "job")
    worker.put(key, ".png", b"png", "render")
    build = Store(tmp_path, "c")
    assert build.get(key, ".png") is None  # not in the index it read
    build.adopt(worker.written)
    assert build.get(key, ".png").data == b"png"


def test_stored_files_are_0644_whatever_the_umask(tmp_path):
    """The writer hard-links stored files into the site as they are (no chmod of its own)."""
    old = os.umask(0o077)
    try:
        store = Store(tmp_path, "code")
        path = store.put("k", ".svg", b"<svg/>", "file").source
    finally:
        os.umask(old)
    assert os.stat(path).st_mode & 0o777 == 0o644
    store.save(prune=False)
    os.chmod(path, 0o600)  # e.g. copied by a tool that keeps no modes
    assert Store(tmp_path, "code").get("k", ".svg") is not None
    assert os.stat(path).st_mode & 0o777 == 0o644


def test_an_unchanged_index_is_not_written_again(tmp_path):
    store = Store(tmp_path, "code")
    store.put("k", ".svg", b"<svg/>", "file")
    store.save(prune=True)
    index = tmp_path / OBJECTS / INDEX
    before = index.stat().st_mtime_ns, index.stat().st_ino
    again = Store(tmp_path, "code")
    assert again.get("k", ".svg") is not None
    again.save(prune=True)  # everything used, nothing new: the same file
    assert (index.stat().st_mtime_ns, index.stat().st_ino) == before
    third = Store(tmp_path, "code")
    third.save(prune=True)  # "k" not used by this build: pruned, the index written
    assert index.stat().st_ino != before[1] and Store(tmp_path, "code").index == {}
