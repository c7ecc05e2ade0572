"""Text plumbing for the rules extractor: lexicons, sentences and clauses with exact spans.

Every piece of text the rules look at is a ``Clause``: a slice of one user turn, kept with its
offsets so that the evidence quote is always ``turn.content[start:end]`` — verbatim. Matching
runs on a lower-cased copy of the same length (``fold``), so offsets carry over unchanged.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

ABBREVIATIONS = (
    "prof.",
    "dr.",
    "e.g.",
    "i.e.",
    "vs.",
    "etc.",
    "approx.",
    "ph.d.",
    "m.sc.",
    "st.",
    "mr.",
    "ms.",
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+|(?<=[.!?])$")
CLAUSE_BREAK = re.compile(
    r"\s*[:;]-?[)(]\s*|\s*,\s+|\s*;\s*"  # emoticons, commas, semicolons
    r"|\s+(?:but|and|so|while|though|although|whereas|mas|pero|mais)\s+"
)
RELATIVE = re.compile(r"\s(?:who|who's|whom|that are|that is|that have|who are|which)\b[^,;:!?.()]*")
MAX_QUOTE = 160


@dataclass(frozen=True)
class Finding:
    """One value for one contract field, with the user's words and where they were said."""

    field: str
    value: object
    quote: str
    order: tuple[int, int]


@cache
def lexicon(name: str) -> dict[str, Any]:
    """One lexicon file of ``assistant/extraction/lexicons`` (read once per process)."""
    text = (files("assistant.extraction") / "lexicons" / f"{name}.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def alternation(phrases: list[str] | tuple[str, ...]) -> str:
    """A regex alternation, longest phrase first so the longest match wins at a position."""
    return "|".join(re.escape(p) for p in sorted(set(phrases), key=len, reverse=True))


def words_pattern(phrases: list[str] | tuple[str, ...]) -> re.Pattern[str]:
    """Whole-phrase matcher: no letter, digit or hyphen may touch either end."""
    return re.compile(rf"(?<![\w-])(?:{alternation(phrases)})(?![\w-])")


def fold(text: str) -> str:
    """Lower-case ``text`` keeping its length, so spans in the folded copy fit the original."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered.replace("’", "'")
    return "".join(c.lower()[0] for c in text).replace("’", "'")


@dataclass(frozen=True)
class Clause:
    """A slice of one user turn: ``text`` is verbatim, ``low`` its folded twin of equal length."""

    turn: int
    start: int
    text: str
    low: str
    sentence: int
    masked: str

    @property
    def order(self) -> tuple[int, int]:
        return (self.turn, self.start)

    def quote(self, at: int | None = None) -> str:
        """The clause itself, or a window of it around offset ``at`` when it is long."""
        text = self.text.strip()
        if len(text) <= MAX_QUOTE or at is None:
            return text[:MAX_QUOTE].strip() if len(text) > MAX_QUOTE else text
        lo = max(0, at - MAX_QUOTE // 2)
        return self.text[lo : lo + MAX_QUOTE].strip()

    def finding(self, field: str, value: object, at: int = 0) -> Finding:
        """A finding quoted from this clause, ordered by where in the conversation ``at`` falls."""
        return Finding(field, value, self.quote(at or None), (self.turn, self.start + at))

    def main(self) -> str:
        """The folded clause with relative clauses blanked ("a mentor who has published" → "a
        mentor"), same length: what follows 'who' describes someone else, not the speaker."""
        return self.masked


def mask_relatives(low: str) -> str:
    """Blank every relative clause (up to the next punctuation) keeping the length."""
    return RELATIVE.sub(lambda m: " " * len(m.group(0)), low)


def _spans(text: str, pattern: re.Pattern[str], base: int) -> list[tuple[int, int]]:
    """The pieces of ``text`` between matches of ``pattern``, as absolute spans."""
    spans: list[tuple[int, int]] = []
    last = 0
    for m in pattern.finditer(text):
        if m.start() > last:
            spans.append((base + last, base + m.start()))
        last = max(last, m.end())
    if last < len(text):
        spans.append((base + last, base + len(text)))
    return spans


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a turn; abbreviations ("Prof.", "Dr.") and decimals do not end one."""
    low = fold(text)
    spans: list[tuple[int, int]] = []
    start = 0
    for m in SENTENCE_END.finditer(low):
        end = m.start()
        head = low[start:end]
        if not head.strip():
            start = m.end()
            continue
        if any(head.rstrip().endswith(a) for a in ABBREVIATIONS) and "\n" not in m.group(0):
            continue
        spans.append((start, end))
        start = m.end()
    if start < len(text) and text[start:].strip():
        spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def clauses_of(turn: int, text: str) -> list[Clause]:
    """Split a user turn into clauses (commas, semicolons, 'but', 'and', ...) with exact offsets."""
    out: list[Clause] = []
    low = fold(text)
    for index, (a, b) in enumerate(sentences(text)):
        masked = low[:a] + mask_relatives(low[a:b])
        for start, d in _spans(low[a:b], CLAUSE_BREAK, a):
            c = start
            while c < d and text[c].isspace():
                c += 1
            if c < d:
                out.append(Clause(turn, c, text[c:d], low[c:d], index, masked[c:d]))
    return out


def sentence_clauses(turn: int, text: str) -> list[Clause]:
    """Whole sentences as clauses (for facts that span commas: language lists, topics)."""
    low = fold(text)
    return [
        Clause(turn, a, text[a:b], low[a:b], i, mask_relatives(low[a:b]))
        for i, (a, b) in enumerate(sentences(text))
    ]


@cache
def injection_pattern() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in lexicon("conversation")["injection"]))


def is_injection(low: str) -> bool:
    """A sentence that tries to instruct the system is data about nothing: the rules skip it."""
    return bool(injection_pattern().search(low))


@cache
def _slot_patterns() -> list[tuple[str, re.Pattern[str]]]:
    return [(slot, words_pattern(cues)) for slot, cues in lexicon("conversation")["slots"]]


def question_slots(question: str | None) -> list[str]:
    """Every slot a question asks about, in cue order ("where are you, how many hours a week and
    which languages?" asks three)."""
    if not question:
        return []
    low = fold(question)
    return [slot for slot, pattern in _slot_patterns() if pattern.search(low)]


def question_slot(question: str | None) -> str | None:
    """Which slot the assistant's question asks about (first matching cue list wins), or None."""
    if not question:
        return None
    low = fold(question)
    for slot, pattern in _slot_patterns():
        if pattern.search(low):
            return slot
    return None


def is_short(text: str, limit: int = 8) -> bool:
    return len(text.split()) <= limit
