"""The editors' notes and pages from the store: parsed again only when a content file
changed, errors never kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cache import stages
from generator.cache.store import Store
from generator.content import notes as content
from generator.errors import ContentError

NOTE = "---\ntitle: Breakout week\nsummary: Small caps led.\n---\nThe **Russell 2000** rose.\n"
PAGE = "---\ntitle: About\n---\nWho we are.\n"


def _content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    (folder / "issues").mkdir(parents=True)
    (folder / "pages").mkdir()
    (folder / "issues" / "2026-W08.md").write_text(NOTE)
    (folder / "pages" / "about.md").write_text(PAGE)
    return folder


def test_notes_are_parsed_once_until_a_file_changes(tmp_path, monkeypatch):
    folder = _content(tmp_path)
    store = Store(tmp_path / "cache", "code")
    notes, pages = stages.notes_and_pages(store, folder, drafts=False)
    assert notes["2026-W08"].html == "<p>The <strong>Russell 2000</strong> rose.</p>"
    assert pages["about"].path == folder / "pages" / "about.md"
    assert (notes, pages) == (content.load_issue_notes(folder), content.load_pages(folder))
    store.save(prune=False)
    parsed: list[Path] = []
    real = content.parse_note
    monkeypatch.setattr(content, "parse_note", lambda path, raw, **k:
                        parsed.append(path) or real(path, raw, **k))
    again = Store(tmp_path / "cache", "code")
    assert stages.notes_and_pages(again, folder, drafts=False) == (notes, pages)
    assert parsed == []  # read back, not parsed
    (folder / "issues" / "2026-W08.md").write_text(NOTE.replace("rose", "fell"))
    changed, _ = stages.notes_and_pages(again, folder, drafts=False)
    assert "fell" in changed["2026-W08"].html and len(parsed) == 2


def test_a_bad_file_is_an_error_every_time(tmp_path):
    folder = _content(tmp_path)
    store = Store(tmp_path / "cache", "code")
    stages.notes_and_pages(store, folder, drafts=False)
    bad = folder / "issues" / "2026-W09.md"
    bad.write_text("---\ntitle: [unclosed\n---\nText\n")
    for _ in range(2):
        with pytest.raises(ContentError, match="2026-W09.md"):
            stages.notes_and_pages(store, folder, drafts=False)
    bad.unlink()
    bad.mkdir()  # not a file: named as such, as the loader says
    with pytest.raises(ContentError, match="not a regular file"):
        stages.notes_and_pages(store, folder, drafts=False)


def test_drafts_are_their_own_entry(tmp_path):
    folder = _content(tmp_path)
    draft = NOTE.replace("summary:", "draft: true\nsummary:")
    (folder / "issues" / "2026-W09.md").write_text(draft)
    store = Store(tmp_path / "cache", "code")
    assert list(stages.notes_and_pages(store, folder, drafts=False)[0]) == ["2026-W08"]
    assert list(stages.notes_and_pages(store, folder, drafts=True)[0]) == ["2026-W08", "2026-W09"]
    assert list(stages.notes_and_pages(store, folder, drafts=False)[0]) == ["2026-W08"]


def test_a_file_that_appears_while_the_notes_are_read_is_not_kept(tmp_path, monkeypatch):
    folder = _content(tmp_path)
    listed = stages.content_files(folder)
    late = str(folder / "issues" / "2026-W08.md")
    monkeypatch.setattr(stages, "content_files", lambda d: {
        p: b for p, b in listed.items() if p != late})  # listed before it was written
    store = Store(tmp_path / "cache", "code")
    notes, _ = stages.notes_and_pages(store, folder, drafts=False)
    assert list(notes) == ["2026-W08"]  # read all the same
    assert store.written == {}  # but not kept under a key that lacks it
