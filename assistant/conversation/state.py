"""One conversation's state, and the few whole-message patterns the intake reacts to.

``Conversation`` is what the intake service keeps per chat; its ``state()`` is stored with every
assistant message, so a resumed chat continues from data, never from Mingle's own wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.extraction.port import Extraction
from assistant.extraction.rules import READ_LIMIT
from store.domain import DialogueState, Message, Phase, interview_only

MAX_MESSAGE = 20_000
MODEL_DOWN = "(The language model isn't answering, so my offline rules read that; nothing is lost.)"
OTHER_LANGUAGE = (
    "(Write in whatever language is easiest for you. My offline reader understands English best, "
    "so I may miss some of it; a few words in English help, and I always say back what I understood.)"
)
LONG_MESSAGE = (
    f"That's a long message: I read its first {READ_LIMIT:,} characters closely. If something "
    "important comes after that, send that part again on its own."
)
SEARCH = re.compile(
    r"^\s*(/search\b|find\b|search\b|look(ing)? for someone|anyone who|someone who)", re.IGNORECASE
)
NO = re.compile(r"^\s*(no|nope|nah|non|cancel|never ?mind|keep (it|going)|carry on|don'?t)\b", re.IGNORECASE)
YES = re.compile(
    r"^\s*(yes|yep|yeah|correct|looks (good|right)|that'?s right|confirm|save( it)?|ok(ay)?|sure|👍)\b",
    re.IGNORECASE,
)


@dataclass
class Conversation:
    transcript_id: str
    owner: str
    messages: list[Message] = field(default_factory=list)
    asked: set[str] = field(default_factory=set)
    declined: set[str] = field(default_factory=set)
    pending: str | None = None  # the slot of the last question
    told_offline: bool = False
    extraction: Extraction = field(default_factory=Extraction)
    phase: Phase = Phase.interview
    profile_id: str | None = None
    was_ready: bool = False
    reasked: set[str] = field(default_factory=set)  # slots asked a second time after a non-answer
    restart_asked: bool = False
    draft_from: int = 0  # the draft is read from this message on ("start over" moves it)
    told_language: bool = False  # told once that the offline reader knows English best
    reflected: bool = False  # said back what it understood at least once

    def state(self) -> DialogueState:
        """The dialogue state as data, stored with each assistant message."""
        return DialogueState(
            phase=self.phase,
            pending=self.pending,
            asked=set(self.asked),
            declined=set(self.declined),
            told_offline=self.told_offline,
            reasked=set(self.reasked),
            restart_asked=self.restart_asked,
            draft_from=self.draft_from,
            told_language=self.told_language,
        )

    def restore(self, state: DialogueState) -> None:
        self.phase, self.pending, self.told_offline = state.phase, state.pending, state.told_offline
        self.asked, self.declined, self.reasked = set(state.asked), set(state.declined), set(state.reasked)
        self.restart_asked, self.draft_from = state.restart_asked, state.draft_from
        self.told_language = state.told_language
        self.reflected = bool(self.asked - {"topics"})

    def draft_turns(self) -> list[Message]:
        """What the extractor reads: the interview of the current draft."""
        return interview_only(self.messages[self.draft_from :])
