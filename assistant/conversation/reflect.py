"""Saying back what was understood, and asking again kindly. Pure, testable without Chainlit.

    reflect(before, after)  -> "Got it: you're a PhD student; you're strong at coding and reading papers."
                               (only what this turn added or changed; "" when nothing)
    brief(slot, extraction) -> the pending question again, short ("Back to my question: ...")
    reask(slot, extraction) -> the pending question rephrased, with two concrete examples

Every sentence about the person comes from the extraction, which holds only what their own
words support: nothing here invents, and their words (topics) are escaped for markdown.
"""

from __future__ import annotations

from typing import Any

from assistant.conversation.interview import PRACTICAL, SLOTS, practical_question
from assistant.conversation.markup import escape
from assistant.extraction.port import Extraction

STAGE = {
    "undergrad": "an undergrad",
    "masters": "a master's student",
    "phd": "a PhD student",
    "postdoc": "a postdoc",
    "engineer": "an engineer",
    "researcher": "a researcher",
    "faculty": "faculty",
    "other": "on a path of your own",
}
SKILL = {
    "read": "reading papers",
    "code": "coding",
    "idea": "forming ideas",
    "write": "writing",
    "speak": "speaking",
    "network": "networking",
}
HELP = {
    "collaboration": "collaborators",
    "mentorship": "a mentor",
    "compute": "compute",
    "feedback": "feedback",
    "study_group": "a study group",
}
OFFER = {
    "collaboration": "collaboration",
    "mentorship": "mentoring",
    "compute": "compute",
    "feedback": "feedback",
    "study_group": "a study group",
}
MODE = {
    "pitch_idea": "you have an idea of your own to pitch",
    "implement_idea": "you'd like to build someone else's idea",
    "either": "you're open to your own idea or someone else's",
}
MODE_SHORT = {"pitch_idea": "your own idea", "implement_idea": "someone else's idea", "either": "either"}
LANGUAGE = {
    "en": "English", "fr": "French", "es": "Spanish", "pt": "Portuguese", "de": "German",
    "it": "Italian", "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "vi": "Vietnamese",
    "hi": "Hindi", "bn": "Bengali", "ta": "Tamil", "te": "Telugu", "ur": "Urdu", "ar": "Arabic",
    "fa": "Persian", "tr": "Turkish", "ru": "Russian", "uk": "Ukrainian", "pl": "Polish",
    "id": "Indonesian", "ms": "Malay", "th": "Thai", "sw": "Swahili", "yo": "Yoruba",
    "ig": "Igbo", "ha": "Hausa", "am": "Amharic", "zu": "Zulu", "ne": "Nepali", "nl": "Dutch",
}  # fmt: skip
BRIEF = {
    "topics": "what do you work on, or want to work on?",
    "career_stage": "where are you in your journey (undergrad, master's, PhD, engineer, …)?",
    "skills_have": "which of the six come most easily to you?",
    "skills_want": "which of the six would you like to grow?",
    "seeking": "what help would be most useful to you?",
    "offering": "what could you offer others?",
    "project_mode": "your own idea, someone else's, or either?",
}
REASK = {
    "topics": (
        "Could you name a topic or two you work on, or would like to? For example “speech "
        "recognition for Yoruba” or “fairness in medical imaging”."
    ),
    "career_stage": (
        "Which fits you best right now? For example “I'm a master's student” or “I work as an ML engineer”."
    ),
    "skills_have": (
        "Which of these feel easiest for you: reading papers, coding, forming ideas, writing, "
        "speaking or networking? For example “coding and reading” or “I explain things well”."
    ),
    "skills_want": (
        "Which of those six would you like to get better at? For example “writing papers” or "
        "“speaking, I get nervous when I present”."
    ),
    "seeking": (
        "What would help you most right now? For example “a mentor to guide me” or “feedback on my drafts”."
    ),
    "offering": (
        "What could you give others, even something small? For example “I can review code” or "
        "“I could mentor undergrads”."
    ),
    "project_mode": (
        "Would you rather pitch an idea of your own, or help build someone else's? For example "
        "“I have my own idea” or “either is fine”."
    ),
    "practical": (
        "For example “Lagos, about 5 hours a week, English and Yoruba” or “UTC+7, 3 hours, Vietnamese”."
    ),
}
CORRECT_ME = "Tell me if I got something wrong."


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _phrase(field: str, value: Any) -> str:  # a contract value: str, float, int, set or list
    """One field's value in plain words, said to the person ("you're strong at coding")."""
    if field == "career_stage":
        return f"you're {STAGE[str(value)]}"
    if field == "project_mode":
        return MODE[str(value)]
    if field == "utc_offset":
        return f"your time zone is UTC{float(value):+g}"
    if field == "hours_per_week":
        return f"you have about {value} hours a week"
    values = sorted(str(v) for v in value)
    if field == "topics":
        return "you work on " + _and([escape(str(v)) for v in value])
    if field == "skills_have":
        return "you're strong at " + _and([SKILL[v] for v in values])
    if field == "skills_want":
        return "you'd like to grow " + _and([SKILL[v] for v in values])
    if field == "seeking":
        return "you're looking for " + _and([HELP[v] for v in values])
    if field == "offering":
        return "you can offer " + _and([OFFER[v] for v in values])
    if field == "languages":
        return "you speak " + _and([LANGUAGE.get(v, v) for v in values])
    raise ValueError(field)


ORDER = (
    "career_stage", "topics", "skills_have", "skills_want", "seeking", "offering",
    "project_mode", "utc_offset", "hours_per_week", "languages",
)  # fmt: skip


def changes(before: Extraction, after: Extraction) -> list[str]:
    """The contract fields this turn set or changed, in reading order."""
    old, new = before.fields.contract(), after.fields.contract()
    return [f for f in ORDER if new[f] not in (None, [], "") and new[f] != old[f]]


WAS = {  # the value a correction replaced, in a few words
    "career_stage": lambda v: STAGE[str(v)],
    "project_mode": lambda v: MODE_SHORT[str(v)],
    "utc_offset": lambda v: f"UTC{float(v):+g}",
    "hours_per_week": lambda v: f"{v}",
}


def reflect(before: Extraction, after: Extraction) -> str:
    """What this turn added or changed, in one line; a changed value says what it replaced."""
    parts: list[str] = []
    if after.display_name and after.display_name != before.display_name:
        parts.append(f"your name is {escape(after.display_name)}")
    old = before.fields.model_dump()
    for field in changes(before, after):
        now = getattr(after.fields, field)
        text = _phrase(field, now)
        was = old[field]
        if field in ("career_stage", "project_mode", "utc_offset", "hours_per_week") and was is not None:
            text += f" (not {WAS[field](was)})"
        parts.append(text)
    return ("Got it: " + "; ".join(parts) + ".") if parts else ""


def brief(slot: str, extraction: Extraction) -> str:
    if slot == "practical":
        missing = [PRACTICAL[f] for f in SLOTS["practical"] if f not in extraction.filled()]
        return (_and(missing) + "?") if missing else practical_question(extraction)
    return BRIEF[slot]


def reask(slot: str, extraction: Extraction) -> str:
    """The question rephrased with two examples (practical: only what is still missing)."""
    if slot == "practical":
        return f"{practical_question(extraction)} {REASK[slot]}"
    return REASK[slot]
