"""The intake service end to end over a real SQLite store, with fast fakes for model parts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.conversation.intake import Conversation, IntakeService
from assistant.conversation.replies import Ask, Card, Export, Matches, SearchResults
from assistant.extraction.port import Extraction
from assistant.extraction.rules import READ_LIMIT
from assistant.settings import load_settings
from store.db import make_engine, upgrade
from store.demo import seed
from store.domain import Message
from store.errors import InputError
from store.repositories import Store
from tests.assistant.fakes import KeywordExtractor, fake_services


@pytest.fixture
def intake(sqlite_url: str) -> Iterator[IntakeService]:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    store = Store(engine)
    seed(store)
    yield fake_services(load_settings(), store).intake
    store.dispose()


ANSWERS = [
    "I work on diffusion models for CT scans",  # topics
    "I'm a PhD student",  # stage
    "I write well and read a lot",  # have
    "I want to learn to code and grow my network",  # want
    "I need compute and a mentor",  # seeking
    "I can give feedback",  # offering
    "I have my own idea",  # mode
    "UTC+1, about 6 hours a week, English",  # practical
]


def test_a_whole_intake_in_eight_answers_then_saved_and_matched(intake: IntakeService) -> None:
    conversation = intake.start("session-a", "Welcome! What do you work on?")
    replies = [intake.handle(conversation, answer) for answer in ANSWERS]
    assert [type(r) for r in replies[:-1]] == [Ask] * 7
    card = replies[-1]
    assert isinstance(card, Card)
    assert card.profile.skills_want == {"code", "network"} and card.profile.utc_offset == 1.0
    assert card.evidence["seeking"] == ["I need compute and a mentor"]
    assert intake.store.profiles.count() == 314  # nothing saved before the person confirms
    saved = intake.handle(conversation, "yes, looks right")
    assert isinstance(saved, Matches) and len(saved.matches.people) == 5
    assert all(m.explanation for m in saved.matches.people)
    profile = intake.store.profiles.get(conversation.profile_id or "")
    assert profile.evidence["topics"] == ["I work on diffusion models for CT scans"]
    transcript = intake.store.transcripts.get(conversation.transcript_id)
    assert transcript.profile_id == profile.id
    assert [m.content for m in transcript.messages if m.role == "user"] == [*ANSWERS, "yes, looks right"]


def test_skips_are_respected_and_it_says_when_it_has_enough(intake: IntakeService) -> None:
    conversation = intake.start("s", "What do you work on?")
    first = intake.handle(conversation, "skip")
    assert first.text.startswith("No problem.") and "journey" in first.text
    intake.handle(conversation, "I'd rather not say")
    third = intake.handle(conversation, "I write well")
    assert "want" in third.text.lower() or "grow" in third.text.lower()
    assert "topics" in conversation.declined and "career_stage" in conversation.declined


def test_a_pasted_bio_then_only_missing_questions_and_done(intake: IntakeService) -> None:
    conversation = intake.start("s", "What do you work on?")
    bio = (
        "I'm a PhD student working on speech. I write well, I want to learn to code, I need compute, "
        "I can give feedback."
    )
    reply = intake.handle(conversation, bio)
    assert "enough to suggest people" in reply.text and "idea of your own" in reply.text
    done = intake.handle(conversation, "done")
    assert isinstance(done, Card)


def test_corrections_later_win_and_the_card_updates(intake: IntakeService) -> None:
    conversation = intake.start("s", "What do you work on?")
    for answer in ANSWERS:
        intake.handle(conversation, answer)
    corrected = intake.handle(conversation, "actually I'm in UTC+3")
    assert isinstance(corrected, Card) and corrected.profile.utc_offset == 3.0


def test_the_state_is_rebuilt_from_the_store_on_resume(intake: IntakeService) -> None:
    conversation = intake.start("s", "Welcome! What do you work on?")
    for answer in ANSWERS[:3]:
        intake.handle(conversation, answer)
    resumed = intake.resume(conversation.transcript_id)
    assert resumed.asked == conversation.asked and resumed.pending == conversation.pending
    nxt = intake.handle(resumed, ANSWERS[3])
    assert "help would be most useful" in nxt.text


def test_resume_reads_the_stored_state_so_rewording_the_questions_breaks_nothing(
    intake: IntakeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.conversation import interview

    conversation = intake.start("s", "Welcome! What do you work on?")
    for answer in (ANSWERS[0], "skip", ANSWERS[2]):
        intake.handle(conversation, answer)
    assert conversation.declined == {"career_stage"} and conversation.pending == "skills_want"
    reworded = {
        slot: f"Question {n} of the new wording, about {slot}?" for n, slot in enumerate(interview.SLOTS)
    }
    monkeypatch.setattr(interview, "QUESTIONS", reworded)
    resumed = intake.resume(conversation.transcript_id)
    assert (resumed.asked, resumed.declined, resumed.pending, resumed.phase) == (
        {"topics", "career_stage", "skills_have", "skills_want"},
        {"career_stage"},
        "skills_want",
        "interview",
    )
    nxt = intake.handle(resumed, ANSWERS[3])
    assert isinstance(nxt, Ask) and nxt.slot == "seeking" and nxt.text.endswith(reworded["seeking"])
    stored = intake.store.transcripts.get(conversation.transcript_id).messages[-1].state
    assert stored is not None and stored.pending == "seeking" and "seeking" in stored.asked


def test_a_resumed_card_still_waits_for_yes_and_remembers_the_offline_note(
    intake: IntakeService,
) -> None:
    conversation = intake.start("s", "What do you work on?")
    for answer in ANSWERS:
        intake.handle(conversation, answer)
    conversation.told_offline = True
    intake.handle(conversation, "actually I'm in UTC+3")  # the card again, stored with its state
    resumed = intake.resume(conversation.transcript_id)
    assert resumed.phase == "confirm" and resumed.told_offline
    assert isinstance(intake.handle(resumed, "yes"), Matches)
    again = intake.resume(conversation.transcript_id)
    assert again.phase == "saved" and again.profile_id == resumed.profile_id


def test_commands_search_intro_not_a_fit_export_delete(intake: IntakeService) -> None:
    conversation = intake.start("owner-1", "What do you work on?")
    with pytest.raises(InputError, match="no saved profile yet"):
        intake.handle(conversation, "/matches")
    for answer in [*ANSWERS, "yes"]:
        reply = intake.handle(conversation, answer)
    assert isinstance(reply, Matches)
    first = reply.matches.people[0].profile.id
    assert "Contact details are shared only if they say yes" in intake.request_intro(conversation, first)
    second = reply.matches.people[1].profile.id
    intake.not_a_fit(conversation, second)
    again = intake.handle(conversation, "/matches")
    assert isinstance(again, Matches) and second not in {m.profile.id for m in again.matches.people}
    assert first not in {m.profile.id for m in again.matches.people}  # an intro exists
    found = intake.handle(conversation, "find someone strong at coding who works on speech")
    assert isinstance(found, SearchResults) and found.hits
    assert "/search" in intake.handle(conversation, "/help").text
    export = intake.handle(conversation, "/export")
    assert isinstance(export, Export)
    exported = export.data
    assert exported["profile"]["id"] == conversation.profile_id
    assert "contact" in exported["profile"]
    profile_id = conversation.profile_id or ""
    intake.handle(conversation, "/delete")
    assert intake.store.profiles.find(profile_id) is None
    assert intake.store.transcripts.for_owner("owner-1") == []
    assert intake.matching.index.get("offer", [profile_id]) == {}


def test_oversized_messages_are_refused_politely(intake: IntakeService) -> None:
    conversation = intake.start("s", "What do you work on?")
    with pytest.raises(InputError, match="at most 20,000"):
        intake.handle(conversation, "x" * 20_001)


def test_a_message_longer_than_the_rules_read_is_kept_whole_and_the_person_told(
    intake: IntakeService,
) -> None:
    conversation = intake.start("someone", "What do you work on?")
    pasted = "I work on speech recognition for Yoruba. " + "Some history of my lab. " * 300
    reply = intake.handle(conversation, pasted + "I'm a postdoc in Lagos.")
    assert "long message" in reply.text and f"{READ_LIMIT:,} characters" in reply.text
    stored = intake.store.transcripts.get(conversation.transcript_id).messages
    assert any(m.content == pasted + "I'm a postdoc in Lagos." for m in stored)  # nothing lost
    assert conversation.extraction.fields.topics  # the start was read
    short = intake.handle(conversation, "PhD student.")
    assert "long message" not in short.text


def test_extraction_rereads_the_whole_conversation_each_turn(intake: IntakeService) -> None:
    assert isinstance(intake.extractor, KeywordExtractor)
    conversation = intake.start("s", "What do you work on?")
    intake.handle(conversation, "speech")
    intake.handle(conversation, "PhD")
    assert intake.extractor.calls == 2


def test_an_index_failure_after_the_sql_commit_loses_nothing_and_reindex_repairs_it(
    intake: IntakeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store.errors import IndexUnavailable

    conversation = intake.start("s", "What do you work on?")
    for answer in ANSWERS:
        intake.handle(conversation, answer)

    def broken(*_: object, **__: object) -> None:
        raise IndexUnavailable("cannot reach the Chroma server at http://127.0.0.1:1")

    with monkeypatch.context() as patch:
        patch.setattr(intake.matching.index, "upsert", broken)
        reply = intake.handle(conversation, "yes")
    assert reply.text.startswith("Saved.") and "try /matches" in reply.text
    saved = intake.store.profiles.get(conversation.profile_id or "")  # the SQL commit stands
    drift = intake.matching.check()
    assert drift.missing["offer"] == [saved.id] and drift.missing["seek"] == [saved.id]
    intake.matching.reindex()  # what `mingle reindex` and every app start do
    assert intake.matching.check().clean
    assert isinstance(intake.handle(conversation, "/matches"), Matches)


def test_users_only_see_and_change_their_own_data(intake: IntakeService) -> None:
    from store.errors import NotFound

    amara = intake.start("user:amara", "What do you work on?")
    kenji = intake.start("user:kenji", "What do you work on?")
    for conversation in (amara, kenji):
        for answer in [*ANSWERS, "yes"]:
            intake.handle(conversation, answer)
    intake.store.exposures.record("user:amara", [kenji.profile_id or ""])  # in her suggestions
    intake.request_intro(amara, kenji.profile_id or "")
    [asked] = intake.intros.for_person(kenji.profile_id or "")
    with pytest.raises(InputError, match="only the person you asked"):
        intake.accept_intro(amara, asked.id)  # the asker cannot accept on kenji's behalf
    stranger = intake.start("user:someone", "What do you work on?")
    for answer in [*ANSWERS, "yes"]:
        intake.handle(stranger, answer)
    with pytest.raises(NotFound):
        intake.accept_intro(stranger, asked.id)  # others' intros do not exist for them
    with pytest.raises(InputError, match="belongs to someone else"):
        intake.resume(amara.transcript_id, owner="user:kenji")
    exported = intake.export(kenji)
    assert exported["profile"]["id"] == kenji.profile_id
    assert all(t["owner"] == "user:kenji" for t in exported["transcripts"])
    assert "amara" not in str(exported["transcripts"])
    intake.accept_intro(kenji, asked.id)
    intake.handle(amara, "/contact amara@example.org")
    [view] = intake.intros.for_person(kenji.profile_id or "")
    assert view.contact == "amara@example.org"


def test_when_the_configured_model_fails_the_person_is_told_once(intake: IntakeService) -> None:
    from assistant.chat_model import FakeChatModel, LLMUnavailable
    from assistant.extraction.llm import HybridExtractor, LLMExtractor

    rules = KeywordExtractor()
    failing = FakeChatModel(*[LLMUnavailable("the model timed out after 20 s")] * 20)
    intake.extractor = HybridExtractor(rules, LLMExtractor(failing, fallback=rules))
    intake.expects_llm = True
    conversation = intake.start("s", "What do you work on?")
    first = intake.handle(conversation, ANSWERS[0])
    second = intake.handle(conversation, ANSWERS[1])
    assert "language model isn't answering" in first.text and "journey" in first.text
    assert "language model" not in second.text  # said once, then the interview just goes on
    assert conversation.extraction.fields.topics == ["diffusion models"]  # the rules' reading stands


def _two_members(intake: IntakeService) -> tuple[Conversation, Conversation]:
    """Kenji (good at coding) and Amara, who is shown Kenji, asks him, and he says yes."""
    kenji = intake.start("user:kenji", "What do you work on?")
    for answer in ["My name is Kenji. I work on speech", *ANSWERS[1:], "yes"]:
        intake.handle(kenji, answer)
    kenji_id = kenji.profile_id or ""
    amara = intake.start("user:amara", "What do you work on?")
    for answer in ["My name is Amara. I work on diffusion", *ANSWERS[1:], "yes"]:
        intake.handle(amara, answer)
    intake.handle(amara, "/contact amara.secret@example.org")
    intake.store.exposures.record("user:amara", [kenji_id])  # Kenji was among her suggestions
    intake.request_intro(amara, kenji_id)
    [asked] = intake.intros.for_person(kenji_id)
    intake.accept_intro(kenji, asked.id)
    return amara, kenji


def test_the_model_never_reads_other_peoples_names_or_contacts(intake: IntakeService) -> None:
    from assistant.chat_model import FakeChatModel
    from assistant.extraction.llm import HybridExtractor, LLMExtractor

    _, kenji = _two_members(intake)
    said = [m.content for m in intake.store.transcripts.get(kenji.transcript_id).messages]
    assert any("amara.secret@example.org" in text for text in said)  # his record of the intro keeps it

    class Recording(KeywordExtractor):
        def __init__(self) -> None:
            super().__init__()
            self.turns: list[list[Message]] = []

        def extract(self, turns: list[Message]) -> Extraction:
            self.turns.append(list(turns))
            return super().extract(turns)

    model = FakeChatModel()  # answers nothing: the rules answer, the prompt is kept in its history
    rules = Recording()
    intake.extractor = HybridExtractor(rules, LLMExtractor(model, fallback=rules))
    intake.handle(kenji, "actually I also want to grow my network")
    resumed = intake.resume(kenji.transcript_id)  # resuming reads the same interview
    intake.handle(resumed, "and I speak English")
    prompts = [m["content"] for call in model.history for m in call.messages]
    assert len(model.history) == 3 and any("grow my network" in p for p in prompts)
    for secret in ("Amara", "amara.secret@example.org"):
        assert not any(secret in p for p in prompts)
    assert all("Amara" not in m.content for turn in rules.turns for m in turn)
    assert resumed.phase == "saved" and resumed.profile_id == kenji.profile_id


def test_search_records_who_was_found_so_they_can_be_asked(intake: IntakeService) -> None:
    from assistant.conversation.intros import UNKNOWN_PERSON
    from store.errors import NotFound

    conversation = intake.start("user:searcher", "What do you work on?")
    for answer in [*ANSWERS, "yes"]:
        intake.handle(conversation, answer)
    matches = intake.handle(conversation, "/matches")
    assert isinstance(matches, Matches)
    shown = {m.profile.id for m in matches.matches.people}
    stranger = next(p.id for p in intake.store.profiles.list() if p.id not in shown and not p.paused)
    with pytest.raises(NotFound, match=f"^{UNKNOWN_PERSON}$"):
        intake.request_intro(conversation, stranger)  # a forged id: never shown, never found
    found = intake.handle(conversation, f"/search {intake.store.profiles.get(stranger).topics[0]}")
    assert isinstance(found, SearchResults)
    hit = found.hits[0].profile.id
    assert intake.store.exposures.shown("user:searcher", hit)
    assert "shared only if they say yes" in intake.request_intro(conversation, hit)


def test_forged_or_hidden_ids_get_the_same_plain_not_found(intake: IntakeService) -> None:
    from assistant.conversation.intros import UNKNOWN_PERSON
    from store.errors import NotFound

    conversation = intake.start("user:prober", "What do you work on?")
    for answer in [*ANSWERS, "yes"]:
        intake.handle(conversation, answer)
    people = intake.store.profiles.list()
    hidden = people[0].model_copy(update={"visibility": "hidden", "display_name": "Secret Hidden"})
    paused = people[1].model_copy(update={"paused": True, "display_name": "Secret Paused"})
    for profile in (hidden, paused):
        intake.store.profiles.upsert(profile)
        intake.store.exposures.record("user:prober", [profile.id])  # even once shown
    for forged in (hidden.id, paused.id, "p_doesnotexist"):
        for act in (intake.more_like, intake.request_intro):
            with pytest.raises(NotFound) as caught:
                act(conversation, forged)
            assert str(caught.value) == UNKNOWN_PERSON and "Secret" not in str(caught.value)
