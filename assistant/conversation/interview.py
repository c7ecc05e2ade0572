"""The interview policy: which short question to ask next, pure and testable without Chainlit.

Slots follow the profile contract. One question at a time; any question can be skipped and
"I'd rather not say" is respected; a slot is never asked twice; a pasted bio that fills many
slots means only the missing ones are asked. Information may come in any order and be
corrected later: the extractor re-assembles the whole conversation each turn (reading each
turn once), later words win.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from assistant.extraction.declines import is_decline
from assistant.extraction.port import Extraction

SLOTS: dict[str, tuple[str, ...]] = {
    "topics": ("topics",),
    "career_stage": ("career_stage",),
    "skills_have": ("skills_have",),
    "skills_want": ("skills_want",),
    "seeking": ("seeking",),
    "offering": ("offering",),
    "project_mode": ("project_mode",),
    "practical": ("utc_offset", "hours_per_week", "languages"),
}

QUESTIONS = {
    "topics": "What do you work on, or want to work on? A few words is plenty.",
    "career_stage": (
        "Where are you in your journey: undergrad, master's, PhD, postdoc, engineer, researcher, "
        "faculty, or something else?"
    ),
    "skills_have": (
        "Research asks for six things: reading papers, coding, forming ideas, writing, speaking and "
        "networking. Which come most easily to you?"
    ),
    "skills_want": "And which of those would you like to grow?",
    "seeking": (
        "What help would be most useful: collaborators, a mentor, compute, feedback, or a study group?"
    ),
    "offering": (
        "What could you offer others? For example collaboration, mentoring, compute, feedback on drafts, "
        "or joining a study group. Everyone has something."
    ),
    "project_mode": (
        "Do you have an idea of your own you'd like advice or hands on, or would you rather build "
        "someone else's idea? Either is great."
    ),
}
PRACTICAL = {
    "utc_offset": "where you are (a city or time zone)",
    "hours_per_week": "about how many hours a week you could give",
    "languages": "which languages you speak",
}
SKIP_HINT = "(You can skip any question.)"

# The whole answer, case and spacing aside, with any "." or "!" after it. Matched as a set of
# phrases, not a regex: a 20,000-character message costs one pass (no backtracking over runs).
DONE = frozenset(
    {
        "done",
        "enough",
        "finish",
        *(f"{that} {what}" for that in ("that's", "thats") for what in ("all", "enough", "it")),
        *(f"{see}{what}" for see in ("let's see", "lets see") for what in ("", " matches", " the matches")),
        "show me",
        "show me matches",
    }
)

# Enough to suggest people: something to work on, something to grow or seek, something to give.
READY = (("topics",), ("skills_want", "seeking"), ("skills_have", "offering"))


@dataclass(frozen=True)
class Step:
    """What to say next: ask a slot, or show the profile card for confirmation."""

    kind: Literal["ask", "confirm"]
    slot: str | None = None
    text: str = ""


def slot_filled(slot: str, extraction: Extraction) -> bool:
    filled = extraction.filled()
    return all(field in filled for field in SLOTS[slot])


def skipped(pending: str | None, text: str) -> bool:
    """The answer declines the question still open (the extractor's rule: ``is_decline``)."""
    return bool(pending) and is_decline(text)


def wants_to_finish(text: str) -> bool:
    """The whole answer is "done", "that's all", "let's see matches", "show me" or the like."""
    said = " ".join(text.lower().split()).rstrip(".!").rstrip()
    return said in DONE


def ready_to_match(extraction: Extraction) -> bool:
    filled = extraction.filled()
    return all(any(field in filled for field in group) for group in READY)


def practical_question(extraction: Extraction) -> str:
    missing = [PRACTICAL[f] for f in SLOTS["practical"] if f not in extraction.filled()]
    if len(missing) == 1:
        return f"Last practical bit: {missing[0]}?"
    return (
        "A few practical bits so people can actually meet: "
        + ", ".join(missing[:-1])
        + f" and {missing[-1]}?"
    )


def next_step(extraction: Extraction, asked: set[str], declined: set[str]) -> Step:
    """The first slot, in interview order, that is neither filled, asked before, nor declined;
    when none is left, the confirmation card."""
    for slot in SLOTS:
        if slot in asked or slot in declined or slot_filled(slot, extraction):
            continue
        text = practical_question(extraction) if slot == "practical" else QUESTIONS[slot]
        return Step("ask", slot, text)
    return Step("confirm")


def progress_note(extraction: Extraction, was_ready: bool) -> str:
    """Said once, the moment there is enough to match."""
    if ready_to_match(extraction) and not was_ready:
        return (
            "I already know enough to suggest people; a couple more questions make it better. "
            "Say “done” any time."
        )
    return ""
