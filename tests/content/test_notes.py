"""Editor content: front matter schema, Markdown rendering, sanitizing and bounded work."""

from __future__ import annotations

import dataclasses
import html.parser
import json
import random
import re
import signal
import time
from pathlib import Path

import jinja2
import pytest

from generator.content import notes as content
from generator.content.notes import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_CLASSES,
    ALLOWED_TAGS,
    Note,
    SafeYAMLHandler,
    load_issue_notes,
    load_page,
    load_pages,
    parse_note,
    sanitize_html,
    sanitize_text,
)
from generator.errors import ContentError

ROOT = Path(__file__).resolve().parents[2]
ISSUE = Path("content/issues/2025-W38.md")
PAGE = Path("content/pages/about.md")

GOOD = """\
---
title: Small caps break out
author: Ana Editor
summary: The Russell 2000 set its first record in 14 months.
tags: [breakout, altcoins]
draft: false
---
The index closed at a **record** on Thursday[^1].

- one
- two

| a | b |
|:--|--:|
| 1 | 2 |

[^1]: Source: Yahoo Finance.
"""


def parse(raw: str | bytes, path: Path = ISSUE) -> Note:
    return parse_note(path, raw.encode() if isinstance(raw, str) else raw)


def error(raw: str | bytes, path: Path = ISSUE) -> str:
    with pytest.raises(ContentError) as info:
        parse(raw, path)
    message = info.value.message
    assert message.startswith(f"{path}:"), message
    assert "\n" not in message and "Traceback" not in message
    return message


def fm(body: str = "Body text.", **fields: str) -> str:
    lines = "".join(f"{key}: {value}\n" for key, value in fields.items())
    return f"---\n{lines}---\n{body}\n"


class _Collector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def assert_safe(fragment: str) -> None:
    """Every element and attribute is on the allow-lists; no URL can run code or fetch off-site."""
    parser = _Collector()
    parser.feed(fragment)
    parser.close()
    for tag, attrs in parser.elements:
        assert tag in ALLOWED_TAGS, (tag, fragment)
        allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}
        if tag in ALLOWED_CLASSES:
            allowed = allowed | {"class"}
        for name, value in attrs.items():
            assert name in allowed and not name.startswith("on"), (tag, name, fragment)
            value = value or ""
            if name == "class":
                assert set(value.split()) <= ALLOWED_CLASSES[tag], (tag, value)
            if name == "style":
                assert re.fullmatch(r"text-align:\s*(left|right|center)", value), value
            if name == "rel":
                assert value == "noopener noreferrer"
            if name in ("href", "src"):
                url = re.sub(r"[\x00-\x20]", "", value).lower()
                scheme = re.match(r"([a-z][a-z0-9+.-]*):", url)
                assert scheme is None or scheme.group(1) in {"http", "https", "mailto"}, value
            if name == "src":
                assert content._is_local_url(value), value
                assert not value.startswith("//") and "\\" not in value


# --- a good note ---------------------------------------------------------------------------------
def test_good_issue_note_parses() -> None:
    note = parse(GOOD)
    assert note.week == "2025-W38" and note.slug == "2025-W38" and note.path == ISSUE
    assert note.title == "Small caps break out"
    assert note.author == "Ana Editor"
    assert note.summary.startswith("The Russell 2000")
    assert note.tags == ("breakout", "altcoins")
    assert note.draft is False
    assert "<strong>record</strong>" in note.html
    assert '<th style="text-align:left">a</th>' in note.html
    assert '<div class="footnote">' in note.html and 'class="footnote-ref"' in note.html
    assert note.text.startswith("The index closed at a record on Thursday.")
    assert "Source: Yahoo" not in note.text  # footnotes are not part of the summary text
    assert_safe(note.html)


def test_note_is_frozen() -> None:
    note = parse(GOOD)
    with pytest.raises(dataclasses.FrozenInstanceError):
        note.title = "changed"  # type: ignore[misc]


def test_front_matter_is_optional_for_issue_notes() -> None:
    note = parse("Just a body, *no* front matter.\n")
    assert (note.title, note.author, note.summary, note.tags, note.draft) == ("", "", "", (), False)
    assert note.html == "<p>Just a body, <em>no</em> front matter.</p>"


def test_null_fields_count_as_absent() -> None:
    note = parse("---\ntitle:\nsummary: ~\ntags:\ndraft:\n---\nBody\n")
    assert (note.title, note.summary, note.tags, note.draft) == ("", "", (), False)


@pytest.mark.parametrize("draft", ["true", "false", "True", "FALSE"])
def test_draft_accepts_only_true_false(draft: str) -> None:
    assert parse(fm(draft=draft)).draft is (draft.lower() == "true")


def test_tags_are_cleaned_and_deduplicated() -> None:
    note = parse(fm(tags="['  small   caps ', Small Caps, S&P 500, crypto]"))
    assert note.tags == ("small caps", "S&P 500", "crypto")


def test_empty_body_allowed_with_summary_or_draft() -> None:
    assert parse(fm(body="", summary="Numbers only this week.")).html == ""
    assert parse(fm(body="  \n", draft="true")).draft is True
    assert "no commentary" in error(fm(body="", title="Hello"))


def test_kind_is_inferred_from_folder() -> None:
    assert parse_note(Path("x/issues/2025-W01.md"), b"Hi").week == "2025-W01"
    page = parse_note(Path("x/pages/contact.md"), b"---\ntitle: Contact\n---\nHi")
    assert page.week is None and page.slug == "contact"


# --- loaders -------------------------------------------------------------------------------------
def write(folder: Path, name: str, text: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_load_issue_notes_sorted_drafts_and_dotfiles(tmp_path: Path) -> None:
    issues = tmp_path / "issues"
    write(issues, "2025-W38.md", fm(title="B"))
    write(issues, "2020-W53.md", fm(title="A"))
    write(issues, "2025-W39.md", fm(title="Draft", draft="true"))
    write(issues, ".2025-W40.md.swp", b"\x00binary")
    write(issues, ".gitkeep", "")
    notes = load_issue_notes(tmp_path)
    assert list(notes) == ["2020-W53", "2025-W38"]
    assert notes["2020-W53"].title == "A"
    assert list(load_issue_notes(tmp_path, include_drafts=True)) == [
        "2020-W53", "2025-W38", "2025-W39"]


def test_load_issue_notes_without_folder(tmp_path: Path) -> None:
    assert load_issue_notes(tmp_path) == {}
    assert load_issue_notes(tmp_path / "missing") == {}
    assert load_pages(tmp_path) == {}


@pytest.mark.parametrize("name, reason", [
    ("2021-W53.md", "2021 has no ISO week 53"),
    ("2025-W00.md", "has no ISO week 00"),
    ("2025-W54.md", "has no ISO week 54"),
    ("2025-w01.md", "YYYY-Www.md"),
    ("2025-W1.md", "YYYY-Www.md"),
    ("notes.md", "YYYY-Www.md"),
    ("2025-W38.MD", "YYYY-Www.md"),
    ("2025-W38.markdown", "YYYY-Www.md"),
    ("2025-W38.md~", "YYYY-Www.md"),
    ("２０２５-W38.md", "YYYY-Www.md"),  # fullwidth digits
])
def test_bad_issue_file_names(tmp_path: Path, name: str, reason: str) -> None:
    path = write(tmp_path / "issues", name, fm())
    with pytest.raises(ContentError) as info:
        load_issue_notes(tmp_path)
    assert info.value.message.startswith(f"{path}:")
    assert reason in info.value.message


def test_folder_in_issues_is_named(tmp_path: Path) -> None:
    (tmp_path / "issues" / "2025-W38.md").mkdir(parents=True)
    with pytest.raises(ContentError, match=r"2025-W38\.md: not a regular file"):
        load_issue_notes(tmp_path)


def test_every_bad_file_is_reported_at_once(tmp_path: Path) -> None:
    issues = tmp_path / "issues"
    write(issues, "2025-W01.md", fm(title="yes"))
    write(issues, "2025-W02.md", fm())
    write(issues, "notes.md", fm())
    with pytest.raises(ContentError) as info:
        load_issue_notes(tmp_path)
    lines = info.value.lines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{issues / '2025-W01.md'}:2:")
    assert lines[1].startswith(f"{issues / 'notes.md'}:")


def test_repository_pages_parse_and_are_safe() -> None:
    pages = load_pages(ROOT / "content")
    assert {"about", "methodology"} <= set(pages)
    for page in pages.values():
        assert page.title and page.summary and len(page.text) > 50
        assert_safe(page.html)
        assert "<img" not in page.html
    # Site links are relative (or root-relative, which the renderer rebases), never absolute,
    # so the site works under a sub-path such as https://user.github.io/repo/.
    about = pages["about"].html
    assert re.search(r'href="(\.\./|/)feed\.xml"', about)
    assert re.search(r'href="(\.\./|/)methodology/"', about)
    method = pages["methodology"].html
    for column in ("rut_drawdown", "rut_breakout_week", "smallcap_rs_13w", "credit_13w",
                   "btc_rut_corr_90d", "altseason_index", "1,260", "252", "Strong risk-off"):
        assert column in method, column


def test_page_rules(tmp_path: Path) -> None:
    page = write(tmp_path / "pages", "contact.md", "---\ntitle: Contact\n---\nWrite to us.\n")
    assert load_page(page).title == "Contact"
    assert "need front matter with a title" in error("No front matter.\n", PAGE)
    assert "title must not be empty" in error("---\ntitle: ''\n---\nText\n", PAGE)
    assert "no text below the front matter" in error("---\ntitle: About\n---\n", PAGE)
    assert "page names" in error("---\ntitle: X\n---\nText", Path("content/pages/About Us.md"))


# --- front matter --------------------------------------------------------------------------------
@pytest.mark.parametrize("text, line, fragment", [
    (fm(title="yes"), 2, "'yes' means true/false in YAML"),
    (fm(title="no"), 2, "quote it"),
    (fm(author="Off"), 2, "means true/false"),
    (fm(draft="no"), 2, "write true or false for draft"),
    (fm(draft="yes"), 2, "means true/false"),
    (fm(draft="'true'"), 2, "draft must be true or false, got the text 'true'"),
    (fm(draft="1"), 2, "draft must be true or false, got the number 1"),
    (fm(title="123"), 2, "title must be text, got the number 123; put it in quotes"),
    (fm(title="1.10"), 2, "title must be text, got the number 1.1"),
    (fm(title="2025-09-19"), 2, "title must be text, got a date"),
    (fm(title="2025-02-30"), 2, "invalid date"),
    (fm(title="[a, b]"), 2, "title must be text, got a list"),
    (fm(summary="{a: b}"), 2, "summary must be text, got a mapping"),
    (fm(title="x" * 201), 2, "title is 201 characters long; the limit is 200"),
    (fm(summary="y" * 501), 2, "the limit is 500"),
    (fm(tags="breakout"), 2, "tags must be a list"),
    (fm(tags="[1, 2]"), 2, "tags must be a list"),
    (fm(tags="['<script>']"), 2, "invalid tag"),
    (fm(tags="[" + ", ".join(f"t{i}" for i in range(21)) + "]"), 2, "at most 20 tags"),
    (fm(date="2025-09-19"), 2, "unknown front matter key 'date'"),
    ("---\ntitle: A\ntitle: B\n---\nx", 3, "duplicate key 'title' (first on line 1)"),
    ("---\ntitle: a: b\n---\nx", 2, "put quotes around values that contain ': '"),
    ("---\ntitle: [unclosed\n---\nx", 2, "invalid YAML"),
    ("---\ntitle: ok\nauthor: 'open\n---\nx", 3, "invalid YAML"),
    ("---\ntitle: ok\n\nauthor: x\n  bad: indent\n---\nx", 5, "invalid YAML"),
    ("---\ntitle: x\n\tauthor: y\n---\nx", 3, "tab character in front matter"),
    ("---\n- a\n- b\n---\nx", 2, "must be 'key: value' lines"),
    ("---\njust text\n---\nx", 2, "must be 'key: value' lines"),
    ("---\ntitle: x\nsummary: y\n", 1, "front matter is not closed"),
    ("title: Forgot the dashes\n---\nBody", 1, "must start with a '---' line"),
    ("---\n<<: {title: x}\n---\nx", 2, "merge keys"),
    ("---\n? [a]\n: b\n---\nx", 2, "keys must be plain words"),
    ("---\ntitle: \"\\u202egnp.exe\"\n---\nx", 2, "bidirectional control"),
])
def test_front_matter_errors(text: str, line: int, fragment: str) -> None:
    message = error(text)
    assert message.startswith(f"{ISSUE}:{line}:"), message
    assert fragment in message, message


@pytest.mark.parametrize("yaml_text, fragment", [
    ("title: !!python/object/apply:os.system ['touch {marker}']", "YAML tags"),
    ("title: !!python/name:os.system", "YAML tags"),
    ("title: !!str 1", "YAML tags"),
    ("title: !custom x", "YAML tags"),
    ("title: &a x\nauthor: *a", "anchors and aliases"),
    ("title: " + "[" * 1000 + "]" * 1000, "nested more than 10 levels"),
    ("title: " + "{a: " * 500 + "1" + "}" * 500, "nested more than 10 levels"),
])
def test_unsafe_yaml_is_refused_before_construction(tmp_path: Path, yaml_text: str,
                                                    fragment: str) -> None:
    marker = tmp_path / "executed"
    yaml_text = yaml_text.replace("{marker}", str(marker))
    assert fragment in error(f"---\n{yaml_text}\n---\nBody\n")
    assert not marker.exists()
    with pytest.raises(Exception) as info:  # the python-frontmatter handler is strict too
        SafeYAMLHandler().load(yaml_text)
    assert not isinstance(info.value, (ContentError, RecursionError))
    assert not marker.exists()


def test_yaml_alias_bomb_is_refused_quickly() -> None:
    bomb = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        bomb.append(f"{chr(ord('a') + i)}: &{chr(ord('a') + i)} [" + ", ".join([f"*{prev}"] * 9)
                    + "]")
    start = time.perf_counter()
    assert "anchors and aliases" in error("---\n" + "\n".join(bomb) + "\n---\nx")
    assert time.perf_counter() - start < 1


def test_front_matter_text_is_plain_and_escaped_by_jinja() -> None:
    payload = '<script>alert(1)</script><img src=x onerror=alert(1)>"\'&'
    quoted = json.dumps(payload)  # a JSON string is a YAML double-quoted scalar
    note = parse(fm(title=quoted, author=quoted, summary=quoted))
    assert note.title == note.author == note.summary == payload  # kept as text, not HTML
    env = jinja2.Environment(autoescape=True)
    page = env.from_string("<h1>{{ n.title }}</h1><p>{{ n.author }} {{ n.summary }}</p>")
    out = page.render(n=note)
    assert "<script" not in out and "<img" not in out
    assert "&lt;script&gt;" in out


@pytest.mark.parametrize("field", ["title", "author", "summary"])
def test_front_matter_control_characters_are_stripped(field: str) -> None:
    note = parse(fm(**{field: '"a\\x1b[31m\\tb\\n\\x00c  \\u0085d"'}))
    assert getattr(note, field) == "a[31m b c d"


def test_sanitize_text() -> None:
    assert sanitize_text("  a\t\tb\n\nc\x00\x07d\u202e\u2066e  ") == "a b cde"
    assert sanitize_text("<b>x</b> & y") == "<b>x</b> & y"  # text, escaped later by Jinja
    assert sanitize_text("emoji 👩‍💻 kept") == "emoji 👩‍💻 kept"


# --- encodings and bytes -------------------------------------------------------------------------
def test_utf8_bom_does_not_hide_front_matter() -> None:
    note = parse(b"\xef\xbb\xbf" + GOOD.encode())
    assert note.title == "Small caps break out"


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_line_endings(newline: str) -> None:
    note = parse(GOOD.replace("\n", newline))
    assert note.title == "Small caps break out" and note.tags == ("breakout", "altcoins")
    assert "\r" not in note.html
    assert error(fm(title="yes").replace("\n", newline)).startswith(f"{ISSUE}:2:")


@pytest.mark.parametrize("raw, line, fragment", [
    (b"", None, "empty file"),
    (b"  \n\n\t\n", None, "empty file"),
    ("\ufeff".encode("utf-16-le") + "---\ntitle: x\n---\n".encode("utf-16-le"), None,
     "UTF-16"),
    (b"\xfe\xff" + "---\n".encode("utf-16-be"), None, "UTF-16"),
    (b"\xff\xfe\x00\x00" + "---\n".encode("utf-32-le"), None, "UTF-32"),
    ("---\ntitle: x\n---\n".encode("utf-16-le"), 1, "NUL byte"),
    (b"---\ntitle: x\n---\nok\nbad \x00 byte\n", 5, "NUL byte"),
    (b"---\ntitle: caf\xe9\n---\nx", 2, "not valid UTF-8 (byte 0xe9)"),
    (b"ok\n\n\xc3\x28 broken", 3, "not valid UTF-8"),
    (b"x" * (content.MAX_FILE_BYTES + 1), None, "larger than 1 MB"),
    ("Hello\nworld \u202e reversed\n".encode(), 2, "bidirectional control character U+202E"),
    ("a\n\u2066isolate".encode(), 2, "U+2066"),
    ("---\ntitle: evil\u202etxt\n---\nx".encode(), 2, "bidirectional"),
    (b"ansi \x1b[31m red", 1, "control character U+001B"),
    (b"ok\n\x0c form feed", 2, "control character U+000C"),
    ("c1 \u0085 next line".encode(), 1, "control character U+0085"),
])
def test_bad_bytes(raw: bytes, line: int | None, fragment: str) -> None:
    message = error(raw)
    prefix = f"{ISSUE}:{line}:" if line else f"{ISSUE}: "
    assert message.startswith(prefix), message
    assert fragment in message, message


def test_oversized_file_is_not_read_whole(tmp_path: Path) -> None:
    path = write(tmp_path / "issues", "2025-W38.md", b"a\n" * 2_000_000)
    with pytest.raises(ContentError, match="larger than 1 MB"):
        load_issue_notes(tmp_path)
    assert path.stat().st_size == 4_000_000


# --- bounded work --------------------------------------------------------------------------------
@pytest.mark.parametrize("body, fragment", [
    (">" * 5000 + " deep", "nested 5000 levels deep"),
    ("> " * 4000 + "deep", "nested 4000 levels deep"),
    ("> " * 5000 + "deep", "line is 10004 characters long"),
    ("".join(">" * i + " q\n" for i in range(1, 120)), "nested 51 levels deep"),
    ("- " * 3000 + "x", "nested 3000 levels deep"),
    ("1. " * 3000 + "x", "nested 3000 levels deep"),
    ("".join("    " * i + "- item\n" for i in range(200)), "nested 51 levels deep"),
    ("\t" * 60 + "x", "nested 60 levels deep"),
    ("x" * (content.MAX_LINE_CHARS + 1), "the limit is 10000"),
    ("ok\n" + "y" * 999_000, "line is 999000 characters long"),
    (("<div>" * 1000 + "\n") * 5 + "x", "HTML nested more than 100 levels deep"),
    ("<blockquote>" * 150 + "x", "HTML nested more than 100 levels deep"),
    ("</p><p><div>" * 500, "HTML nested more than 100 levels deep"),
    ("<b></p>" * 500, "HTML nested more than 100 levels deep"),
    ("<ul><li>" * 500, "HTML nested more than 100 levels deep"),
    (("&amp;" * 1900 + "\n") * 60, "more than 100000 '&'"),
    (("    " + "<" * 5000 + "\n") * 21, "more than 100000 '&' characters or entities"),
])
def test_pathological_structure_is_refused_fast(body: str, fragment: str) -> None:
    start = time.perf_counter()
    message = error(fm(body=body))
    assert fragment in message, message
    assert time.perf_counter() - start < 2


def test_nesting_up_to_the_limit_renders() -> None:
    body = "".join(">" * i + " level\n" for i in range(1, content.MAX_NESTING + 1))
    body += "\n\n" + "".join("    " * i + "- item\n" for i in range(content.MAX_NESTING - 1))
    note = parse(fm(body=body))
    assert note.html.count("<blockquote>") == content.MAX_NESTING
    assert_safe(note.html)


def test_whitespace_only_lines_do_not_count_as_nesting() -> None:
    assert parse(fm(body="a\n" + " " * 400 + "\nb")).html == "<p>a</p>\n<p>b</p>"


@pytest.fixture
def short_deadline(monkeypatch: pytest.MonkeyPatch) -> float:
    from generator.content import markdown as body

    monkeypatch.setattr(body, "RENDER_TIME_LIMIT", 0.3)
    return 0.3


@pytest.mark.parametrize("line", [
    "[" * 9000,  # python-markdown's link scanner is quadratic
    "![" * 4500,
    "<a " * 3000,  # so is the stdlib HTML parser python-markdown uses
    "[a](" * 2250,
])
def test_slow_markdown_is_stopped_by_the_deadline(short_deadline: float, line: str) -> None:
    start = time.perf_counter()
    message = error(fm(body="\n".join([line] * 4)))
    assert "took more than 0.3 s to render" in message
    assert time.perf_counter() - start < short_deadline + 1.5
    # The interrupted Markdown instance is replaced and the alarm is fully restored.
    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert parse(GOOD).html.count("footnote-ref") == 1


def test_deadline_leaves_an_existing_alarm_handler_alone(short_deadline: float) -> None:
    def handler(signum: int, frame: object) -> None:  # pragma: no cover - never fires
        raise AssertionError("our alarm was replaced")

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        assert parse(GOOD).title
        assert signal.getsignal(signal.SIGALRM) is handler
    finally:
        signal.signal(signal.SIGALRM, previous)


def test_random_garbage_gives_a_note_or_a_content_error() -> None:
    pieces = ["---\n", "title: x\n", "draft: no\n", "tags: [a, b]\n", ": ", "\t", "\r\n", "\r",
              "&a ", "*a ", "!!python/x ", "{{ 7*7 }}", "{% x %}", "[", "]", "(", ")", "<", ">",
              "<script>", "<div>", "> ", "- ", "1. ", "    ", "`", "```\n", "|a|\n|-|\n", "\n\n",
              "[^1]", "[^1]: n\n", "*[A]: b\n", "{: #id .c onclick=x}", "\u202e", "\x00", "\xe9",
              "\ufeff", "é", "'", '"', "javascript:", "&#x09;", "<img src=//x>", "#", "=\n"]
    rng = random.Random(20251123)
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        raw = text.encode("utf-8", "surrogatepass")
        if rng.random() < 0.2:
            raw = raw.replace(b"\xc3\xa9", b"\xe9")  # some invalid UTF-8
        try:
            note = parse(raw)
        except ContentError as exc:
            assert exc.message.startswith(f"{ISSUE}")
        else:
            assert_safe(note.html)


# --- sanitizing the body -------------------------------------------------------------------------
XSS_BODIES = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" ONERROR="alert(1)">',
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>",
    "<body onload=alert(1)>",
    "<iframe src='https://evil.example'></iframe>",
    "<object data='evil.swf'></object>",
    "<embed src='evil.swf'>",
    "<base href='https://evil.example/'>",
    "<form action='https://evil.example'><input name=x><button>go</button></form>",
    "<style>body{background:url(https://evil.example/t.png)}</style>",
    "<meta http-equiv='refresh' content='0;url=https://evil.example'>",
    "<link rel=stylesheet href='https://evil.example/x.css'>",
    "<a href='javascript:alert(1)'>x</a>",
    "<a href='JaVaScRiPt:alert(1)'>x</a>",
    "<a href='  javascript:alert(1)'>x</a>",
    "<a href='jav&#x09;ascript:alert(1)'>x</a>",
    "<a href='jav&#x0A;ascript:alert(1)'>x</a>",
    "<a href='&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)'>x</a>",
    "<a href='javascript&colon;alert(1)'>x</a>",
    "<a href='vbscript:msgbox(1)'>x</a>",
    "<a href='VBScript:msgbox(1)'>x</a>",
    "<a href='data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='>x</a>",
    "<a href='DATA:text/html,<script>alert(1)</script>'>x</a>",
    "<img src='data:image/svg+xml;base64,PHN2Zz4='>",
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    '![x](https://evil.example/t.png" onerror="alert(1))',
    "A paragraph{onclick=alert(1)}\n{: onclick=\"alert(1)\" }",
    "# Heading {onmouseover=alert(1) style=\"background:url(x)\"}",
    "*em*{onclick=alert(1) .evil #ok}",
    "[link](https://ok.example){onclick=alert(1) target=_blank}",
    "<div onclick=alert(1) class='footnote evil' style='position:fixed'>raw block</div>",
    "<p style='background:url(https://evil.example/x)'>styled</p>",
    "| a |\n|---|\n| <span onmouseover=alert(1)>b</span> |",
    "<table><tr><td style='text-align:left;background:url(https://evil.example)'>c</td></tr>"
    "</table>",
    "<div markdown=\"1\">\n*md* <img src=x onerror=alert(1)>\n</div>",
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<template><script>alert(1)</script></template>",
    "<a href=\"https://ok.example\" ping=\"https://evil.example\" target=_blank>x</a>",
    "<img srcset='https://evil.example/a.png 1x' src='ok.png'>",
    "<video poster='https://evil.example/p.png'><source src='https://evil.example/v.mp4'></video>",
    "<isindex action=javascript:alert(1)>",
    "```html\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    "[^1]\n\n[^1]: <script>alert(1)</script> [x](javascript:alert(1))",
    "*[HTML]: <script>alert(1)</script>\n\nHTML",
    "Term\n: <img src=x onerror=alert(1)>",
    "<a href='https://ok.example'><img src='https://evil.example/t.png'></a>",
    "<img src='\\\\evil.example\\t.png'>",
    "<img src='/\\evil.example/t.png'>",
    "<img src=' //evil.example/t.png'>",
    "<img src='/&#x09;/evil.example/t.png'>",
]


@pytest.mark.parametrize("body", XSS_BODIES)
def test_xss_in_body_never_survives(body: str) -> None:
    note = parse(fm(body=body))
    assert_safe(note.html)
    lowered = note.html.lower()
    # Event handlers and URLs are checked on the parsed attributes by assert_safe; here:
    # no dangerous element appears even as a fragment (text is escaped to &lt;).
    for needle in ("<script", "<iframe", "<object", "<embed", "<base", "<form", "<style",
                   "<meta", "<link", "<svg", "<math", "<input", "<video", "<source",
                   "<template", "<noscript", "<isindex", "<body"):
        assert needle not in lowered, (needle, note.html)


def test_allowed_markup_survives() -> None:
    body = (
        "## Sub\n\n### Third {#custom-id}\n\n"
        "Text with `code`, *em*, **strong**, <sub>2</sub>, <sup>3</sup>, <del>old</del>, "
        "<abbr title=\"Russell 2000\">RUT</abbr>, <span>s</span> and a "
        "[link](https://example.com/a?b=1&c=2 \"Title\") and <mailto:ed@example.com>.\n\n"
        "```python\nprint('x')\n```\n\n"
        "Term\n: Definition\n\n"
        "3. three\n4. four\n\n"
        "<figure><img src=\"../charts/score.svg\" alt=\"Score\" width=\"600\" height=\"300\">"
        "<figcaption>Score</figcaption></figure>\n\n---\n\nend  \nbreak"
    )
    out = parse(fm(body=body)).html
    assert_safe(out)
    for expected in ('<h3 id="custom-id">Third</h3>', "<code>code</code>", "<sub>2</sub>",
                     "<del>old</del>", '<abbr title="Russell 2000">RUT</abbr>',
                     'href="https://example.com/a?b=1&amp;c=2" title="Title" '
                     'rel="noopener noreferrer"', 'href="mailto:ed@example.com"',
                     '<code class="language-python">', "<dt>Term</dt>", '<ol start="3">',
                     '<img src="../charts/score.svg" alt="Score" width="600" height="300">',
                     "<figcaption>Score</figcaption>", "<hr>", "<br>"):
        assert expected in out, expected


def test_h1_becomes_h2() -> None:
    out = parse(fm(body="# Title\n\nSetext\n======\n\n<h1 id=\"raw\">Raw</h1>")).html
    assert "<h1" not in out and "</h1>" not in out
    assert out.count("<h2") == 3 and '<h2 id="raw">Raw</h2>' in out


@pytest.mark.parametrize("body, link", [
    ("![Chart](https://cdn.example/c.png)", '<a href="https://cdn.example/c.png" '
                                            'rel="noopener noreferrer">Chart</a>'),
    ("<img src='http://cdn.example/c.png' alt='A&B'>", '<a href="http://cdn.example/c.png" '
                                                       'rel="noopener noreferrer">A&amp;B</a>'),
    ("![](//cdn.example/c.png)", '<a href="//cdn.example/c.png" '
                                 'rel="noopener noreferrer">image</a>'),
])
def test_images_on_other_hosts_become_links(body: str, link: str) -> None:
    out = parse(fm(body=body)).html
    assert "<img" not in out
    assert link in out


def test_off_site_image_inside_a_link_keeps_only_its_alt_text() -> None:
    out = parse(fm(body="[![Badge](https://cdn.example/b.svg)](https://example.com)")).html
    assert out == '<p><a href="https://example.com" rel="noopener noreferrer">Badge</a></p>'


def test_local_images_are_kept() -> None:
    out = parse(fm(body="![a](chart.svg) ![b](../img/x.png) ![c](/img/y.png)")).html
    assert out.count("<img") == 3


def test_sanitize_html_is_idempotent_and_final() -> None:
    once = sanitize_html("<h1 onclick=x>T</h1><img src=https://x.example/a.png alt=A>"
                         "<a href=javascript:x>l</a>")
    assert once == sanitize_html(once)
    assert once == ('<h2>T</h2><a href="https://x.example/a.png" rel="noopener noreferrer">A</a>'
                    '<a rel="noopener noreferrer">l</a>')


# --- template syntax and Markdown state ----------------------------------------------------------
@pytest.mark.parametrize("body, literal", [
    ("Value {{ 7*7 }}", "{{ 7*7 }}"),
    ("# Heading {% raw %}", "{% raw %}"),
    ("## Heading {{ config }}", "{{ config }}"),
    ("Paragraph\n{% endif %}", "{% endif %}"),
    ("- item {% for x in y %}", "{% for x in y %}"),
    ("Text {# comment #}", "{# comment #}"),
    ("| a |\n|---|\n| {{ 7*7 }} |", "{{ 7*7 }}"),
])
def test_template_syntax_stays_literal(body: str, literal: str) -> None:
    note = parse(fm(body=body, title="'{{ 7*7 }}'"))
    assert literal in note.html
    env = jinja2.Environment(autoescape=True)
    page = env.from_string("<h1>{{ note.title }}</h1>{{ note.html|safe }}").render(note=note)
    assert literal in page and "<h1>{{ 7*7 }}</h1>" in page and "49" not in page


def test_attr_list_still_sets_ids() -> None:
    assert '<h2 id="intro">Intro</h2>' in parse(fm(body="## Intro {#intro}")).html


def test_no_state_leaks_between_documents() -> None:
    first = parse(fm(body="*[RUT]: Russell 2000\n\nRUT up[^1].\n\n[^1]: Footnote one."))
    assert "<abbr" in first.html and "Footnote one" in first.html
    second = parse(fm(body="RUT down[^1]."))
    assert "<abbr" not in second.html and "Footnote one" not in second.html
    assert "footnote" not in second.html


def test_text_fallback_is_short_plain_text() -> None:
    body = "Intro with &amp; entity and <em>markup</em>.\n\n" + "word " * 200
    note = parse(fm(body=body))
    assert note.text.startswith("Intro with & entity and markup. word word")
    assert note.text.endswith("…") and len(note.text) <= content.TEXT_CHARS + 1
    assert "<" not in note.text
