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
import re
from collections.abc import Callable
from pathlib import Path

from generator.content.frontmatter import (  # noqa: F401  (SafeYAMLHandler, sanitize_text: API)
    BIDI,
    NONCHARS,
    NOT_TEXT,
    SURROGATES,
    Kind,
    SafeYAMLHandler,
    char_problem,
    check_schema,
    fail,
    load_yaml,
    sanitize_text,
    split_front_matter,
)
from generator.content.markdown import (  # noqa: F401  (the allow-lists: API)
    ALLOWED_ATTRIBUTES,
    ALLOWED_CLASSES,
    ALLOWED_TAGS,
    MAX_LINE_CHARS,
    MAX_NESTING,
    TEXT_CHARS,
    _is_local_url,
    check_body,
    plain_text,
    render_body,
    sanitize_html,
)
from generator.content.note import MAX_FILE_BYTES, Note, read_limited
from generator.errors import ContentError

_BAD_CHAR = re.compile(f"[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f{BIDI}{NONCHARS}{SURROGATES}]")
# What may not reach a page or the feed: controls (XML 1.0 refuses C0 but tab, LF and CR;
# C1 ones are no text either), non-characters, surrogates.
_NOT_IN_PAGE = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f{NONCHARS}{SURROGATES}]")
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")
_WEEK_FILE = re.compile(r"([0-9]{4})-W([0-9]{2})\.md")
_PAGE_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


# --- public API -------------------------------------------------------------------------------
def load_issue_notes(content_dir: Path, *, include_drafts: bool = False,
                     read: Callable[[Path], bytes] | None = None) -> dict[str, Note]:
    """Read `content_dir/issues/*.md`; return notes keyed by ISO week, oldest first.

    Every file is validated (drafts too, so a broken draft fails `build` as it fails
    `serve`); drafts are left out unless `include_drafts`. Dotfiles are ignored; any other
    entry not named `YYYY-Www.md` is an error. All problems are reported in one ContentError.
    `read`: the bytes of a file (default: read it, refusing what is not a small file).
    """
    read = read or read_file
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
            note = parse_note(path, read(path), kind="issue")
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


def load_page(path: Path, read: Callable[[Path], bytes] | None = None) -> Note:
    """Read one `content/pages/<slug>.md` page (front matter with a title is required)."""
    path = Path(path)
    return parse_note(path, (read or read_file)(path), kind="page")


def load_pages(content_dir: Path, read: Callable[[Path], bytes] | None = None
               ) -> dict[str, Note]:
    """Read every `content_dir/pages/*.md`; return pages keyed by slug, sorted. `read` as
    for `load_issue_notes`."""
    folder = Path(content_dir) / "pages"
    if not folder.is_dir():
        return {}
    pages: dict[str, Note] = {}
    problems: list[str] = []
    for path in sorted(folder.glob("*.md")):
        if path.name.startswith("."):
            continue
        try:
            pages[path.stem] = load_page(path, read)
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
        fail(path, None, "page names must be lowercase letters, digits and '-' (e.g. about.md)")
    text = _decode(path, raw)
    if not text.strip():
        fail(path, None, "empty file")
    fm_text, fm_line, body, body_line = split_front_matter(path, text)
    meta = check_schema(path, *load_yaml(path, fm_text, fm_line), kind=kind)
    check_body(path, body, body_line)
    if not body.strip():
        if kind == "page":
            fail(path, None, "the page has no text below the front matter")
        if not meta["summary"] and not meta["draft"]:
            fail(path, None, "no commentary: write Markdown below the front matter, "
                              "or set a summary (or draft: true)")
    fragment = render_body(path, body) if body.strip() else ""
    _check_rendered(path, body, body_line, fragment)
    return Note(path=path, slug=path.stem, week=week, html=fragment,
                text=plain_text(fragment, TEXT_CHARS), **meta)






def read_file(path: Path) -> bytes:
    """A content file's bytes (`read_limited`); a ContentError naming it when it is not a
    readable regular file."""
    if not path.is_file():
        fail(path, None, "not a regular file")
    try:
        return read_limited(path)
    except OSError as exc:
        fail(path, None, f"cannot read the file: {exc.strerror or exc}")


def _week_from_name(path: Path) -> str:
    m = _WEEK_FILE.fullmatch(path.name)
    if not m:
        fail(path, None, "issue notes must be named YYYY-Www.md with an uppercase W "
                          "(e.g. 2025-W38.md)")
    year, week = int(m.group(1)), int(m.group(2))
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        fail(path, None, f"{year} has no ISO week {week:02d}")
    return f"{year:04d}-W{week:02d}"


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _decode(path: Path, raw: bytes) -> str:
    if len(raw) > MAX_FILE_BYTES:
        fail(path, None, f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB")
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        fail(path, None, "file is UTF-32 encoded; save it as UTF-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        fail(path, None, "file is UTF-16 encoded; save it as UTF-8")
    raw = raw.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 BOM would hide the front matter
    nul = raw.find(b"\x00")
    if nul >= 0:
        fail(path, raw.count(b"\n", 0, nul) + 1, "NUL byte: this is not a text file "
                                                   "(or it is UTF-16 without a byte-order mark)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start:exc.start + 1].hex()
        fail(path, raw.count(b"\n", 0, exc.start) + 1,
              f"not valid UTF-8 (byte 0x{bad}); save the file as UTF-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    m = _BAD_CHAR.search(text)
    if m:
        fail(path, _line_of(text, m.start()),
              f"{char_problem(m.group())} is not allowed; delete it")
    return text


def _check_rendered(path: Path, body: str, body_line: int, fragment: str) -> None:
    """Refuse a body whose HTML holds a character no page or feed may carry: it can only
    come from a character reference such as `&#1;` or `&#xFFFE;` (raw ones fail earlier)."""
    m = _NOT_IN_PAGE.search(fragment)
    if m is None:
        return
    char = m.group()
    for ref in _CHAR_REF.finditer(body):
        digits = ref.group(1) or ref.group(2)
        code = int(digits, 16 if ref.group(1) else 10)
        if code == ord(char):
            fail(path, body_line + body.count("\n", 0, ref.start()),
                  f"the character reference {ref.group()} stands for a {char_problem(char)}, "
                  "which is not text; delete it")
    fail(path, None, f"the text holds a {char_problem(char)}, which is not text; delete it")

