"""The slash commands and people search of a conversation: /help, /profile, /matches, /rfps,
/intros, /contact, /export, /delete, and "/search …" or "find me someone who …".

Functions over the intake service (``self``): the service stores every reply they give.
"""

from __future__ import annotations

import re
from typing import Any, Protocol, TypeVar

from assistant.conversation.intros import IntroService
from assistant.conversation.markup import escape
from assistant.conversation.replies import Card, Deleted, Export, Intros, Matches, Reply, Say, SearchResults
from assistant.conversation.state import Conversation
from assistant.conversation.texts import HELP_TEXT
from retrieval.service import MatchService
from store.domain import Profile
from store.errors import InputError
from store.repositories import Store

R = TypeVar("R", bound=Reply)


class IntakeService(Protocol):
    """What the commands use of the intake service (``assistant.conversation.intake``)."""

    matching: MatchService
    store: Store
    intros: IntroService

    def _reply(self, conversation: Conversation, reply: R) -> R: ...
    def _card(self, conversation: Conversation, lead: str) -> Card: ...
    def _require_profile(self, conversation: Conversation) -> Profile: ...
    def export(self, conversation: Conversation) -> dict[str, Any]: ...
    def delete(self, conversation: Conversation) -> None: ...


def command(self: IntakeService, conversation: Conversation, text: str) -> Reply:
    """A slash command (the service stores the reply)."""
    name, _, rest = text.partition(" ")
    name = name.lower()
    if name == "/help":
        return self._reply(conversation, Say(HELP_TEXT))
    if name == "/search":
        return search(self, conversation, rest)
    if name == "/profile":
        if conversation.profile_id is None:
            return self._card(conversation, "Your profile so far (not saved yet).")
        profile = self._require_profile(conversation)
        return self._reply(conversation, Card("Your profile:", profile, profile.evidence))
    if name in ("/matches", "/rfps"):
        profile = self._require_profile(conversation)
        result = self.matching.match(
            profile, k=5, rfp_k=5 if name == "/rfps" else 3, viewer=conversation.owner
        )
        if name == "/rfps":
            result.people = []
        return self._reply(conversation, Matches("Here is what I found for you:", result))
    if name == "/intros":
        profile = self._require_profile(conversation)
        views = self.intros.for_person(profile.id)
        lead = (
            "Your introductions:" if views else "No introductions yet. Use “Request intro” on a suggestion."
        )
        return self._reply(conversation, Intros(lead, tuple(views)))
    if name == "/contact":
        profile = self._require_profile(conversation)
        contact = rest.strip()
        if not contact or len(contact) > 200:
            raise InputError("write /contact followed by an email or handle (at most 200 characters)")
        self.store.profiles.upsert(profile.model_copy(update={"contact": contact}))
        return self._reply(conversation, Say("Saved. It's shared only with people you both said yes to."))
    if name == "/export":
        return self._reply(
            conversation, Export("Everything Mingle holds about you:", self.export(conversation))
        )
    if name == "/delete":
        self.delete(conversation)
        return Deleted("Done: your profile, your conversations and your place in the index are gone.")
    return self._reply(conversation, Say(f"I don't know {escape(name)}. " + HELP_TEXT))


def search(self: IntakeService, conversation: Conversation, text: str) -> Reply:
    """People who fit a description; each is recorded as shown (so they can be asked)."""
    query = re.sub(r"^\s*(/search|search( for)?|find( me)?)\s*", "", text, flags=re.IGNORECASE)
    _, hits = self.matching.search(query or text, k=5)
    if conversation.profile_id:
        hits = [h for h in hits if h.profile.id != conversation.profile_id]
    self.store.exposures.record(conversation.owner, [h.profile.id for h in hits], kind="search")
    lead = "Here is who fits that best:" if hits else "Nobody matches all of that yet. Try fewer conditions."
    return self._reply(conversation, SearchResults(lead, tuple(hits)))
