"""A conversation that listens: questions answered, non-answers re-asked once, "what?" repeated,
"start over" confirmed, small talk, reflect-back after each answer. Through the real intake
service and the real rules extractor, on a real SQLite store (a hashing embedder for speed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.conversation.intake import Conversation, IntakeService
from assistant.conversation.replies import Ask, Card
from assistant.conversation.turns import TurnKind, classify
from assistant.extraction.rules import RulesExtractor
from assistant.settings import load_settings
from store.db import make_engine, upgrade
from store.demo import seed
from store.repositories import Store
from tests.assistant.fakes import fake_services


@pytest.fixture
def intake(sqlite_url: str) -> Iterator[IntakeService]:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    store = Store(engine)
    seed(store)
    services = fake_services(load_settings(), store, extractor=RulesExtractor())
    yield services.intake
    store.dispose()


def begin(intake: IntakeService) -> Conversation:
    return intake.start("someone", "What do you work on, or want to work on?")


def kinds(intake: IntakeService, conversation: Conversation) -> list[str]:
    stored = intake.store.transcripts.get(conversation.transcript_id).messages
    return [m.kind for m in stored if m.role == "user"]


def test_a_question_mid_interview_is_answered_and_the_interview_resumes_where_it_was(
    intake: IntakeService,
) -> None:
    c = begin(intake)
    intake.handle(c, "i work on speech recognition for yoruba")
    assert c.pending == "career_stage"
    reply = intake.handle(c, "sorry what is an rfp?")
    assert "project idea posted by a mentor" in reply.text
    assert "Back to my question: where are you in your journey" in reply.text
    assert c.pending == "career_stage"  # the interrupted question is still the one open
    after = intake.handle(c, "masters student")
    assert c.extraction.fields.career_stage == "masters" and "master's student" in after.text
    assert kinds(intake, c) == ["interview", "aside", "interview"]  # the question is never read as facts


def test_a_question_back_grounds_nothing_even_when_it_names_a_skill(intake: IntakeService) -> None:
    c = begin(intake)
    for answer in ("computer vision for crops", "phd"):
        intake.handle(c, answer)
    assert c.pending == "skills_have"
    reply = intake.handle(c, "pls what do you mean by forming ideas")
    assert "forming **ideas**" in reply.text and c.extraction.fields.skills_have == set()
    intake.handle(c, "reading papers comes easy")
    assert {s.value for s in c.extraction.fields.skills_have} == {"read"}


def test_an_unknown_question_gets_an_honest_answer(intake: IntakeService) -> None:
    c = begin(intake)
    reply = intake.handle(c, "what is the weather in lagos tomorrow?")
    assert "I don't know that one" in reply.text and "/help" in reply.text
    assert c.extraction.fields.utc_offset is None  # a place named in a question is not where they are


def test_a_non_answer_is_reasked_once_with_examples_then_the_interview_moves_on(
    intake: IntakeService,
) -> None:
    c = begin(intake)
    intake.handle(c, "diffusion models")
    first = intake.handle(c, "hmm well it is complicated")
    assert isinstance(first, Ask) and first.slot == "career_stage"
    assert "For example" in first.text and "didn't quite catch" in first.text
    second = intake.handle(c, "still complicated")
    assert isinstance(second, Ask) and second.slot != "career_stage"  # never asked a third time


def test_an_off_slot_answer_counts_for_what_it_says_and_the_slot_is_asked_again(
    intake: IntakeService,
) -> None:
    c = begin(intake)
    for answer in ("graph neural networks", "postdoc", "i read a lot of papers"):
        intake.handle(c, answer)
    assert c.pending == "skills_want"
    reply = intake.handle(c, "coding and writing are my strengths")  # content beats the question
    have = {s.value for s in c.extraction.fields.skills_have}
    assert {"code", "write"} <= have and c.extraction.fields.skills_want == set()
    assert isinstance(reply, Ask) and reply.slot == "skills_want" and "Got it: you're strong at" in reply.text


def test_what_repeats_the_question_rephrased(intake: IntakeService) -> None:
    c = begin(intake)
    intake.handle(c, "nlp for law")
    reply = intake.handle(c, "what?")
    assert isinstance(reply, Ask) and reply.slot == "career_stage" and "For example" in reply.text
    assert kinds(intake, c)[-1] == "aside"


def test_small_talk_is_answered_kindly_and_the_question_follows(intake: IntakeService) -> None:
    c = begin(intake)
    reply = intake.handle(c, "Hello!")
    assert reply.text.startswith("Hello") and "what do you work on" in reply.text
    assert intake.handle(c, "thank you").text.startswith("You're welcome")


def test_start_over_asks_first_and_only_a_yes_clears_the_draft(intake: IntakeService) -> None:
    c = begin(intake)
    for answer in ("robotics", "undergrad"):
        intake.handle(c, answer)
    asked = intake.handle(c, "can we start over")
    assert "Say **yes** to start over" in asked.text
    kept = intake.handle(c, "no")
    assert "carry on" in kept.text and c.extraction.fields.career_stage == "undergrad"
    assert "career_stage" not in c.declined  # "no" to the restart is not a skip
    intake.handle(c, "start over")
    cleared = intake.handle(c, "yes")
    assert isinstance(cleared, Ask) and cleared.slot == "topics"
    assert c.extraction.filled() == set()
    resumed = intake.resume(c.transcript_id)  # the cleared draft stays cleared after a reload
    assert resumed.extraction.filled() == set() and resumed.pending == "topics"
    intake.handle(c, "reinforcement learning")
    assert c.extraction.fields.topics == ["reinforcement learning"]


def test_each_answer_is_said_back_and_a_correction_says_what_it_replaced(intake: IntakeService) -> None:
    c = begin(intake)
    first = intake.handle(c, "speech recognition, im a phd student in Lagos")
    assert "Got it:" in first.text and "PhD student" in first.text and "Tell me if I got" in first.text
    fixed = intake.handle(c, "sorry, i meant postdoc")
    assert "you're a postdoc (not a PhD student)" in fixed.text and "Tell me if I got" not in fixed.text


def test_a_correction_on_the_card_is_said_back_with_the_new_card(intake: IntakeService) -> None:
    c = begin(intake)
    bio = (
        "I'm a PhD student in Nairobi working on crop disease detection. I'm good at coding, "
        "I'd like to improve my writing, I'm looking for a mentor and I can offer feedback. "
        "I have my own idea. About 4 hours a week, I speak English and Swahili."
    )
    intake.handle(c, bio)
    card = intake.handle(c, "done")
    assert isinstance(card, Card)
    again = intake.handle(c, "actually 6 hours a week")
    assert isinstance(again, Card) and "about 6 hours a week" in again.text
    assert c.extraction.fields.hours_per_week == 6


def test_a_resumed_chat_remembers_a_reask_and_does_not_ask_a_third_time(intake: IntakeService) -> None:
    c = begin(intake)
    intake.handle(c, "vision")
    intake.handle(c, "it is hard to say")  # re-asked once
    resumed = intake.resume(c.transcript_id)
    assert resumed.reasked == {"career_stage"}
    reply = intake.handle(resumed, "hard to say really")
    assert isinstance(reply, Ask) and reply.slot != "career_stage"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("what?", TurnKind.repeat),
        ("say again pls", TurnKind.answer),  # not a whole known phrase: read as an answer
        ("i dont understand", TurnKind.repeat),
        ("let's start over", TurnKind.restart),
        ("Hi!", TurnKind.smalltalk),
        ("skip", TurnKind.skip),
        ("that's all", TurnKind.done),
        ("is this free?", TurnKind.question),
        ("im a phd student. what is an rfp?", TurnKind.answer),
        ("coding?", TurnKind.answer),
    ],
)
def test_turn_kinds(text: str, kind: TurnKind) -> None:
    assert classify(text).kind == kind


def test_a_mixed_message_is_read_and_its_question_answered(intake: IntakeService) -> None:
    c = begin(intake)
    reply = intake.handle(c, "i work on medical imaging. is this free?")
    assert c.extraction.fields.topics and "free and voluntary" in reply.text
    assert kinds(intake, c) == ["interview"]


def test_another_language_is_welcome_and_said_once_never_refused(intake: IntakeService) -> None:
    c = begin(intake)
    first = intake.handle(c, "je travaille sur la reconnaissance vocale pour le wolof")
    assert "Write in whatever language" in first.text and isinstance(first, Ask)  # it goes on
    again = intake.handle(c, "je suis étudiant en master à Dakar")
    assert "Write in whatever language" not in again.text
    assert intake.resume(c.transcript_id).told_language  # not said again after a reload


@pytest.mark.parametrize(
    "text",
    [
        "i dey work on malaria detection with cnn",
        "myself priya doing masters in iit delhi",
        "ok",
        "kathmandu, 6 hrs per week, nepali hindi english",  # a list of names is no language
    ],
)
def test_everyday_english_is_english(intake: IntakeService, text: str) -> None:
    assert "Write in whatever language" not in intake.handle(begin(intake), text).text


def test_plain_english_never_gets_the_language_note(intake: IntakeService) -> None:
    c = begin(intake)
    for said in ("I work on diffusion models for CT scans", "I'm a PhD student in Lyon", "skip"):
        assert "Write in whatever language" not in intake.handle(c, said).text
