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


def _track_summary() -> pd.DataFrame:
    from generator.evidence.track import TRACK_COLUMNS

    rows = []
    for grouping, groups in (("all", ["All weeks"]), ("quintile", ["Q1", "Q2", "Q3", "Q4",
                                                                    "Q5"])):
        for k, group in enumerate(groups):
            for asset in ("^RUT", "BTC-USD", "alt-basket"):
                for h in (4, 13, 26, 52):
                    rows.append((grouping, group, asset, h, 10, 3, 0.01 * k - 0.02, 0.5,
                                 float("nan"), float("nan"), float("nan")))
    return pd.DataFrame(rows, columns=list(TRACK_COLUMNS))


def test_track_chart_is_valid_and_its_layout_matches_the_direct_chart():
    from generator.charts import vega
    from generator.charts.evidence import describe_track, track_layout, track_parts

    parts = track_parts(_track_summary())
    direct = track_layout(parts.shape, parts.texts, parts.numbers).properties(
        datasets=parts.data).to_dict(validate=True)
    assert direct["title"]["text"].startswith("What followed each fifth of scores")
    assert len(parts.data["points"]) == 6 * 3  # five quintiles and all weeks, three assets
    assert parts.numbers["ylo"] < -0.02 and parts.numbers["yhi"] > 0.02
    via_layout = vega.vega_spec(parts, live=False, kind="evidence")
    assert vega.vega_to_svg(via_layout) == vega.vega_to_svg(vega.compile_vegalite(direct))
    text = describe_track(_track_summary())
    assert "Russell 2000: All weeks −2.0%, Q1 −2.0%, Q2 −1.0%" in text


def test_track_chart_without_windows_says_so():
    from generator.charts.evidence import track_parts

    empty = _track_summary().assign(n=0)
    parts = track_parts(empty)
    assert parts.empty and "No data" in parts.texts["what"]
