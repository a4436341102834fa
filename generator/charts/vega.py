"""Charts to SVG, Vega JSON and PNG through compiled layouts, without Altair on the hot path.

A chart's structure depends only on its `shape` (see `charts.data.Parts`); its rows and
words change every week. So each (layout kind, shape, static or live) is built with Altair
and compiled to Vega by vl-convert once, with placeholder words and empty named datasets: a
*layout*. Rendering a week's chart puts its words and rows into the layout and hands the
Vega spec to vl-convert, so Altair and the Vega-Lite compiler stay out of the per-chart
cost. Where layouts are kept between builds is the cache wing's business: the render
functions take a `Layouts` callable (`compile_layout` memoised in memory by default).
`tests/charts/test_vega.py` checks that a filled layout gives exactly the bytes of
compiling the same chart with its rows directly.

vl-convert lays out text by measuring every string with a font: most of a chart's render.
Its font database loads every system font as a file, and usvg opens and maps that file
again for every glyph it shapes or outlines: ~1,300 file openings for the ^RUT chart, a third
of its CPU time in the kernel. `converter()` starts the database without the system's fonts, so
`FONT` falls to the Liberation Sans 2.00.1 that vl-convert holds in memory: no file is
opened, a chart renders in 30–50% less time, and the layout is the same on every such
machine. Where that cannot be done (a font database that does not read fontconfig) the box
fonts of `charts/fonts/` measure instead: the same widths, from files. The SVG still names
`FONT` and the browser draws it; PNGs are drawn in `PNG_FONT`.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from generator.charts.data import FONT, NARROW_CONFIG, NARROW_WIDTH, PNG_FONT, Parts, wrap

MEASURE_FONTS = Path(__file__).resolve().parent / "fonts"
NO_SYSTEM_FONTS = MEASURE_FONTS / "no-system-fonts.conf"

RENDER_OPTIONS: dict = {
    "allowed_base_urls": [], "format_locale": "en-US", "time_format_locale": "en-US",
}
_MARK = "@@riskon:"  # placeholder words look like "@@riskon:title@@"

NARROW = ":narrow"  # a layout kind ending so is the chart's narrow variant ("chart:narrow")
NARROW_PLOT_HEIGHT = {"evidence": 230}  # for layouts narrowed here (`narrowed`)
NARROW_TEXT_WIDTH = NARROW_WIDTH - 40  # titles wrap to fit a live view 300 px wide

Layout = str  # compiled Vega spec as JSON text, with placeholders
Texts = dict[str, "str | list[str]"]  # a list: lines of a title or subtitle
# (kind, shape, text keys, dataset names, live) -> the compiled layout
Layouts = Callable[[str, tuple, tuple[str, ...], tuple[str, ...], bool], Layout]


def placeholder(key: str) -> str:
    return f"{_MARK}{key}@@"


def compile_vegalite(spec: dict) -> dict:
    """Vega-Lite to Vega with vl-convert, for the Vega-Lite version Altair writes."""
    import altair as alt

    version = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return converter().vegalite_to_vega(spec, vl_version=version)


def layout_spec(kind: str, shape: tuple, texts: dict[str, str], live: bool,
                data: dict[str, list]) -> dict:
    """The Vega-Lite spec of a layout (imports Altair): "chart", "evidence", "card", "site",
    and the narrow variants "chart:narrow" and "evidence:narrow"."""
    base, narrow = kind.removesuffix(NARROW), kind.endswith(NARROW)
    if base == "chart":
        from generator.charts.layouts import layout

        spec = layout(shape, texts, live, narrow).to_dict(validate=True)
    else:
        if base == "evidence":
            from generator.charts.evidence import layout
        elif base == "card":
            from generator.charts.cards import card_layout as layout
        else:
            from generator.charts.cards import site_card_layout as layout
        spec = layout(shape, texts, live).to_dict(validate=True)
        if narrow:
            spec = narrowed(spec, NARROW_PLOT_HEIGHT[base])
    if data:
        spec.setdefault("datasets", {}).update(data)
    return spec


def narrowed(spec: dict, plot_height: int) -> dict:
    """A layout drawn for a wide column, made narrow: NARROW_WIDTH wide ("fit-x") around a
    plot `plot_height` high, the narrow text sizes, its title and subtitle as the lines of
    the placeholders "title" and "subtitle" (`narrow_texts`), and x labels with spaces in
    them ("13 weeks") on two lines."""
    spec = {**spec, "width": NARROW_WIDTH, "height": plot_height,
            "autosize": {"type": "fit-x", "contains": "padding"}}
    config = dict(spec.get("config", {}))
    for key in ("title", "axis", "text", "legend"):
        config[key] = {**config.get(key, {}), **NARROW_CONFIG[key]}
    config.pop("autosize", None)
    spec["config"] = config
    title = spec.get("title", {})
    title = title if isinstance(title, dict) else {"text": title}
    spec["title"] = {**title, "text": placeholder("title"), "subtitle": placeholder("subtitle")}
    return _split_x_labels(spec)


def _split_x_labels(node: object) -> object:
    if isinstance(node, dict):
        out = {k: _split_x_labels(v) for k, v in node.items()}
        axis = out.get("x", {}).get("axis") if isinstance(out.get("x"), dict) else None
        if isinstance(axis, dict) and "labelExpr" in axis:
            axis["labelExpr"] = f"split({axis['labelExpr']}, ' ')"
        return out
    if isinstance(node, list):
        return [_split_x_labels(v) for v in node]
    return node


def narrow_texts(texts: dict[str, str]) -> Texts:
    """The words of a narrow chart: title and subtitle (or the sub1, sub2, ... lines of a
    layout that has them, joined) wrapped to NARROW_TEXT_WIDTH, as lists of lines."""
    sub = [texts[k] for k in sorted(texts) if k == "subtitle" or re.fullmatch(r"sub\d+", k)]
    subtitle = " ".join(t.strip() for t in sub if t.strip()) or " "
    out: Texts = {**texts, "title": wrap(texts["title"], NARROW_TEXT_WIDTH,
                                         NARROW_CONFIG["title"]["fontSize"], bold=True)}
    out["subtitle"] = (wrap(subtitle, NARROW_TEXT_WIDTH,
                            NARROW_CONFIG["title"]["subtitleFontSize"])
                       if subtitle.strip() else subtitle)
    if "what" in texts:  # a "no data" sentence drawn in the plot
        out["what"] = wrap(texts["what"], NARROW_TEXT_WIDTH, NARROW_CONFIG["text"]["fontSize"])
    return out


def compile_layout(kind: str, shape: tuple, text_keys: tuple[str, ...],
                   data_names: tuple[str, ...], live: bool) -> Layout:
    """Build the layout with placeholder words and empty datasets; compile it to Vega."""
    spec = layout_spec(kind, shape, {k: placeholder(k) for k in text_keys}, live,
                       {name: [] for name in data_names})
    return json.dumps(compile_vegalite(spec), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)


in_memory: Layouts = functools.cache(compile_layout)


def fill(layout: Layout, texts: Texts, data: dict[str, list],
         numbers: dict[str, float] | None = None) -> dict:
    """The layout with its words, rows and numbers (signal values): a Vega spec to render."""
    for key, value in texts.items():
        layout = layout.replace(json.dumps(placeholder(key), ensure_ascii=False),
                                json.dumps(value, ensure_ascii=False))
    if _MARK in layout:
        raise ValueError(f"layout placeholder left unfilled: {layout[layout.index(_MARK):][:40]}")
    spec = json.loads(layout)
    for entry in spec.get("data", ()):
        if entry.get("name") in data:
            entry["values"] = data[entry["name"]]
    for signal in spec.get("signals", ()):
        if numbers and signal.get("name") in numbers:
            signal["value"] = numbers[signal["name"]]
    return spec


def vega_spec(parts: Parts, *, live: bool, kind: str = "chart",
              layouts: Layouts = in_memory, narrow: bool = False) -> dict:
    """The Vega spec of `parts` (static or live, wide or `narrow`) through its compiled
    layout."""
    layout = layouts(kind + NARROW if narrow else kind, parts.shape, tuple(sorted(parts.texts)),
                     tuple(sorted(parts.data)), live)
    texts = narrow_texts(parts.texts) if narrow else parts.texts
    return fill(layout, texts, parts.data, parts.numbers)


# --- output formats -------------------------------------------------------------------


# Widths vl-convert must measure in the charts' font stack, at 2048 px (so in font units):
# Liberation Sans 2.00.1's advances and kerning (1-1, A-V, T-o), regular and bold.
LIBERATION_WIDTHS = {("1,118", "normal"): 4973, ("AV", "normal"): 2580, ("To", "normal"): 2163,
                     ("1,118", "bold"): 5012, ("AV", "bold"): 2693}


def text_width(vl_convert: ModuleType, text: str, *, font: str = FONT,
               weight: str | int = "normal", style: str = "normal", size: float = 2048) -> float:
    """The width `vl_convert` measures for `text` (at 2048 px: in Liberation's font units)."""
    spec = {"width": 1, "height": 1, "padding": 0, "autosize": {"type": "pad"},
            "marks": [{"type": "text", "encode": {"enter": {
                "text": {"value": text}, "font": {"value": font}, "fontSize": {"value": size},
                "fontWeight": {"value": weight}, "fontStyle": {"value": style},
                "baseline": {"value": "top"}, "x": {"value": 0}, "y": {"value": 0}}}}]}
    svg = vl_convert.vega_to_svg(spec, **RENDER_OPTIONS)
    return float(re.search(r'<svg[^>]* width="([\d.]+)"', svg)[1])


def measured_widths(vl_convert: ModuleType) -> dict[tuple[str, str], float]:
    """The widths vl-convert measures for `LIBERATION_WIDTHS`' strings in `FONT`."""
    return {(text, weight): text_width(vl_convert, text, weight=weight)
            for text, weight in LIBERATION_WIDTHS}


def converter() -> ModuleType:
    """vl-convert, measuring the charts' text as Liberation Sans 2.00.1."""
    return _started()[0]


def measures_in_memory() -> bool:
    """Whether this process measures chart text with vl-convert's in-memory Liberation Sans
    (the fast way) rather than the box fonts."""
    return _started()[1]


_START = threading.Lock()  # two threads must not both set and restore FONTCONFIG_FILE


def _started() -> tuple[ModuleType, bool]:
    with _START:
        return _start()


@functools.cache
def _start() -> tuple[ModuleType, bool]:
    """vl-convert with its font database started (once per process), and whether it measures
    with its in-memory Liberation Sans.

    The fast way (`measures_in_memory()`): vl-convert's font database is started with
    `NO_SYSTEM_FONTS` as the fontconfig setup, so it loads no system font and `FONT` falls
    to the Liberation Sans vl-convert holds in memory. Where that cannot be done (a font
    database that does not read fontconfig, as on macOS and Windows, or one started
    earlier in the process), the widths differ and the box fonts of `MEASURE_FONTS` are
    registered instead: the same widths, read from files (a chart takes 1.4–1.9× as long).
    """
    import vl_convert  # lazy: ~90 MB extension, and its JS engine starts on first use

    before = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(NO_SYSTEM_FONTS)
    try:  # the first text measured starts the font database
        in_memory = measured_widths(vl_convert) == LIBERATION_WIDTHS
    finally:
        if before is None:
            del os.environ["FONTCONFIG_FILE"]
        else:
            os.environ["FONTCONFIG_FILE"] = before
    if not in_memory:
        register_measure_fonts(vl_convert)
    return vl_convert, in_memory


def register_measure_fonts(vl_convert: ModuleType) -> None:
    """Measure `FONT` with the box fonts of `MEASURE_FONTS` from now on, in this process."""
    vl_convert.register_font_directory(str(MEASURE_FONTS))
    if measured_widths(vl_convert) != LIBERATION_WIDTHS:
        raise RuntimeError("vl-convert does not measure the charts' text as Liberation Sans "
                           f"even with the fonts of {MEASURE_FONTS}")


def vega_to_svg(spec: dict) -> str:
    """vl-convert's SVG of a Vega spec, ids numbered canonically."""
    return canonical_ids(converter().vega_to_svg(spec, **RENDER_OPTIONS))


def static_svg(spec: dict, *, prefix: str, description: str) -> str:
    """The inline SVG of a static Vega spec, labelled with its description."""
    return postprocess_svg(vega_to_svg(spec), prefix=prefix, label=description,
                           title=description)


_FONT_ATTR = f'font-family="{html.escape(FONT, quote=True)}"'
_PNG_FONT_ATTR = f'font-family="{html.escape(PNG_FONT, quote=True)}"'


def vega_to_png(spec: dict, *, scale: float) -> bytes:
    """PNG of a Vega spec on white: laid out as its SVG (text measured with the fonts of
    `MEASURE_FONTS`), then drawn with its text in `PNG_FONT`, a font that has glyphs."""
    vl_convert = converter()
    svg = vl_convert.vega_to_svg({**spec, "background": "white"}, **RENDER_OPTIONS)
    svg = svg.replace(_FONT_ATTR, _PNG_FONT_ATTR)
    if 'font-family="system-ui' in svg:  # another font stack would be drawn as boxes
        raise ValueError("a PNG's text names a font stack other than FONT")
    return vl_convert.svg_to_png(svg, scale=scale)


def vega_json(spec: dict) -> str:
    """A compact Vega spec, safe inside <script type="application/json">.

    The browser then needs only the Vega runtime (no Vega-Lite compiler); `<`, `>` and `&`
    are escaped so the JSON can never close its script element.
    """
    spec = {k: v for k, v in spec.items() if k != "$schema"}
    text = json.dumps(spec, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --- SVG post-processing ----------------------------------------------------------------

_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_ID = re.compile(r'\b(id="|url\(#|href="#)([^")]+)')


def _rename_ids(svg: str, rename: Callable[[str], str]) -> str:
    """Rename every id and every reference to it (url(#…), href/xlink:href="#…")."""
    mapping: dict[str, str] = {}
    for old in re.findall(r'\bid="([^"]+)"', svg):
        if old not in mapping:
            mapping[old] = rename(old)
    return _ID.sub(lambda m: m.group(1) + mapping.get(m.group(2), m.group(2)), svg)


def canonical_ids(svg: str) -> str:
    """Number ids per kind in order of appearance (clip7 -> clip1).

    vl-convert keeps counting clip paths across renders in one process, so the same spec
    would otherwise give different bytes depending on what was rendered before it.
    """
    counts: dict[str, int] = {}

    def rename(old: str) -> str:
        kind = re.sub(r"\d+$", "", old)
        counts[kind] = counts.get(kind, 0) + 1
        return f"{kind}{counts[kind]}"

    return _rename_ids(svg, rename)


_GEOMETRY = re.compile(
    r'\s(?:d|transform|x|y|x1|x2|y1|y2|cx|cy|r|width|height|points)="[^"]*"')
_LONG_DECIMAL = re.compile(r"-?\d+\.\d{3,}(?![\d.eE])")
_FONT_FAMILY = re.compile(r'\sfont-family="([^"]*)"')


def _round(match: re.Match[str]) -> str:
    text = f"{float(match.group(0)):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def slim_svg(svg: str) -> str:
    """Smaller, equivalent SVG: geometry to 0.01 px and one font-family on the root.

    vl-convert writes coordinates with up to 15 decimals and repeats the font stack on every
    <text>; a hundredth of a unit is invisible, and font-family inherits.
    """
    svg = _GEOMETRY.sub(lambda m: _LONG_DECIMAL.sub(_round, m.group(0)), svg)
    families = set(_FONT_FAMILY.findall(svg))
    texts = re.findall(r"<text\b[^>]*>", svg)
    if len(families) == 1 and all(_FONT_FAMILY.search(t) for t in texts):
        root = f'<svg font-family="{families.pop()}"'
        svg = _FONT_FAMILY.sub("", svg)
        svg = re.sub(r"<svg\b", lambda _: root, svg, count=1)
    return svg


def postprocess_svg(svg: str, *, prefix: str, label: str, title: str = "") -> str:
    """Make vl-convert's SVG fit to inline in a page.

    Ids and their references get `prefix` so several charts share a page; the root gets
    role="img", aria-label and a <title> (inner ARIA attributes are dropped); the SVG
    scales to its container (width 100%, viewBox kept) and draws text in the page's colour.
    """
    if not _PREFIX.match(prefix):
        raise ValueError(f"invalid SVG id prefix {prefix!r}")
    svg = slim_svg(svg[svg.index("<svg") :])  # drop any XML prolog / doctype
    svg = _rename_ids(svg, lambda old: f"{prefix}-{old}")
    svg = re.sub(r'(fill|stroke)="#000(?:000)?"', r'\1="currentColor"', svg)
    root = re.match(r"<svg\b([^>]*)>", svg)
    assert root is not None
    attrs = root.group(1)
    # One accessible image: Vega's inner roles and labels (titles keep theirs even with
    # aria=False) would only repeat the description under a role="img".
    body = re.sub(r'\s(?:role|aria-[a-z]+)="[^"]*"', "", svg[root.end() :])
    attrs = re.sub(r'\s(?:width|height)="[^"]*"', "", attrs)
    attrs += ' width="100%" preserveAspectRatio="xMinYMin meet"'
    attrs += f' role="img" aria-label="{html.escape(label, quote=True)}"'
    head = f"<svg{attrs}><title>{html.escape(title or label, quote=False)}</title>"
    return head + body.rstrip() + "\n"
