"""The evidence chart: a valid spec from the forward table, plain words for its caption."""

from __future__ import annotations

import pandas as pd

from generator.charts.evidence import describe_forward_returns, forward_return_chart
from generator.evidence.study import EVIDENCE_COLUMNS


def table() -> pd.DataFrame:
    rows = []
    for i, r in enumerate([0.1, -0.2, 0.3, 0.5, -0.1, 0.0, 0.2, 0.4]):
        for h in (4, 13):
            rows.append({"week": f"2020-W{i + 1:02d}", "as_of": pd.Timestamp("2020-01-03")
                         + pd.Timedelta(weeks=i), "asset": "BTC-USD", "horizon_weeks": h,
                         "forward_return": r * (h / 4), "rut_breakout_week": i in (1, 3),
                         "iwm_breakout_week": False})
    return pd.DataFrame(rows, columns=list(EVIDENCE_COLUMNS))


def test_chart_spec_is_valid_and_has_boxes_and_event_points():
    spec = forward_return_chart(table(), "BTC-USD").to_dict(validate=True)
    assert spec["title"]["text"] == "Bitcoin after Russell 2000 breakouts"
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
             for layer in spec["layer"]]
    assert marks.count("rect") == 1 and marks.count("point") == 1


def test_chart_without_data_says_so():
    spec = forward_return_chart(table(), "ETH-USD").to_dict(validate=True)
    assert "No data" in str(spec)


def test_description_gives_both_medians_per_horizon():
    text = describe_forward_returns(table(), "BTC-USD")
    assert "4 weeks: median +15.0% after 2 events, +15.0% over all 8 weeks" in text
    assert "26 weeks: no complete window yet" in text
    assert "no event yet" in describe_forward_returns(table(), "BTC-USD", "iwm")
