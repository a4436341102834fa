"""The page cache: a memo of rendered issue pages that never changes what is published."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.cache.pages import INDEX, PageCache

SINCE = "2026-08-01"
WEEK = "2026-W33"  # an issue page inside the build, with no note of its own


def run(project: Path, *args: str):
    result = CliRunner().invoke(main, ["--project", str(project), *args])
    assert result.exit_code == 0, result.output
    return result


def build(project: Path, out: str = "site"):
    return run(project, "build", "--source", "sample", "--since", SINCE,
               "--out", str(project / out))


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """A cache of its own, starting with the session's charts and images (not re-rendered)."""
    shared = Path(os.environ["RISKON_CACHE_DIR"])
    mine = tmp_path / "cache"
    for part in ("charts", "images", "templates"):
        if (shared / part).is_dir():
            shutil.copytree(shared / part, mine / part, copy_function=os.link)
    mine.mkdir(exist_ok=True)
    monkeypatch.setenv("RISKON_CACHE_DIR", str(mine))
    return mine


def page(project: Path, out: str = "site", week: str = WEEK) -> Path:
    return project / out / "issues" / week.lower() / "index.html"


def test_cached_pages_are_the_bytes_a_fresh_render_gives(project, cache):
    build(project)  # renders every page and stores it
    build(project, "again")  # every issue page from the cache
    linked = page(project, "again")
    assert linked.stat().st_nlink >= 2  # hard-linked from the cache, not written again
    assert any(os.path.samefile(linked, p) for p in (cache / "pages").glob("*.html"))
    specs = linked.parent / "charts.json"  # the page's chart specs: cached as well
    assert any(os.path.samefile(specs, p) for p in (cache / "pages").glob("*.charts.json"))
    lazy = linked.parent / "chart-rut.svg"  # and the SVG files of its lower charts
    assert any(os.path.samefile(lazy, p) for p in (cache / "pages").glob("*.rut.svg"))
    shutil.rmtree(cache / "pages")
    build(project, "fresh")  # nothing cached: every page rendered
    assert tree(project / "again") == tree(project / "fresh")


def test_a_changed_note_renders_its_page_again(project, cache):
    build(project)
    before = page(project).read_bytes()
    other = page(project, week="2026-W34")
    other_inode = other.stat().st_ino
    note = project / "content" / "issues" / f"{WEEK}.md"
    note.write_text("---\ntitle: Cache check\nauthor: Test\n---\nA sentence only this week has.\n",
                    encoding="utf-8")
    build(project)
    after = page(project).read_text(encoding="utf-8")
    assert page(project).read_bytes() != before and "A sentence only this week has." in after
    assert page(project, week="2026-W34").stat().st_ino == other_inode  # untouched


def test_a_template_change_renders_every_page_again(project, cache):
    build(project)
    issue_html = project / "templates" / "issue.html"
    issue_html.write_text(issue_html.read_text(encoding="utf-8").replace(
        "</article>", "<p>template-marker</p></article>", 1), encoding="utf-8")
    build(project)
    pages = sorted((project / "site" / "issues").glob("*/index.html"))
    assert pages and all("template-marker" in p.read_text(encoding="utf-8") for p in pages)


def test_a_page_edited_inside_the_site_is_rendered_again(project, cache):
    build(project)
    original = page(project).read_bytes()
    with open(page(project), "r+b") as handle:  # in place: the cache file is the same file
        handle.write(b"<!-- edited by hand -->")
    build(project, "next")
    assert page(project, "next").read_bytes() == original
    # The next build of the site itself (inputs changed: it is not skipped) restores it.
    (project / "content" / "issues" / "2026-W34.md").write_text(
        "---\ntitle: Another week\n---\nText.\n", encoding="utf-8")
    build(project)
    assert page(project).read_bytes() == original


@pytest.fixture
def templates(tmp_path) -> Path:
    """A templates folder of one file, for PageCache on its own."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "issue.html").write_text("x", encoding="utf-8")
    return folder


def test_save_prunes_only_after_a_full_build(templates):
    folder = templates.parent / "pages"
    first = PageCache(folder, templates)
    keys = [first.key("page", str(i)) for i in range(3)]
    for i, key in enumerate(keys):
        first.put(key, f"<p>{i}</p>".encode())
    first.save(prune=False)
    second = PageCache(folder, templates)
    hit = second.get(keys[0])
    assert hit is not None and hit.data == b"<p>0</p>" and len(hit) == 8
    second.save(prune=False)  # a partial build keeps what it did not use
    assert sorted(p.name for p in folder.glob("*.html")) == sorted(f"{k}.html" for k in keys)
    third = PageCache(folder, templates)
    assert third.get(keys[1]) is not None
    third.save(prune=True)
    assert [p.name for p in folder.glob("*.html")] == [f"{keys[1]}.html"]
    assert (folder / INDEX).is_file() and PageCache(folder, templates).get(keys[0]) is None


def test_chart_files_are_kept_beside_the_pages_and_pruned_alike(templates):
    folder = templates.parent / "pages"
    first = PageCache(folder, templates)
    key = first.key("specs", "charts-of-one-week")
    first.put(key, b"<p>page</p>")
    first.put(key, b'{"score":{}}\n', ".charts.json")
    first.put(key, b"<svg/>", ".rut.svg")
    first.save(prune=True)
    second = PageCache(folder, templates)
    hit = second.get(key, ".charts.json")
    assert hit is not None and hit.data == b'{"score":{}}\n'
    svg = second.get(key, ".rut.svg")
    assert svg is not None and svg.data == b"<svg/>"
    assert second.hits == 0  # pages are counted, not their chart files
    second.save(prune=True)  # the page was not used: it goes, its chart files stay
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [INDEX, f"{key}.charts.json", f"{key}.rut.svg"])
    third = PageCache(folder, templates)
    third.save(prune=True)  # used by no build now: pruned
    assert [p.name for p in folder.iterdir()] == [INDEX]


def test_keys_depend_on_the_code(templates):
    tmp_path = templates.parent
    before = PageCache(tmp_path / "pages", templates).key("a")
    assert PageCache(tmp_path / "pages", templates).key("a") == before
    (templates / "issue.html").write_text("yy", encoding="utf-8")
    assert PageCache(tmp_path / "pages", templates).key("a") != before


def test_a_full_build_drops_the_charts_and_images_it_did_not_use(project, cache):
    settings = project / "pyproject.toml"  # a short archive: a full build of a dozen weeks
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        'archive_start = "2016-01-01"', f'archive_start = "{SINCE}"'), encoding="utf-8")
    build(project)
    stray_chart, stray_png = cache / "charts" / "0000stray.json", cache / "images" / "0000stray.png"
    stray_chart.write_text("{}", encoding="utf-8")
    stray_png.write_bytes(b"PNG")
    run(project, "build", "--source", "sample", "--since", "2026-09-01",
        "--out", str(project / "part"))
    assert stray_chart.exists() and stray_png.exists()  # a partial build keeps everything
    run(project, "build", "--source", "sample", "--out", str(project / "full"))
    assert not stray_chart.exists() and not stray_png.exists()
    # what the full build shows is still cached: a rebuild renders nothing
    again = run(project, "build", "--source", "sample", "--out", str(project / "full2"))
    assert "charts 0 rendered" in again.output, again.output
