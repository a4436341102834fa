"""The site writer: a first build swaps a whole tree in; later builds touch only changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator import writer


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def published(root: Path) -> dict[str, bytes]:
    return {k: v for k, v in tree(root).items() if not k.startswith(".riskon")}


FILES = {
    "index.html": b"<p>home</p>",
    "issues/2026-w01/index.html": b"<p>one</p>",
    "issues/2026-w02/index.html": b"<p>two</p>",
    "feed.xml": b"<rss/>",
}


def test_first_write_swaps_in_a_whole_tree(tmp_path):
    out = tmp_path / "site"
    writer.write_site(FILES, out)
    assert published(out) == FILES
    assert (out / writer.MARKER).is_file() and (out / writer.MANIFEST).is_file()
    assert oct((out / "issues" / "2026-w01" / "index.html").stat().st_mode & 0o777) == "0o644"


def test_a_later_write_touches_only_what_changed(tmp_path):
    out = tmp_path / "site"
    writer.write_site(FILES, out)
    kept = out / "issues" / "2026-w01" / "index.html"
    before = kept.stat()
    new = {**FILES, "index.html": b"<p>home, new</p>", "issues/2026-w03/index.html": b"3"}
    del new["issues/2026-w02/index.html"]
    writer.write_site(new, out)
    assert published(out) == new
    assert kept.stat().st_ino == before.st_ino and kept.stat().st_mtime_ns == before.st_mtime_ns
    assert not (out / "issues" / "2026-w02").exists()  # emptied folder removed
    assert not list(out.rglob(f"*{writer._STAGED}"))


def test_a_file_changed_by_hand_is_written_again(tmp_path):
    out = tmp_path / "site"
    writer.write_site(FILES, out)
    (out / "feed.xml").write_bytes(b"edited by hand")
    writer.write_site(FILES, out)
    assert published(out) == FILES


def test_a_failure_while_writing_leaves_the_site_as_it_was(tmp_path, monkeypatch):
    out = tmp_path / "site"
    writer.write_site(FILES, out)
    before = tree(out)
    real, calls = writer._write_file, []

    def failing(path, data):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(writer, "_write_file", failing)
    new = {**FILES, "index.html": b"new home", "issues/2026-w09/index.html": b"nine"}
    with pytest.raises(OSError):
        writer.write_site(new, out)
    assert tree(out) == before
    assert not (out / "issues" / "2026-w09").exists()


def test_cached_files_are_linked_and_a_leftover_never_writes_into_the_cache(tmp_path):
    cache = tmp_path / "cache" / "a.png"
    cache.parent.mkdir()
    cache.write_bytes(b"PNG-A")
    out = tmp_path / "site"
    stored = writer.StoredFile(cache, 5, "digest-of-png-a")
    writer.write_site({**FILES, "issues/2026-w01/card.png": stored}, out)
    card = out / "issues" / "2026-w01" / "card.png"
    assert os.path.samefile(card, cache)
    # A crash left a staged link to the cache file; the next build writes other bytes.
    os.link(cache, card.with_name(f".card.png{writer._STAGED}"))
    writer.write_site({**FILES, "issues/2026-w01/card.png": b"PNG-B"}, out)
    assert card.read_bytes() == b"PNG-B" and cache.read_bytes() == b"PNG-A"


def test_a_site_without_a_manifest_is_replaced_whole(tmp_path):
    out = tmp_path / "site"
    writer.write_site(FILES, out)
    (out / writer.MANIFEST).unlink()
    (out / "stray.html").write_bytes(b"left by an older build")
    writer.write_site(FILES, out)
    assert published(out) == FILES


def test_the_manifest_records_content_whether_rendered_or_linked(tmp_path):
    from generator.cache.keys import bytes_digest

    cache = tmp_path / "cache" / "a.png"
    cache.parent.mkdir()
    cache.write_bytes(b"PNG-A")
    linked, written = tmp_path / "linked", tmp_path / "written"
    stored = writer.StoredFile(cache, 5, bytes_digest(b"PNG-A"))
    writer.write_site({**FILES, "card.png": stored}, linked)
    writer.write_site({**FILES, "card.png": b"PNG-A"}, written)
    assert tree(linked) == tree(written)  # .riskon-manifest included
