"""The built sample site, read like a reader, a feed reader and a downloader would."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import feedparser
import pytest

from generator.signals.core import CSV_COLUMNS
from generator.signals.further import EXTENDED_COLUMNS
from generator.site.templates import fmt_score


class _Page(HTMLParser):
    """Visible text, ids, and every URL that makes the browser fetch something."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.ids: list[str] = []
        self.fetches: list[str] = []
        self.svgs = 0
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("style", "script", "title"):
            self._skip += 1
        if tag == "svg":
            self.svgs += 1
        if "id" in a:
            self.ids.append(a["id"])
        fetching = ("img", "script", "iframe", "source", "audio", "video", "embed")
        if tag in fetching and a.get("src"):
            self.fetches.append(a["src"])
        if tag in ("img", "source") and a.get("srcset"):
            self.fetches += [c.split()[0] for c in a["srcset"].split(",")]
        loads = ("stylesheet", "icon", "preload", "modulepreload")
        if tag == "link" and (a.get("rel") or "") in loads:
            self.fetches.append(a.get("href") or "")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def signals_rows(site) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(site.read("data/signals.csv"))))


def test_every_page_and_file_exists(sample_site):
    for rel in ("index.html", "issues/index.html", "methodology/index.html", "about/index.html",
                "404.html", "feed.xml", "data/signals.csv", "data/latest.json", "sitemap.xml",
                "robots.txt", "assets/style.css"):
        assert (sample_site.site / rel).is_file(), rel


def test_one_issue_page_per_archive_week(sample_site):
    rows = signals_rows(sample_site)
    pages = sorted(p.parent.name for p in (sample_site.site / "issues").glob("*-w*/index.html"))
    assert pages == sorted(r["week"].lower() for r in rows)
    assert len(rows) >= 10


def test_signals_csv_contract(sample_site):
    text = sample_site.read("data/signals.csv")
    # the contract columns first, in order; the further signals after them
    assert text.splitlines()[0] == ",".join((*CSV_COLUMNS, *EXTENDED_COLUMNS))
    rows = signals_rows(sample_site)
    assert [r["as_of"] for r in rows] == sorted(r["as_of"] for r in rows)
    for r in rows:
        assert re.fullmatch(r"\d{4}-W\d\d", r["week"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", r["as_of"])
        for col in ("rut_record_week", "rut_breakout_week", "iwm_breakout_week"):
            assert r[col] in ("true", "false")
        assert r["band"] in ("Strong risk-off", "Risk-off", "Neutral", "Risk-on", "Strong risk-on")
        assert 0 <= float(r["score"]) <= 100
        assert "nan" not in text.lower()


def test_latest_json_matches_last_row(sample_site):
    latest = json.loads(sample_site.read("data/latest.json"))
    last = signals_rows(sample_site)[-1]
    assert latest["week"] == last["week"] and latest["as_of"] == last["as_of"]
    assert latest["score"] == float(last["score"]) and latest["band"] == last["band"]
    assert latest["sample_data"] is True
    assert latest["url"].endswith(f"issues/{last['week'].lower()}/")


def test_pages_show_no_placeholder_or_template_leak(sample_site):
    for path in sample_site.html_pages():
        html = path.read_text(encoding="utf-8")
        text = " ".join(parse(html).text)
        for bad in ("nan", "None", "undefined", "NaN"):
            assert not re.search(rf"\b{bad}\b", text), (path, bad)
        assert "{{" not in html and "{%" not in html, path


def test_every_page_says_sample_data(sample_site):
    for path in sample_site.html_pages():
        assert "Sample data." in path.read_text(encoding="utf-8"), path


def test_pages_make_no_request_to_other_hosts(sample_site):
    for path in sample_site.html_pages():
        page = parse(path.read_text(encoding="utf-8"))
        for url in page.fetches:
            assert not re.match(r"(?i)^(https?:)?//", url), (path, url)
    css = sample_site.read("assets/style.css")
    assert "url(" not in css and "@import" not in css
    # The icon is inline too: no /favicon.ico request (and 404) on every page.
    assert re.search(r'<link rel="icon" href="data:image/svg\+xml,', sample_site.read("index.html"))


_PICTURE = re.compile(
    r'<figure class="chart[^"]*" id="chart-([a-z_-]+)">\s*<picture><source media="([^"]+)" '
    r'srcset="([^"]+)" type="image/svg\+xml" width="(\d+)" height="(\d+)"><img src="([^"]+)" '
    r'alt="([^"]+)" width="(\d+)" height="(\d+)" (loading="lazy"|fetchpriority="high") '
    r'decoding="async"></picture>')


def check_pictures(site, rel: str, folder) -> list[str]:
    """Every chart of page `rel` is a <picture> of its two SVG files in `folder`: the narrow
    one for a phone, the wide one else; each file well-formed, at the size the page gives
    it, labelled like the page's alt text, drawn in the page's text colour. Returns the
    chart names in page order."""
    light, dark = re.findall(r"--fg: (#[0-9a-f]{6})", (site / "assets/style.css").read_text())
    text = (site / rel).read_text(encoding="utf-8")
    found = _PICTURE.findall(text)
    assert len(found) == text.count("<figure class=\"chart"), rel
    for name, media, narrow_src, nw, nh, src, alt, width, height, _ in found:
        assert media == "(max-width: 600px)"
        for url, w, h, file_name in ((src, width, height, f"chart-{name}.svg"),
                                     (narrow_src, nw, nh, f"chart-{name}-narrow.svg")):
            file = (site / rel).parent / url
            assert file.resolve() == (folder / file_name).resolve(), (rel, url)
            svg = ET.fromstring(file.read_bytes())  # a well-formed SVG document
            assert svg.tag == "{http://www.w3.org/2000/svg}svg"
            assert (svg.get("width"), svg.get("height")) == (w, h)
            assert svg.get("viewBox") == f"0 0 {w} {h}"
            assert svg.get("aria-label") == html.unescape(alt)
            # text and axes in currentColor: the page's text colour, light and dark
            style = svg.findtext("{http://www.w3.org/2000/svg}style")
            assert style == (f"svg{{color:{light}}}"
                             f"@media (prefers-color-scheme:dark){{svg{{color:{dark}}}}}")
            assert 'fill="currentColor"' in file.read_text(encoding="utf-8")
        assert int(nw) == 340 and int(width) > 600  # the narrow variant is phone-sized
    return [name for name, *_ in found]


def test_issue_pages_show_each_chart_as_a_picture_of_its_wide_and_narrow_files(sample_site):
    latest = json.loads(sample_site.read("data/latest.json"))
    folder = sample_site.site / "issues" / latest["week"].lower()
    for rel in ("index.html", f"issues/{latest['week'].lower()}/index.html"):
        text = sample_site.read(rel)
        page = parse(text)
        # no inline chart: the browser picks a file
        assert not re.search(r'<figure class="chart[^>]*>\s*<svg', text), rel
        assert len(page.ids) == len(set(page.ids)), rel
        assert text.count("<figcaption>") == 5
        assert check_pictures(sample_site.site, rel, folder) == [
            "score", "rut", "relative_strength", "correlation", "altseason"], rel
        # the score chart, in the first view, loads at once; the others when scrolled near
        assert text.count('fetchpriority="high"') == 1 and text.count('loading="lazy"') == 4


def test_archive_and_evidence_charts_are_pictures_of_files_beside_them(sample_site):
    assert check_pictures(sample_site.site, "issues/index.html",
                          sample_site.site / "issues") == ["score"]
    names = check_pictures(sample_site.site, "evidence/index.html",
                           sample_site.site / "evidence")
    assert [n for n in names if n.startswith("evidence-")] == names[:2] and len(names) in (2, 3)
    assert names[2:] in ([], ["track-record"])  # the score's track record, once it has one


def test_archive_and_year_pages_list_every_week_and_archive_has_score_history(sample_site):
    html = sample_site.read("issues/index.html")
    rows = signals_rows(sample_site)
    latest = rows[-1]["week"][:4]
    for r in rows:
        week, year = r["week"].lower(), r["week"][:4]
        # every week on its year's page; the latest year's weeks on the archive page too
        assert f'href="../../issues/{week}/"' in sample_site.read(f"issues/{year}/index.html")
        assert (f'href="../issues/{week}/"' in html) == (year == latest), week
    for year in {r["week"][:4] for r in rows}:
        assert f'href="../issues/{year}/"' in html
    assert html.count("<picture>") == 1


def test_issue_page_shows_score_band_and_components(sample_site):
    last = signals_rows(sample_site)[-1]
    html = sample_site.read(f"issues/{last['week'].lower()}/index.html")
    assert f">{fmt_score(float(last['score']))}<" in html
    assert last["band"] in html
    for label in ("Russell 2000 trend", "Small caps vs large caps", "Credit appetite",
                  "Volatility (VIX)", "Bitcoin trend", "Altcoin season"):
        assert label in html


def test_feed_parses_with_absolute_links_and_stable_guids(sample_site):
    xml = sample_site.read("feed.xml")
    feed = feedparser.parse(xml)
    assert feed.bozo == 0, feed.get("bozo_exception")
    rows = signals_rows(sample_site)
    assert len(feed.entries) == min(20, len(rows))
    base = "https://example.github.io/risk-on-monitor/"
    assert feed.entries[0].link == f"{base}issues/{rows[-1]['week'].lower()}/"
    guids = [e.id for e in feed.entries]
    assert len(set(guids)) == len(guids)
    for e in feed.entries:
        assert e.id == e.link and e.link.startswith(base)
        assert e.published_parsed is not None
        content = e.content[0].value
        for url in re.findall(r'(?:href|src)="([^"]+)"', content):
            assert url.startswith(("https://", "http://", "mailto:")), url
    assert any(link.rel == "self" and link.href == base + "feed.xml" for link in feed.feed.links)
    assert re.search(r"<lastBuildDate>\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}</", xml)


def test_sitemap_lists_pages_with_absolute_urls(sample_site):
    xml = sample_site.read("sitemap.xml")
    locs = re.findall(r"<loc>([^<]+)</loc>", xml)
    assert "https://example.github.io/risk-on-monitor/" in locs
    assert all(loc.startswith("https://example.github.io/risk-on-monitor/") for loc in locs)
    assert not any("404" in loc for loc in locs)
    # every page: the archive, each year's page, each issue
    base = "https://example.github.io/risk-on-monitor/"
    rows = signals_rows(sample_site)
    for year in {r["week"][:4] for r in rows}:
        assert f"{base}issues/{year}/" in locs
    for r in rows:
        assert f"{base}issues/{r['week'].lower()}/" in locs
    assert f"{base}issues/" in locs


def test_sample_build_never_writes_to_data(sample_site):
    assert not any((sample_site.project / "data" / "prices").iterdir())
    assert not any((sample_site.project / "data" / "issues").iterdir())


def check_relative_links(site, rel: str) -> None:
    """Every relative link of page `rel` reaches a file of the site; a link to an anchor
    (`page#id`, `#id`) reaches an element with that id."""
    from urllib.parse import urljoin, urlparse

    page_url = "https://x.test/site/" + rel
    html = (site / rel).read_text(encoding="utf-8")
    for href in re.findall(r'href="([^"]+)"', html):
        if href.startswith(("http://", "https://", "mailto:", "data:")):
            continue
        url = urlparse(urljoin(page_url, href))
        target = url.path[len("/site/"):]
        path = site / target
        if not path.is_file():
            path = path / "index.html"
        assert path.is_file(), (rel, href)
        if url.fragment:
            assert url.fragment in parse(path.read_text(encoding="utf-8")).ids, (rel, href)


@pytest.mark.parametrize("rel", ["index.html", "issues/index.html", "about/index.html"])
def test_relative_links_resolve_inside_the_site(sample_site, rel):
    check_relative_links(sample_site.site, rel)


def test_year_pages_links_resolve_inside_the_site(sample_site):
    pages = [p for p in (sample_site.site / "issues").glob("*/index.html")
             if re.fullmatch(r"\d{4}", p.parent.name)]
    assert pages
    for page in pages:
        check_relative_links(sample_site.site, page.relative_to(sample_site.site).as_posix())
