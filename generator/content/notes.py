"""Editor content: Markdown files with YAML front matter -> frozen, sanitized `Note`s.

Issue notes live in `content/issues/YYYY-Www.md`, pages in `content/pages/<slug>.md`.
Every problem becomes one `ContentError` whose lines start with `<path>[:<line>]: `.

Guarantees, whatever an editor (or a paste into an editor) puts in a file:

- Front matter is YAML read by a strict loader: no anchors/aliases, no tags (`!!python/...`
  is refused before anything is constructed), no duplicate or merge keys, at most
  `MAX_YAML_DEPTH` levels, and YAML 1.1 yes/no/on/off are errors (only true/false are
  booleans). The schema is checked explicitly; unknown keys are errors. Front-matter values
  are plain text (`sanitize_text`); they are never HTML and rely on Jinja autoescaping.
- The body is rendered by python-markdown (`extra`, `sane_lists`, `smarty`) and the result
  is ALWAYS passed through nh3 with the fixed allow-lists below. No script, event handler,
  `style` (except `text-align` on table cells) or non-http(s)/mailto URL survives, `<h1>`
  becomes `<h2>` (the page owns its h1), and an image on another host becomes a plain link:
  a page built from content never makes a request to another host.
- Time and memory are bounded: files over `MAX_FILE_BYTES`, lines over `MAX_LINE_CHARS`,
  Markdown nested deeper than `MAX_NESTING`, HTML nested deeper than `MAX_HTML_DEPTH` are
  refused before rendering (python-markdown and html5ever are super-linear on such input),
  and on the main thread rendering is also stopped after `RENDER_TIME_LIMIT` seconds.

For the renderer: `Note.html` is sanitized HTML to insert as a value (`{{ note.html|safe }}`);
it must never be compiled as a Jinja template, so `{{ 7*7 }}` in content stays literal text.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NoReturn

import frontmatter
import markdown
import nh3
import yaml
from markdown.extensions.attr_list import AttrListTreeprocessor

from generator.errors import ContentError

# --- limits ---------------------------------------------------------------------------------
MAX_FILE_BYTES = 1_000_000
MAX_LINE_CHARS = 10_000
MAX_NESTING = 50  # `>` markers + list markers + indentation/4 at the start of one line
MAX_HTML_DEPTH = 100  # open elements in the rendered HTML (unclosed raw HTML tags)
MAX_ENTITIES = 100_000  # '&' in the rendered HTML
MAX_FRONT_MATTER_CHARS = 20_000
MAX_YAML_DEPTH = 10
RENDER_TIME_LIMIT = 10.0  # seconds per document; enforced with SIGALRM on the main thread

TITLE_MAX, AUTHOR_MAX, SUMMARY_MAX = 200, 100, 500
TAG_MAX, TAGS_MAX = 40, 20
TEXT_CHARS = 200

FIELDS = ("title", "author", "summary", "tags", "draft")
Kind = Literal["issue", "page"]

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

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BAD_CHAR = re.compile(f"[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f{_BIDI}]")
_STRIP_CHAR = re.compile(f"[\\x00-\\x08\\x0e-\\x1b\\x7f-\\x84\\x86-\\x9f{_BIDI}]")
_WEEK_FILE = re.compile(r"([0-9]{4})-W([0-9]{2})\.md")
_PAGE_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_TAG_TEXT = re.compile(r"[\w][\w .+&'-]*")
_FM_KEY_LINE = re.compile(r"(?:title|author|summary|tags|draft)\s*:")
_NEST_PREFIX = re.compile(r"(?:[ \t>]|[-*+](?=[ \t])|[0-9]{1,9}[.)](?=[ \t]))*")
_NEST_MARKER = re.compile(r">|[-*+](?=[ \t])|[0-9]{1,9}[.)](?=[ \t])")


@dataclass(frozen=True)
class Note:
    """One editor file: plain-text front matter plus sanitized body HTML."""

    path: Path
    slug: str  # file stem: "2025-W38", "about"
    week: str | None  # "YYYY-Www" for issue notes, None for pages
    title: str
    author: str
    summary: str
    tags: tuple[str, ...]
    draft: bool
    html: str  # sanitized body HTML (insert with |safe, never compile as a template)
    text: str  # plain text of the body, at most ~TEXT_CHARS characters (summary fallback)


# --- public API -------------------------------------------------------------------------------
def load_issue_notes(content_dir: Path, *, include_drafts: bool = False) -> dict[str, Note]:
    """Read `content_dir/issues/*.md`; return notes keyed by ISO week, oldest first.

    Every file is validated (drafts too, so a broken draft fails `build` as it fails
    `serve`); drafts are left out unless `include_drafts`. Dotfiles are ignored; any other
    entry not named `YYYY-Www.md` is an error. All problems are reported in one ContentError.
    """
    folder = Path(content_dir) / "issues"
    if not folder.is_dir():
        return {}
    notes: dict[str, Note] = {}
    problems: list[str] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        try:
            _week_from_name(path)  # before reading: a stray image or folder is named, not read
            note = parse_note(path, _read_bytes(path), kind="issue")
        except ContentError as exc:
            problems.extend(exc.lines())
            continue
        assert note.week is not None
        if note.week in notes:
            first = notes[note.week].path
            problems.append(f"{path}: a second note for {note.week} (first: {first})")
            continue
        notes[note.week] = note
    if problems:
        raise ContentError(problems[0], problems)
    return {week: notes[week] for week in sorted(notes) if include_drafts or not notes[week].draft}


def load_page(path: Path) -> Note:
    """Read one `content/pages/<slug>.md` page (front matter with a title is required)."""
    path = Path(path)
    return parse_note(path, _read_bytes(path), kind="page")


def load_pages(content_dir: Path) -> dict[str, Note]:
    """Read every `content_dir/pages/*.md`; return pages keyed by slug, sorted."""
    folder = Path(content_dir) / "pages"
    if not folder.is_dir():
        return {}
    pages: dict[str, Note] = {}
    problems: list[str] = []
    for path in sorted(folder.glob("*.md")):
        if path.name.startswith("."):
            continue
        try:
            pages[path.stem] = load_page(path)
        except ContentError as exc:
            problems.extend(exc.lines())
    if problems:
        raise ContentError(problems[0], problems)
    return pages


def parse_note(path: Path, raw: bytes, *, kind: Kind | None = None) -> Note:
    """Parse one file's bytes into a Note; raise ContentError naming the file (and line).

    `kind` defaults to "issue" for files in an `issues` folder and "page" otherwise.
    """
    path = Path(path)
    kind = kind or ("issue" if path.parent.name == "issues" else "page")
    week = _week_from_name(path) if kind == "issue" else None
    if kind == "page" and not _PAGE_SLUG.fullmatch(path.stem):
        _fail(path, None, "page names must be lowercase letters, digits and '-' (e.g. about.md)")
    text = _decode(path, raw)
    if not text.strip():
        _fail(path, None, "empty file")
    fm_text, fm_line, body, body_line = _split_front_matter(path, text)
    meta = _check_schema(path, *_load_yaml(path, fm_text, fm_line), kind=kind)
    _check_body(path, body, body_line)
    if not body.strip():
        if kind == "page":
            _fail(path, None, "the page has no text below the front matter")
        if not meta["summary"] and not meta["draft"]:
            _fail(path, None, "no commentary: write Markdown below the front matter, "
                              "or set a summary (or draft: true)")
    fragment = _render(path, body) if body.strip() else ""
    return Note(path=path, slug=path.stem, week=week, html=fragment,
                text=_plain_text(fragment, TEXT_CHARS), **meta)


def sanitize_text(s: str) -> str:
    """Plain text for a front-matter field: control/bidi characters removed, whitespace collapsed.

    The result is text, not HTML: templates escape it (Jinja autoescape).
    """
    return " ".join(_STRIP_CHAR.sub("", s).split())


def sanitize_html(fragment: str) -> str:
    """Sanitize an HTML fragment with the fixed allow-lists; h1 -> h2, off-site images -> links.

    html5ever is super-linear in nesting depth and entity count and cannot be interrupted:
    pass only input that went through the same limits (as `parse_note` does).
    """
    first = nh3.clean(fragment, tags=set(ALLOWED_TAGS | {"h1"}), **_NH3_OPTIONS)
    return nh3.clean(_rewrite(first), tags=set(ALLOWED_TAGS), attribute_filter=_attribute_filter,
                     **_NH3_OPTIONS)


# --- reading and decoding ---------------------------------------------------------------------
def _fail(path: Path, line: int | None, message: str) -> NoReturn:
    where = f"{path}:{line}" if line else f"{path}"
    raise ContentError(f"{where}: {message}")


def _read_bytes(path: Path) -> bytes:
    if not path.is_file():
        _fail(path, None, "not a regular file")
    try:
        with path.open("rb") as fh:
            return fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        _fail(path, None, f"cannot read the file: {exc.strerror or exc}")


def _week_from_name(path: Path) -> str:
    m = _WEEK_FILE.fullmatch(path.name)
    if not m:
        _fail(path, None, "issue notes must be named YYYY-Www.md with an uppercase W "
                          "(e.g. 2025-W38.md)")
    year, week = int(m.group(1)), int(m.group(2))
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        _fail(path, None, f"{year} has no ISO week {week:02d}")
    return f"{year:04d}-W{week:02d}"


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _decode(path: Path, raw: bytes) -> str:
    if len(raw) > MAX_FILE_BYTES:
        _fail(path, None, f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB")
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        _fail(path, None, "file is UTF-32 encoded; save it as UTF-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        _fail(path, None, "file is UTF-16 encoded; save it as UTF-8")
    raw = raw.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 BOM would hide the front matter
    nul = raw.find(b"\x00")
    if nul >= 0:
        _fail(path, raw.count(b"\n", 0, nul) + 1, "NUL byte: this is not a text file "
                                                   "(or it is UTF-16 without a byte-order mark)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start:exc.start + 1].hex()
        _fail(path, raw.count(b"\n", 0, exc.start) + 1,
              f"not valid UTF-8 (byte 0x{bad}); save the file as UTF-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    m = _BAD_CHAR.search(text)
    if m:
        char = m.group()
        kind = "bidirectional control" if char in _BIDI else "control"
        _fail(path, _line_of(text, m.start()),
              f"{kind} character U+{ord(char):04X} is not allowed; delete it")
    return text


# --- front matter -----------------------------------------------------------------------------
class SafeYAMLHandler(frontmatter.YAMLHandler):
    """python-frontmatter handler whose `load` uses the strict loader (for `riskon new` etc.).

    `parse_note` does its own splitting with this handler's boundary, because
    `frontmatter.parse` strips the text (losing line numbers) and silently treats an
    unterminated or non-mapping front matter as body text.
    """

    def load(self, fm: str, **kwargs: object) -> Any:
        """Return the front matter mapping; raise yaml.YAMLError on anything unsafe."""
        loader = _StrictLoader(fm)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()


_HANDLER = SafeYAMLHandler()


def _split_front_matter(path: Path, text: str) -> tuple[str, int, str, int]:
    """Return (front matter, its first line, body, its first line); 1-based line numbers."""
    lines = text.split("\n")
    first = next(i for i, line in enumerate(lines) if line.strip())
    assert _HANDLER.FM_BOUNDARY is not None
    if not _HANDLER.FM_BOUNDARY.fullmatch(lines[first]):
        if _FM_KEY_LINE.match(lines[first]):
            _fail(path, first + 1, "front matter must start with a '---' line")
        return "", 0, text, 1
    for end in range(first + 1, len(lines)):
        if _HANDLER.FM_BOUNDARY.fullmatch(lines[end]):
            fm = "\n".join(lines[first + 1:end])
            return fm, first + 2, "\n".join(lines[end + 1:]), end + 2
    _fail(path, first + 1, "front matter is not closed: add a '---' line after it")


_MERGE_TAG = "tag:yaml.org,2002:merge"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_YAML11_BOOL_TAG = "tag:riskon:yaml11-bool"


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader without anchors, aliases, tags, merge/duplicate keys or deep nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.YAMLError(_mark("anchors and aliases (&, *) are not allowed",
                                       event.start_mark))
        if getattr(event, "tag", None) is not None:
            raise yaml.YAMLError(_mark(f"YAML tags ({event.tag}) are not allowed",
                                       event.start_mark))
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise yaml.YAMLError(_mark(f"nested more than {MAX_YAML_DEPTH} levels deep",
                                           event.start_mark))
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                raise yaml.YAMLError(_mark("merge keys (<<) are not allowed", key_node.start_mark))
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool | None | dt.date):
                raise yaml.YAMLError(_mark("keys must be plain words", key_node.start_mark))
            if key in seen:
                raise yaml.YAMLError(_mark(f"duplicate key {str(key)[:40]!r} "
                                           f"(first on line {seen[key]})", key_node.start_mark))
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)

    def construct_yaml11_bool(self, node: Any) -> Any:
        value = self.construct_scalar(node)
        raise yaml.YAMLError(_mark(
            f"{value!r} means true/false in YAML; write true or false for draft, "
            f"or quote it (\"{value}\") for text", node.start_mark))

    def construct_yaml_timestamp(self, node: Any) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise yaml.YAMLError(_mark("invalid date; quote it if it is text",
                                       node.start_mark)) from None


# Only true/false are booleans; YAML 1.1 yes/no/on/off become an explicit error.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_StrictLoader.add_implicit_resolver(
    _YAML11_BOOL_TAG, re.compile(r"^(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$"),
    list("yYnNoO"))
_StrictLoader.add_constructor(_YAML11_BOOL_TAG, _StrictLoader.construct_yaml11_bool)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp",
                              _StrictLoader.construct_yaml_timestamp)


class _Marked(str):
    line: int | None


def _mark(message: str, mark: Any) -> _Marked:
    text = _Marked(message)
    text.line = mark.line if mark is not None else None
    return text


def _load_yaml(path: Path, fm: str, first_line: int) -> tuple[dict[str, Any], dict[str, int]]:
    """Return (mapping, line of each top-level key) of the front matter text."""
    if not fm.strip():
        return {}, {}
    if len(fm) > MAX_FRONT_MATTER_CHARS:
        _fail(path, first_line, f"front matter is longer than {MAX_FRONT_MATTER_CHARS} characters")
    for i, line in enumerate(fm.split("\n")):
        if "\t" in line:
            _fail(path, first_line + i, "tab character in front matter; use spaces in YAML")
    loader = _StrictLoader(fm)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        if not isinstance(node, yaml.MappingNode):
            _fail(path, first_line + node.start_mark.line,
                  "front matter must be 'key: value' lines (a YAML mapping)")
        lines = {str(k.value): first_line + k.start_mark.line for k, _ in node.value}
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark is not None else first_line
        problem = " ".join(str(exc.problem or exc.context or "syntax error").split())
        if "mapping values are not allowed" in problem:
            problem += " (put quotes around values that contain ': ')"
        _fail(path, line, f"invalid YAML in front matter: {problem}")
    except yaml.YAMLError as exc:
        message = exc.args[0] if exc.args else "invalid YAML"
        line = getattr(message, "line", None)
        _fail(path, first_line + line if line is not None else first_line,
              f"invalid front matter: {message}")
    finally:
        loader.dispose()
    return data, lines


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    return type(value).__name__


def _check_schema(path: Path, data: dict[str, Any], lines: dict[str, int], *,
                  kind: Kind) -> dict[str, Any]:
    """Validate front matter fields; return title/author/summary/tags/draft as plain values."""
    problems: list[str] = []

    def problem(key: str, message: str) -> None:
        line = lines.get(key)
        problems.append(f"{path}:{line}: {message}" if line else f"{path}: {message}")

    for key in data:
        if key not in FIELDS:
            problem(str(key), f"unknown front matter key {str(key)[:40]!r} "
                              f"(allowed: {', '.join(sorted(FIELDS))})")

    def text(key: str, limit: int) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            problem(key, f"{key} must be text, got {_describe(value)}; put it in quotes")
            return ""
        if any(c in _BIDI for c in value):
            problem(key, f"{key} contains a bidirectional control character")
            return ""
        clean = sanitize_text(value)
        if len(clean) > limit:
            problem(key, f"{key} is {len(clean)} characters long; the limit is {limit}")
        return clean

    meta: dict[str, Any] = {
        "title": text("title", TITLE_MAX),
        "author": text("author", AUTHOR_MAX),
        "summary": text("summary", SUMMARY_MAX),
        "tags": (),
        "draft": False,
    }
    draft = data.get("draft")
    if draft is not None and not isinstance(draft, bool):
        problem("draft", f"draft must be true or false, got {_describe(draft)}")
    meta["draft"] = draft is True

    tags = data.get("tags")
    if tags is not None:
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            problem("tags", "tags must be a list of words, e.g. tags: [breakout, altcoins]")
        else:
            clean_tags: dict[str, str] = {}
            for raw in tags:
                tag = sanitize_text(raw)
                if any(c in _BIDI for c in raw) or not _TAG_TEXT.fullmatch(tag) \
                        or len(tag) > TAG_MAX:
                    problem("tags", f"invalid tag {raw[:40]!r}: letters, digits, spaces and "
                                    f".+&'- only, at most {TAG_MAX} characters")
                else:
                    clean_tags.setdefault(tag.casefold(), tag)
            if len(clean_tags) > TAGS_MAX:
                problem("tags", f"at most {TAGS_MAX} tags")
            meta["tags"] = tuple(clean_tags.values())

    if kind == "page" and not meta["title"] and "title" not in data:
        problem("title", "pages need front matter with a title (---, title: ..., ---)")
    elif kind == "page" and not meta["title"] and not problems:
        problem("title", "title must not be empty")
    if problems:
        raise ContentError(problems[0], problems)
    return meta


# --- body -------------------------------------------------------------------------------------
def _check_body(path: Path, body: str, first_line: int) -> None:
    """Refuse lines too long or nested too deep for python-markdown to render in bounded time."""
    if body.count("&") > MAX_ENTITIES:
        _fail(path, None, f"more than {MAX_ENTITIES} '&' characters")
    for i, line in enumerate(body.split("\n")):
        if len(line) > MAX_LINE_CHARS:
            _fail(path, first_line + i,
                  f"line is {len(line)} characters long; the limit is {MAX_LINE_CHARS}")
        prefix = _NEST_PREFIX.match(line).group()  # type: ignore[union-attr]
        if len(prefix) <= MAX_NESTING or not line.strip():
            continue
        markers = len(_NEST_MARKER.findall(prefix))
        columns = prefix.count(" ") + 4 * prefix.count("\t")
        depth = markers + max(0, columns - markers) // 4  # one space after a marker is free
        if depth > MAX_NESTING:
            _fail(path, first_line + i, f"quotes/lists/indentation nested {depth} levels deep; "
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


def _render(path: Path, body: str) -> str:
    """Markdown -> sanitized HTML, within RENDER_TIME_LIMIT."""
    try:
        with _deadline(RENDER_TIME_LIMIT):
            raw_html = _markdown().convert(body)
            # html5ever (inside nh3, not interruptible) is super-linear in these two.
            if _html_depth(raw_html) > MAX_HTML_DEPTH:
                _fail(path, None, f"HTML nested more than {MAX_HTML_DEPTH} levels deep "
                                  "(unclosed or misnested HTML tags?)")
            if raw_html.count("&") > MAX_ENTITIES:
                _fail(path, None, f"more than {MAX_ENTITIES} '&' characters or entities")
            return sanitize_html(raw_html)
    except _RenderTimeout:
        _local.md = None  # interrupted mid-document: never reuse that instance
        _fail(path, None, f"Markdown took more than {RENDER_TIME_LIMIT:g} s to render; "
                          "split the file or look for unbalanced '[' or '<'")
    except RecursionError:
        _local.md = None
        _fail(path, None, "Markdown nested too deeply to render")


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


def _plain_text(fragment: str, limit: int) -> str:
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
