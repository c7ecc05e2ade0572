"""Natural-language searches for people → structured filters plus free text (rules).

"someone strong at writing who works on diffusion and wants to learn to code, UTC+1 to +3"
→ skills_have {write}, skills_want {code}, UTC 1…3, text "diffusion".
The phrase lists live in ``retrieval/data/lexicon.json``. An LLM parser, when one is
configured, returns the same ``SearchQuery`` shape.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib.resources import files
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from store.domain import CareerStage, Help, Skill

# The text is lower-cased with each run of whitespace made one space, then cut to MAX_QUERY,
# before any pattern runs; so ``\s?`` is every space there can be between two tokens, and no two
# unbounded repeats of the same characters ever meet (each pattern runs in linear time).
MAX_QUERY = 500
NUMBER = r"[+\-−–]?\s?\d{1,2}(?:[.:]\d{1,2})?"
UTC_RANGE = re.compile(rf"\b(?:utc|gmt)\s?({NUMBER})\s?(?:to|-|–|—|\.\.|…)\s?(?:utc|gmt)?\s?({NUMBER})")
UTC_PLUSMINUS = re.compile(r"\b(?:utc|gmt)\s?(?:±|\+/-|\+-)\s?(\d{1,2}(?:[.:]\d{1,2})?)")
UTC_SINGLE = re.compile(rf"\b(?:utc|gmt)\s?({NUMBER})?(?![\d])")
CLAUSE = re.compile(r"(?<!\s)\s*+(?:[,;.!?]|\bwho\b|\band\b|\bbut\b|\bthat\b|\bwhich\b|\bwith\b|\bplus\b)\s*")


class SearchQuery(BaseModel):
    """What a search asks for. Empty sets mean "any"."""

    model_config = ConfigDict(extra="forbid")

    skills_have: set[Skill] = Field(default_factory=set, description="Axes the person must be strong at.")
    skills_want: set[Skill] = Field(default_factory=set, description="Axes the person must want to grow.")
    offering: set[Help] = Field(default_factory=set, description="Help the person must offer.")
    seeking: set[Help] = Field(default_factory=set, description="Help the person must be looking for.")
    career_stages: set[CareerStage] = Field(default_factory=set)
    languages: set[str] = Field(default_factory=set, description="ISO 639-1 codes; any of them.")
    utc_min: float | None = Field(None, ge=-12, le=14)
    utc_max: float | None = Field(None, ge=-12, le=14)
    text: str = Field("", description="Free text: topics and anything else, for dense and BM25 retrieval.")

    @property
    def has_filters(self) -> bool:
        return bool(
            self.skills_have
            or self.skills_want
            or self.offering
            or self.seeking
            or self.career_stages
            or self.languages
            or self.utc_min is not None
        )


@cache
def lexicon() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (files("retrieval") / "data" / "lexicon.json").read_text(encoding="utf-8")
    )
    return data


def _alternation(phrases: list[str]) -> str:
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


@cache
def _patterns() -> dict[str, Any]:
    lex = lexicon()

    def words(phrases: list[str]) -> re.Pattern[str]:
        return re.compile(rf"(?<![\w-])(?:{_alternation(phrases)})(?![\w-])")

    return {
        "skills": {Skill(k): words(v) for k, v in lex["skills"].items()},
        "helps": {Help(k): words(v) for k, v in lex["helps"].items()},
        "stages": {CareerStage(k): words(v) for k, v in lex["stages"].items()},
        "have": words(lex["have_cues"]),
        "want": words(lex["want_cues"]),
        "seeking": words(lex["seeking_cues"]),
        "offering": words(lex["offering_cues"]),
        "language": re.compile(
            rf"(?:\b(?:speaks|speaking|in|fluent in)\s+({_alternation(list(lex['languages']))})\b"
            rf"|\b({_alternation(list(lex['languages']))})(?:-speaking|\s+speakers?)\b)"
        ),
        "filler": words(lex["filler"]),
    }


def _number(text: str) -> float:
    text = text.replace(" ", "").replace("−", "-").replace("–", "-")
    if ":" in text:
        hours, minutes = text.split(":")
        sign = -1 if hours.startswith("-") else 1
        return sign * (abs(int(hours)) + int(minutes) / 60)
    return float(text)


def _utc(text: str, query: dict[str, Any]) -> str:
    if m := UTC_RANGE.search(text):
        low, high = sorted((_number(m.group(1)), _number(m.group(2))))
    elif m := UTC_PLUSMINUS.search(text):
        high = _number(m.group(1))
        low = -high
    elif m := UTC_SINGLE.search(text):
        low = high = _number(m.group(1)) if m.group(1) else 0.0
    else:
        return text
    query["utc_min"], query["utc_max"] = _clamp_utc(low), _clamp_utc(high)
    return text[: m.start()] + " " + text[m.end() :]


def _clamp_utc(hours: float) -> float:
    return min(14.0, max(-12.0, hours))


def parse_query(text: str) -> SearchQuery:
    """Rules: cue phrases decide whether a skill is had or wanted and whether help is offered
    or sought; a clause without a cue inherits the previous clause's; the rest is free text."""
    p = _patterns()
    lowered = " ".join(text.lower().split())[:MAX_QUERY]
    found: dict[str, Any] = {"skills_have": set(), "skills_want": set(), "offering": set(), "seeking": set()}
    lowered = _utc(lowered, found)
    languages = set()
    for m in p["language"].finditer(lowered):
        languages.add(lexicon()["languages"][m.group(1) or m.group(2)])
    lowered = p["language"].sub(" ", lowered)
    stages = {stage for stage, pattern in p["stages"].items() if pattern.search(lowered)}
    for pattern in p["stages"].values():
        lowered = pattern.sub(" ", lowered)

    residue: list[str] = []
    inherited: str | None = None
    for clause in CLAUSE.split(lowered):
        if not clause.strip():
            continue
        rest = clause
        helps = [h for h, pattern in p["helps"].items() if pattern.search(clause)]
        if helps:
            seeking = bool(p["seeking"].search(clause)) or "mentee" in clause or "someone to mentor" in clause
            for h in helps:
                found["seeking" if seeking and not p["offering"].search(clause) else "offering"].add(h)
                rest = p["helps"][h].sub(" ", rest)
        skills = [s for s, pattern in p["skills"].items() if pattern.search(rest)]
        cue = "want" if p["want"].search(rest) else "have" if p["have"].search(rest) else inherited
        if skills and cue:
            found["skills_want" if cue == "want" else "skills_have"].update(skills)
            for s in skills:
                rest = p["skills"][s].sub(" ", rest)
            inherited = cue
        elif not skills:
            inherited = None if not helps else inherited
        rest = p["want"].sub(" ", rest)
        rest = p["have"].sub(" ", rest) if skills or cue else rest
        rest = p["seeking"].sub(" ", p["offering"].sub(" ", rest)) if helps else rest
        rest = p["filler"].sub(" ", rest)
        words = [w for w in re.findall(r"[\w+#.-]+", rest) if len(w) > 1 or w.isalnum()]
        residue.extend(w.strip(".-") for w in words if w.strip(".-"))
    return SearchQuery(
        skills_have=found["skills_have"],
        skills_want=found["skills_want"] - found["skills_have"],
        offering=found["offering"],
        seeking=found["seeking"],
        career_stages=stages,
        languages=languages,
        utc_min=found.get("utc_min"),
        utc_max=found.get("utc_max"),
        text=" ".join(residue),
    )
