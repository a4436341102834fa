"""Reader-facing extras of the built sample site: sharing cards, feed images, live-chart
specs, the data page, the page-weight budget."""

from __future__ import annotations

import gzip
import json
import re
import struct
import xml.etree.ElementTree as ET

BUDGET_GZIP = 150 * 1024


def _meta(html: str, key: str) -> str | None:
    m = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    return m.group(1) if m else None


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def _latest_path(sample_site) -> str:
    return json.loads(sample_site.read("data/latest.json"))["url"]


def test_every_page_has_a_large_sharing_card(sample_site):
    base = _meta(sample_site.read("index.html"), "og:url")
    for page in sample_site.html_pages():
        html = page.read_text(encoding="utf-8")
        image = _meta(html, "og:image")
        assert image and image.startswith("https://"), page
        assert _meta(html, "twitter:card") == "summary_large_image", page
        assert _meta(html, "og:image:alt"), page
        rel = image[len(base):]
        assert _png_size((sample_site.site / rel).read_bytes()) == (1200, 630), rel
    latest = _latest_path(sample_site)
    assert _meta(sample_site.read("index.html"), "og:image") == latest + "card.png"
    assert _meta(sample_site.read("issues/index.html"), "og:image") == base + "assets/card.png"


def test_feed_items_carry_their_score_chart(sample_site):
    root = ET.fromstring(sample_site.read("feed.xml"))
    base = _meta(sample_site.read("index.html"), "og:url")
    items = root.findall("./channel/item")
    assert items
    for item in items:
        enclosure = item.find("enclosure")
        assert enclosure is not None and enclosure.get("type") == "image/png"
        url = enclosure.get("url")
        assert url == item.findtext("link") + "score.png"
        png = (sample_site.site / url[len(base):]).read_bytes()
        assert int(enclosure.get("length")) == len(png)
        content = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
        assert f'<img src="{url}" alt="Chart: ' in content


def test_charts_get_their_vega_specs_beside_the_page_and_the_page_stays_light(sample_site):
    html = sample_site.read("index.html")
    latest = json.loads(sample_site.read("data/latest.json"))
    specs_path = f"issues/{latest['week'].lower()}/charts.json"
    script = re.search(r'<script defer src="([^"]+)" data-vega="([^"]+)" '
                       r'data-interpreter="([^"]+)" data-specs="([^"]+)"'
                       r' data-narrow-specs="([^"]+)" data-narrow-media="([^"]+)"></script>',
                       html)
    assert script is not None
    assert script.groups() == ("./assets/charts.js", "./assets/vega.min.js",
                               "./assets/vega-interpreter.js", "./" + specs_path,
                               "./" + specs_path.replace("charts.json", "charts-narrow.json"),
                               "(max-width: 600px)")
    names = re.findall(r'<figure class="chart[^"]*" id="chart-([a-z_]+)">', html)
    specs = json.loads(sample_site.read(specs_path))
    narrow = json.loads(sample_site.read(specs_path.replace("charts.json", "charts-narrow.json")))
    assert names and sorted(specs) == sorted(names) == sorted(narrow)
    for spec in [*specs.values(), *narrow.values()]:
        assert "tooltip" in json.dumps(spec) and spec["width"] > 0
    assert {s["width"] for s in narrow.values()} == {340}  # laid out for a phone
    # the issue page itself points at the same file, relative to where it sits
    issue_html = sample_site.read(f"issues/{latest['week'].lower()}/index.html")
    assert 'data-specs="../../issues/' + latest["week"].lower() + '/charts.json"' in issue_html
    # every page's specs file exists and names only charts of that page
    for page in sample_site.site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for ref in re.findall(r'data-(?:narrow-)?specs="([^"]+)"', text):
            found = json.loads((page.parent / ref).read_text(encoding="utf-8"))
            assert set(found) <= set(re.findall(r'id="chart-([a-z_]+)"', text)), page
    assert "chart-spec" not in html and "application/json" not in html
    assert (sample_site.site / "assets" / "vega.min.js").stat().st_size > 100_000
    assert (sample_site.site / "assets" / "charts.js").is_file()
    assert "<script>" not in html  # no inline script: a strict CSP works
    assert len(gzip.compress(html.encode())) < BUDGET_GZIP


def test_data_page_explains_every_download(sample_site):
    html = sample_site.read("data/index.html")
    header = sample_site.read("data/signals.csv").splitlines()[0].split(",")
    for column in header:
        assert f"<code>{column}</code>" in html, column
    for download in ("data/signals.csv", "data/latest.json", "feed.xml"):
        assert f'href="../{download}"' in html
    assert "data/" in sample_site.read("sitemap.xml")
