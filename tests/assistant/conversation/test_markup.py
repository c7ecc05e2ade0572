"""People's words inside Mingle's markdown are inert: each payload reads literally, and nothing
in it becomes a link, an image, HTML, a heading, a table, code or emphasis.

What a reader sees is computed with markdown-it (CommonMark plus GFM tables and strikethrough,
as the terminal renders it), and GFM's literal autolinks (which the web renderer applies to the
*text*, after escapes are resolved) are checked with the very patterns Chainlit's bundle uses.
"""

from __future__ import annotations

import ast
import re
import time
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from assistant.conversation.markup import JOINER, escape, literal, plain

ROOT = Path(__file__).resolve().parents[3]
BEACON = "http://127.0.0.1:9"
PAYLOADS = [
    "diffusion![x](https://evil.example/a.png)",
    f"![]({BEACON}/a.png)",
    f"![x]({BEACON}/a.png 'title')",
    "[click](javascript:alert(1))",
    "<https://evil.example>",
    "<eve@evil.example>",
    "https://evil.example/path?q=1",
    "HTTPS://EVIL.EXAMPLE/A",
    "see www.evil.example now",
    "WWW.EVIL.EXAMPLE",
    "mail me: eve@evil.example",
    f'<img src="{BEACON}/i.png">',
    f"<img src={BEACON}/i.png onerror=alert(1)>",
    "<script>alert(1)</script>",
    f'<link rel="prefetch" href="{BEACON}/p">',
    f'<div style="background:url({BEACON}/c.png)">x</div>',
    f"<style>body{{background:url({BEACON}/s.png)}}</style>",
    "<!-- a comment -->",
    f"[x][1]\n\n[1]: {BEACON}/ref.png",
    f"![x][1]\n[1]: {BEACON}/ref.png",
    f"[x]\n\n[x]: {BEACON}/collapsed",
    f"[^1] footnote\n\n[^1]: {BEACON}/note",
    "```\ncode\n```",
    "~~~python\ncode\n~~~",
    "`inline` code",
    "line\n\n    indented code",
    "# heading",
    "Setext\n===",
    "> quote",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "a | b",
    "*em* _em_ **strong** __strong__ ~~strike~~",
    "---",
    "1. item\n- item\n+ item\n* item",
    "&#x3C;img src=x&#x3E;",
    "&lt;b&gt; &amp; &copy; &#60;",
    "a\\*b\\ c\\",
    "\\![x](https://evil.example/a.png)",
    "$x^2$ and $$y$$",
    ":::note\ndirective\n:::",
    "trailing two spaces  \nbreak",
    "Ada_Lovelace O'Neil (she/her), 100% * 2 = {x}; @handle #tag ^ ~",
]

# mdast-util-gfm-autolink-literal, as in Chainlit's frontend bundle: run over text nodes
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.IGNORECASE | re.ASCII)
GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)", re.ASCII)
PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def rendered(markdown: str) -> tuple[set[str], str]:
    """The token types markdown produces (beyond plain paragraphs) and the text a reader sees."""
    kinds, seen, _ = _parse(markdown)
    return kinds, "".join(seen)


def _parse(markdown: str) -> tuple[set[str], list[str], list[str]]:
    kinds: set[str] = set()
    seen: list[str] = []
    prose: list[str] = []  # the text nodes: where GFM looks for bare URLs and emails

    def walk(tokens: list[Token]) -> None:
        for token in tokens:
            if token.type == "inline":
                walk(token.children or [])
            elif token.type == "text":
                seen.append(token.content)
                prose.append(token.content)
            elif token.type in ("softbreak", "hardbreak"):
                kinds.add(token.type)
                seen.append(" ")
            elif token.type == "code_inline":
                kinds.add(token.type)
                seen.append(token.content)
            elif token.type not in ("paragraph_open", "paragraph_close"):
                kinds.add(token.type)

    walk(PARSER.parse(markdown))
    return kinds, seen, prose


def autolinks(markdown: str) -> list[str]:
    """The bare URLs and emails GFM would turn into links in the text of ``markdown``."""
    found = []
    for text in _parse(markdown)[2]:
        found += [m.group() for m in (*GFM_URL.finditer(text), *GFM_EMAIL.finditer(text))]
    return found


def visible(markdown: str) -> str:
    """What a reader sees of ``markdown``, without the invisible word joiners."""
    return rendered(markdown)[1].replace(JOINER, "")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_escaped_words_read_literally_and_make_no_markup(payload: str) -> None:
    kinds, text = rendered(escape(payload))
    assert kinds == set(), f"{payload!r} became {kinds}"
    assert text.replace(JOINER, "") == " ".join(payload.split())
    assert autolinks(escape(payload)) == []
    assert "\n" not in escape(payload)  # safe inside a table cell or a bold name


@pytest.mark.parametrize("payload", PAYLOADS)
def test_escaped_words_stay_inert_inside_mingles_own_markdown(payload: str) -> None:
    for template in ("**{}**: a suggestion", "| field | {} | “{}” |", "Welcome back, {}.", "- {}"):
        markdown = template.replace("{}", escape(payload))
        if template.startswith("|"):
            markdown = "| a | b | c |\n|---|---|---|\n" + markdown
        kinds, text = rendered(markdown)
        assert not kinds & {"link_open", "image", "html_inline", "html_block", "code_inline", "fence"}
        assert " ".join(payload.split()) in text.replace(JOINER, "")
        assert autolinks(markdown) == []


@pytest.mark.parametrize(
    "contact", ["ada@example.org", "https://ada.example/me", "`a`b``", "<img src=x>", "![c](http://x/c.png)"]
)
def test_a_contact_is_a_verbatim_code_span_with_nothing_invisible_added(contact: str) -> None:
    markdown = f"Their contact: {literal(contact)}."
    kinds, text = rendered(markdown)
    assert kinds == {"code_inline"}
    assert text == f"Their contact: {contact}."
    assert autolinks(markdown) == []


def test_control_characters_and_direction_overrides_are_dropped() -> None:
    """A terminal obeys ESC sequences (colours, a cleared screen, OSC 8 hyperlinks); U+202E
    reverses how the rest of a name reads."""
    words = "Ada\x1b]8;;http://evil.example\x1b\\me\x1b]8;;\x1b\\ \x1b[2J\x07 Love\u202elace\x00"
    assert plain(words) == "Ada]8;;http://evil.example\\me]8;;\\ [2J Lovelace"
    for shown in (escape(words), literal(words)):
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c == "\u202e" for c in shown)


def test_escaping_takes_time_linear_in_the_length() -> None:
    for unit in ("![x](", "\\", "`", "www.", "://", "@", " \n", "&#x3C;", "a" * 7):
        words = (unit * 20_000)[:20_000]
        seconds = []
        for _ in range(3):  # the best of three: a busy machine may pause any one run
            started = time.perf_counter()
            escape(words), literal(words)
            seconds.append(time.perf_counter() - started)
        assert min(seconds) < 0.05, unit


WORDS = {"display_name", "other_name", "contact", "title", "explanation", "note", "bio", "topics"}
WORDS |= {"description", "compute_offered", "quotes", "shown"}


def _peoples_words(node: ast.expr) -> bool:
    return any(
        (isinstance(n, ast.Attribute) and n.attr in WORDS)
        or (isinstance(n, ast.Name) and n.id in WORDS | {"exc"})
        for n in ast.walk(node)
    )


def _made_inert(node: ast.expr) -> bool:
    func = node.func if isinstance(node, ast.Call) else None
    return isinstance(func, ast.Name) and func.id in ("escape", "literal")


def test_every_text_built_with_someones_words_escapes_them() -> None:
    """One rule, checked in the source: an f-string in the conversation or the UI that puts a
    name, contact, title, explanation, quote or an error message into text wraps it in
    ``escape`` or ``literal``. Exception messages themselves stay plain sentences (the CLI
    prints them): the UI escapes them whole when it shows them."""
    unwrapped = []
    for folder in ("assistant/conversation", "assistant/ui"):
        for path in sorted((ROOT / folder).glob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            raised = {id(n) for r in ast.walk(tree) if isinstance(r, ast.Raise) for n in ast.walk(r)}
            for node in ast.walk(tree):
                if not isinstance(node, ast.JoinedStr) or id(node) in raised:
                    continue
                for part in node.values:
                    if (
                        isinstance(part, ast.FormattedValue)
                        and _peoples_words(part.value)
                        and not _made_inert(part.value)
                    ):
                        unwrapped.append(f"{path.relative_to(ROOT)}:{part.lineno}: {ast.unparse(part.value)}")
    assert unwrapped == []
