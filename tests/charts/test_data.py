"""Charts: their parts and specs, descriptions, rendered SVG and its post-processing."""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pandas as pd
import pytest

from generator.charts import vega
from generator.charts.data import (
    CHART_DATA,
    HEIGHT,
    ISSUE_CHARTS,
    WIDTH,
    chart_description,
    compact,
    prepare,
)
from generator.charts.layouts import with_data
from generator.charts.render import (
    archive_chart,
    dump_charts,
    issue_charts,
    load_charts,
    render,
    render_chart,
    score_png,
)

NAMES = list(CHART_DATA)
BAD_WORDS = re.compile(r"\b(nan|NaN|undefined|Infinity|null)\b")


def make_weeks(n: int = 300, end: str = "2026-02-13") -> pd.DataFrame:
    """n weekly rows ending on Friday `end`: sine waves plus a rising RUT with records."""
    idx = pd.date_range(end=end, periods=n, freq="W-FRI")
    i = np.arange(n, dtype=float)
    rut = 1500 + 2 * i + 150 * np.sin(i / 15)
    record = np.maximum.accumulate(rut)
    breakout = np.zeros(n, dtype=bool)
    breakout[[n // 3, n - 20]] = True
    return pd.DataFrame(
        {
            "score": 50 + 40 * np.sin(i / 20),
            "rut_close": rut,
            "rut_record_level": record,
            "rut_breakout_week": breakout,
            "iwm_breakout_week": breakout,
            "rs_ratio": 0.4 + 0.04 * np.sin(i / 30),
            "smallcap_rs_13w": 0.05 * np.sin(i / 9),
            "btc_rut_corr_90d": 0.7 * np.sin(i / 25),
            "altseason_index": 50 + 45 * np.sin(i / 12),
            "btc_close": 20000 + 250 * i,
            "vix": 18 + 4 * np.cos(i / 7),
        },
        index=idx,
    )


@pytest.fixture(scope="module")
def weeks() -> pd.DataFrame:
    return make_weeks()


@pytest.fixture(scope="module")
def empty_weeks() -> pd.DataFrame:
    """Every numeric input missing, booleans missing too."""
    w = make_weeks(60)
    for col in w.columns:
        w[col] = np.nan
    return w


@pytest.fixture(scope="module")
def svgs(weeks) -> dict[str, str]:
    """Each chart rendered once, shared by the assertions below."""
    return {name: render_chart(name, weeks).svg for name in NAMES}


def spec_of(name: str, weeks: pd.DataFrame, **kwargs) -> dict:
    """The whole Vega-Lite spec of chart `name`, rows included."""
    return with_data(prepare(name, weeks), **kwargs).to_dict(validate=True)


def datasets(spec: dict) -> list[list[dict]]:
    return list(spec.get("datasets", {}).values())


def column(spec: dict, field: str) -> list:
    """`field` from the chart's main (longest) dataset holding it."""
    rows = max((r for r in datasets(spec) if r and field in r[0]), key=len)
    return [row[field] for row in rows]


# --- specs ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_chart_spec_is_valid_small_and_clean(name, weeks):
    spec = spec_of(name, weeks)
    assert spec["title"]["text"] == CHART_DATA[name].title
    json.dumps(spec, allow_nan=False)  # no NaN/inf leaks into the spec
    rows = datasets(spec)
    assert rows and all(len(r) < 5000 for r in rows)
    dates = [row["date"] for r in rows for row in r if "date" in row]
    assert dates and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in dates)
    # The time axis is UTC so a YYYY-MM-DD string never shifts by a local offset.
    assert '"type": "utc"' in json.dumps(spec)


def test_values_are_rounded_to_four_significant_digits():
    wide = pd.Series([1234.5678, 2345.6789, np.nan, -98.7654])
    assert compact(wide).tolist()[:2] == [1235.0, 2346.0]
    assert np.isnan(compact(wide).iloc[2]) and compact(wide).iloc[3] == -98.77
    assert compact(pd.Series([0.012345678])).tolist() == [0.01235]


def test_chart_data_is_rounded(weeks):
    spec = spec_of("altseason", weeks)
    values = [v for v in column(spec, "alt") if v is not None]
    assert values and all(v == float(f"{v:.4g}") for v in values)


def test_small_spans_keep_enough_digits():
    """A ratio rebased to 100 that moves by 0.02 must not be flattened into steps."""
    idx = pd.date_range("2025-01-03", periods=5, freq="W-FRI")
    w = pd.DataFrame({"rs_ratio": [0.5, 0.50005, 0.5001, 0.50015, 0.5002]}, index=idx)
    spec = spec_of("relative_strength", w)
    values = column(spec, "rs")
    assert values[0] == 100 and len(set(values)) == 5


def test_relative_strength_is_rebased_at_first_valid_point():
    idx = pd.date_range("2025-01-03", periods=4, freq="W-FRI")
    w = pd.DataFrame({"rs_ratio": [np.nan, 0.4, 0.44, 0.38]}, index=idx)
    spec = spec_of("relative_strength", w)
    assert column(spec, "rs") == [None, 100.0, 110.0, 95.0]
    assert "10 January 2025" in spec["title"]["subtitle"]


def test_breakout_weeks_are_marked_only_when_present(weeks):
    with_breaks = spec_of("rut", weeks)
    assert '"triangle-up"' in json.dumps(with_breaks)
    quiet = weeks.assign(rut_breakout_week=False)
    assert '"triangle-up"' not in json.dumps(spec_of("rut", quiet))


def test_non_datetime_index_is_rejected(weeks):
    with pytest.raises(TypeError):
        prepare("score", weeks.reset_index(drop=True))
    with pytest.raises(TypeError):
        chart_description("score", weeks.reset_index(drop=True))


# --- descriptions --------------------------------------------------------------------


def test_descriptions_give_latest_value_and_written_date():
    idx = pd.date_range(end="2026-02-13", periods=156, freq="W-FRI")
    w = pd.DataFrame({"score": np.linspace(30, 62.3, 156)}, index=idx)
    assert chart_description("score", w) == (
        "Composite score over the last 156 weeks; latest 62.3 (Risk-on) on 13 February 2026."
    )


@pytest.mark.parametrize(("value", "text"), [(54.96, "54.9 (Neutral)"), (55.0, "55.0 (Risk-on)")])
def test_score_shown_never_contradicts_its_band(value, text):
    w = pd.DataFrame({"score": [value]}, index=pd.DatetimeIndex(["2026-02-13"]))
    assert f"latest {text} on 13 February 2026" in chart_description("score", w)


def test_description_uses_latest_available_value():
    idx = pd.date_range(end="2026-02-13", periods=3, freq="W-FRI")
    w = pd.DataFrame({"btc_rut_corr_90d": [0.1, -0.1234, np.nan]}, index=idx)
    # the last point on or before the as-of date, dated, and said to be older than it
    assert ("last reading \u22120.12 on 6 February 2026, 1 week before 13 February 2026 "
            "(none since)") in chart_description("correlation", w)


def test_rut_description_reports_record_gap_and_breakouts():
    idx = pd.date_range(end="2026-02-13", periods=3, freq="W-FRI")
    w = pd.DataFrame(
        {
            "rut_close": [2000.0, 2100.0, 1995.0],
            "rut_record_level": [2000.0, 2100.0, 2100.0],
            "rut_breakout_week": [False, True, False],
        },
        index=idx,
    )
    text = chart_description("rut", w)
    assert "latest 1,995 on 13 February 2026, 5.0% below its record of 2,100" in text
    assert "1 breakout week shown, the latest on 6 February 2026" in text


@pytest.mark.parametrize("name", NAMES)
def test_descriptions_of_missing_data_say_so(name, empty_weeks):
    text = chart_description(name, empty_weeks)
    assert "no data" in text and not BAD_WORDS.search(text)


# --- SVG -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_rendered_svg_is_inline_ready(name, svgs, weeks):
    svg = svgs[name]
    assert svg.startswith("<svg ") and "<?xml" not in svg
    assert not BAD_WORDS.search(svg)
    root = svg[: svg.index(">") + 1]
    assert 'role="img"' in root and 'width="100%"' in root and "viewBox=" in root
    assert "height=" not in root
    description = chart_description(name, weeks)
    assert f'aria-label="{description}"' in root
    assert f"<title>{description}</title>" in svg
    assert svg.count("role=") == 1 and svg.count("aria-") == 1  # one accessible image
    assert 'fill="#000"' not in svg  # text follows the page colour (currentColor)


def test_ids_are_prefixed_and_disjoint_across_charts(svgs):
    seen: dict[str, set[str]] = {}
    for name, svg in svgs.items():
        ids = set(re.findall(r'\bid="([^"]+)"', svg))
        refs = set(re.findall(r"url\(#([^)]+)\)", svg))
        assert refs <= ids  # every reference resolves inside its own chart
        prefix = "c-" + name.replace("_", "-") + "-"
        assert all(i.startswith(prefix) for i in ids)
        seen[name] = ids
    all_ids = [i for ids in seen.values() for i in ids]
    assert len(all_ids) == len(set(all_ids))
    assert any(seen.values())  # the line charts do clip: the check is not vacuous


def test_postprocess_rewrites_ids_references_and_colour():
    raw = (
        '<?xml version="1.0"?>\n<svg width="10" height="5" viewBox="0 0 10 5">'
        '<defs><clipPath id="clip1"><rect/></clipPath></defs>'
        '<g clip-path="url(#clip1)"><use xlink:href="#clip1"/><a href="#clip1"/>'
        '<text fill="#000">x</text></g></svg>'
    )
    out = vega.postprocess_svg(raw, prefix="p2", label='A "b" & <c>')
    assert out.startswith('<svg viewBox="0 0 10 5" width="100%"')
    assert 'id="p2-clip1"' in out and "url(#p2-clip1)" in out
    assert 'xlink:href="#p2-clip1"' in out and 'href="#p2-clip1"' in out
    assert 'fill="currentColor"' in out
    assert 'aria-label="A &quot;b&quot; &amp; &lt;c&gt;"' in out
    assert '<title>A "b" &amp; &lt;c&gt;</title>' in out
    with pytest.raises(ValueError):
        vega.postprocess_svg(raw, prefix='x" onload="alert(1)', label="x")


def test_slim_svg_rounds_geometry_and_hoists_one_font_but_leaves_text_alone():
    font = 'font-family="system-ui, &quot;Segoe UI&quot;, sans-serif"'
    raw = ('<svg viewBox="0 0 640 250"><g transform="translate(15.235023041474655,17)">'
           '<path d="M-0.0012,1.23456L2e-7,3.333333h0.5"/><line x2="0.123456" y2="4"/>'
           f'<text x="1.0001" {font} aria-label="0.12345">3.14159 Apr</text>'
           f'<text {font}>2,663.78</text></g></svg>')
    out = vega.slim_svg(raw)
    assert out == ('<svg font-family="system-ui, &quot;Segoe UI&quot;, sans-serif" '
                   'viewBox="0 0 640 250"><g transform="translate(15.24,17)">'
                   '<path d="M0,1.23L2e-7,3.33h0.5"/><line x2="0.12" y2="4"/>'
                   '<text x="1" aria-label="0.12345">3.14159 Apr</text>'
                   '<text>2,663.78</text></g></svg>')
    # a text without the font (or two fonts) keeps every attribute where it was
    mixed = raw.replace(f"<text {font}>", "<text>")
    assert vega.slim_svg(mixed).count("font-family") == 1
    assert "<svg font-family" not in vega.slim_svg(mixed)


def test_inline_charts_carry_the_font_once(svgs):
    svg = svgs["score"]
    assert svg.count("font-family=") == 1 and svg.startswith("<svg font-family=")
    assert not re.search(r'(?:d|transform)="[^"]*\d\.\d{3}', svg)


def test_render_is_byte_identical(weeks, svgs):
    """Also after other charts were rendered (vl-convert's clip ids count per process)."""
    render_chart("correlation", weeks)
    again = render_chart("score", weeks)
    assert again.svg == svgs["score"] and 'id="c-score-clip1"' in again.svg


def test_canonical_ids_renumber_in_order():
    svg = '<svg><clipPath id="clip7"/><clipPath id="clip3"/><g clip-path="url(#clip3)"/></svg>'
    assert vega.canonical_ids(svg) == (
        '<svg><clipPath id="clip1"/><clipPath id="clip2"/><g clip-path="url(#clip2)"/></svg>'
    )


@pytest.mark.parametrize("name", NAMES)
def test_all_nan_inputs_still_render(name, empty_weeks):
    svg = render_chart(name, empty_weeks).svg
    assert "<svg" in svg and "No data" in svg and not BAD_WORDS.search(svg)


def test_missing_columns_and_partial_layers_render():
    idx = pd.date_range(end="2026-02-13", periods=20, freq="W-FRI")
    w = pd.DataFrame({"rut_close": np.linspace(2000, 2100, 20)}, index=idx)  # no record column
    svg = render_chart("rut", w).svg
    assert "No data" not in svg and not BAD_WORDS.search(svg)
    assert "dashed" not in spec_of("rut", w)["title"]["subtitle"]


def test_empty_frame_renders_no_data():
    w = pd.DataFrame(index=pd.DatetimeIndex([]))
    assert "No data" in render_chart("score", w).svg


def test_score_png_for_feed_readers(weeks):
    png = render(score_png(weeks))
    assert png.startswith(b"\x89PNG")


# --- charts as render results ----------------------------------------------------------


def test_a_rendered_chart_carries_its_words_size_and_live_spec(weeks, svgs):
    chart = render_chart("rut", weeks)
    assert chart.name == "rut" and chart.title == CHART_DATA["rut"].title
    assert chart.description == chart_description("rut", weeks) and chart.svg == svgs["rut"]
    width, height = chart.size  # about WIDTH x HEIGHT: a fixed plot, grown for its axes
    assert abs(width - WIDTH) <= 10 and abs(height - HEIGHT) <= 10
    live = json.loads(chart.vega)
    assert (live["width"], live["height"]) == (WIDTH, HEIGHT)
    with pytest.raises(ValueError, match="viewBox"):
        _ = dataclasses.replace(chart, svg="<svg></svg>").size


def test_an_issue_job_gives_its_charts_in_order_and_they_round_trip(weeks, svgs):
    charts = load_charts(render(issue_charts(weeks)))
    assert [c.name for c in charts] == list(ISSUE_CHARTS)
    assert {c.name: c.svg for c in charts} == {name: svgs[name] for name in ISSUE_CHARTS}
    assert load_charts(dump_charts(charts)) == charts


def test_the_archive_job_is_the_score_chart_under_its_title(weeks):
    title = "Composite risk-on score, every week since 2016"
    chart = render_chart("score", weeks, title=title)
    assert chart.title == title and f">{title}<" in chart.svg and title in chart.vega
    archive = load_charts(render(archive_chart(weeks, title)))
    assert archive == [chart]
