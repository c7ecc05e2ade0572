"""Answers to another question than the one asked still say what they say: a wish to grow
without "to", a polite request for help, a list of skills where a topic was asked."""

from __future__ import annotations

import pytest

from assistant.conversation.interview import QUESTIONS
from assistant.extraction.rules import RulesExtractor
from store.domain import Message


def read(slot: str, said: str) -> dict[str, object]:
    got = RulesExtractor().extract(
        [Message(role="assistant", content=QUESTIONS[slot]), Message(role="user", content=said)]
    )
    return {k: v for k, v in got.fields.contract().items() if v not in (None, [], "")}


@pytest.mark.parametrize("slot", ["skills_have", "skills_want", "topics"])
def test_want_grow_without_to_is_a_wish_whatever_was_asked(slot: str) -> None:
    got = read(slot, "i want grow my writing and speaking")
    assert got.get("skills_want") == ["speak", "write"] and "skills_have" not in got


def test_a_polite_request_for_help_is_help_sought() -> None:
    assert read("skills_want", "a mentor pls") == {"seeking": ["mentorship"]}


def test_a_list_of_skills_is_no_topic() -> None:
    got = read("topics", "coding n reading ok, writing is hard for me")
    assert "topics" not in got and got["skills_want"] == ["write"]
    assert read("topics", "computer vision and writing assistants")["topics"] == [
        "computer vision",
        "writing assistants",
    ]
