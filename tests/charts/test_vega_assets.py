"""The live charts' Vega specs: compact, safe to inline, with tooltips only when interactive."""

from __future__ import annotations

import json

import pytest

from generator.charts import layouts as charts
from tests.test_charts import make_weeks


@pytest.mark.parametrize("name", list(charts.CHARTS))
def test_vega_spec_is_inline_safe_json_with_tooltips(name):
    weeks = make_weeks(156)
    text = charts.render_vega(charts.CHARTS[name].build(weeks, interactive=True))
    assert "<" not in text and ">" not in text and "&" not in text
    spec = json.loads(text)
    assert "$schema" not in spec and spec["width"] == charts.WIDTH
    assert "tooltip" in text and "As of" in text
    assert len(text) < 25_000  # only the rows the chart draws


def test_static_chart_has_no_hover_layer():
    weeks = make_weeks(156)
    static = json.dumps(charts.score_chart(weeks).to_dict())
    assert "tooltip" not in static and "hover" not in static
