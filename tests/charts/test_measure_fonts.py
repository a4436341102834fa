"""How chart text is measured (`charts.vega.converter`, `generator/charts/fonts/`): as
Liberation Sans 2.00.1, by vl-convert's in-memory copy with no system font loaded, or by the
box-glyph fonts where that cannot be done. Either way the widths are exactly the real
font's, the box fonts cover every character the chart code writes, and they are never
drawn."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from generator.charts import vega
from generator.charts.data import FONT, PNG_FONT

GENERATOR = Path(vega.__file__).resolve().parent.parent
STYLES = ("Regular", "Bold", "Italic", "BoldItalic")


def cmap(path: Path) -> set[int]:
    """The characters of a TrueType font (its format 4 cmap subtable)."""
    data = path.read_bytes()
    (count,) = struct.unpack(">H", data[4:6])
    tables = {data[12 + 16 * i : 16 + 16 * i]: struct.unpack(">II", data[20 + 16 * i : 28 + 16 * i])
              for i in range(count)}
    start, _ = tables[b"cmap"]
    (subtables,) = struct.unpack(">H", data[start + 2 : start + 4])
    for i in range(subtables):
        _, _, offset = struct.unpack(">HHI", data[start + 4 + 8 * i : start + 12 + 8 * i])
        at = start + offset
        if struct.unpack(">H", data[at : at + 2])[0] != 4:
            continue
        segments = struct.unpack(">H", data[at + 6 : at + 8])[0] // 2
        ends = struct.unpack(f">{segments}H", data[at + 14 : at + 14 + 2 * segments])
        begin = at + 16 + 2 * segments
        starts = struct.unpack(f">{segments}H", data[begin : begin + 2 * segments])
        return {c for s, e in zip(starts, ends, strict=True) if s != 0xFFFF
                for c in range(s, e + 1)}
    raise AssertionError(f"{path.name} has no format 4 cmap")


def test_the_fonts_are_complete_and_named_system_ui():
    for style in STYLES:
        data = (vega.MEASURE_FONTS / f"SystemUi-{style}.ttf").read_bytes()
        assert "system-ui".encode("utf-16-be") in data, style
        assert "Liberation Sans".encode("utf-16-be") not in data  # a Reserved Font Name
    assert "SIL Open Font License" in (vega.MEASURE_FONTS / "LICENSE").read_text()
    assert FONT.startswith("system-ui,")  # what the fonts are found by


def test_the_fonts_cover_every_character_the_chart_code_writes():
    written = set()
    for path in [GENERATOR / "format.py", *sorted(GENERATOR.glob("charts/*.py")),
                 *sorted(GENERATOR.glob("evidence/*.py")), *sorted(GENERATOR.glob("signals/*.py"))]:
        written |= {ord(c) for c in path.read_text(encoding="utf-8") if ord(c) > 127}
    written |= {ord(c) for c in "0123456789%$.,:;()[]+-/ ^–−×≥≤"}
    assert written, "no characters found"
    for style in STYLES:
        missing = written - cmap(vega.MEASURE_FONTS / f"SystemUi-{style}.ttf")
        assert not missing, (style, [unicodedata.name(chr(c), hex(c)) for c in missing])


def _width(text: str, font: str, weight: str | int = "normal", style: str = "normal",
           size: float = 2048) -> float:
    """The width vl-convert measures for `text` (at 2048 px: in Liberation's font units)."""
    return vega.text_width(vega.converter(), text, font=font, weight=weight, style=style,
                           size=size)


# Widths in font units of Liberation Sans 2.00.1 (units per em 2048): its advances (digits
# 1139, comma 569, A and V 1366 regular) and its kerning (1-1, A-V, T-o).
LIBERATION = {
    ("normal", "normal"): {"1,000": 5125, "1,118": 4973, "AV": 2580, "To": 2163},
    (600, "normal"): {"1,000": 5125, "1,118": 5012, "AV": 2693, "To": 2350},
    ("bold", "normal"): {"1,000": 5125, "1,118": 5012, "AV": 2693, "To": 2350},
    ("normal", "italic"): {"1,000": 5125, "1,118": 4973, "AV": 2619, "To": 2202},
    ("bold", "italic"): {"1,000": 5125, "1,118": 4973, "AV": 2693, "To": 2426},
}


@pytest.mark.parametrize(("weight", "style"), list(LIBERATION))
def test_the_charts_font_is_measured_as_liberation_sans(weight, style):
    """The charts' font stack is measured as Liberation Sans 2 (the copy vl-convert embeds),
    whatever the machine's fonts: advances and kerning, every weight and style the charts
    use."""
    for text, units in LIBERATION[(weight, style)].items():
        assert _width(text, FONT, weight, style) == units, text


def _text_spec(font: str) -> dict:
    return {"width": 120, "height": 30, "padding": 0, "autosize": {"type": "none"},
            "background": "white", "marks": [{"type": "text", "encode": {"enter": {
                "text": {"value": "Risk-on"}, "font": {"value": font}, "fontSize": {"value": 20},
                "x": {"value": 4}, "y": {"value": 22}}}}]}


def test_pngs_are_drawn_in_png_font():
    drawn = vega.converter().vega_to_png(_text_spec(PNG_FONT), scale=1.0, **vega.RENDER_OPTIONS)
    assert vega.vega_to_png(_text_spec(FONT), scale=1.0) == drawn


@pytest.mark.skipif(sys.platform != "linux", reason="fontdb reads fontconfig on Linux only")
def test_on_linux_text_is_measured_with_the_liberation_sans_in_memory():
    """vl-convert's font database starts without the system's fonts (the fast way), and the
    process's environment is left as it was."""
    before = os.environ.get("FONTCONFIG_FILE")
    assert vega.measures_in_memory()
    assert os.environ.get("FONTCONFIG_FILE") == before
    assert vega.NO_SYSTEM_FONTS.is_file()


_FALLBACK = """
import json, sys
from generator.charts import vega
from generator.charts.data import PNG_FONT
vl = vega.converter()
vega.register_measure_fonts(vl)  # what a machine whose font database skips fontconfig does
spec = json.loads(sys.argv[1])
ours = vega.vega_to_png(spec, scale=1.0)
real = json.loads(sys.argv[1])
real["marks"][0]["encode"]["enter"]["font"]["value"] = PNG_FONT
drawn = vl.vega_to_png(real, scale=1.0)
boxes = vl.vega_to_png(spec, scale=1.0)
print(json.dumps([vega.measured_widths(vl) == vega.LIBERATION_WIDTHS, ours == drawn,
                  ours != boxes]))
"""


def test_the_box_fonts_measure_as_liberation_sans_and_are_never_drawn():
    """Where the font database cannot start without the system's fonts, the box fonts are
    registered (in a child process here, so the suite keeps the fast way): they measure as
    Liberation Sans, and a PNG is drawn in `PNG_FONT`, not in them."""
    out = subprocess.run([sys.executable, "-c", _FALLBACK, json.dumps(_text_spec(FONT))],
                         capture_output=True, text=True, check=True, cwd=GENERATOR.parent)
    assert json.loads(out.stdout) == [True, True, True]


def test_a_png_never_draws_the_measuring_fonts():
    spec = {"width": 60, "height": 20, "padding": 0, "autosize": {"type": "none"},
            "marks": [{"type": "text", "encode": {"enter": {
                "text": {"value": "boxes"}, "font": {"value": "system-ui"},
                "x": {"value": 2}, "y": {"value": 15}}}}]}
    with pytest.raises(ValueError, match="font stack"):
        vega.vega_to_png(spec, scale=1.0)
