"""Text plumbing for the rules extractor: lexicons, sentences and clauses with exact spans.

Every piece of text the rules look at is a ``Clause``: a slice of one user turn, kept with its
offsets so that the evidence quote is always a slice of ``turn.content`` — verbatim. Matching
runs on a lower-cased copy of the same length (``fold``), so offsets carry over unchanged.

Bounded work (any message is read in time linear in its length):
- before anything is matched, a turn is ``normalise``d: each run of whitespace becomes one space
  (one newline if it held a line break), a run of one punctuation mark is cut to three; a map of
  offsets leads every quote back to the words as written;
- a sentence longer than ``MAX_SENTENCE`` characters (no one writes those; the longest in the
  eval data is under 450) is read in pieces of at most that length, cut at a space, so a rule
  that looks back over its clause costs at most ``MAX_SENTENCE`` per match;
- after ``MAX_SENTENCES`` sentences (20,000 characters of prose hold about 230), the rest of a
  turn is read as one long sentence, in those pieces: every sentence costs the same handful of
  rule calls however short it is, so thousands of "a." must not each get their own;
- no pattern starts an unbounded repeat that can begin anywhere inside a run: CLAUSE_BREAK's
  leading spaces only start where a run starts, and are taken whole (``(?<!\\s)\\s*+``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache, cached_property
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
    r"(?<!\s)\s*+(?:[:;]-?[)(]\s*|,\s+|;\s*)"  # emoticons, commas, semicolons
    r"|(?<!\s)\s++(?:but|and|so|while|though|although|whereas|mas|pero|mais)\s+"
)
ODD_RUN = re.compile(r"\s{2,}|[^\S \n]|([^\w\s])\1{3,}")  # what ``normalise`` rewrites
MAX_SENTENCE = 600
MAX_SENTENCES = 300
WORDY = re.compile(r"\w")  # a sentence or clause without a letter or digit says nothing: not read
# a relative clause runs to the next punctuation or to "and some/a/an ..." (a new thing asked for:
# "collaborators who code well and some compute")
RELATIVE = re.compile(
    r"\s(?:who|who's|whom|that are|that is|that have|who are|which|that can|that could)\b"
    r"(?:(?! and (?:some|a|an|also|maybe|any)\b)[^,;:!?.()])*"
)
MAX_QUOTE = 160
ASK_SPLIT = re.compile(r"(?<=[.!?])\s+")


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
class Source:
    """One user turn as written (``original``) and as read (``text``, see ``normalise``);
    ``offsets[i]`` is where ``text[i]`` stands in ``original`` (None: the two are the same)."""

    original: str
    text: str
    offsets: list[int] | None = None

    @classmethod
    def of(cls, original: str) -> Source:
        return cls(original, *normalise(original))

    def within(self, limit: int) -> Source:
        """The first ``limit`` characters as read (cut at a space, a word is never split)."""
        if len(self.text) <= limit:
            return self
        cut = self.text.rfind(" ", limit // 2, limit)
        cut = cut if cut > 0 else limit
        offsets = self.offsets[: cut + 1] if self.offsets is not None else None
        return Source(self.original, self.text[:cut], offsets)

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        """``sentences(self.text)``, found once for the sentence and the clause rules."""
        return sentences(self.text)

    def verbatim(self, start: int, end: int, at: int) -> str:
        """``text[start:end]`` as written: the same slice of ``original``. Where a long run was
        folded inside it, only the stretch around ``at`` that was copied one to one."""
        if self.offsets is None or end <= start:
            return self.original[start:end].strip()
        o = self.offsets
        written = self.original[o[start] : o[end - 1] + 1]
        if len(written) <= end - start + MAX_QUOTE // 4:
            return written.strip()
        at = min(max(at, start), end - 1)
        lo, hi = at, at + 1
        while lo > start and o[lo] - o[lo - 1] == 1:
            lo -= 1
        while hi < end and o[hi] - o[hi - 1] == 1:
            hi += 1
        return self.original[o[lo] : o[hi - 1] + 1].strip()


def normalise(text: str) -> tuple[str, list[int] | None]:
    """``text`` with each run of whitespace made one space (one newline if it held one) and each
    run of one punctuation mark cut to three, and where each kept character came from (None when
    nothing changed). Linear: one pass of ``ODD_RUN``, which cannot backtrack into a run."""
    pieces: list[str] = []
    offsets: list[int] = []
    last = 0
    for m in ODD_RUN.finditer(text):
        start, end = m.span()
        pieces.append(text[last:start])
        offsets.extend(range(last, start))
        if m.group(1):
            pieces.append(m.group(0)[:3])
            offsets.extend(range(start, start + 3))
        else:
            pieces.append("\n" if "\n" in m.group(0) else " ")
            offsets.append(start)
        last = end
    if not pieces:
        return text, None
    pieces.append(text[last:])
    offsets.extend(range(last, len(text) + 1))
    return "".join(pieces), offsets


@dataclass(frozen=True)
class Clause:
    """A slice of one user turn: ``text`` is the turn as read (``Source.text``), ``low`` its folded
    twin of equal length; quotes come from the turn as written (``Source.verbatim``)."""

    turn: int
    start: int
    text: str
    low: str
    sentence: int
    masked: str
    source: Source | None = field(default=None, compare=False, repr=False)

    @property
    def order(self) -> tuple[int, int]:
        return (self.turn, self.start)

    def quote(self, at: int | None = None) -> str:
        """The clause itself, or a window of it around offset ``at`` when it is long; always as
        the person wrote it."""
        lead = len(self.text) - len(self.text.lstrip())
        size = len(self.text.strip())
        if size <= MAX_QUOTE or at is None:
            lo, hi = lead, lead + min(size, MAX_QUOTE)
        else:
            lo = max(0, at - MAX_QUOTE // 2)
            hi = min(len(self.text), lo + MAX_QUOTE)
        if self.source is None:
            return self.text[lo:hi].strip()
        return self.source.verbatim(self.start + lo, self.start + hi, self.start + (at or lo))

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
    """Sentence spans of a turn; abbreviations ("Prof.", "Dr.") and decimals do not end one. A
    sentence longer than ``MAX_SENTENCE`` is given as pieces of at most that length."""
    low = fold(text)
    spans: list[tuple[int, int]] = []
    start = 0
    for m in SENTENCE_END.finditer(low):
        if len(spans) >= MAX_SENTENCES:
            break  # the rest is read as one span, in pieces: a few long reads, not thousands of tiny ones
        end = m.start()
        first, last = start, end  # the sentence without its outer whitespace, found without copying
        while first < last and low[first].isspace():
            first += 1
        while last > first and low[last - 1].isspace():
            last -= 1
        if first == last:
            start = m.end()
            continue
        if "\n" not in m.group(0) and low.endswith(ABBREVIATIONS, first, last):
            continue
        spans.append((start, end))
        start = m.end()
    if start < len(text) and text[start:].strip():
        spans.append((start, len(text)))
    return [piece for a, b in spans if text[a:b].strip() for piece in _pieces(text, a, b)]


def _pieces(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """``(a, b)`` cut at spaces into spans of at most ``MAX_SENTENCE`` characters."""
    out: list[tuple[int, int]] = []
    while b - a > MAX_SENTENCE:
        cut = text.rfind(" ", a + MAX_SENTENCE // 2, a + MAX_SENTENCE)
        cut = cut if cut > a else a + MAX_SENTENCE
        if text[a:cut].strip():
            out.append((a, cut))
        a = cut
    if text[a:b].strip():
        out.append((a, b))
    return out


def _source(text: str | Source) -> Source:
    return text if isinstance(text, Source) else Source.of(text)


def clauses_of(turn: int, text: str | Source) -> list[Clause]:
    """Split a user turn into clauses (commas, semicolons, 'but', 'and', ...) with exact offsets."""
    source = _source(text)
    read = source.text
    out: list[Clause] = []
    low = fold(read)
    for index, (a, b) in enumerate(source.sentences):
        if not WORDY.search(read, a, b):
            continue
        masked = mask_relatives(low[a:b])
        for start, d in _spans(low[a:b], CLAUSE_BREAK, a):
            c = start
            while c < d and read[c].isspace():
                c += 1
            if c < d and WORDY.search(read, c, d):
                out.append(Clause(turn, c, read[c:d], low[c:d], index, masked[c - a : d - a], source))
    return out


def sentence_clauses(turn: int, text: str | Source) -> list[Clause]:
    """Whole sentences as clauses (for facts that span commas: language lists, topics)."""
    source = _source(text)
    low = fold(source.text)
    return [
        Clause(turn, a, source.text[a:b], low[a:b], i, mask_relatives(low[a:b]), source)
        for i, (a, b) in enumerate(source.sentences)
        if WORDY.search(source.text, a, b)
    ]


@cache
def injection_pattern() -> re.Pattern[str]:
    """Any injection marker. The markers that open with ``\\b`` share one ``\\b(?:…)``: the same
    matches, but inside a word the whole list is skipped at once (6x faster on long text)."""
    markers = lexicon("conversation")["injection"]
    bounded = [f"(?:{p[2:]})" for p in markers if p.startswith("\\b")]
    others = [f"(?:{p})" for p in markers if not p.startswith("\\b")]
    return re.compile("|".join([rf"\b(?:{'|'.join(bounded)})", *others] if bounded else others))


def is_injection(low: str) -> bool:
    """A sentence that tries to instruct the system is data about nothing: the rules skip it."""
    return bool(injection_pattern().search(low))


@cache
def _slot_patterns() -> list[tuple[str, re.Pattern[str]]]:
    return [(slot, words_pattern(cues)) for slot, cues in lexicon("conversation")["slots"]]


def _asked(question: str) -> str:
    """The folded sentences of ``question`` that end in "?" (all of it when none does): an
    explanation before the question ("A study group is ... to learn together. What help would be
    most useful?") does not decide what was asked."""
    low = fold(question)
    asked = [s for s in ASK_SPLIT.split(low) if s.rstrip().endswith("?")]
    return " ".join(asked) if asked else low


def question_slots(question: str | None) -> list[str]:
    """Every slot a question asks about, in cue order ("where are you, how many hours a week and
    which languages?" asks three)."""
    if not question:
        return []
    low = _asked(question)
    return [slot for slot, pattern in _slot_patterns() if pattern.search(low)]


def question_slot(question: str | None) -> str | None:
    """Which slot the assistant's question asks about (first matching cue list wins), or None."""
    if not question:
        return None
    low = _asked(question)
    for slot, pattern in _slot_patterns():
        if pattern.search(low):
            return slot
    return None


def is_short(text: str, limit: int = 8) -> bool:
    return len(text.split()) <= limit
