"""Why a suggestion was made: structured reasons, and one deterministic sentence built from them.

A later LLM rephrasing may only use these reasons. The candidate's display name appears in
the sentence; it never enters a score.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from store.domain import Help, Skill

WANT = {
    Skill.read: "reading papers",
    Skill.code: "coding",
    Skill.idea: "forming ideas",
    Skill.write: "writing",
    Skill.speak: "speaking",
    Skill.network: "networking",
}
STRENGTH = {
    Skill.read: "reads papers widely",
    Skill.code: "codes well",
    Skill.idea: "is good at forming ideas",
    Skill.write: "writes well",
    Skill.speak: "speaks well",
    Skill.network: "is well connected",
}
HELP = {
    Help.collaboration: "collaboration",
    Help.mentorship: "mentorship",
    Help.compute: "compute",
    Help.feedback: "feedback",
    Help.study_group: "a study group",
}
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "pt": "Portuguese",
    "fr": "French",
    "de": "German",
    "ar": "Arabic",
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "vi": "Vietnamese",
    "hi": "Hindi",
    "ru": "Russian",
    "sw": "Swahili",
    "am": "Amharic",
    "tr": "Turkish",
    "fa": "Persian",
    "id": "Indonesian",
    "it": "Italian",
}


@dataclass(frozen=True)
class Reason:
    """kind: grow | help | mentor | topic | mode | hours | language | skill_needed | compute.
    direction: "you" (the other side gives to you), "them" (you give to them), "both" or None."""

    kind: str
    direction: str | None = None
    value: Any = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class Explained:
    reasons: list[Reason] = field(default_factory=list)
    sentence: str = ""


def _list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def person_sentence(name: str, reasons: list[Reason]) -> str:
    """E.g. "You want to grow writing — Amara writes well. Amara wants to grow coding — your
    strength. You both work on diffusion models; 4 shared working hours." """
    sentences: list[str] = []
    yours = [r.value for r in reasons if r.kind == "grow" and r.direction == "you"]
    theirs = [r.value for r in reasons if r.kind == "grow" and r.direction == "them"]
    if yours:
        sentences.append(
            f"You want to grow {_list([WANT[s] for s in yours])} — "
            f"{name} {_list([STRENGTH[s] for s in yours])}."
        )
    if theirs:
        strength = "your strength" if len(theirs) == 1 else "your strengths"
        sentences.append(f"{name} wants to grow {_list([WANT[s] for s in theirs])} — {strength}.")
    gives = [HELP[r.value] for r in reasons if r.kind == "help" and r.direction == "you"]
    takes = [HELP[r.value] for r in reasons if r.kind == "help" and r.direction == "them"]
    if any(r.kind == "mentor" and r.direction == "you" for r in reasons):
        gives.insert(0, "mentorship")
    if any(r.kind == "mentor" and r.direction == "them" for r in reasons):
        takes.insert(0, "mentorship")
    if gives:
        sentences.append(f"{name} offers {_list(gives)}, which you are looking for.")
    if takes:
        sentences.append(f"{name} is looking for {_list(takes)}, which you offer.")
    sentences += [r.value for r in reasons if r.kind == "mode"]
    practical = practical_phrases(reasons)
    if practical:
        sentences.append(practical[0][0].upper() + "; ".join(practical)[1:] + ".")
    return " ".join(sentences)


def practical_phrases(reasons: list[Reason], topic: str = "you both work on {}") -> list[str]:
    phrases: list[str] = []
    for r in reasons:
        if r.kind == "topic":
            phrases.append(topic.format(_list(r.value)))
        elif r.kind == "hours":
            hours = int(r.value) if float(r.value).is_integer() else r.value
            phrases.append(f"{hours} shared working hour{'s' if r.value != 1 else ''}")
        elif r.kind == "language":
            phrases.append(f"you both speak {_list([LANGUAGE_NAMES.get(c, c) for c in r.value])}")
    return phrases


def rfp_sentence(owner: str, reasons: list[Reason]) -> str:
    sentences: list[str] = []
    needed = [r.value for r in reasons if r.kind == "skill_needed" and r.direction == "you"]
    grow_with_owner = [r.value for r in reasons if r.kind == "skill_needed" and r.direction == "them"]
    develops = [r.value for r in reasons if r.kind == "grow" and r.direction == "you"]
    if needed:
        sentences.append(f"It needs {_list([WANT[s] for s in needed])}, which you have.")
    if grow_with_owner:
        sentences.append(
            f"It needs {_list([WANT[s] for s in grow_with_owner])}, which you want to grow and {owner} has."
        )
    if develops:
        sentences.append(f"You would grow {_list([WANT[s] for s in develops])}.")
    for r in reasons:
        if r.kind == "compute":
            sentences.append(f"It comes with compute: {r.value}.")
        elif r.kind == "mode":
            sentences.append(r.value)
    topics = [r for r in reasons if r.kind == "topic"]
    if topics:
        sentences.append(f"It is about {_list(topics[0].value)}, like your work.")
    practical = practical_phrases([r for r in reasons if r.kind != "topic"])
    if practical:
        sentences.append(practical[0][0].upper() + "; ".join(practical)[1:] + f" with {owner}.")
    return " ".join(sentences)
