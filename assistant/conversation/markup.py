"""Anyone's words inside Mingle's markdown, made inert: the one place that decides how.

Mingle's own texts are markdown (bold, lists, code); a name, topic, quote, contact, explanation
or error message is data, and must read literally wherever it is put. The web renders messages
with GitHub-flavoured markdown (raw HTML off) and the terminal with rich's markdown, so:

    escape(words)   inline prose. Every ASCII punctuation mark is backslash-escaped (``& < >``
                    as entities), so no link, image, HTML, heading, list, table, code or
                    emphasis can start; runs of whitespace (line breaks too) become one space;
                    and a word joiner (U+2060, invisible) goes inside ``://``, ``www.`` and
                    before ``@``, because GFM turns bare URLs and emails in the *text* into
                    links after the escapes are gone.
    literal(words)  a code span, for what people copy (a contact): shown verbatim, never linked,
                    with no invisible characters added (not for table cells: ``|`` ends one).
    plain(words)    the words on one line, for a renderer that takes text, not markup (rich's
                    ``Text`` in the terminal).

All three drop control characters (a terminal would obey ``ESC`` sequences: colours, cleared
screens, hyperlinks) and the bidirectional overrides that reorder how text reads.

Each is linear in the length of the words. The service uses them where its texts mix Mingle's
markdown with people's words; the UIs where they put people's words into markdown themselves.
"""

from __future__ import annotations

import re

JOINER = "\u2060"  # WORD JOINER: zero width, breaks GFM's literal autolinks, invisible when read
_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_ESCAPED = {ord(c): "\\" + c for c in _PUNCTUATION} | {
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord(">"): "&gt;",
}
_DROPPED = dict.fromkeys(
    [*range(0x20), 0x7F, *range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)
_WWW = re.compile(r"(?<=www)(?=\.)", re.IGNORECASE)
_BACKTICKS = re.compile(r"`+")


def plain(words: str) -> str:
    """``words`` on one line: whitespace runs one space, control characters and overrides gone."""
    return " ".join(words.split()).translate(_DROPPED)


def escape(words: str) -> str:
    """``words`` as inline markdown that shows exactly those words (whitespace collapsed)."""
    text = plain(words)
    text = text.replace("://", ":" + JOINER + "//").replace("@", JOINER + "@")
    text = _WWW.sub(JOINER, text)
    return text.translate(_ESCAPED)


def literal(words: str) -> str:
    """``words`` as a code span: verbatim (whitespace collapsed), never a link or markup."""
    text = plain(words)
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
