"""Editor Markdown to sanitized HTML, in bounded time and memory (pure).

The body is rendered by python-markdown (`extra`, `sane_lists`, `smarty`) and the result is
ALWAYS passed through nh3 with the fixed allow-lists below. No script, event handler,
`style` (except `text-align` on table cells) or non-http(s)/mailto URL survives, `<h1>`
becomes `<h2>` (the page owns its h1), and an image on another host becomes a plain link:
a page built from content never makes a request to another host. Lines over
`MAX_LINE_CHARS`, Markdown nested deeper than `MAX_NESTING` and HTML nested deeper than
`MAX_HTML_DEPTH` are refused before rendering (python-markdown and html5ever are
super-linear on such input); on the main thread rendering also stops after
`RENDER_TIME_LIMIT` seconds.
"""

from __future__ import annotations

import html
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import markdown
import nh3
from markdown.extensions.attr_list import AttrListTreeprocessor

from generator.content.frontmatter import fail, sanitize_text

MAX_LINE_CHARS = 10_000
MAX_NESTING = 50  # `>` markers + list markers + indentation/4 at the start of one line
MAX_HTML_DEPTH = 100  # open elements in the rendered HTML (unclosed raw HTML tags)
MAX_ENTITIES = 100_000  # '&' in the rendered HTML
RENDER_TIME_LIMIT = 10.0  # seconds per document; enforced with SIGALRM on the main thread
TEXT_CHARS = 200

# --- sanitizer allow-lists --------------------------------------------------------------------
ALLOWED_TAGS = frozenset({
    "p", "h2", "h3", "h4", "h5", "h6", "a", "em", "strong", "code", "pre", "blockquote",
    "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "img", "hr", "br", "sup",
    "sub", "abbr", "dl", "dt", "dd", "del", "figure", "figcaption", "div", "span",
})
# `class` is never listed here: classes go through ALLOWED_CLASSES only (ammonia panics
# with a non-Exception error when a tag has both).
ALLOWED_ATTRIBUTES = {
    "*": {"id"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
ALLOWED_CLASSES = {
    "div": {"footnote"},
    "a": {"footnote-ref", "footnote-backref"},
    "code": {f"language-{lang}" for lang in (
        "text", "python", "bash", "shell", "console", "json", "yaml", "toml", "csv", "sql",
        "markdown", "html", "javascript")},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer"
STYLE_PROPERTIES = frozenset({"text-align"})

_NEST_PREFIX = re.compile(r"(?:[ \t>]|[-*+](?=[ \t])|[0-9]{1,9}[.)](?=[ \t]))*")
_NEST_MARKER = re.compile(r">|[-*+](?=[ \t])|[0-9]{1,9}[.)](?=[ \t])")


def sanitize_html(fragment: str) -> str:
    """Sanitize an HTML fragment with the fixed allow-lists; h1 -> h2, off-site images -> links.

    html5ever is super-linear in nesting depth and entity count and cannot be interrupted:
    pass only input that went through the same limits (as `render_body` does).
    """
    first = nh3.clean(fragment, tags=set(ALLOWED_TAGS | {"h1"}), **_NH3_OPTIONS)
    return nh3.clean(_rewrite(first), tags=set(ALLOWED_TAGS), attribute_filter=_attribute_filter,
                     **_NH3_OPTIONS)


def check_body(path: Path, body: str, first_line: int) -> None:
    """Refuse lines too long or nested too deep for python-markdown to render in bounded time."""
    if body.count("&") > MAX_ENTITIES:
        fail(path, None, f"more than {MAX_ENTITIES} '&' characters")
    for i, line in enumerate(body.split("\n")):
        if len(line) > MAX_LINE_CHARS:
            fail(path, first_line + i,
                  f"line is {len(line)} characters long; the limit is {MAX_LINE_CHARS}")
        prefix = _NEST_PREFIX.match(line).group()  # type: ignore[union-attr]
        if len(prefix) <= MAX_NESTING or not line.strip():
            continue
        markers = len(_NEST_MARKER.findall(prefix))
        columns = prefix.count(" ") + 4 * prefix.count("\t")
        depth = markers + max(0, columns - markers) // 4  # one space after a marker is free
        if depth > MAX_NESTING:
            fail(path, first_line + i, f"quotes/lists/indentation nested {depth} levels deep; "
                                        f"the limit is {MAX_NESTING}")


class _TemplateSafeAttrList(AttrListTreeprocessor):
    """attr_list that leaves `{% ... %}`, `{{ ... }}` and `{# ... #}` as literal text."""

    BASE_RE = r"\{(?![{%]|#\s)\:?[ ]*([^\}\n ][^\n]*)\}"
    HEADER_RE = re.compile(rf"[ ]+{BASE_RE}[ ]*$")
    BLOCK_RE = re.compile(rf"\n[ ]*{BASE_RE}[ ]*$")
    INLINE_RE = re.compile(rf"^{BASE_RE}")


_local = threading.local()


def _markdown() -> markdown.Markdown:
    md = getattr(_local, "md", None)
    if md is None:
        md = markdown.Markdown(extensions=["extra", "sane_lists", "smarty"], output_format="html")
        md.treeprocessors.register(_TemplateSafeAttrList(md), "attr_list", 8)
        _local.md = md
    md.reset()  # footnotes and abbreviations otherwise leak into the next document
    return md


class _RenderTimeout(BaseException):
    """Raised by the alarm; a BaseException so no `except Exception` in a library swallows it."""


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` (main thread, POSIX, no other timer in use)."""
    usable = (
        seconds > 0 and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    )
    if not usable:
        yield
        return
    state = {"armed": True}

    def on_alarm(signum: int, frame: Any) -> None:
        if state["armed"]:
            raise _RenderTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        state["armed"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_body(path: Path, body: str) -> str:
    """Markdown -> sanitized HTML, within RENDER_TIME_LIMIT."""
    try:
        with _deadline(RENDER_TIME_LIMIT):
            raw_html = _markdown().convert(body)
            # html5ever (inside nh3, not interruptible) is super-linear in these two.
            if _html_depth(raw_html) > MAX_HTML_DEPTH:
                fail(path, None, f"HTML nested more than {MAX_HTML_DEPTH} levels deep "
                                  "(unclosed or misnested HTML tags?)")
            if raw_html.count("&") > MAX_ENTITIES:
                fail(path, None, f"more than {MAX_ENTITIES} '&' characters or entities")
            return sanitize_html(raw_html)
    except _RenderTimeout:
        _local.md = None  # interrupted mid-document: never reuse that instance
        fail(path, None, f"Markdown took more than {RENDER_TIME_LIMIT:g} s to render; "
                          "split the file or look for unbalanced '[' or '<'")
    except RecursionError:
        _local.md = None
        fail(path, None, "Markdown nested too deeply to render")

# --- HTML post-processing on nh3's canonical output -------------------------------------------
_NH3_OPTIONS: dict[str, Any] = {
    "attributes": {tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
    "allowed_classes": {tag: set(names) for tag, names in ALLOWED_CLASSES.items()},
    "url_schemes": set(URL_SCHEMES),
    "link_rel": LINK_REL,
    "filter_style_properties": set(STYLE_PROPERTIES),
    "strip_comments": True,
}
# In nh3 output every attribute is name="value" with `"` escaped, so this is exact there.
_TAG = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s"\'<>/=]+(?:="[^"]*")?)*)\s*/?>')
_ATTR = re.compile(r'([^\s"\'<>/=]+)(?:="([^"]*)")?')
_LOOSE_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"})
_BLOCK = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "tr",
                    "td", "th", "dt", "dd", "div", "figure", "figcaption", "table", "ul", "ol",
                    "dl", "br", "hr"})
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))


def _is_local_url(url: str) -> bool:
    """True for a relative URL on this site; False for anything that names another host."""
    # Browsers drop tabs/newlines anywhere in a URL and C0/space at its ends.
    url = re.sub(r"[\t\n\r]", "", url).strip(_C0_AND_SPACE)
    return bool(url) and "\\" not in url and not url.startswith("//") \
        and not _SCHEME.match(url)


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    """nh3 hook (must never raise): drop image sources on other hosts."""
    if tag == "img" and attr == "src" and not _is_local_url(value):
        return None
    return value


def _attrs(attr_text: str) -> dict[str, str]:
    return {name.lower(): html.unescape(value or "") for name, value in _ATTR.findall(attr_text)}


def _rewrite(clean: str) -> str:
    """On sanitized HTML: h1 -> h2; an off-site image -> a link to it (alt text inside links)."""
    links_open = 0

    def replace(m: re.Match[str]) -> str:
        nonlocal links_open
        close, name, attr_text = m.group(1), m.group(2).lower(), m.group(3)
        if name == "a":
            links_open = max(0, links_open + (-1 if close else 1))
        elif name == "h1":
            return f"<{close}h2{attr_text}>"
        elif name == "img" and not close:
            attrs = _attrs(attr_text)
            src = attrs.get("src", "")
            if not _is_local_url(src):
                label = html.escape(attrs.get("alt") or attrs.get("title") or "image",
                                    quote=False)
                if not src or links_open:
                    return label
                return f'<a href="{html.escape(src)}">{label}</a>'
        return m.group(0)

    return _TAG.sub(replace, clean)


def _html_depth(fragment: str) -> int:
    """Open-element depth of an HTML fragment, an upper estimate; stops past the limit.

    An end tag closes only the innermost open element of that name: the HTML parser may close
    more (implied end tags), never fewer, so html5ever's depth stays within a small factor.
    """
    stack: list[str] = []
    for m in _LOOSE_TAG.finditer(fragment):
        name = m.group(2).lower()
        if name in _VOID:
            continue
        if not m.group(1):
            stack.append(name)
            if len(stack) > MAX_HTML_DEPTH:
                break
        elif stack and stack[-1] == name:
            stack.pop()
    return len(stack)


def plain_text(fragment: str, limit: int) -> str:
    """First ~`limit` characters of the text of sanitized HTML, without footnotes."""
    parts: list[str] = []
    size, pos, skip_tag, skip_depth = 0, 0, "", 0
    for m in _TAG.finditer(fragment):
        if not skip_depth:
            parts.append(fragment[pos:m.start()])
            size += m.start() - pos
        pos = m.end()
        close, name, attr_text = m.group(1), m.group(2).lower(), m.group(3)
        if skip_depth:
            if name == skip_tag:
                skip_depth += -1 if close else 1
        elif not close and ((name == "div" and "footnote" in _attrs(attr_text).get("class", ""))
                            or (name == "sup" and _attrs(attr_text).get("id", "")
                                .startswith("fnref"))):
            skip_tag, skip_depth = name, 1
        elif name in _BLOCK:
            parts.append(" ")
        if size > 4 * limit:
            break
    else:
        if not skip_depth:
            parts.append(fragment[pos:])
    text = sanitize_text(html.unescape("".join(parts)))
    if len(text) <= limit:
        return text
    cut = text[:limit + 1].rsplit(" ", 1)[0] if " " in text[:limit + 1] else text[:limit]
    return cut.rstrip(" ,;:.-") + "…"
