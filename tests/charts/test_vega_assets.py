"""The live charts' Vega specs: compact, safe to inline, with tooltips only when interactive."""

from __future__ import annotations

import json

import pytest

from generator.charts.data import CHART_DATA, WIDTH, prepare
from generator.charts.layouts import with_data
from generator.charts.render import render_chart
from tests.charts.test_data import make_weeks


@pytest.mark.parametrize("name", list(CHART_DATA))
def test_vega_spec_is_inline_safe_json_with_tooltips(name):
    weeks = make_weeks(156)
    text = render_chart(name, weeks).vega
    assert "<" not in text and ">" not in text and "&" not in text
    spec = json.loads(text)
    assert "$schema" not in spec and spec["width"] == WIDTH
    assert "tooltip" in text and "As of" in text
    assert len(text) < 25_000  # only the rows the chart draws


def test_static_chart_has_no_hover_layer():
    weeks = make_weeks(156)
    static = json.dumps(with_data(prepare("score", weeks)).to_dict())
    assert "tooltip" not in static and "hover" not in static
    live = json.dumps(with_data(prepare("score", weeks), interactive=True).to_dict())
    assert "tooltip" in live and "hover" in live
