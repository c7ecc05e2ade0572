"""Rules for the factual slots: career stage, languages, time zone, hours a week, name.

Conventions (documented in ``assistant.extraction.rules``):
- career stage counts only when said of oneself now ("I'm a postdoc", "Postdoc in Paris", or a
  short answer to a stage question); "I was a PhD student", "mentor PhD students" do not count;
- languages only when stated as spoken (after "speak/fluent/native/hablo/falo/je parle", in a
  sentence made only of language names, or in answer to a language question): writing fluently
  in English is not evidence of "en";
- time zones: explicit "UTC+2"/"GMT-5", zone abbreviations, city, then country (most specific
  wins within a sentence); standard time, daylight saving ignored; "not Accra" is skipped;
- hours: "N hours a week" as is; "a day" x7 (x5 "on weekdays"); "a month" / 4.345, rounded;
  a range ("3 or 4", "2-3") takes its lower bound; a bare "N hours" is weekly; numbers about
  compute ("200 GPU hours a month") are not the person's time.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from assistant.extraction.rules_text import Clause, Finding, alternation, lexicon, words_pattern

WEEKS_PER_MONTH = 4.345
MONTHS = frozenset({"month", "mes", "mês", "mois", "tháng", "mwezi", "bulan", "sebulan"})
DAYS = frozenset({"day", "día", "dia", "jour", "ngày", "tag", "siku", "hari", "sehari", "din"})
MAX_STAGE_TRIES = 4
NUM = r"\d{1,3}(?:[.,]\d)?"
OFFSET = re.compile(r"(?<![\w])(?:utc|gmt)\s*([+\-−–])\s*(\d{1,2})(?:[:.](\d{2}))?(?!\d)")
SIGNED = re.compile(r"^\s*([+\-−–])\s*(\d{1,2})(?:[:.](\d{2}))?\s*$")
NAME_SAID = re.compile(
    r"(?i:\bmy name is|\bmy name's|\bcall me|\bi'm|\bi am|\bthis is|\bme llamo|\bsoy|\bje m'appelle"
    r"|\bmyself|\bmy name na|\bi am called|\bi'm called|\bthey call me|\bjina langu ni|\bnaitwa"
    r"|\bsou o|\bsou a|\bmeu nome é)\s+([A-ZÀ-Ý][\w'-]+(?:\s+[A-ZÀ-Ý][\w'-]+)?)"
)
NEGATION = re.compile(r"(?:\bnot|\bno longer in|\bmoved from|\bleft|\bformerly in|\bnot in)\s+$")
DEGREES = frozenset({"phd", "masters", "undergrad"})
DEGREE_DONE = re.compile(r"\s*(?:from\b|\(?(?:19|20)\d\d\b|in (?:19|20)\d\d\b|,? (?:19|20)\d\d\b)")
NOT_NOW = re.compile(r"(?:\bnot|\bno|\bno longer|\bnever|n't)\s+(?:yet\s+)?(?:an?\s+|the\s+)?$")
# "pursuing M.Tech from NIT", "running my PhD at": a degree in progress, whatever follows it
IN_PROGRESS = re.compile(r"\b(?:pursuing|doing|running|finishing|in)\s+(?:my\s+|an?\s+|the\s+)?$")
# the whole answer to the stage question is "something else" / "none of those": ``other``
ELSEWHERE = re.compile(r"^\W*(?:something else|none of (?:those|these|them|the above)|other|neither)\b")
NOT_THIS = re.compile(r"(?:\bnot|\binstead of|\brather than|\bno longer|\bbukan|\bnahi|\bnão|\bpas)\s+$")
NOT_SPOKEN = re.compile(r"(?:\bnot|\bno|\bexcept|\bdon'?t speak|\bbut not|\bwithout)\s+$")
REVISED = re.compile(r"\b(?:make it|make that|change it to|change that to)\s+(\d{1,2})(?=\s*+(?:[.!;,]|$))")
COMPUTE = re.compile(r"\b(?:gpus?|compute|credits?|a100s?|h100s?|tpus?|cluster|servers?)\b")


@cache
def _stage_patterns() -> dict[str, Any]:
    lex = lexicon("stages")
    mapping = {phrase: stage for stage, phrases in lex["stages"].items() for phrase in phrases}
    return {
        "map": mapping,
        "any": words_pattern(list(mapping)),
        "modifiers": set(lex["modifiers"]),
        "self": re.compile(rf"(?<![\w'])(?:{alternation(lex['self_cues'])})(?![\w'])"),
        "past": re.compile(rf"(?<![\w'])(?:{alternation(lex['past_cues'])})(?![\w'])"),
        "blockers": re.compile(rf"^\s*(?:{alternation(lex['blockers'])})\b"),
    }


def _only_modifiers(text: str, modifiers: set[str]) -> bool:
    tokens = [t for t in re.split(r"[\s,]+", text.strip()) if t]
    return all(t in modifiers for t in tokens)


def career_stage(clause: Clause, slot: str | None, short_turn: bool) -> list[Finding]:
    """Stage phrases said of oneself now: after a self cue or at the clause start, not in the past.
    The last such phrase of the clause is the one that counts (later words win), so the phrases
    are tried from the last one back, at most ``MAX_STAGE_TRIES`` of them (each try looks back
    over the clause; a clause naming more stages than that is not about one's own career)."""
    p = _stage_patterns()
    low = clause.main()
    for m in list(p["any"].finditer(low))[: -MAX_STAGE_TRIES - 1 : -1]:
        before, after = low[: m.start()], low[m.end() :]
        if p["past"].search(before) or p["blockers"].match(after) or NOT_NOW.search(before[-24:]):
            continue
        if p["map"][m.group(0)] in DEGREES and DEGREE_DONE.match(after) and not IN_PROGRESS.search(before):
            continue  # "PhD from Zhejiang", "phd (2019)": a degree held, not the current stage
        selves = list(p["self"].finditer(before))
        said_of_self = bool(selves) and _only_modifiers(before[selves[-1].end() :], p["modifiers"])
        at_start = _only_modifiers(re.sub(r"^[^\w]+", "", before), p["modifiers"] | {"hi", "hello", "hey"})
        if said_of_self or at_start or (slot == "career_stage" and short_turn):
            return [clause.finding("career_stage", p["map"][m.group(0)], m.start())]
    if slot == "career_stage" and ELSEWHERE.match(low):
        return [clause.finding("career_stage", "other")]
    return []


@cache
def _language_patterns() -> dict[str, Any]:
    names: dict[str, str] = lexicon("languages")["languages"]
    cues = (
        r"speak|speaks|spoken|speaking|fluent|fluently|native|natively|mother tongue|first language"
        r"|languages?:|languages? known|known languages?"
        r"|hablo|falo|je parle|parlo|ich spreche|tôi nói|bilingual|conversational|también|tambem|também"
    )
    return {
        "names": names,
        "any": words_pattern(list(names)),
        "cue": re.compile(rf"(?<![\w-])(?:{cues})(?![\w-])"),
        "speaker": re.compile(rf"(?<![\w-])({alternation(list(names))})\s+(?:speaker|native|\(native\))"),
        "filler": re.compile(
            r"(?<![\w-])(?:and|or|a|bit|of|little|some|basic|native|natively|fluent|okay|ok|good|"
            r"intermediate|"
            r"conversational|also|plus|y|e|et|và|un|um|poco|pouco|peu|i|speak|mother|tongue|too|"
            r"languages?|\(native\)|native\)|\(fluent\)|fluent\)|mostly|well)(?![\w-])"
        ),
    }


def languages(sentence: Clause, slot: str | None) -> list[Finding]:
    """Spoken languages: cued sentences, language-only sentences, or answers to a language question."""
    p = _language_patterns()
    low = sentence.low
    hits = list(p["any"].finditer(low))
    if not hits:
        return []
    residue = p["filler"].sub(" ", p["any"].sub(" ", low))
    only_languages = not re.sub(r"[\s,.;:!?()&+/\-]+", "", residue)
    cue = p["cue"].search(low)
    chosen = []
    if slot == "languages" or only_languages:
        chosen = hits
    elif cue:
        chosen = [m for m in hits if m.start() > cue.start() or p["speaker"].match(low, m.start())]
    chosen = [m for m in chosen if not NOT_SPOKEN.search(low, max(0, m.start() - 20), m.start())]
    if slot == "skills_want" and cue and cue.group(0).startswith("speak") and not only_languages:
        return []  # "speak English" as a skill to grow is no claim to speak it
    return [sentence.finding("languages", p["names"][m.group(0)], m.start()) for m in chosen]


@cache
def _place_patterns() -> dict[str, Any]:
    lex = lexicon("places")
    short = set(lex["upper_only"])
    long_places = {**{k: v for k, v in lex["countries"].items() if k not in short}}
    cities = {k: v for k, v in lex["cities"].items() if k not in short}
    every = {**lex["countries"], **lex["cities"], **lex["zones"]}
    upper = {k.upper(): v for k, v in every.items() if k in short or k in lex["zones"]}
    return {
        "cities": (words_pattern(list(cities)), cities),
        "countries": (words_pattern(list(long_places)), long_places),
        "upper": (re.compile(rf"(?<![\w-])(?:{alternation(list(upper))})(?![\w-])"), upper),
        "named": (words_pattern(list(lex["named_zones"])), lex["named_zones"]),
        "zones_low": (words_pattern(list(lex["zones"])), lex["zones"]),
    }


def _offset(sign: str, hours: str, minutes: str | None) -> float:
    value = int(hours) + (int(minutes) / 60 if minutes else 0.0)
    return -value if sign in "-−–" else value


def _negated(low: str, start: int, past: dict[tuple[int, int], bool]) -> bool:
    """ "not Accra", "moved from Accra", or a place inside a past clause ("I was a PhD student at
    Toronto until last year"). The negation is looked for only just before ``start`` (the text is
    normalised: one space between words), and ``past`` remembers each stretch already searched."""
    if NEGATION.search(low, max(0, start - 64), start):
        return True
    begin = max(low.rfind(mark, 0, start) for mark in (",", ";", " now ", " but "))
    end = min([i for i in (low.find(",", start), low.find(";", start)) if i >= 0] or [len(low)])
    if (begin, end) not in past:
        past[begin, end] = bool(_stage_patterns()["past"].search(low[begin + 1 : end]))
    return past[begin, end]


def utc_offset(clause: Clause, slot: str | None) -> list[Finding]:
    """Time zone from explicit offsets, abbreviations, cities, countries (most specific first)."""
    p = _place_patterns()
    low, text = clause.low, clause.text
    found: list[tuple[int, int, float]] = []  # (rank, position, offset); lower rank is more specific
    for m in OFFSET.finditer(low):
        found.append((0, m.start(), _offset(m.group(1), m.group(2), m.group(3))))
    if slot == "utc_offset" and (signed := SIGNED.match(low)):
        found.append((0, signed.start(), _offset(signed.group(1), signed.group(2), signed.group(3))))
    pattern, table = p["upper"]
    for m in pattern.finditer(text):
        found.append((1, m.start(), float(table[m.group(0)])))
    if slot == "utc_offset":
        pattern, table = p["zones_low"]
        found.extend((1, m.start(), float(table[m.group(0)])) for m in pattern.finditer(low))
    pattern, table = p["named"]
    for m in pattern.finditer(low):
        if slot == "utc_offset" or m.group(0).endswith("time"):
            found.append((1, m.start(), float(table[m.group(0)])))
    for rank, key in ((2, "cities"), (3, "countries")):
        pattern, table = p[key]
        found.extend((rank, m.start(), float(table[m.group(0)])) for m in pattern.finditer(low))
    # the most specific, then the latest, that is not negated ("not Accra")
    past: dict[tuple[int, int], bool] = {}
    for _, at, value in sorted(found, key=lambda f: (f[0], -f[1])):
        if not _negated(low, at, past):
            return [clause.finding("utc_offset", value, at)]
    return []


@cache
def _hour_patterns() -> dict[str, Any]:
    numbers: dict[str, float] = lexicon("conversation")["numbers"]
    amount = rf"(?:{NUM}|{alternation(list(numbers))})"
    unit = r"(?:hours?|hrs?|h|horas?|heures?|giờ|stunden|jam|ghante|ghanta|oras)"
    per = (
        r"(?:\s*(?:a|an|per|/|each|every|a la|à la|por|par|mỗi|in a|pro|kwa|kila)\s*|\s+)"
        r"(week|wk|semana|semaine|tuần|woche|wiki|seminggu|minggu|hafte|hafta|linggo"
        r"|month|mes|mês|mois|tháng|mwezi|bulan|sebulan|day|día|dia|jour|ngày|tag|siku|hari|sehari|din)"
    )
    return {
        "numbers": numbers,
        "unit_first": re.compile(rf"(?<![\w])(?:masaa|saa)\s*({amount})(?![\w.]){per}(?![\w])"),
        "rate": re.compile(
            rf"(?<![\w.])({amount})(?:\s*(?:-|–|to|or|o|ou|a)\s*({amount}))?"
            rf"\s*{unit}(?![\w])(?:{per})?(?![\w])"
        ),
        "bare": re.compile(
            rf"^\D{{0,20}}?(?<![\w.])({amount})(?:\s*(?:-|–|to|or)\s*({amount}))?(?:\s*{unit})?\W*+$"
        ),
    }


def _amount(text: str, numbers: dict[str, float]) -> float:
    text = text.strip()
    return float(numbers[text]) if text in numbers else float(text.replace(",", "."))


def _weekly(value: float, period: str | None, low: str) -> int:
    if period in MONTHS:
        return round(value / WEEKS_PER_MONTH)
    if period in DAYS:
        return round(value * (5 if re.search(r"\bweekdays?\b|\bworkdays?\b", low) else 7))
    return round(value)


def hours_per_week(clause: Clause, slot: str | None, short_turn: bool) -> list[Finding]:
    """Hours a week the person can give; lower bound of a range; compute hours are skipped."""
    p = _hour_patterns()
    low = clause.main()
    if COMPUTE.search(low):
        return []
    last: tuple[int, int] | None = None  # the last rate in range counts (later words win)
    rates = [(m.group(1), m.group(3), m.start()) for m in p["rate"].finditer(low)]
    rates += [(m.group(1), m.group(2), m.start()) for m in p["unit_first"].finditer(low)]
    for amount, period, at in sorted(rates, key=lambda r: r[2]):
        value = _weekly(_amount(amount, p["numbers"]), period, clause.low)
        if 0 <= value <= 80 and not NOT_THIS.search(low, max(0, at - 16), at):
            last = (value, at)  # "4 hours, not 6 hours": the negated one is not the answer
    if last is None and (m := REVISED.search(low)):
        last = (round(_amount(m.group(1), p["numbers"])), m.start(1))  # "5 is too much, make it 3"
    out = [clause.finding("hours_per_week", last[0], last[1])] if last is not None else []
    bare = p["bare"].match(low) if not out and slot == "hours_per_week" and short_turn else None
    if (m := bare) and not NOT_THIS.search(low, max(0, m.start(1) - 16), m.start(1)):  # not "…, not 8"
        value = round(_amount(m.group(1), p["numbers"]))
        if 0 <= value <= 80:
            out.append(clause.finding("hours_per_week", value))
    return out


@cache
def _not_names() -> frozenset[str]:
    """Words that are never a name: articles, adjectives, demonyms, places, languages."""
    conversation, places = lexicon("conversation"), lexicon("places")
    return frozenset(
        [
            *conversation["not_names"],
            *conversation["demonyms"],
            *places["countries"],
            *places["cities"],
            *lexicon("languages")["languages"],
        ]
    )


def display_name(text: str, slot: str | None) -> str | None:
    """The name the person gave: "I'm Amara", "my name is ...", "call me ...", or a short answer
    to a name question. "I'm a PhD student" is not a name (articles, adjectives, places)."""
    blocked = _not_names()
    for m in NAME_SAID.finditer(text):
        name = m.group(1)
        parts = name.split()
        if parts[0].lower() in blocked:
            continue
        if len(parts) > 1 and parts[1].lower() in blocked | {"and", "from", "in"}:
            name = parts[0]
        return name
    words = text.strip().strip(".!").split()
    if (
        slot == "display_name"
        and 1 <= len(words) <= 3
        and all(w[:1].isupper() for w in words)
        and words[0].lower() not in blocked
    ):
        return " ".join(words)
    return None
