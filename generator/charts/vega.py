"""Charts to SVG, Vega JSON and PNG through compiled layouts, without Altair on the hot path.

A chart's structure depends only on its `shape` (see `chartdata.Parts`); its rows and words
change every week. So each (layout, shape, static or live) is built with Altair and compiled
to Vega by vl-convert once, with placeholder words and empty named datasets: a *template*,
kept in memory and on disk (`<cache_dir>/templates/<key>.json`). Rendering a week's chart
puts its words and rows into the template and hands the Vega spec to vl-convert: Altair and
the Vega-Lite compiler stay out of the per-chart cost, and a build whose templates are all
on disk never imports Altair. `tests/test_chartrender.py` checks that a filled template gives
exactly the bytes of compiling the same chart directly.
"""

from __future__ import annotations

import functools
import hashlib
import html
import importlib.metadata
import json
import re
from collections.abc import Callable
from pathlib import Path

from generator.charts.data import Parts
from generator.files import write_atomic

RENDER_OPTIONS: dict = {
    "allowed_base_urls": [], "format_locale": "en-US", "time_format_locale": "en-US",
}
_SOURCES = ("chartdata.py", "charts.py", "chartrender.py")
_KIND_SOURCES = {"chart": (), "evidence": ("evidence_chart.py",), "card": ("images.py",)}
_MARK = "@@riskon:"  # placeholder words look like "@@riskon:title@@"

Template = str  # compiled Vega spec as JSON text, with placeholders


def vl_convert_version() -> str:
    try:
        return importlib.metadata.version("vl-convert-python")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


@functools.cache
def code_version(kind: str = "chart") -> str:
    """Hash of everything that decides the bytes of a `kind` chart: its code and vl-convert
    (read once per process: the code running is the code that was imported)."""
    here = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(vl_convert_version().encode() + kind.encode())
    for path in sorted(here.rglob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()


def placeholder(key: str) -> str:
    return f"{_MARK}{key}@@"


# --- templates ---------------------------------------------------------------------------

_memo: dict[str, Template] = {}


def compile_vegalite(spec: dict) -> dict:
    """Vega-Lite to Vega with vl-convert, for the Vega-Lite version Altair writes."""
    import altair as alt
    import vl_convert

    version = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return vl_convert.vegalite_to_vega(spec, vl_version=version)


def _compile(kind: str, shape: tuple, text_keys: tuple[str, ...], data_names: tuple[str, ...],
             live: bool) -> Template:
    """Build the layout with placeholder words and empty datasets; compile it to Vega."""
    spec = layout_spec(kind, shape, {k: placeholder(k) for k in text_keys}, live,
                       {name: [] for name in data_names})
    return json.dumps(compile_vegalite(spec), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)


def layout_spec(kind: str, shape: tuple, texts: dict[str, str], live: bool,
                data: dict[str, list]) -> dict:
    """The Vega-Lite spec of a layout (imports Altair): "chart", "evidence" or "card"."""
    if kind == "chart":
        from generator.charts.layouts import layout
    elif kind == "evidence":
        from generator.charts.evidence import layout
    else:
        from generator.charts.cards import card_layout as layout
    spec = layout(shape, texts, live).to_dict(validate=True)
    if data:
        spec.setdefault("datasets", {}).update(data)
    return spec


def template(kind: str, shape: tuple, text_keys: tuple[str, ...], data_names: tuple[str, ...],
             live: bool, cache_dir: Path | None, code: str) -> Template:
    """The compiled layout, from memory, from `cache_dir/templates/`, or compiled now."""
    key = hashlib.sha256(
        json.dumps([code, kind, shape, text_keys, data_names, live]).encode()
    ).hexdigest()
    if (hit := _memo.get(key)) is not None:
        return hit
    path = cache_dir / "templates" / f"{key}.json" if cache_dir is not None else None
    text = None
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            pass
    if text is None:
        text = _compile(kind, shape, text_keys, data_names, live)
        if path is not None:
            write_atomic(path, text.encode("utf-8"))
    _memo[key] = text
    return text


def fill(tpl: Template, texts: dict[str, str], data: dict[str, list],
         numbers: dict[str, float] | None = None) -> dict:
    """The template with its words, rows and numbers (signal values): a Vega spec to render."""
    for key, value in texts.items():
        tpl = tpl.replace(json.dumps(placeholder(key), ensure_ascii=False),
                          json.dumps(value, ensure_ascii=False))
    if _MARK in tpl:
        raise ValueError(f"template placeholder left unfilled: {tpl[tpl.index(_MARK):][:40]}")
    spec = json.loads(tpl)
    for entry in spec.get("data", ()):
        if entry.get("name") in data:
            entry["values"] = data[entry["name"]]
    for signal in spec.get("signals", ()):
        if numbers and signal.get("name") in numbers:
            signal["value"] = numbers[signal["name"]]
    return spec


def vega_spec(parts: Parts, *, live: bool, cache_dir: Path | None, code: str,
              kind: str = "chart") -> dict:
    """The Vega spec of `parts` (static or live) through its template."""
    tpl = template(kind, parts.shape, tuple(sorted(parts.texts)), tuple(sorted(parts.data)),
                   live, cache_dir, code)
    return fill(tpl, parts.texts, parts.data, parts.numbers)


# --- output formats -------------------------------------------------------------------


def vega_to_svg(spec: dict) -> str:
    """vl-convert's SVG of a Vega spec, ids numbered canonically."""
    import vl_convert  # lazy: ~90 MB extension, and its JS engine starts on first use

    return canonical_ids(vl_convert.vega_to_svg(spec, **RENDER_OPTIONS))


def static_svg(spec: dict, *, prefix: str, description: str) -> str:
    """The inline SVG of a static Vega spec, labelled with its description."""
    return postprocess_svg(vega_to_svg(spec), prefix=prefix, label=description,
                           title=description)


def vega_to_png(spec: dict, *, scale: float) -> bytes:
    """PNG of a Vega spec on white; depends on the installed fonts."""
    import vl_convert

    spec = {**spec, "background": "white"}
    return vl_convert.vega_to_png(spec, scale=scale, **RENDER_OPTIONS)


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


def postprocess_svg(
    svg: str, *, prefix: str, label: str, title: str = "", standalone: bool = False
) -> str:
    """Make vl-convert's SVG fit to inline in a page (or, `standalone`, to serve as a file).

    Ids and their references get `prefix` so several charts share a page; the root gets
    role="img", aria-label and a <title> (inner ARIA attributes are dropped); inline SVG
    scales to its container (width 100%, viewBox kept) and draws text in the page's colour;
    a standalone file keeps its pixel size and gets a white background with dark text.
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
    if not standalone:
        attrs = re.sub(r'\s(?:width|height)="[^"]*"', "", attrs)
        attrs += ' width="100%" preserveAspectRatio="xMinYMin meet"'
    else:
        attrs += ' color="#222"'
    attrs += f' role="img" aria-label="{html.escape(label, quote=True)}"'
    head = f"<svg{attrs}><title>{html.escape(title or label, quote=False)}</title>"
    if standalone:
        head += '<rect width="100%" height="100%" fill="white"/>'
    return head + body.rstrip() + "\n"
