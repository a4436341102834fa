"""What editors write is published: tags on the issue, a page per tag, the editor's title in
<title> and og:title beside the week and score."""

from __future__ import annotations

import html
import re
from pathlib import Path
from types import SimpleNamespace

from click.testing import CliRunner

from generator.cli import main
from generator.site.tags import build_tag_pages, tag_slug


def test_tag_slugs():
    assert tag_slug("Bitcoin") == "bitcoin"
    assert tag_slug("S&P 500") == "s-p-500"
    assert tag_slug("russell-2000") == "russell-2000"
    assert tag_slug("Ätherium") == "atherium"
    cjk = tag_slug("比特币")
    assert re.fullmatch(r"tag-[0-9a-f]{8}", cjk) and cjk == tag_slug("比特币")


def test_tag_pages_group_spellings_and_list_issues_newest_first():
    issues = [SimpleNamespace(week=w) for w in ("2026-W01", "2026-W02", "2026-W03")]
    notes = {"2026-W01": SimpleNamespace(tags=("Bitcoin", "S&P 500")),
             "2026-W03": SimpleNamespace(tags=("bitcoin", "S P 500", "S&P 500"))}
    pages = build_tag_pages(issues, notes)  # type: ignore[arg-type]
    assert [(p.label, p.slug, [i.week for i in p.issues]) for p in pages] == [
        ("Bitcoin", "bitcoin", ["2026-W03", "2026-W01"]),
        ("S&P 500", "s-p-500", ["2026-W03", "2026-W01"]),
    ]
    assert pages[0].path == "tags/bitcoin/"


def note(path: Path, title: str, tags: str, draft: str = "false") -> None:
    path.write_text(f'---\ntitle: "{title}"\ntags: [{tags}]\ndraft: {draft}\n---\nText.\n',
                    encoding="utf-8")


def test_tags_and_titles_reach_the_pages(project):
    issues = project / "content" / "issues"
    note(issues / "2026-W40.md", "Alts & small caps diverge", "Bitcoin, S&P 500")
    note(issues / "2026-W42.md", "A quiet week", "bitcoin")
    note(issues / "2026-W43.md", "Secret draft", "Hidden tag", draft="true")
    result = CliRunner().invoke(main, ["--project", str(project), "build", "--source", "sample",
                                       "--since", "2026-09-20"])
    assert result.exit_code == 0, result.output
    site = project / "site"
    page = (site / "issues" / "2026-w40" / "index.html").read_text(encoding="utf-8")
    title = html.unescape(re.search(r"<title>(.*?)</title>", page).group(1))
    assert title.startswith("Alts & small caps diverge · Week 2026-W40: ")
    assert re.search(r"\(\d+\.\d\) — ", title)  # the score beside the editor's title
    og = html.unescape(re.search(r'property="og:title" content="([^"]*)"', page).group(1))
    assert og == title
    assert 'href="../../tags/bitcoin/"' in page and 'href="../../tags/s-p-500/"' in page

    index = (site / "tags" / "index.html").read_text(encoding="utf-8")
    assert "Bitcoin</a> 2 issues" in index and "S&amp;P 500</a> 1 issue" in index
    assert "Hidden tag" not in index and not (site / "tags" / "hidden-tag").exists()
    bitcoin = (site / "tags" / "bitcoin" / "index.html").read_text(encoding="utf-8")
    weeks = re.findall(r'href="\.\./\.\./issues/(\d{4}-w\d\d)/"', bitcoin)
    assert weeks == ["2026-w42", "2026-w40"]
    assert "A quiet week" in bitcoin and "Alts &amp; small caps diverge" in bitcoin
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "tags/bitcoin/" in sitemap and "tags/</loc>" in sitemap
