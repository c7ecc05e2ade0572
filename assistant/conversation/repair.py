"""Conversation repair: what to say to a turn that answers nothing. Pure policy over the
conversation's state (no store, no Chainlit), after the repair patterns of Rasa's CALM:

- a question to Mingle is answered from the offline answer set (or an honest "I don't know
  that one"), then the pending question is asked again, briefly (interruption, then continue);
- "what?" / "say again" gets the pending question again, rephrased with examples (repeat);
- "start over" asks first; only a yes clears the draft (``start_over``);
- small talk gets a short friendly word, then the pending question (chitchat).

The interview's own turns (answers, skips, "done", corrections) are the intake service's.
"""

from __future__ import annotations

from assistant.conversation.answers import UNKNOWN, AnswerBook
from assistant.conversation.reflect import brief, reask
from assistant.conversation.replies import Ask, Reply, Say
from assistant.conversation.state import Conversation
from assistant.conversation.texts import HELP_TEXT
from assistant.conversation.turns import Turn, TurnKind
from assistant.extraction.port import Extraction
from store.domain import Phase

ON_THE_CARD = "Say **yes** to save your profile, or tell me what to change."


def aside(conversation: Conversation, turn: Turn, answers: AnswerBook) -> Reply:
    """The reply to a question, a repeat, a restart request or small talk."""
    pending = conversation.pending if conversation.phase == Phase.interview else None
    back = f"Back to my question: {brief(pending, conversation.extraction)}" if pending else ""
    if conversation.phase == Phase.confirm:
        back = ON_THE_CARD
    if turn.kind == TurnKind.repeat:
        if pending is None:
            return Say(back or HELP_TEXT)
        return Ask(reask(pending, conversation.extraction), pending)
    if turn.kind == TurnKind.restart:
        conversation.restart_asked = True
        kept = " (your saved profile stays until you confirm a new card)" if conversation.profile_id else ""
        return Say(
            f"Start over? That clears what you've told me in this chat{kept}. "
            "Say **yes** to start over, or just carry on."
        )
    if turn.kind == TurnKind.smalltalk:
        return Say(" ".join(p for p in (turn.reply, back) if p))
    found = [answers.find(q) for q in turn.questions]
    said = [f.entry.answer for f in found if f is not None] or [UNKNOWN]
    return Say("\n\n".join(dict.fromkeys([*said, back] if back else said)))


def start_over(conversation: Conversation) -> Ask:
    """Clear the draft (what was said stays in the transcript; the draft is read from here on)."""
    conversation.draft_from = len(conversation.messages)
    conversation.asked, conversation.declined, conversation.reasked = {"topics"}, set(), set()
    conversation.pending, conversation.phase = "topics", Phase.interview
    conversation.extraction, conversation.was_ready, conversation.reflected = Extraction(), False, False
    return Ask("Cleared. Let's start again: what do you work on, or want to work on?", "topics")
