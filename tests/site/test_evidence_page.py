"""The built sample site: the evidence page and data, further signals, the opening sentences."""

from __future__ import annotations

import csv
import io
import json

from generator.evidence.study import EVIDENCE_COLUMNS
from generator.signals.further import EXTENDED_COLUMNS


def rows(site, rel: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(site.read(rel))))


def test_evidence_page_has_verdict_tables_and_two_charts(sample_site):
    html = sample_site.read("evidence/index.html")
    assert "Does crypto follow small-cap breakouts?" in html
    assert "What the record shows" in html
    assert "After breakout episodes" in html
    assert "After Russell 2000 breakouts" in html and "After IWM breakouts" in html
    # two evidence charts and the track record's, each a <picture> of its static SVG files
    assert html.count("<picture>") == 3 and html.count('id="chart-evidence-') == 2
    assert 'id="chart-track' in html
    assert "too few to conclude anything" in html or "does not support" in html
    assert 'href="../data/evidence.csv"' in html
    assert "Survivorship." in html and "Prices begin:" in html


def test_evidence_verdict_covers_every_horizon_and_intervals_need_ten_episodes(sample_site):
    import re

    html = sample_site.read("evidence/index.html")
    verdict = html[html.index('id="verdict-h"'):html.index('id="summary-h"')]
    for h in (4, 13, 26, 52):
        assert f"at {h} weeks" in verdict
    # every summary row: an interval only with at least 10 episodes
    table = html[html.index('id="summary-h"'):html.index('id="events-h"')]
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)[2:]:
        cells = re.findall(r'<td class="num">(.*?)</td>', row, flags=re.S)
        if len(cells) < 10:
            continue
        n = int(cells[1])
        assert ("[" in cells[-1]) == (n >= 10), row


def test_track_record_section_csv_and_columns_documented(sample_site):
    from generator.evidence.track import TRACK_COLUMNS

    html = sample_site.read("evidence/index.html")
    assert 'id="track-record"' in html and "The score's own track record" in html
    assert 'href="../data/track-record.csv"' in html
    data = rows(sample_site, "data/track-record.csv")
    assert list(data[0]) == list(TRACK_COLUMNS)
    assert {r["grouping"] for r in data} == {"all", "band", "quintile"}
    page = sample_site.read("data/index.html")
    assert "Columns of track-record.csv" in page
    for column in TRACK_COLUMNS:
        assert f"<code>{column}</code>" in page


def test_every_page_links_to_the_evidence(sample_site):
    for path in sample_site.html_pages():
        rel = path.relative_to(sample_site.site).as_posix()
        depth = rel.count("/")
        root = "../" * depth if depth else "./"
        if rel == "404.html":
            continue
        assert f'href="{root}evidence/"' in path.read_text(encoding="utf-8"), rel


def test_evidence_csv_contract(sample_site):
    text = sample_site.read("data/evidence.csv")
    assert text.splitlines()[0] == ",".join(EVIDENCE_COLUMNS)
    data = rows(sample_site, "data/evidence.csv")
    assert [r["as_of"] for r in data] == sorted(r["as_of"] for r in data)
    assert {r["asset"] for r in data} == {"BTC-USD", "ETH-USD", "alt-basket"}
    assert {r["horizon_weeks"] for r in data} == {"4", "13", "26", "52"}
    for r in data:
        assert r["rut_breakout_week"] in ("true", "false")
        assert r["iwm_breakout_week"] in ("true", "false")
        float(r["forward_return"])
    assert "nan" not in text.lower()


def test_breakout_issue_links_to_evidence_and_others_do_not(sample_site):
    signals = rows(sample_site, "data/signals.csv")
    breakouts = [r["week"] for r in signals
                 if "true" in (r["rut_breakout_week"], r["iwm_breakout_week"])]
    assert breakouts, "the sample range should hold a breakout week"
    for r in signals:
        html = sample_site.read(f"issues/{r['week'].lower()}/index.html")
        assert ("See the evidence" in html) == (r["week"] in breakouts), r["week"]


def test_issue_opens_with_generated_sentences_and_shows_further_signals(sample_site):
    latest = json.loads(sample_site.read("data/latest.json"))
    html = sample_site.read(f"issues/{latest['week'].lower()}/index.html")
    assert latest["what_changed"][0].startswith("The risk-on score is")
    assert html.index("What changed") < html.index("At a glance")
    for sentence in latest["what_changed"]:
        assert sentence.replace("'", "&#39;") in html
    assert "Further signals" in html and "ETH vs BTC" in html
    # the sample market has no shares-outstanding history: n/a, and why
    assert "n/a: no shares-outstanding history for IWM, IJR, VB, VTWO, SCHA in the store." in html
    assert set(latest["further_signals"]) == set(EXTENDED_COLUMNS)
    assert latest["further_signals"]["smallcap_flows_13w"] is None


def test_signals_csv_further_columns_come_after_the_contract(sample_site):
    last = rows(sample_site, "data/signals.csv")[-1]
    assert list(last)[-len(EXTENDED_COLUMNS):] == list(EXTENDED_COLUMNS)
    assert last["smallcap_flows_13w"] == ""  # missing: an empty field
    assert float(last["btc_rut_beta_90d"]) == float(last["btc_rut_beta_90d"])


def test_feed_items_carry_the_sentences(sample_site):
    xml = sample_site.read("feed.xml")
    assert "The risk-on score is" in xml
