"""The intake service: one conversation from hello to a confirmed profile and suggestions.

    handle(text): store the message first → commands / search / interview step →
      re-extract the whole conversation (later words win) → next question, or the card
    confirm(): save the profile with its evidence → index it → suggestions

Every assistant message is stored with the dialogue state after it (phase, pending slot,
slots asked and declined: ``DialogueState``), so a reloaded or resumed chat continues where it
stopped by reading those fields, never the assistant's sentences (see ``resume``). UI code
renders the ``Reply`` types of ``replies`` and holds no logic of its own.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from assistant.conversation.answers import AnswerBook
from assistant.conversation.commands import command, search
from assistant.conversation.interview import next_step, progress_note, ready_to_match, slot_filled
from assistant.conversation.intros import IntroService
from assistant.conversation.language import written_in
from assistant.conversation.markup import escape, literal
from assistant.conversation.privacy import delete_person, export_person
from assistant.conversation.reflect import CORRECT_ME, reask, reflect
from assistant.conversation.repair import aside, start_over
from assistant.conversation.replies import (
    Ask,
    Card,
    Matches,
    Reply,
    Say,
    SearchResults,
)
from assistant.conversation.state import (  # MAX_MESSAGE: the limit, for callers
    LONG_MESSAGE,
    MAX_MESSAGE,
    MODEL_DOWN,
    NO,
    OTHER_LANGUAGE,
    SEARCH,
    YES,
    Conversation,
)
from assistant.conversation.turns import ASIDES, Turn, TurnKind, classify, sounds_unsure
from assistant.conversation.voice import TemplateVoice, Voice
from assistant.extraction.port import Extractor
from assistant.extraction.rules import read_in_part
from retrieval.service import MatchService
from store.domain import Feedback, Message, MessageKind, Phase, Profile
from store.errors import IndexUnavailable, InputError
from store.repositories import Store

log = logging.getLogger(__name__)
R = TypeVar("R", bound=Reply)


class IntakeService:
    def __init__(
        self,
        store: Store,
        extractor: Extractor,
        matching: MatchService,
        *,
        expects_llm: bool = False,
        voice: Voice | None = None,
    ) -> None:
        self.expects_llm = expects_llm  # a language model is configured: say so once when it fails
        self.voice = voice or TemplateVoice()
        self.store = store
        self.extractor = extractor
        self.matching = matching
        self.intros = IntroService(store)
        self.answers = AnswerBook(matching.embedder)

    # --- lifecycle ------------------------------------------------------------------------
    def start(self, owner: str, opening: str, transcript_id: str | None = None) -> Conversation:
        """A new conversation. A returning owner keeps their saved profile: the welcome then
        offers suggestions instead of the interview."""
        known = self._profile_of(owner)
        conversation = Conversation(self.store.transcripts.create(owner, known, transcript_id).id, owner)
        if known is not None:
            conversation.profile_id, conversation.phase = known, Phase.saved
            waiting = [v for v in self.intros.for_person(known) if v.awaits_my_answer]
            opening = (
                f"Welcome back, {escape(self.store.profiles.get(known).display_name)}. "
                + (
                    f"{len(waiting)} introduction request(s) wait for your answer: /intros. "
                    if waiting
                    else ""
                )
                + "Type /matches for suggestions, /profile to see or change your profile, or /help."
            )
        conversation.pending = "topics" if known is None else None
        conversation.asked.add("topics")
        self._say(conversation, opening)
        return conversation

    def _profile_of(self, owner: str) -> str | None:
        for transcript_id in reversed(self.store.transcripts.for_owner(owner)):
            profile_id = self.store.transcripts.get(transcript_id).profile_id
            if profile_id and self.store.profiles.find(profile_id) is not None:
                return profile_id
        return None

    def resume(self, transcript_id: str, owner: str | None = None) -> Conversation:
        """Continue a stored transcript: the dialogue state is the one stored with the last
        assistant message; the answers are re-read. With ``owner``, a transcript of somebody
        else is refused."""
        transcript = self.store.transcripts.get(transcript_id)
        if owner is not None and transcript.owner != owner:
            raise InputError("that conversation belongs to someone else")
        conversation = Conversation(transcript.id, transcript.owner, profile_id=transcript.profile_id)
        conversation.messages = list(transcript.messages)
        state = next((m.state for m in reversed(transcript.messages) if m.state is not None), None)
        if state is not None:
            conversation.restore(state)
        conversation.extraction = self.extractor.extract(conversation.draft_turns())
        conversation.was_ready = ready_to_match(conversation.extraction)
        return conversation

    def _say(self, conversation: Conversation, text: str, kind: MessageKind | None = None) -> None:
        """Store an assistant message with the dialogue state it leaves the conversation in. An
        answer is of the kind of what it answers (a command's answer is a command), unless it
        is an event (which may name others: never read by an extractor)."""
        last = conversation.messages[-1] if conversation.messages else None
        kind = kind or (last.kind if last is not None and last.role == "user" else "interview")
        message = Message(role="assistant", content=text, state=conversation.state(), kind=kind)
        self.store.transcripts.append(conversation.transcript_id, message)
        conversation.messages.append(message)

    def _reply(self, conversation: Conversation, reply: R) -> R:
        self._say(conversation, reply.text)
        return reply

    def _voiced(self, conversation: Conversation, reply: R, said: str, *, model_called: bool) -> R:
        """The reply in the voice's words (see ``voice``): on asides, and in another language."""
        if isinstance(self.voice, TemplateVoice) or not isinstance(reply, Say | Ask):
            return self._reply(conversation, reply)
        language = written_in(said)
        if model_called and language is None:
            return self._reply(conversation, reply)  # one model call a turn is enough
        worded = self.voice.phrase(reply.text, said, language)
        if worded is None:
            if not conversation.told_offline:
                conversation.told_offline = True
                reply = replace(reply, text=f"{MODEL_DOWN} {reply.text}")
            return self._reply(conversation, reply)
        return self._reply(conversation, replace(reply, text=worded))

    # --- one user message -----------------------------------------------------------------
    def handle(self, conversation: Conversation, text: str) -> Reply:
        if len(text) > MAX_MESSAGE:
            raise InputError(
                f"that message is {len(text):,} characters; please send at most {MAX_MESSAGE:,} "
                "(a bio or CV summary is plenty)"
            )
        stripped = text.strip()
        command = stripped.startswith("/") or bool(SEARCH.match(stripped))
        turn = classify(stripped) if not command else None
        yes = bool(YES.match(stripped)) and (
            conversation.restart_asked or conversation.phase == Phase.confirm
        )
        kind: MessageKind = "command" if command else "interview"
        no = conversation.restart_asked and bool(NO.match(stripped))
        if turn is not None and (turn.kind in ASIDES or no or (yes and conversation.restart_asked)):
            kind = "aside"  # answers nothing: the extractor never reads it
        message = Message(role="user", content=text, kind=kind)
        self.store.transcripts.append(conversation.transcript_id, message)  # stored before anything else
        conversation.messages.append(message)
        if not stripped:
            return self._reply(conversation, Say("Take your time. You can also skip this question."))
        if stripped.startswith("/"):
            return self._command(conversation, stripped)
        if SEARCH.match(stripped):
            return self._search(conversation, stripped)
        assert turn is not None
        if conversation.restart_asked:
            conversation.restart_asked = False
            if yes:
                return self._reply(conversation, start_over(conversation))
            if no:
                carry_on = Turn(TurnKind.smalltalk, reply="Okay, we carry on.")
                return self._reply(conversation, aside(conversation, carry_on, self.answers))
        if conversation.phase == Phase.confirm and yes:
            return self.confirm(conversation)
        if turn.kind in ASIDES:
            return self._voiced(
                conversation, aside(conversation, turn, self.answers), stripped, model_called=False
            )
        return self._interview(conversation, stripped, turn)

    def _interview(self, conversation: Conversation, text: str, turn: Turn) -> Reply:
        pending = conversation.pending
        was_skipped = turn.kind == TurnKind.skip and pending is not None
        if was_skipped and pending:
            conversation.declined.add(pending)
        before = conversation.extraction
        conversation.extraction = self.extractor.extract(conversation.draft_turns())
        called = conversation.extraction.source != "rules"
        conversation.declined |= conversation.extraction.declined
        said_back = reflect(before, conversation.extraction)
        if said_back and not conversation.reflected:
            said_back, conversation.reflected = f"{said_back} {CORRECT_ME}", True
        answered = [f.entry.answer for q in turn.questions if (f := self.answers.find(q)) is not None]
        progress = progress_note(conversation.extraction, conversation.was_ready)
        note = " ".join(
            p for p in (*self._reading_notes(conversation, text), said_back, *answered, progress) if p
        )
        conversation.was_ready = ready_to_match(conversation.extraction)
        if conversation.phase != Phase.interview or (turn.kind == TurnKind.done and conversation.was_ready):
            lead = "Here is your updated profile." if conversation.phase != Phase.interview else ""
            return self._card(conversation, " ".join(p for p in (note, lead) if p))
        if (
            pending is not None
            and turn.kind == TurnKind.answer
            and pending not in conversation.reasked
            and not slot_filled(pending, conversation.extraction)
        ):  # not understood (or answered another question): ask again once, with examples
            conversation.reasked.add(pending)
            lead = "" if said_back else "Sorry, I didn't quite catch that."
            if not said_back and sounds_unsure(text):
                lead = "That's fine: many people start there, and a rough answer is plenty."
            again = " ".join(p for p in (note, lead, reask(pending, conversation.extraction)) if p)
            return self._voiced(conversation, Ask(again, pending), text, model_called=called)
        step = next_step(conversation.extraction, conversation.asked, conversation.declined)
        if step.kind == "confirm" or step.slot is None:
            thanks = "Thank you, that's everything I wanted to ask."
            return self._card(conversation, " ".join(p for p in (note, thanks) if p))
        conversation.asked.add(step.slot)
        conversation.pending = step.slot
        prefix = "No problem. " if was_skipped else ""
        text_out = " ".join(part for part in (note, prefix + step.text) if part)
        return self._voiced(conversation, Ask(text_out, step.slot), text, model_called=called)

    def _reading_notes(self, conversation: Conversation, text: str) -> list[str]:
        """What the person should know about how their message was read, each said once (a
        long message: always): the model failed, another language, only the start was read."""
        if conversation.extraction.source != "rules":
            return []
        notes = []
        if self.expects_llm and not conversation.told_offline:
            conversation.told_offline = True  # the model timed out or failed: rules answered instead
            notes.append(MODEL_DOWN)
        if not conversation.told_language and written_in(text) is not None:
            conversation.told_language = True  # the language is not named: a guess is never said as fact
            notes.append(OTHER_LANGUAGE)
        if read_in_part(text):
            notes.append(LONG_MESSAGE)
        return notes

    # --- the card and saving ----------------------------------------------------------------
    def draft(self, conversation: Conversation) -> Profile:
        x = conversation.extraction
        existing = self.store.profiles.find(conversation.profile_id) if conversation.profile_id else None
        name = x.display_name or (existing.display_name if existing else "New member")
        data = {**(existing.model_dump() if existing else {}), **x.fields.model_dump()}
        data.update(display_name=name, evidence=x.evidence, updated_at=datetime.now(UTC))
        if existing is None:
            data.pop("id", None)
        return Profile.model_validate(data)

    def _card(self, conversation: Conversation, lead: str) -> Card:
        if conversation.phase == Phase.interview:
            conversation.phase = Phase.confirm
        draft = self.draft(conversation)
        ask = "Does this look right? Say **yes** to save it, or tell me what to change."
        text = " ".join(part for part in (lead, ask) if part)
        return self._reply(conversation, Card(text, draft, draft.evidence))

    def confirm(self, conversation: Conversation) -> Reply:
        """Save the confirmed profile, index it (after the SQL commit) and suggest people."""
        profile = self.draft(conversation)
        if conversation.profile_id:
            profile = profile.model_copy(update={"id": conversation.profile_id})
        self.store.profiles.upsert(profile)
        self.store.transcripts.link_profile(conversation.transcript_id, profile.id)
        conversation.profile_id = profile.id
        conversation.phase = Phase.saved
        try:
            self.matching.index_profile(profile)
            result = self.matching.match(profile, k=5, rfp_k=3, viewer=conversation.owner)
        except IndexUnavailable as exc:
            # the profile is safe in the database; `mingle reindex` (also run at every app start)
            # brings the index back in step, so nothing is lost
            log.warning("index unavailable after saving %s: %s", profile.id, exc)
            text = "Saved. I can't reach the suggestion index right now; try /matches in a little while."
            return self._reply(conversation, Say(text))
        lead = "Saved. Here are people who could help you grow, and whom you could help grow:"
        if not result.people:
            lead = "Saved. Nobody fits all of that yet; I'll keep looking as people join."
        return self._reply(conversation, Matches(lead, result))

    # --- commands and actions -------------------------------------------------------------
    def _require_profile(self, conversation: Conversation) -> Profile:
        if not conversation.profile_id:
            raise InputError(
                "you have no saved profile yet: answer a few questions first, then confirm your card"
            )
        return self.store.profiles.get(conversation.profile_id)

    def _command(self, conversation: Conversation, text: str) -> Reply:
        return command(self, conversation, text)

    def _search(self, conversation: Conversation, text: str) -> Reply:
        return search(self, conversation, text)

    def request_intro(self, conversation: Conversation, target_id: str, note: str = "") -> str:
        me = self._require_profile(conversation)
        intro = self.intros.request(me, target_id, note, viewer=conversation.owner)
        target = self.store.profiles.get(intro.target_id)
        text = (
            f"I've asked {escape(target.display_name)} whether they'd like an introduction. "
            "Contact details are shared only if they say yes too."
        )
        if not me.contact:
            text += " Add the contact you'd like to share with /contact (an email or handle)."
        self._say(conversation, text, "event")
        return text

    def accept_intro(self, conversation: Conversation, intro_id: str) -> str:
        view = self.intros.accept(intro_id, self._require_profile(conversation).id)
        text = f"Wonderful: you and {escape(view.other_name)} are introduced. " + (
            f"Their contact: {literal(view.contact)}."
            if view.contact
            else "They haven't added a contact yet; they have yours."
        )
        self._say(conversation, text, "event")
        return text

    def decline_intro(self, conversation: Conversation, intro_id: str) -> str:
        view = self.intros.decline(intro_id, self._require_profile(conversation).id)
        text = f"Understood. {escape(view.other_name)} won't be told it was a no."
        self._say(conversation, text, "event")
        return text

    def not_a_fit(self, conversation: Conversation, about_id: str, reason: str = "") -> str:
        me = self._require_profile(conversation)
        self.store.feedback.add(Feedback(from_id=me.id, about_id=about_id, reason=reason))
        text = "Noted. You won't see that suggestion again, and it stays between us."
        self._say(conversation, text, "event")
        return text

    def more_like(self, conversation: Conversation, profile_id: str) -> Reply:
        from retrieval.texts import offer_text

        other = self.intros.visible_to(conversation.owner, profile_id)  # no name for a forged id
        _, hits = self.matching.search(offer_text(other), k=4)
        hits = [h for h in hits if h.profile.id not in (profile_id, conversation.profile_id)][:3]
        self.store.exposures.record(conversation.owner, [h.profile.id for h in hits], kind="search")
        reply = SearchResults(f"People similar to {escape(other.display_name)}:", tuple(hits))
        self._say(conversation, reply.text, "event")
        return reply

    def export(self, conversation: Conversation) -> dict[str, Any]:
        return export_person(self.store, conversation.profile_id, conversation.owner)

    def delete(self, conversation: Conversation) -> None:
        """Remove this person: profile, every transcript of this owner, index entries."""
        delete_person(self.store, self.matching, conversation.profile_id, conversation.owner)
        conversation.profile_id = None
        conversation.phase = Phase.interview
