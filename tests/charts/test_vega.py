"""Compiled layouts: a filled layout gives exactly what compiling the whole chart gives."""

from __future__ import annotations

import functools
import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from generator.charts import cards, vega
from generator.charts.data import CHART_DATA, chart_description, prepare
from generator.charts.layouts import with_data
from generator.charts.render import render_chart, render_evidence
from tests.charts.test_data import make_weeks
from tests.charts.test_evidence_chart import table


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
    """The static chart compiled with its rows by vl-convert, no layout involved."""
    chart = with_data(prepare(name, weeks, title))
    description = chart_description(name, weeks)
    spec = vega.compile_vegalite(chart.to_dict(validate=True))
    return vega.static_svg(spec, prefix=f"c-{name.replace('_', '-')}", description=description)


def _direct_vega(name: str, weeks, title: str | None = None) -> str:
    chart = with_data(prepare(name, weeks, title), interactive=True)
    return vega.vega_json(vega.compile_vegalite(chart.to_dict(validate=True)))


@pytest.mark.parametrize("window", list(WINDOWS))
@pytest.mark.parametrize("name", list(CHART_DATA))
def test_layout_gives_the_bytes_of_a_direct_compile(name, window):
    weeks = WINDOWS[window]
    chart = render_chart(name, weeks)
    assert chart.svg == _direct_svg(name, weeks)
    assert chart.vega == _direct_vega(name, weeks)
    assert chart.title == CHART_DATA[name].title
    assert "@@riskon" not in chart.svg + chart.vega


def test_a_title_override_reaches_svg_and_vega():
    weeks = WINDOWS["300 weeks"]
    title = "Composite risk-on score, every week since 2016"
    chart = render_chart("score", weeks, title=title)
    assert chart.title == title and f">{title}<" in chart.svg and title in chart.vega
    assert chart.svg == _direct_svg("score", weeks, title)
    assert chart.vega == _direct_vega("score", weeks, title)


def test_words_with_quotes_and_markup_are_filled_as_plain_text():
    parts = prepare("score", WINDOWS["156 weeks"], 'A "quoted" <b>title</b> & \\ more')
    spec = vega.vega_spec(parts, live=True)
    assert spec["title"]["text"] == 'A "quoted" <b>title</b> & \\ more'
    assert "<" not in vega.vega_json(spec)


def test_an_unfilled_placeholder_is_an_error():
    tpl = json.dumps({"title": vega.placeholder("title"), "data": []})
    with pytest.raises(ValueError, match="placeholder"):
        vega.fill(tpl, {}, {})


def test_one_layout_per_shape_is_compiled():
    compiled = []

    @functools.cache
    def layouts(*key):
        compiled.append(key)
        return vega.compile_layout(*key)

    weeks = WINDOWS["156 weeks"]
    for end in (150, 153, 156):  # same span bucket, same layers: one shape
        render_chart("correlation", weeks.iloc[end - 150 : end], layouts=layouts)
    assert len(compiled) == 4  # static and live, wide and narrow
    assert sorted((key[0], key[-1]) for key in compiled) == [
        ("chart", False), ("chart", True), ("chart:narrow", False), ("chart:narrow", True)]


def test_rendering_with_compiled_layouts_does_not_import_altair(tmp_path):
    kept = {}

    def layouts(*key):
        kept[key] = vega.compile_layout(*key)
        return kept[key]

    weeks = WINDOWS["156 weeks"]
    render_chart("rut", weeks, layouts=layouts)
    (tmp_path / "layouts.pkl").write_bytes(pickle.dumps(kept))
    weeks.to_pickle(tmp_path / "weeks.pkl")
    script = (
        "import pickle, sys, pandas as pd\n"
        "from generator.charts.render import render_chart\n"
        f"kept = pickle.loads(open({str(tmp_path / 'layouts.pkl')!r}, 'rb').read())\n"
        f"w = pd.read_pickle({str(tmp_path / 'weeks.pkl')!r})\n"
        "c = render_chart('rut', w, layouts=lambda *key: kept[key])\n"
        "assert c.svg.startswith('<svg')\n"
        "print('altair' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=root, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("weeks", [make_weeks(156), make_weeks(30).tail(1), None])
def test_card_layout_matches_the_direct_card(weeks):
    import datetime as dt

    text = cards.card_text("Risk-On Monitor", "2026-W08", dt.date(2026, 2, 20), 62.37, 58.9)
    parts = cards.card_parts(text, weeks)
    via_layout = vega.vega_to_png(vega.vega_spec(parts, live=False, kind="card"), scale=1.0)
    chart = cards.card_layout(parts.shape, parts.texts)
    chart = chart.properties(datasets=parts.data) if parts.data else chart
    direct = vega.vega_to_png(vega.compile_vegalite(chart.to_dict(validate=True)), scale=1.0)
    assert via_layout == direct


@pytest.mark.parametrize("asset", ["BTC-USD", "ETH-USD"])  # events and boxes; no data at all
def test_evidence_layout_matches_the_direct_chart(asset):
    from generator.charts.evidence import forward_return_chart

    rows = table()
    chart = render_evidence(rows, asset)
    direct = vega.compile_vegalite(forward_return_chart(rows, asset).to_dict(validate=True))
    assert chart.svg == vega.static_svg(direct, prefix=f"c-{chart.name}",
                                        description=chart.description)
    assert "@@riskon" not in chart.svg


def test_evidence_y_range_is_filled_per_chart():
    from generator.charts.evidence import forward_return_parts

    wide = table().assign(forward_return=lambda t: t["forward_return"] * 20)
    specs = [vega.vega_spec(forward_return_parts(rows, "BTC-USD"), live=False, kind="evidence")
             for rows in (table(), wide)]
    values = [{s["name"]: s.get("value") for s in spec["signals"]} for spec in specs]
    assert values[0]["yhi"] < values[1]["yhi"] and values[0]["ylo"] > values[1]["ylo"]
