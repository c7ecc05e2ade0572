"""Taking something back: a later "remove the compute", "mentor not needed", "can't give
mentoring any more" or "sorry, not reading papers" drops what was said before, and only that."""

from __future__ import annotations

import time

import pytest

from assistant.extraction.rules import RulesExtractor
from store.domain import Message


def read(*answers: str) -> dict[str, set[str]]:
    turns = [Message(role="user", content=a) for a in answers]
    fields = RulesExtractor().extract(turns).fields
    return {
        name: {str(v) for v in getattr(fields, name)}
        for name in ("skills_have", "skills_want", "seeking", "offering")
    }


@pytest.mark.parametrize(
    ("first", "then", "field", "gone", "kept"),
    [
        (
            "I can offer compute and feedback.",
            "Please remove the compute.",
            "offering",
            "compute",
            "feedback",
        ),
        (
            "I'm looking for a mentor and a study group.",
            "oops mentor not needed, i have one",
            "seeking",
            "mentorship",
            "study_group",
        ),
        (
            "I can mentor students and give feedback.",
            "I can no longer mentor, too busy.",
            "offering",
            "mentorship",
            "feedback",
        ),
        (
            "I'd like to get better at reading papers and writing.",
            "sorry, not reading papers.",
            "skills_want",
            "read",
            "write",
        ),
        (
            "I need compute and feedback on drafts.",
            "I don't need compute anymore.",
            "seeking",
            "compute",
            "feedback",
        ),
    ],
)
def test_a_later_take_back_drops_that_value_only(
    first: str, then: str, field: str, gone: str, kept: str
) -> None:
    before, after = read(first), read(first, then)
    assert {gone, kept} <= before[field]
    assert gone not in after[field] and kept in after[field]


def test_said_again_after_taking_it_back_it_counts_again() -> None:
    got = read("I can offer compute.", "remove the compute", "actually I can offer compute after all")
    assert "compute" in got["offering"]


def test_not_good_at_is_a_wish_to_grow_not_a_take_back() -> None:
    got = read("I'm not good at writing.")
    assert got["skills_want"] == {"write"}


def test_everyday_phrases_that_are_not_take_backs() -> None:
    got = read("I'd like to get better at coding up papers from scratch.", "I never forget to read papers.")
    assert "code" in got["skills_want"]


def test_take_back_patterns_stay_linear() -> None:
    text = "sorry, " * 2_000 + "not " * 1_000 + "compute"
    started = time.perf_counter()
    RulesExtractor().extract([Message(role="user", content=text)])
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("said", "idea_skill"),
    [
        ("I have my own idea I'd like advice on.", False),  # a project, not the skill
        ("I am having my own idea, I need guidance.", False),
        ("I'm good at coming up with my own ideas.", True),  # the skill
        ("I'd love to build someone else's idea, and I'm good at forming ideas.", True),
    ],
)
def test_an_idea_of_ones_own_is_a_project_not_the_skill(said: str, idea_skill: bool) -> None:
    got = read(said)
    assert ("idea" in got["skills_have"]) is idea_skill


def test_i_can_speak_a_language_is_a_language_not_the_speaking_skill() -> None:
    got = RulesExtractor().extract(
        [Message(role="user", content="I'm in Lagos, 4 hours a week, I can speak English and Yoruba.")]
    )
    assert got.fields.languages == {"en", "yo"} and got.fields.skills_have == set()
    assert "speak" in read("Reading is easy. Speaking English is hard for me.")["skills_want"]
