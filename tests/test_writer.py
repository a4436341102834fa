"""The site writer: a first build swaps a whole tree in; later builds touch only changes."""

from __future__ import annotations

import os
import shutil
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
    folders = [out, *(p for p in out.rglob("*") if p.is_dir())]
    assert {p.relative_to(out).as_posix(): oct(p.stat().st_mode & 0o777) for p in folders} == {
        ".": "0o755", "issues": "0o755", "issues/2026-w01": "0o755", "issues/2026-w02": "0o755"}


def test_folders_are_0755_whatever_the_umask(tmp_path):
    old = os.umask(0o077)
    try:
        writer.write_site(FILES, tmp_path / "site")
    finally:
        os.umask(old)
    out = tmp_path / "site"
    assert all(oct(p.stat().st_mode & 0o777) == "0o755"
               for p in [out, *(q for q in out.rglob("*") if q.is_dir())])


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


@pytest.mark.parametrize("known", [False, True])
def test_a_linked_file_replaced_inside_the_site_is_linked_again(tmp_path, known):
    """Whether the stored file's inode comes with it (the store took its stats) or not."""
    cache = tmp_path / "cache" / "a.png"
    cache.parent.mkdir()
    cache.write_bytes(b"PNG-A")
    st = cache.stat()

    def stored() -> writer.StoredFile:
        return writer.StoredFile(cache, 5, "digest-of-png-a",
                                 inode=(st.st_ino, st.st_dev) if known else None)

    out = tmp_path / "site"
    writer.write_site({**FILES, "card.png": stored()}, out)
    card = out / "card.png"
    card.unlink()
    card.write_bytes(b"PNG-A")  # the same bytes, but a copy: no longer the cache file
    writer.write_site({**FILES, "card.png": stored()}, out)
    assert os.path.samefile(card, cache)


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


# --- kill -9 at any instant -----------------------------------------------------------------

NEW = {
    "index.html": b"<p>home, new</p>",
    "issues/2026-w02/index.html": b"<p>two, new</p>",
    "issues/2026-w03/index.html": b"<p>three</p>",
    "feed.xml": b"<rss>new</rss>",
}


def _killed_at(step: int, files, out: Path, *, exchange: bool) -> bool:
    """Run `write_site` in a forked child that SIGKILLs itself before its `step`-th file
    operation (a write, a rename, a removal); True when it was killed, False when it finished."""
    pid = os.fork()
    if pid == 0:  # the child: count file operations, die at `step`
        import signal
        count = [0]

        def tick(fn):
            def wrapped(*a, **k):
                count[0] += 1
                if count[0] == step:
                    os.kill(os.getpid(), signal.SIGKILL)
                return fn(*a, **k)
            return wrapped
        try:
            writer.os.replace = tick(os.replace)
            writer.os.unlink = tick(os.unlink)
            writer._write_file = tick(writer._write_file)
            writer.write_atomic = tick(writer.write_atomic)
            writer.shutil.rmtree = tick(shutil.rmtree)
            if not exchange:
                writer._exchange = lambda a, b: False
            writer.write_site(files, out)
            os._exit(0)
        except BaseException:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    assert not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 3)
    return os.WIFSIGNALED(status)


def _hidden(root: Path) -> list[str]:
    return [p.name for p in root.parent.rglob(".*") if p.name not in
            (writer.MARKER, writer.MANIFEST, ".riskon-lock")
            and not p.name.endswith(".riskon-lock")]


@pytest.mark.parametrize("case", ["first build", "swap", "swap without exchange", "in place"])
def test_a_build_killed_at_any_instant_leaves_a_whole_tree_after_the_next_run(tmp_path, case):
    """Whatever instant the writer dies at, `site/` is never missing, and after `recover`
    (which every build runs first) it is exactly the old tree or the new one, with no
    temporary file left in or beside it and no "up to date" record over a half-written one."""
    killed_somewhere = False
    for step in range(1, 200):
        root = tmp_path / f"{step}"
        out = root / "site"
        root.mkdir()
        if case == "first build":
            old = None
        else:
            writer.write_site(FILES, out)
            writer.write_stamp(out, {"fingerprint": "old"})
            old = published(out)
            if case != "in place":  # no manifest: the next build swaps a whole tree in
                (out / writer.MANIFEST).unlink()
                old = published(out)
        killed = _killed_at(step, NEW, out, exchange=case != "swap without exchange")
        killed_somewhere |= killed
        if old is not None and case != "swap without exchange":
            assert out.is_dir(), f"site/ missing after a kill at step {step}"
        if killed and writer.interrupted(out):
            from generator.cache.stamp import read_stamp
            assert read_stamp(out) is None
        writer.recover(out)
        now = published(out) if out.exists() else None
        assert now in (old, NEW), f"a mixed tree after a kill at step {step}: {now}"
        assert _hidden(out) == [], f"leftovers after a kill at step {step}"
        if not killed:
            assert now == NEW
            break
    assert killed_somewhere


def test_a_second_writer_waits_for_the_lock_then_gives_up_with_one_line(tmp_path):
    path = tmp_path / "lock"
    with writer.lock(path, "the site"):
        pid = os.fork()
        if pid == 0:
            try:
                with writer.lock(path, "the site", wait=0.3):
                    os._exit(1)
            except writer.UserError as err:
                os._exit(0 if "another riskon process" in str(err) else 2)
            os._exit(3)
        _, status = os.waitpid(pid, 0)
        assert os.WEXITSTATUS(status) == 0
    with writer.lock(path, "the site", wait=0):  # released with its holder
        pass
