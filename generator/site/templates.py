"""Jinja2 templates -> HTML strings, with number and date filters for people."""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

NA = "n/a"


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x == ""


def fmt_num(x: Any, digits: int = 2) -> str:
    """`2,663.78`; `n/a` when missing."""
    return NA if _missing(x) else f"{float(x):,.{digits}f}"


def fmt_pct(x: Any, digits: int = 1, signed: bool = True) -> str:
    """A fraction as a percentage: 0.1234 -> `+12.3%`; `n/a` when missing."""
    if _missing(x):
        return NA
    text = f"{float(x) * 100:{'+' if signed else ''},.{digits}f}%"
    return text.replace("-", "−")


def fmt_score(x: Any, digits: int = 1) -> str:
    """A 0–100 score cut (never rounded up) to `digits`: 54.96 -> `54.9`, so it never
    shows a number that belongs to the next band; `n/a` when missing."""
    if _missing(x):
        return NA
    scale = 10**digits
    return f"{math.floor(float(x) * scale + 1e-9) / scale:.{digits}f}"


def fmt_signed(x: Any, digits: int = 1) -> str:
    """A signed change: `+2.3`, `−0.4`; `n/a` when missing."""
    return NA if _missing(x) else f"{float(x):+.{digits}f}".replace("-", "−")


def fmt_corr(x: Any) -> str:
    """A correlation: `+0.39`; `n/a` when missing."""
    return fmt_signed(x, 2)


def fmt_date(d: Any) -> str:
    """`20 February 2026`."""
    if _missing(d):
        return NA
    if isinstance(d, str):
        d = dt.date.fromisoformat(d)
    return f"{d.day} {d:%B %Y}"


def fmt_value(x: Any, unit: str) -> str:
    """A component value in its unit (pct, num, index)."""
    if unit == "pct":
        return fmt_pct(x)
    if unit == "index":
        return fmt_score(x)
    return fmt_num(x)


def band_class(band: str) -> str:
    """CSS class for a band name: `Strong risk-on` -> `band-strong-risk-on`."""
    return "band-" + (band or "none").lower().replace(" ", "-")


@lru_cache(maxsize=4)
def environment(templates_dir: Path) -> jinja2.Environment:
    """The Jinja2 environment: autoescaping, strict undefined, our filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        num=fmt_num,
        pct=fmt_pct,
        score=fmt_score,
        signed=fmt_signed,
        corr=fmt_corr,
        longdate=fmt_date,
        value=fmt_value,
        band_class=band_class,
    )
    env.tests["missing"] = _missing
    # The stylesheet goes inline into every page: no render-blocking request before the
    # first paint (7.7 kB, ~2 kB gzipped). assets/style.css is still published.
    env.globals["inline_css"] = lambda: _stylesheet(Path(templates_dir) / "assets" / "style.css")
    return env


_CSS: dict[Path, tuple[tuple[int, int], markupsafe.Markup]] = {}


def _stylesheet(path: Path) -> markupsafe.Markup:
    """The site's CSS for a <style> element, re-read when the file changes (serve)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return markupsafe.Markup("")
    stamp = (st.st_mtime_ns, st.st_size)
    hit = _CSS.get(path)
    if hit is None or hit[0] != stamp:
        css = path.read_text(encoding="utf-8")
        if "</" in css:
            raise ValueError(f"{path}: '</' cannot appear in an inline stylesheet")
        hit = _CSS[path] = (stamp, markupsafe.Markup(css))
    return hit[1]


def render_page(templates_dir: Path, template: str, **context: Any) -> str:
    """Render one template to a string."""
    return environment(templates_dir).get_template(template).render(**context)
