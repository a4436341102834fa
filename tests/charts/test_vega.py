"""Compiled layouts: a filled template gives exactly what compiling the whole chart gives."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from generator.charts import data as chartdata

from generator.charts import vega as chartrender

from generator.charts import layouts as charts

from generator.charts import cards as images
from generator.cache.charts import _Job, render_one
from tests.test_charts import make_weeks

CODE = chartrender.code_version()


def _windows() -> dict[str, object]:
    long = make_weeks(300)
    quiet = make_weeks(156).assign(rut_breakout_week=False)
    no_record = make_weeks(156).assign(rut_record_level=np.nan)
    empty = make_weeks(40)
    for col in empty.columns:
        empty[col] = np.nan
    return {
        "156 weeks": make_weeks(156), "300 weeks": long, "10 weeks": make_weeks(30).tail(10),
        "40 weeks": make_weeks(40), "no breakout": quiet, "no record": no_record,
        "all missing": empty,
    }


WINDOWS = _windows()


def _direct_svg(name: str, weeks, title: str | None = None) -> str:
    chart = charts.build(name, weeks, title=title)
    description = chartdata.chart_description(name, weeks)
    raw = charts._vegalite_to_svg(chart.to_dict(validate=True))
    return chartrender.postprocess_svg(raw, prefix=f"c-{name.replace('_', '-')}",
                                       label=description, title=description)


@pytest.mark.parametrize("window", list(WINDOWS))
@pytest.mark.parametrize("name", list(charts.CHARTS))
def test_template_gives_the_bytes_of_a_direct_compile(name, window, tmp_path):
    weeks = WINDOWS[window]
    chart = render_one(_Job("k", name, None, weeks), tmp_path, CODE)
    assert chart.svg == _direct_svg(name, weeks)
    assert chart.vega == charts.render_vega(charts.build(name, weeks, interactive=True))
    assert chart.title == charts.CHARTS[name].title
    assert "@@riskon" not in chart.svg + chart.vega


def test_a_title_override_reaches_svg_and_vega(tmp_path):
    weeks = WINDOWS["300 weeks"]
    title = "Composite risk-on score, every week since 2016"
    chart = render_one(_Job("k", "score", title, weeks), tmp_path, CODE)
    assert chart.title == title and f">{title}<" in chart.svg and title in chart.vega
    assert chart.svg == _direct_svg("score", weeks, title)


def test_words_with_quotes_and_markup_are_filled_as_plain_text(tmp_path):
    parts = chartdata.prepare("score", WINDOWS["156 weeks"], 'A "quoted" <b>title</b> & \\ more')
    spec = chartrender.vega_spec(parts, live=True, cache_dir=tmp_path, code=CODE)
    assert spec["title"]["text"] == 'A "quoted" <b>title</b> & \\ more'
    assert "<" not in chartrender.vega_json(spec)


def test_an_unfilled_placeholder_is_an_error():
    tpl = json.dumps({"title": chartrender.placeholder("title"), "data": []})
    with pytest.raises(ValueError, match="placeholder"):
        chartrender.fill(tpl, {}, {})


def test_one_template_per_shape_is_compiled_and_kept_on_disk(tmp_path, monkeypatch):
    monkeypatch.setattr(chartrender, "_memo", {})
    weeks = WINDOWS["156 weeks"]
    for end in (150, 153, 156):  # same span bucket, same layers: one shape
        render_one(_Job("k", "correlation", None, weeks.iloc[end - 150 : end]), tmp_path, CODE)
    files = list((tmp_path / "templates").glob("*.json"))
    assert len(files) == 2  # static and live


def test_a_build_with_templates_on_disk_does_not_import_altair(tmp_path, monkeypatch):
    monkeypatch.setattr(chartrender, "_memo", {})
    weeks = WINDOWS["156 weeks"]
    render_one(_Job("k", "rut", None, weeks), tmp_path, CODE)  # writes the templates
    weeks.to_pickle(tmp_path / "weeks.pkl")
    script = (
        "import sys, pandas as pd\n"
        "from generator.cache.charts import _Job, render_one\n"
        f"w = pd.read_pickle({str(tmp_path / 'weeks.pkl')!r})\n"
        "from pathlib import Path\n"
        f"c = render_one(_Job('k', 'rut', None, w), Path({str(tmp_path)!r}))\n"
        "assert c.svg.startswith('<svg')\n"
        "print('altair' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=root, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("weeks", [make_weeks(156), make_weeks(30).tail(1), None])
def test_card_template_matches_the_direct_card(weeks, tmp_path):
    text = images.card_text("Risk-On Monitor", "2026-W08", "20 February 2026", 62.37, 58.9)
    via_template = images.render_card_png(text, weeks, cache_dir=tmp_path)
    direct = charts.render_png(images.card_chart(text, weeks), scale=1.0)
    assert via_template == direct


@pytest.mark.parametrize("asset", ["BTC-USD", "ETH-USD"])  # events and boxes; no data at all
def test_evidence_template_matches_the_direct_chart(asset, tmp_path):
    from generator.charts import evidence as evidence_chart
    from generator.cache.charts import render_evidence
    from tests.test_evidence_chart import table

    rows = table()
    chart = render_evidence(rows, asset, tmp_path)
    direct = evidence_chart.forward_return_chart(rows, asset)
    raw = charts._vegalite_to_svg(direct.to_dict(validate=True))
    assert chart.svg == chartrender.postprocess_svg(
        raw, prefix=chart.name.join(("c-", "")), label=chart.description,
        title=chart.description)
    assert "@@riskon" not in chart.svg


def test_evidence_y_range_is_filled_per_chart(tmp_path):
    from generator.charts import evidence as evidence_chart
    from tests.test_evidence_chart import table

    wide = table().assign(forward_return=lambda t: t["forward_return"] * 20)
    specs = [chartrender.vega_spec(evidence_chart.forward_return_parts(rows, "BTC-USD"),
                                   live=False, cache_dir=tmp_path, code=CODE, kind="evidence")
             for rows in (table(), wide)]
    values = [{s["name"]: s.get("value") for s in spec["signals"]} for spec in specs]
    assert values[0]["yhi"] < values[1]["yhi"] and values[0]["ylo"] > values[1]["ylo"]


def test_a_frozen_window_carries_the_digest_of_its_values():
    from generator.cache import charts as chartset
    from generator.signals.issues import DIGEST_ATTR
    from generator.store.snapshots import issue_from_snapshot

    weeks = make_weeks(30)[["score", "rut_close", "rut_breakout_week"]]
    doc = {
        "schema": 1, "week": "2026-W07", "as_of": "2026-02-13", "values": {"band": "Neutral"},
        "previous": None, "weights": {}, "stale": [],
        "chart_window": {"as_of": [d.strftime("%Y-%m-%d") for d in weeks.index],
                         **{c: weeks[c].tolist() for c in weeks.columns}},
    }
    doc["chart_window"]["score"][3] = None
    window = issue_from_snapshot(doc).window
    assert DIGEST_ATTR in window.attrs
    plain = window.copy()
    plain.attrs.clear()
    assert chartset.window_digest(window) == chartset.window_digest(plain)
    derived = window.tail(10)  # pandas copies attrs: the digest must not follow
    assert chartset.window_digest(derived) != chartset.window_digest(window)
    fresh = derived.copy()
    fresh.attrs.clear()
    assert chartset.window_digest(derived) == chartset.window_digest(fresh)
