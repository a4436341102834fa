#!/usr/bin/env python3
"""Make the charts' measuring fonts: `generator/charts/fonts/SystemUi-*.ttf`.

vl-convert lays out a chart's text by measuring every label with a real font: it turns the
label's glyphs into outlines just to take their width. These fonts keep the metrics of
Liberation Sans 2 (advance widths and kerning of the copy vl-convert embeds) and
replace every glyph's outline by a plain box of its advance width, so a measurement costs
less and gives the same width. They are named `system-ui`, the first family of the charts'
font stack (`charts.data.FONT`), so vl-convert measures with them on every machine,
whatever fonts are installed. They never draw anything a reader sees: the site's SVG names
the font stack and the browser draws its own fonts; PNG renders name a real font first
(`charts.data.PNG_FONT`).

The source is the Liberation Sans 2 that vl-convert-python embeds in its extension module
(found by its sfnt header), so the fonts match the installed vl-convert. Licence: SIL Open
Font License 1.1, as the original (see `generator/charts/fonts/LICENSE`); "Liberation" is a
Reserved Font Name, so every name the fonts carry is changed.

    pip install fonttools && python tools/make_measure_fonts.py

Not part of the build (fontTools is not a dependency): run it again only to change the
fonts, and commit what it writes.
"""

from __future__ import annotations

import argparse
import io
import re
import struct
from pathlib import Path

from fontTools import subset
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

OUT = Path(__file__).resolve().parent.parent / "generator" / "charts" / "fonts"
STYLES = {  # Liberation Sans full name -> our style name
    "Liberation Sans": "Regular",
    "Liberation Sans Bold": "Bold",
    "Liberation Sans Italic": "Italic",
    "Liberation Sans Bold Italic": "BoldItalic",
}
FAMILY = "system-ui"
BOX_TOP = 700  # font units (of 2048): any height works, widths are all that is measured
# The characters kept: Latin, Greek, punctuation, currency, letterlike, arrows, mathematical
# operators, geometric shapes. The chart code writes nothing else (a test checks it); a
# character outside them would be measured with a fallback font. Fewer glyphs also make
# each measurement cheaper (vl-convert reads and parses the font for every label).
KEEP = ((0x20, 0x24F), (0x370, 0x3FF), (0x2000, 0x206F), (0x20A0, 0x20CF), (0x2100, 0x214F),
        (0x2190, 0x21FF), (0x2200, 0x22FF), (0x25A0, 0x25FF))
DROP = ("fpgm", "prep", "cvt ", "gasp", "hdmx", "LTSH", "VDMX", "DSIG", "FFTM")  # hinting


def embedded_fonts(binary: bytes) -> dict[str, bytes]:
    """Full name -> bytes of every Liberation Sans face embedded in `binary`."""
    found: dict[str, bytes] = {}
    for match in re.finditer(rb"\x00\x01\x00\x00(?=\x00[\x08-\x20])", binary):
        start = match.start()
        (count,) = struct.unpack(">H", binary[start + 4 : start + 6])
        records = [struct.unpack(">4sIII", binary[start + 12 + 16 * i : start + 28 + 16 * i])
                   for i in range(count)]
        if not all(re.fullmatch(rb"[A-Za-z0-9/ ]{4}", tag) for tag, *_ in records):
            continue
        end = max(offset + length for _, _, offset, length in records)
        data = binary[start : start + end]
        try:
            name = TTFont(io.BytesIO(data))["name"].getDebugName(4)
        except Exception:  # noqa: BLE001 - bytes that only look like a font header
            continue
        if name in STYLES:
            found[name] = data
    return found


def boxed(data: bytes, style: str) -> TTFont:
    """The font in `data` with box glyphs and the names of `FAMILY` `style`."""
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)  # the same bytes every run
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.layout_features = ["*"]  # its kerning and the rest of its layout, as the original
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for first, last in KEEP for c in range(first, last + 1)])
    subsetter.subset(font)
    glyf, hmtx = font["glyf"], font["hmtx"]
    for glyph in font.getGlyphOrder():
        advance, _ = hmtx[glyph]
        pen = TTGlyphPen(None)
        if advance > 0:
            pen.moveTo((0, 0))
            pen.lineTo((0, BOX_TOP))
            pen.lineTo((advance, BOX_TOP))
            pen.lineTo((advance, 0))
            pen.closePath()
        glyf[glyph] = pen.glyph()
        hmtx[glyph] = (advance, 0)
    for table in DROP:
        if table in font:
            del font[table]
    spaced = {"BoldItalic": "Bold Italic"}.get(style, style)
    names = {1: FAMILY, 2: spaced, 3: f"riskon-measure-{style}", 4: f"{FAMILY} {spaced}",
             6: f"{FAMILY}-{style}", 16: FAMILY, 17: spaced}
    table = font["name"]
    for record in table.names:
        if record.nameID in names:
            record.string = names[record.nameID]
        elif record.nameID == 5:
            record.string = f"{record.toUnicode()}; boxes of its advance widths, for measuring"
    left = [r.nameID for r in table.names
            if r.nameID not in (0, 7, 13, 14) and "Liberation" in r.toUnicode()]
    if left:
        raise SystemExit(f"a name still says Liberation (name ids {left})")
    return font


def main() -> None:
    import vl_convert

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", type=Path,
                        default=Path(vl_convert.__file__).parent,
                        help="vl-convert's package folder (its extension module is read)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    modules = sorted(args.source.glob("vl_convert*.so")) + sorted(args.source.glob("*.pyd"))
    if not modules:
        raise SystemExit(f"no vl_convert extension module in {args.source}")
    faces = embedded_fonts(modules[0].read_bytes())
    if set(faces) != set(STYLES):
        raise SystemExit(f"found {sorted(faces)}, expected {sorted(STYLES)}")
    args.out.mkdir(parents=True, exist_ok=True)
    for full_name, style in STYLES.items():
        path = args.out / f"SystemUi-{style}.ttf"
        boxed(faces[full_name], style).save(path)
        print(f"{path}  {path.stat().st_size:,} bytes  (from {full_name})")


if __name__ == "__main__":
    main()
