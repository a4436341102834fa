"""Characters that are not text (non-characters, lone surrogates, controls), raw or through an
escape, in any front-matter field or the body: `riskon check` reports them, naming the file
and line, before `riskon build` could trip over them (XML refuses them, UTF-8 cannot encode
a surrogate)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.content.notes import parse_note
from generator.errors import ContentError

NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

REFUSED = {  # name: (file text, line, words of the message)
    "title escape U+FFFE": ('---\ntitle: "A \\uFFFE b"\n---\nBody.\n', 2, "non-character U+FFFE"),
    "title escape U+FFFF": ('---\ntitle: "A \\uFFFF b"\n---\nBody.\n', 2, "non-character U+FFFF"),
    "author lone surrogate": ('---\nauthor: "X \\uD800 Y"\n---\nBody.\n', 2,
                              "lone surrogate U+D800"),
    "summary non-character": ('---\nsummary: "S \\uFDD0 T"\n---\nBody.\n', 2,
                              "non-character U+FDD0"),
    "tag non-character": ('---\ntags: ["a\\uFDD0b"]\n---\nBody.\n', 2, "invalid tag"),
    "raw U+FFFF in the title": ('---\ntitle: "A \uffff"\n---\nBody.\n', 2,
                                "non-character U+FFFF"),
    "raw U+FFFE in the body": ('---\ntitle: ok\n---\nBody \ufffe here.\n', 4,
                               "non-character U+FFFE"),
    "raw U+1FFFE in the body": ("Body \U0001fffe here.\n", 1, "non-character U+1FFFE"),
    "raw control in the body": ("Body \x01 here.\n", 1, "control character U+0001"),
    "&#1; in the body": ("Intro.\n\nBody &#1; here.\n", 3, "&#1; stands for a control"),
    "&#x1; in the body": ("Body &#x1; here.\n", 1, "control character U+0001"),
    "&#xFFFE; in the body": ("Body &#xFFFE; here.\n", 1, "non-character U+FFFE"),
    "&#1; in a link": ("Body [a](https://example.org/&#1;) here.\n", 1, "&#1;"),
    "&#1; in an attribute": ('Body <a href="https://example.org/" title="&#1;">a</a>.\n', 1,
                             "&#1;"),
    "&#xFFFF; in image text": ("Body ![a&#xFFFF;b](/x.png) here.\n", 1, "&#xFFFF;"),
    "&#x8D; (no Windows-1252 mapping)": ("Body &#x8D; here.\n", 1, "U+008D"),
}

ACCEPTED = {  # references HTML turns into U+FFFD or a printable character; literal code
    "&#0;": "Body &#0; here.\n",
    "&#xD800;": "Body &#xD800; here.\n",
    "&#x110000;": "Body &#x110000; here.\n",
    "&#x85; &#128;": "Body &#x85; &#128; here.\n",
    "&#1; in code": "Body `&#1;` here.\n",
    "&#1; in a title is text": '---\ntitle: "A &#1; b"\n---\nBody.\n',
    "control escape in a summary is dropped": '---\nsummary: "S \\x01 T"\n---\nBody.\n',
}


def note_file(tmp_path: Path, text: str) -> tuple[Path, bytes]:
    path = tmp_path / "issues" / "2026-W40.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8", "surrogatepass")
    path.write_bytes(data)
    return path, data


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_character_that_is_not_text_is_refused_with_its_line(tmp_path, case):
    text, line, words = REFUSED[case]
    path, data = note_file(tmp_path, text)
    with pytest.raises(ContentError) as caught:
        parse_note(path, data, kind="issue")
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert words in message


@pytest.mark.parametrize("case", list(ACCEPTED))
def test_what_is_accepted_reaches_no_page_as_a_non_xml_character(tmp_path, case):
    path, data = note_file(tmp_path, ACCEPTED[case])
    note = parse_note(path, data, kind="issue")
    for text in (note.title, note.author, note.summary, note.html, note.text, *note.tags):
        assert not NOT_IN_XML.search(text), (case, text)
        text.encode("utf-8")  # no lone surrogate


def test_check_reports_every_bad_file_in_one_line_each_and_no_traceback(project):
    issues = project / "content" / "issues"
    issues.mkdir(parents=True, exist_ok=True)
    for week, case in zip((38, 39, 40), ("title escape U+FFFE", "&#1; in the body",
                                         "author lone surrogate"), strict=True):
        (issues / f"2026-W{week}.md").write_bytes(
            REFUSED[case][0].encode("utf-8", "surrogatepass"))
    result = CliRunner().invoke(main, ["--project", str(project), "check"])
    assert result.exit_code == 4, result.output
    assert "Traceback" not in result.output
    for week in (38, 39, 40):
        assert f"2026-W{week}.md:" in result.output
