"""Rules for topics: short noun phrases of research interests, in the person's own words.

Three sources, in this order of trust:
1. a trigger ("I work on X", "my research is on X", "interested in X", "Research interests: X")
   followed by a phrase, cut at a stop ("which", "because", " at a ") and split into several
   topics at list separators (",", "and", "especially") — "NLP for Portuguese, especially hate
   speech detection" gives two;
2. the answer to a topic question when it is a short sentence with no "I/my/we";
3. the topic vocabulary anywhere ("RL" → "reinforcement learning").
A topic whose words are all inside another kept topic is dropped ("interpretability" beside
"mechanistic interpretability of small transformers").
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from assistant.extraction.rules_text import Clause, Finding, alternation, fold, lexicon, words_pattern

VERBS = re.compile(
    r"(?<![\w'])(?:can|could|would|will|should|is|are|am|was|were|be|do|does|did|join|want|wants|like|need"
    r"|needs|have|has|had|think|guess|feel|know|hope|love|help|get|got|go|make|dey|hai|hain|hoon|tha|thi)(?![\w'])"
)
# also the first person in the languages people mix in: "yahi mera topic hai", "yun yung ginagawa ko"
PRONOUNS = re.compile(
    r"(?<![\w'])(?:i|i'm|im|i've|ive|i'd|my|me|we|our|us|you|your|mine|mera|meri|mere|mujhe|hamara|hamari"
    r"|apna|apni|ko|ako|namin|natin|aku|saya|eu|meu|minha|je|nous|notre|una)(?![\w'])"
)
# a later piece of a list that opens with "in/at/no/em/di ..." says where, not what: "..., no Nordeste"
WHERE = frozenset({"in", "at", "no", "na", "em", "en", "dans", "à", "di", "sa", "dito", "from", "based"})
DEGREE = re.compile(
    r"(?:masters|master's|msc|m\.?tech|phd|ph\.d\.?|b\.?tech|postdoc|undergrad)(?:\s+(?:for|at|in|from)\b|$)"
)
# a subject pronoun just before a topic word makes it a verb: "I search collaborators"
SUBJECT = re.compile(r"(?<![\w'])(?:i|we|you|they)\s$")
MAX_WORDS = 8
MAX_TOPICS_READ = 200
FUNCTION_WORDS = frozenset({"for", "of", "in", "on", "the", "a", "and", "with"})
TOKEN = re.compile(r"[\w+#]+(?:[-'][\w+#]+)*")


@cache
def _patterns() -> dict[str, Any]:
    lex = lexicon("topics")
    return {
        "trigger": re.compile(rf"(?<![\w'-])(?:{alternation(lex['triggers'])})(?:\s+|(?<=:))"),
        "others": re.compile(r"(?:people|students|others|someone|anyone|folks)\s+(?:\w+\s+)?$"),
        "splitters": re.compile(alternation(lex["splitters"])),
        "stops": re.compile(alternation(lex["stops"])),
        "drop": set(lex["drop_words"]),
        "vocab": re.compile(rf"(?<![\w-])(?:{alternation(lex['vocabulary'])})(?!\w)"),
        "abbrev_low": words_pattern(list(lex["abbreviations"])),
        "abbrev": lex["abbreviations"],
        "places": frozenset([*lexicon("places")["cities"], *lexicon("places")["countries"]]),
    }


def _clean(piece: str) -> str:
    p = _patterns()
    words = piece.strip(" .,;:!?()\"'-–—").split()
    while words and words[0].lower() in p["drop"]:
        words.pop(0)
    while words and words[-1].lower() in p["drop"]:
        words.pop()
    text = " ".join(words).strip(" .,;:!?()\"'-")
    low = text.lower()
    if not text or len(text.split()) > MAX_WORDS or PRONOUNS.search(low) or VERBS.search(low):
        return ""
    if not re.search(r"\w", text) or low in p["places"]:
        return ""  # a place alone ("Nsukka") is where, not what
    if DEGREE.match(low):
        return ""  # "masters for University of Ibadan": a career stage, not a topic
    return text


def _phrases(text: str, low: str, start: int, limit: int | None = None) -> list[tuple[str, int]]:
    """Split the span ``text[start:limit]`` (cut at the first stop) into cleaned topic phrases."""
    p = _patterns()
    end = len(text) if limit is None else limit
    if stop := p["stops"].search(low, start, end):
        end = stop.start()
    out: list[tuple[str, int]] = []
    last = start
    for m in [*p["splitters"].finditer(low, start, end), None]:
        cut = end if m is None else m.start()
        first = low[last:cut].split(maxsplit=1)[:1]
        where = last > start and bool(first) and first[0] in WHERE
        if not where and (topic := _clean(text[last:cut])) and topic.lower() not in p["drop"]:
            out.append((topic, last))
        if m is not None:
            last = m.end()
    return out


@cache
def _help_words() -> frozenset[str]:
    """The words of help and of the six skills ("mentoring", "feedback"): never a topic alone."""
    kinds = [*lexicon("helps")["helps"].values(), *lexicon("skills")["skills"].values()]
    return frozenset(fold(phrase) for phrases in kinds for phrase in phrases)


FILLER_WORDS = frozenset(["n", "and", "or", "ok", "okay", "both", "also", "a", "bit", "little", "some"])


def _only_help(topic: str) -> bool:
    """A short answer made only of help and skill words ("mentoring", "coding n reading ok")."""
    words = TOKEN.findall(fold(topic))
    known = _help_words() | {w for phrase in _help_words() for w in phrase.split()} | FILLER_WORDS
    return bool(words) and all(w in known for w in words)


def topics(sentence: Clause, slot: str | None, short_turn: bool) -> list[Finding]:
    """Topic phrases of one sentence (triggers, a short answer to a topic question, vocabulary)."""
    p = _patterns()
    text, low = sentence.text, sentence.main()
    found: list[tuple[str, int]] = []
    triggers = list(p["trigger"].finditer(low))
    for i, m in enumerate(triggers):
        if p["others"].search(low[: m.start()]):
            continue
        # a trigger's phrases end where the next trigger starts (that one reads on from there)
        after = triggers[i + 1].start() if i + 1 < len(triggers) else None
        found.extend(_phrases(text, low, m.end(), after))
    if not found and slot == "topics" and short_turn:  # a short answer is the topic, not help it offers
        found.extend((t, at) for t, at in _phrases(text, low, 0) if not _only_help(t))
    for m in p["vocab"].finditer(low):
        if not SUBJECT.search(low, max(0, m.start() - 6), m.start()):
            found.append((text[m.start() : m.end()], m.start()))
    said = {word for topic, _ in found for word in TOKEN.findall(fold(topic))}
    for m in p["abbrev_low"].finditer(low):
        if m.group(0) in said:
            continue  # "planning con LLMs" was said whole: its "LLMs" is no topic of its own
        if text[m.start() : m.end()].isupper() or m.group(0).endswith("s"):
            found.append((p["abbrev"][m.group(0)], m.start()))
    return [sentence.finding("topics", topic, at) for topic, at in found]


def _tokens(topic: str) -> set[str]:
    return {t for t in TOKEN.findall(topic.lower()) if t not in FUNCTION_WORDS}


def merge_topics(findings: list[Finding]) -> list[Finding]:
    """First mention order; drop a topic whose words all sit inside another kept topic. Only the
    first ``MAX_TOPICS_READ`` different topics are compared (the profile keeps 20), so the pairwise
    check stays small whatever a message lists."""
    unique: dict[str, Finding] = {}
    for f in sorted(findings, key=lambda f: f.order):
        unique.setdefault(str(f.value).lower(), f)
    kept = [(f, _tokens(str(f.value))) for f in list(unique.values())[:MAX_TOPICS_READ]]
    return [f for f, mine in kept if not any(g is not f and mine < theirs for g, theirs in kept)]
