"""The Jinja2 environment: templates -> HTML strings, with `generator.format` as filters."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from generator.format import (
    band_class,
    fmt_below_record,
    fmt_change,
    fmt_corr,
    fmt_date,
    fmt_num,
    fmt_pct,
    fmt_score,
    fmt_signed,
    fmt_usd,
    fmt_value,
    missing,
    plural,
)


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
        change=fmt_change,
        below_record=fmt_below_record,
        corr=fmt_corr,
        longdate=fmt_date,
        value=fmt_value,
        usd=fmt_usd,
        band_class=band_class,
        plural=plural,
    )
    env.tests["missing"] = missing
    # The stylesheet goes inline into every page: no render-blocking request before the
    # first paint (7.7 kB, ~2 kB gzipped). assets/style.css is still published.
    env.globals["inline_css"] = lambda: _stylesheet(Path(templates_dir) / "assets" / "style.css")
    env.globals["csp"] = lambda wasm=False: markupsafe.Markup(content_security_policy(
        stylesheet(templates_dir), wasm=wasm))
    return env


def content_security_policy(inline_css: str, *, wasm: bool = False) -> str:
    """The pages' Content-Security-Policy, for a `<meta http-equiv>` (GitHub Pages sets no
    headers): everything from the site's own origin, nothing inline but the one stylesheet
    (by its SHA-256, so it is the same bytes on every build), no `unsafe-inline`, no
    `unsafe-eval` (the live charts use Vega's expression interpreter). `wasm` adds
    `'wasm-unsafe-eval'` (WebAssembly only, not eval) for a page that needs it.
    The favicon is a `data:` image. `frame-ancestors`, `report-uri` and `sandbox` are not
    honoured in a <meta> policy, so none is given."""
    digest = base64.b64encode(hashlib.sha256(inline_css.encode("utf-8")).digest()).decode()
    script = "'self' 'wasm-unsafe-eval'" if wasm else "'self'"
    return ("default-src 'self'; "
            f"script-src {script}; "
            f"style-src 'self' 'sha256-{digest}'; "
            "img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; form-action 'self'")


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


def stylesheet(templates_dir: Path) -> str:
    """The text of `assets/style.css` ("" when there is none)."""
    return str(_stylesheet(Path(templates_dir) / "assets" / "style.css"))
