"""Front matter: strict YAML between `---` lines, checked against the schema (pure).

A strict loader: no anchors/aliases, no tags (`!!python/...` is refused before anything is
constructed), no duplicate or merge keys, at most `MAX_YAML_DEPTH` levels, and YAML 1.1
yes/no/on/off are errors (only true/false are booleans). Unknown keys are errors. Values
are plain text (`sanitize_text`); they are never HTML and rely on Jinja autoescaping.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal, NoReturn

import frontmatter
import yaml

from generator.errors import ContentError

MAX_FRONT_MATTER_CHARS = 20_000
MAX_YAML_DEPTH = 10
TITLE_MAX, AUTHOR_MAX, SUMMARY_MAX = 200, 100, 500
TAG_MAX, TAGS_MAX = 40, 20
FIELDS = ("title", "author", "summary", "tags", "draft")
Kind = Literal["issue", "page"]

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Never text: Unicode non-characters (U+FDD0..U+FDEF and the last two code points of every
# plane) and lone surrogates. XML (the feed) refuses them and UTF-8 cannot encode a
# surrogate, so a file holding one, raw or through an escape, fails `riskon check` first.
NONCHARS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
SURROGATES = "\ud800-\udfff"
NOT_TEXT = re.compile(f"[{NONCHARS}{SURROGATES}]")
_STRIP_CHAR = re.compile(f"[\\x00-\\x08\\x0e-\\x1b\\x7f-\\x84\\x86-\\x9f{BIDI}]")
_TAG_TEXT = re.compile(r"[\w][\w .+&'-]*")
_FM_KEY_LINE = re.compile(r"(?:title|author|summary|tags|draft)\s*:")


def char_problem(char: str) -> str:
    """What a character that may not appear in content is, for an error message."""
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        kind = "lone surrogate"
    elif NOT_TEXT.fullmatch(char):
        kind = "non-character"
    elif char in BIDI:
        kind = "bidirectional control character"
    else:
        kind = "control character"
    return f"{kind} U+{code:04X}"


def fail(path: Path, line: int | None, message: str) -> NoReturn:
    """Raise the one ContentError of a problem at `path[:line]`."""
    raise ContentError.at(path, line, message)


def sanitize_text(s: str) -> str:
    """Plain text for a front-matter field: control/bidi characters removed, whitespace collapsed.

    The result is text, not HTML: templates escape it (Jinja autoescape).
    """
    return " ".join(_STRIP_CHAR.sub("", s).split())


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


def split_front_matter(path: Path, text: str) -> tuple[str, int, str, int]:
    """Return (front matter, its first line, body, its first line); 1-based line numbers."""
    lines = text.split("\n")
    first = next(i for i, line in enumerate(lines) if line.strip())
    assert _HANDLER.FM_BOUNDARY is not None
    if not _HANDLER.FM_BOUNDARY.fullmatch(lines[first]):
        if _FM_KEY_LINE.match(lines[first]):
            fail(path, first + 1, "front matter must start with a '---' line")
        return "", 0, text, 1
    for end in range(first + 1, len(lines)):
        if _HANDLER.FM_BOUNDARY.fullmatch(lines[end]):
            fm = "\n".join(lines[first + 1:end])
            return fm, first + 2, "\n".join(lines[end + 1:]), end + 2
    fail(path, first + 1, "front matter is not closed: add a '---' line after it")


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


def load_yaml(path: Path, fm: str, first_line: int) -> tuple[dict[str, Any], dict[str, int]]:
    """Return (mapping, line of each top-level key) of the front matter text."""
    if not fm.strip():
        return {}, {}
    if len(fm) > MAX_FRONT_MATTER_CHARS:
        fail(path, first_line, f"front matter is longer than {MAX_FRONT_MATTER_CHARS} characters")
    for i, line in enumerate(fm.split("\n")):
        if "\t" in line:
            fail(path, first_line + i, "tab character in front matter; use spaces in YAML")
    try:
        loader = _StrictLoader(fm)
    except yaml.YAMLError as exc:  # the reader refuses a character before parsing
        fail(path, first_line, f"invalid front matter: {' '.join(str(exc).split())}")
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        if not isinstance(node, yaml.MappingNode):
            fail(path, first_line + node.start_mark.line,
                  "front matter must be 'key: value' lines (a YAML mapping)")
        lines = {str(k.value): first_line + k.start_mark.line for k, _ in node.value}
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark is not None else first_line
        problem = " ".join(str(exc.problem or exc.context or "syntax error").split())
        if "mapping values are not allowed" in problem:
            problem += " (put quotes around values that contain ': ')"
        fail(path, line, f"invalid YAML in front matter: {problem}")
    except yaml.YAMLError as exc:
        message = exc.args[0] if exc.args else "invalid YAML"
        line = getattr(message, "line", None)
        fail(path, first_line + line if line is not None else first_line,
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


def check_schema(path: Path, data: dict[str, Any], lines: dict[str, int], *,
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
        if any(c in BIDI for c in value):
            problem(key, f"{key} contains a bidirectional control character")
            return ""
        bad = NOT_TEXT.search(value)
        if bad:
            problem(key, f"{key} contains a {char_problem(bad.group())} (written as an "
                         "escape?); it is not text: delete it")
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
                if any(c in BIDI for c in raw) or not _TAG_TEXT.fullmatch(tag) \
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

