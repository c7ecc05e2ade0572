"""Everyday English: lower case, typos, no apostrophes, Pidgin, Indian, Chinese- and French-influenced
English, code-switching. Sentences written for these tests (none copied from the eval data)."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.extraction.port import Extraction
from assistant.extraction.rules import RulesExtractor
from assistant.extraction.rules_text import question_slot
from store.domain import Message

STAGE_Q = "A:Where are you in your journey: undergrad, master's, PhD, postdoc, or something else?"
HAVE_Q = "A:Which of the six come most easily to you?"
WANT_Q = "A:And which of those would you like to grow?"
HELP_Q = "A:What help would be most useful: collaborators, a mentor, compute, feedback, or a study group?"
OFFER_Q = "A:What could you offer others?"
MODE_Q = "A:Do you have an idea of your own, or would you rather build someone else's idea?"
TOPIC_Q = "A:What do you work on?"
PLACE_Q = "A:Where are you, how many hours a week could you give and which languages do you speak?"
FIX_Q = "A:Anything you'd like to correct before I show your profile?"


def extract(*texts: str) -> Extraction:
    return RulesExtractor().extract(
        [
            Message(role="assistant", content=t[2:])
            if t.startswith("A:")
            else Message(role="user", content=t)
            for t in texts
        ]
    )


def profile(*texts: str) -> dict[str, Any]:
    """The contract fields, sets (not topics) as Python sets."""
    got = extract(*texts).fields.contract()
    return {k: set(v) if isinstance(v, list) and k != "topics" else v for k, v in got.items()}


@pytest.mark.parametrize(
    ("question", "answer", "field", "expected"),
    [
        (WANT_Q, "writting and public speeking", "skills_want", {"write", "speak"}),
        (WANT_Q, "wrting mostly", "skills_want", {"write"}),
        (HAVE_Q, "pytorh and reding", "skills_have", {"code", "read"}),
        (HAVE_Q, "codding, networkng", "skills_have", {"code", "network"}),
        (HAVE_Q, "leer papers y coding", "skills_have", {"read", "code"}),
        (TOPIC_Q, "i have never presented my work to anyone", "skills_want", {"speak"}),
        (TOPIC_Q, "writing and coding are my strengths", "skills_have", {"write", "code"}),
        (TOPIC_Q, "reading papers and coding come easy to me", "skills_have", {"read", "code"}),
        (TOPIC_Q, "coding and writing are hard for me", "skills_want", {"code", "write"}),
        (TOPIC_Q, "my writing is slow", "skills_want", {"write"}),
        (TOPIC_Q, "speaking, i want to improve it", "skills_want", {"speak"}),
        (TOPIC_Q, "my english is poor but coding is good", "skills_have", {"code"}),
        (TOPIC_Q, "reading is not good for me", "skills_want", {"read"}),
        (TOPIC_Q, "i dey sabi coding well well", "skills_have", {"code"}),
        (TOPIC_Q, "i am strong in building networks with other labs", "skills_have", {"network"}),
    ],
)
def test_skill_words_and_cues(question: str, answer: str, field: str, expected: set[str]) -> None:
    assert profile(question, answer)[field] == expected


def test_okay_or_fine_is_neutral_even_when_strengths_were_asked() -> None:
    got = profile(HAVE_Q, "speking is fine. codeing is ok")
    assert got["skills_have"] == set() and got["skills_want"] == set()


def test_a_later_cue_of_another_clause_does_not_reach_back() -> None:
    got = profile(TOPIC_Q, "im good at coding and ideas, bad at wrting")
    assert got["skills_have"] == {"code", "idea"} and got["skills_want"] == {"write"}


@pytest.mark.parametrize(
    ("answer", "field", "expected"),
    [
        ("collab + feedbak", "seeking", {"collaboration", "feedback"}),
        ("a studdy group and a mentr", "seeking", {"study_group", "mentorship"}),
        ("i need people to do a project with", "seeking", {"collaboration"}),
    ],
)
def test_help_words(answer: str, field: str, expected: set[str]) -> None:
    assert profile(HELP_Q, answer)[field] == expected


def test_offer_typos_and_pidgin_offer_cue() -> None:
    assert profile(OFFER_Q, "i fit give feedbak on drafts")["offering"] == {"feedback"}
    assert profile(TOPIC_Q, "i can lend my gpus on weekends")["offering"] == {"compute"}


def test_a_relative_clause_ends_where_a_new_thing_is_asked_for() -> None:
    got = profile(TOPIC_Q, "i want a coauthor who writes well and some gpus for the big runs")
    assert got["seeking"] == {"collaboration", "compute"}
    assert got["skills_want"] == set()


def test_the_question_sentence_decides_the_slot_not_the_explanation_before_it() -> None:
    explained = "A:A reading group is people who meet to learn together. What help would be most useful?"
    assert question_slot(explained[2:]) == "seeking"
    assert profile(explained, "ok then a reading group and a mentor")["seeking"] == {
        "study_group",
        "mentorship",
    }


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("doing masters at a small univ", "masters"),
        ("i am in master now", "masters"),
        ("I am PhD scholar at a state university", "phd"),
        ("i be data analyst for one telecom company", "engineer"),
        ("i dey 300 level for unilag", "undergrad"),
        ("mimi ni undergrad", "undergrad"),
        ("I am working as researcher in a bank lab", "researcher"),
        ("secondary school teacher, i teach physics", "other"),
        ("im a nurse who codes at night", "other"),
    ],
)
def test_career_stage_in_everyday_english(answer: str, expected: str) -> None:
    assert profile(STAGE_Q, answer)["career_stage"] == expected


def test_a_degree_held_is_not_the_current_stage() -> None:
    assert profile(TOPIC_Q, "Now postdoc in Seoul. PhD from Kyoto University.")["career_stage"] == "postdoc"
    assert profile(TOPIC_Q, "senior lecturer, dept of physics. phd (2015).")["career_stage"] == "faculty"


def test_x_not_y_for_the_stage() -> None:
    assert profile(STAGE_Q, "masters student, not phd")["career_stage"] == "masters"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("My own idea only", "pitch_idea"),
        ("the idea of somebody else", "implement_idea"),
        ("other people idea", "implement_idea"),
        ("person idea", "implement_idea"),
        ("any one is fine", "either"),
        ("whichever", "either"),
    ],
)
def test_project_mode_phrasings(answer: str, expected: str) -> None:
    assert profile(MODE_Q, answer)["project_mode"] == expected


def test_anyone_else_is_not_either() -> None:
    assert profile(MODE_Q, "I have my own idea, any one else can join")["project_mode"] == "pitch_idea"


@pytest.mark.parametrize(
    ("answer", "topic"),
    [
        ("i dey work on crop disease detection", "crop disease detection"),
        ("im into graph anomaly detection", "graph anomaly detection"),
        ("My research is about fair ranking and causal discovery.", "fair ranking"),
        ("i wan learn speech synthesis for igbo", "speech synthesis for igbo"),
        ("Interested on tabular foundation models sir", "tabular foundation models"),
    ],
)
def test_topic_triggers(answer: str, topic: str) -> None:
    assert topic in [t.lower() for t in profile(TOPIC_Q, answer)["topics"]]


def test_an_abbreviation_inside_a_phrase_said_whole_is_not_a_second_topic() -> None:
    assert profile(TOPIC_Q, "trabajo en agentes con LLMs")["topics"] == ["agentes con LLMs"]


def test_language_lists_without_a_verb_or_with_slashes() -> None:
    assert profile(PLACE_Q, "accra, 6h, twi/english/french")["languages"] == {"tw", "en", "fr"}
    assert profile(TOPIC_Q, "english, luganda and swahili.")["languages"] == {"en", "lg", "sw"}


def test_a_negated_language_is_not_spoken() -> None:
    assert profile(TOPIC_Q, "I speak English and Hindi, not Tamil.")["languages"] == {"en", "hi"}


@pytest.mark.parametrize(
    ("answer", "offset"),
    [
        ("port harcourt", 1),
        ("i dey enugu by the way", 1),
        ("Chengdu, 4 hours", 8),
        ("arusha. swahili and english", 3),
    ],
)
def test_more_cities(answer: str, offset: float) -> None:
    assert profile(PLACE_Q, answer)["utc_offset"] == offset


def test_hours_corrections_and_unit_first_hours() -> None:
    assert profile(PLACE_Q, "lagos, 6 hours a week", FIX_Q, "6 is too much, make it 4")["hours_per_week"] == 4
    assert profile(PLACE_Q, "4 hours a week, not 6 hours")["hours_per_week"] == 4
    assert profile(PLACE_Q, "Nairobi, masaa 5 kwa wiki")["hours_per_week"] == 5


def test_make_it_needs_a_bare_number() -> None:
    assert profile(FIX_Q, "make it 3 people in the group")["hours_per_week"] is None


@pytest.mark.parametrize("text", ["Myself Anjali, final year btech", "my name na Chidi", "They call me Wei."])
def test_name_cues(text: str) -> None:
    assert extract(text).display_name in {"Anjali", "Chidi", "Wei"}


def test_a_no_apostrophe_im_is_not_a_topic() -> None:
    assert profile(TOPIC_Q, "im a teacher at a school")["topics"] == []


def test_could_someone_lend_me_a_gpu_seeks_compute() -> None:
    got = profile(HELP_Q, "could someone lend me a gpu for a week")
    assert got["seeking"] == {"compute"} and got["offering"] == set()
