"""Questions and hypotheticals are never facts; answers that merely end in "?" still are."""

from __future__ import annotations

import time

import pytest

from assistant.conversation.interview import QUESTIONS
from assistant.extraction.questions import is_hypothetical, is_question, split_sentences
from assistant.extraction.rules import RulesExtractor
from store.domain import Message


@pytest.mark.parametrize(
    "sentence",
    [
        "what is an rfp?",
        "what is an rfp",
        "whats a study group",
        "how does the matching work",
        "who will see my answers?",
        "is this free?",
        "do you have people in robotics?",
        "sorry what do you mean by networking?",
        "i dont understand what forming ideas means",
        "explain mentee please",
        "can you tell me what compute means?",
    ],
)
def test_questions_to_mingle(sentence: str) -> None:
    assert is_question(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "coding?",  # an unsure answer
        "phd maybe?",
        "I work on NLP, is that ok?",  # a tag question after an answer
        "what i'm good at is ideas",
        "how to read papers properly",
        "do NLP research at a startup",
        "can i get a mentor?",  # a request says what the person wants
        "could someone give me feedback on my drafts?",
        "is there anyone who can help with writing?",
        "I speak English.",
    ],
)
def test_answers_that_look_like_questions(sentence: str) -> None:
    assert not is_question(sentence)


def test_hypotheticals() -> None:
    assert is_hypothetical("if i had a gpu i would share it")
    assert is_hypothetical("Imagine I was a mentor")
    assert not is_hypothetical("if possible i'd like a mentor")


def test_a_question_back_grounds_nothing_and_an_answer_beside_it_still_counts() -> None:
    asked = QUESTIONS["skills_have"]
    only_question = RulesExtractor().extract(
        [
            Message(role="assistant", content=asked),
            Message(role="user", content="what do you mean by writing?"),
        ]
    )
    assert only_question.fields.skills_have == set() and not only_question.evidence
    both = RulesExtractor().extract(
        [
            Message(role="assistant", content=asked),
            Message(role="user", content="coding comes easy. what do you mean by networking?"),
        ]
    )
    assert {s.value for s in both.fields.skills_have} == {"code"}
    assert all("networking" not in q for q in both.evidence["skills_have"])


def test_a_pasted_copy_of_the_question_grounds_nothing_but_an_echo_does() -> None:
    asked = QUESTIONS["skills_have"]
    copied = RulesExtractor().extract(
        [Message(role="assistant", content=asked), Message(role="user", content=asked.split("? ")[0])]
    )
    assert copied.fields.skills_have == set()
    echo = RulesExtractor().extract(
        [
            Message(role="assistant", content=QUESTIONS["project_mode"]),
            Message(role="user", content="build someone else's idea"),
        ]
    )
    assert echo.fields.project_mode == "implement_idea"


def test_sentence_splitting_is_linear() -> None:
    text = "what?" * 4_000 + "a" * 20_000
    started = time.perf_counter()
    parts = split_sentences(text)
    assert time.perf_counter() - started < 0.5 and len(parts) == 4_001


@pytest.mark.parametrize(
    "sentence", ["Quick question: what time is it in Lagos?", "question: who sees my data?", "pls is it free"]
)
def test_lead_ins_before_a_question(sentence: str) -> None:
    assert is_question(sentence)


def test_a_cleft_statement_is_an_answer_not_a_question() -> None:
    assert not is_question("What would help most is compute.")
    assert not is_question("what i need is a mentor")
    got = RulesExtractor().extract(
        [
            Message(role="assistant", content=QUESTIONS["seeking"]),
            Message(role="user", content="What would help most is compute."),
        ]
    )
    assert {h.value for h in got.fields.seeking} == {"compute"}


def test_an_offer_carries_over_its_sentence_and_help_is_no_topic() -> None:
    offered = RulesExtractor().extract(
        [
            Message(role="assistant", content=QUESTIONS["seeking"]),
            Message(role="user", content="I can offer reviewing papers and joining a study group."),
        ]
    )
    assert {h.value for h in offered.fields.offering} == {"study_group"} and not offered.fields.seeking
    helping = RulesExtractor().extract(
        [
            Message(role="assistant", content=QUESTIONS["topics"]),
            Message(role="user", content="I could help with feedback on drafts and mentoring."),
        ]
    )
    assert helping.fields.topics == [] and {h.value for h in helping.fields.offering} == {
        "feedback",
        "mentorship",
    }
