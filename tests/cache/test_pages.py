"""Issue pages from the store: hard-linked, never stale, the bytes a fresh render gives."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from generator.cache.store import OBJECTS
from tests.conftest import SAMPLE_SINCE, build

WEEK = "2026-W33"  # an issue page inside the build, with no note of its own


def sample(project: Path, out: str = "site", *extra: str) -> str:
    return build(project, "--source", "sample", "--since", SAMPLE_SINCE,
                 "--out", str(project / out), *extra)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def page(project: Path, out: str = "site", week: str = WEEK) -> Path:
    return project / out / "issues" / week.lower() / "index.html"


def stored(project: Path) -> list[Path]:
    return list((project / ".cache" / OBJECTS).iterdir())


def test_cached_pages_are_the_bytes_a_fresh_render_gives(built_project):
    project = built_project
    sample(project, "again")  # every issue page and chart file from the cache
    linked = page(project, "again")
    assert linked.stat().st_nlink >= 2  # hard-linked from the cache, not written again
    for name in ("index.html", "charts.json", "chart-rut.svg"):
        assert any(os.path.samefile(linked.parent / name, p) for p in stored(project))
    shutil.rmtree(project / ".cache")
    sample(project, "fresh")  # nothing cached: every page rendered
    assert tree(project / "again") == tree(project / "fresh")


def test_a_changed_note_renders_its_page_again(built_project):
    project = built_project
    sample(project)
    before = page(project).read_bytes()
    other_inode = page(project, week="2026-W34").stat().st_ino
    note = project / "content" / "issues" / f"{WEEK}.md"
    note.write_text("---\ntitle: Cache check\nauthor: Test\n---\nA sentence only this week has.\n",
                    encoding="utf-8")
    sample(project)
    after = page(project).read_text(encoding="utf-8")
    assert page(project).read_bytes() != before and "A sentence only this week has." in after
    assert page(project, week="2026-W34").stat().st_ino == other_inode  # untouched


def test_a_page_edited_inside_the_site_is_rendered_again(built_project):
    project = built_project
    sample(project)
    original = page(project).read_bytes()
    with open(page(project), "r+b") as handle:  # in place: the cache file is the same file
        handle.write(b"<!-- edited by hand -->")
    sample(project, "next")
    assert page(project, "next").read_bytes() == original
    # The next build of the site itself (inputs changed: it is not skipped) restores it.
    (project / "content" / "issues" / "2026-W34.md").write_text(
        "---\ntitle: Another week\n---\nText.\n", encoding="utf-8")
    sample(project)
    assert page(project).read_bytes() == original


def test_a_full_build_drops_what_it_did_not_use(built_project):
    project = built_project
    settings = project / "pyproject.toml"  # a short archive: a full build of a dozen weeks
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        'archive_start = "2016-01-01"', f'archive_start = "{SAMPLE_SINCE}"'), encoding="utf-8")
    sample(project)
    before = {p.name for p in stored(project)}
    build(project, "--source", "sample", "--since", "2026-10-01", "--out", str(project / "part"))
    assert before <= {p.name for p in stored(project)}  # a partial build keeps everything
    (project / "content" / "issues" / f"{WEEK}.md").write_text(
        "---\ntitle: Changed\n---\nText.\n", encoding="utf-8")
    build(project, "--source", "sample", "--out", str(project / "full"))
    after = {p.name for p in stored(project)}
    assert before - after  # the old page of the changed week is gone
    # and what the full build shows is still cached: a rebuild renders nothing
    output = build(project, "--source", "sample", "--out", str(project / "full2"))
    assert " 0 rendered" in output, output


def _templates(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "base.html").write_text("<p>{% block body %}{% endblock %}</p>\n")
    (folder / "page.html").write_text(
        '{% extends "base.html" %}{% block body %}{{ name | upper }}{% endblock %}\n')
    return folder


def test_templates_are_compiled_once_per_code_and_kept_by_the_prune(tmp_path, monkeypatch):
    import jinja2

    from generator.cache.pages import TEMPLATE, compiled_templates
    from generator.cache.store import Store
    from generator.site.templates import environment, render_page

    folder = _templates(tmp_path)
    store = Store(tmp_path / "cache", "code")
    with compiled_templates(store, folder):
        first = render_page(folder, "page.html", name="x")
    assert first == "<p>X</p>\n"
    assert sorted(n.endswith(TEMPLATE) for n in store.written) == [True, True]
    store.save(prune=False)
    environment.cache_clear()  # a new process: no template in memory
    compiled: list[str] = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda self, source, name=None, *a, **k:
                        compiled.append(name) or real(self, source, name, *a, **k))
    again = Store(tmp_path / "cache", "code")
    with compiled_templates(again, folder):
        assert render_page(folder, "page.html", name="x") == first
    assert compiled == []  # both read back from the store
    Store(tmp_path / "cache", "code").save(prune=True)  # a build that rendered no page
    environment.cache_clear()
    other = Store(tmp_path / "cache", "code")  # ... kept them all the same
    assert sum(n.endswith(TEMPLATE) for n in other.index) == 2
    (folder / "page.html").write_text(
        '{% extends "base.html" %}{% block body %}{{ name }}!{% endblock %}\n')
    with compiled_templates(other, folder):  # a source Jinja has not compiled: compiled
        assert render_page(folder, "page.html", name="x") == "<p>x!</p>\n"
    assert compiled == ["page.html"]
    with compiled_templates(None, folder):
        assert environment(folder).bytecode_cache is None
    environment.cache_clear()


def test_a_damaged_compiled_template_is_compiled_again(tmp_path):
    import jinja2.bccache

    from generator.cache.pages import TEMPLATE, compiled_templates
    from generator.cache.store import Store
    from generator.site.templates import environment, render_page

    folder = _templates(tmp_path)
    store = Store(tmp_path / "cache", "code")
    with compiled_templates(store, folder):
        render_page(folder, "page.html", name="x")
    store.save(prune=False)
    junk = jinja2.bccache.bc_magic + b"\x80\x05junk"  # Jinja's header, then no pickle
    for name in store.written:
        (tmp_path / "cache" / OBJECTS / name).write_bytes(junk)
    environment.cache_clear()
    again = Store(tmp_path / "cache", "code")
    again.index = {n: [len(junk), (tmp_path / "cache" / OBJECTS / n).stat().st_mtime_ns,
                       *e[2:]] for n, e in store.index.items()}  # the index agrees with it
    with compiled_templates(again, folder):
        assert render_page(folder, "page.html", name="x") == "<p>X</p>\n"
    assert sum(n.endswith(TEMPLATE) for n in again.written) == 2
    environment.cache_clear()
