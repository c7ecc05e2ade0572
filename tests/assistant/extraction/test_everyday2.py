"""Everyday English, second round: Pidgin and Indonesian stage phrases, degrees in progress, French
"in thesis", code-switched project modes and take-backs, hedged help, topics that are places or
stages. Sentences written for these tests (none copied from the eval data)."""

from __future__ import annotations

import pytest

from assistant.extraction.rules_skills import REMOVED_AFTER, WRITE_CODE
from assistant.extraction.rules_topics import PRONOUNS, SUBJECT
from tests.assistant.extraction.test_everyday import (  # the same questions and readers
    FIX_Q,
    HAVE_Q,
    HELP_Q,
    MODE_Q,
    OFFER_Q,
    PLACE_Q,
    STAGE_Q,
    TOPIC_Q,
    WANT_Q,
    profile,
)


@pytest.mark.parametrize(
    ("answer", "stage"),
    [
        ("i dey do my phd for unilorin", "phd"),
        ("I am pursuing M.Tech from IIT Guwahati", "masters"),
        ("I'm currently running my masters at OAU", "masters"),
        ("self tought developer, i never went to uni", "engineer"),
        ("I work as algorithm engineer in a Hangzhou company", "engineer"),
        ("saya mahasiswa S2 di UGM", "masters"),
        ("Now I am in thesis at the University of Lomé", "phd"),
        ("something else, I'm a banker", "other"),
        ("none of those, radiographer", "other"),
    ],
)
def test_stage_phrasings(answer: str, stage: str) -> None:
    assert profile(STAGE_Q, answer)["career_stage"] == stage


def test_something_else_counts_only_as_the_answer_to_the_stage_question() -> None:
    assert profile(OFFER_Q, "something else maybe later")["career_stage"] is None


def test_a_stage_not_reached_yet_and_one_that_starts_later_do_not_count() -> None:
    got = profile(
        STAGE_Q,
        "a PhD student",
        FIX_Q,
        "I'm not a PhD student yet, I'm finishing my masters. The PhD begins next spring.",
    )
    assert got["career_stage"] == "masters"
    french = profile(STAGE_Q, "I am not yet in thesis, I finish my master. The thesis starts in May.")
    assert french["career_stage"] == "masters"


def test_a_degree_held_still_does_not_count() -> None:
    assert profile(TOPIC_Q, "I hold a PhD from Leeds and teach in a high school")["career_stage"] != "phd"


@pytest.mark.parametrize(
    ("question", "answer", "field", "expected"),
    [
        (TOPIC_Q, "I'm comfortable writing grant proposals", "skills_have", {"write"}),
        (TOPIC_Q, "I know lots of people in East African labs", "skills_have", {"network"}),
        (TOPIC_Q, "I have good contacts in industry", "skills_have", {"network"}),
        (TOPIC_Q, "coding is no problem for me", "skills_have", {"code"}),
        (TOPIC_Q, "I'm not comfortable presenting", "skills_want", {"speak"}),
        (HAVE_Q, "codng and speakin", "skills_have", {"code", "speak"}),
        (WANT_Q, "how to talk in front of people", "skills_want", {"speak"}),
        (HAVE_Q, "i write python scripts all day", "skills_have", {"code"}),
    ],
)
def test_skill_phrasings(question: str, answer: str, field: str, expected: set[str]) -> None:
    assert profile(question, answer)[field] == expected


def test_i_know_nothing_about_is_no_strength() -> None:
    assert profile(TOPIC_Q, "I know nothing about coding yet")["skills_have"] == set()


def test_writing_code_is_not_the_writing_axis() -> None:
    assert WRITE_CODE.match(" unit tests") and WRITE_CODE.match(" code")
    assert not WRITE_CODE.match(" papers")


def test_not_x_after_an_explanation_is_no_strength() -> None:
    got = profile(HAVE_Q, "So not speaking. Reading and ideas are my strong point.")
    assert got["skills_have"] == {"read", "idea"}


@pytest.mark.parametrize(
    ("answer", "mode"),
    [
        ("Anything is fine for me", "either"),
        ("whatever works", "either"),
        ("I propose ideas, my students implement them", "pitch_idea"),
        ("I have some ideas, juniors could implement", None),
        ("I have ideas that students can implement", "pitch_idea"),
        ("mera apna idea hai", "pitch_idea"),
        ("apna idea hai, bas guidance chahiye", "pitch_idea"),
        ("ide sendiri, sudah ada data", "pitch_idea"),
        ("ide orang lain saja", "implement_idea"),
        ("kisi aur ka idea better hai", "implement_idea"),
    ],
)
def test_project_mode_phrasings(answer: str, mode: str | None) -> None:
    assert profile(MODE_Q, answer)["project_mode"] == mode


@pytest.mark.parametrize(
    ("said", "correction", "field", "left"),
    [
        ("compute and a mentor", "abeg comot the mentor", "seeking", {"compute"}),
        ("compute and a mentor", "mentor hata do, compute rakho", "seeking", {"compute"}),
        (
            "compute and feedback",
            "I forgot one thing: not the feedback. Only compute.",
            "seeking",
            {"compute"},
        ),
        ("feedback and a study group", "tolong hapus study group", "seeking", {"feedback"}),
    ],
)
def test_taking_back_in_everyday_words(said: str, correction: str, field: str, left: set[str]) -> None:
    assert profile(HELP_Q, said, FIX_Q, correction)[field] == left


def test_hindi_removal_follows_its_object() -> None:
    assert REMOVED_AFTER.match(" hata do") and not REMOVED_AFTER.match(" hatake dekho")


def test_hedged_help_is_neither_sought_nor_offered() -> None:
    got = profile(OFFER_Q, "Feedback on drafts. Mentoring I'm not sure about.")
    assert got["offering"] == {"feedback"}
    assert profile(HELP_Q, "a mentor. not sure about compute")["seeking"] == {"mentorship"}


def test_i_search_is_looking_for_not_a_topic() -> None:
    got = profile(HELP_Q, "I search a mentor and collaborators.")
    assert got["seeking"] == {"mentorship", "collaboration"}
    assert got["topics"] == []
    assert SUBJECT.search("we ") and not SUBJECT.search("neural architecture ")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("na malaria prediction i dey do", ["malaria prediction"]),
        ("soil moisture estimation, in Kerala", ["soil moisture estimation"]),
        ("credit scoring for farmers, Kaduna", ["credit scoring for farmers"]),
        ("legal NER, yahi mera kaam hai", ["legal NER"]),
        ("i dey do masters for UNIBEN, crop yield forecasting", ["crop yield forecasting"]),
    ],
)
def test_topic_answers_lose_places_stages_and_code_switched_asides(answer: str, expected: list[str]) -> None:
    assert profile(TOPIC_Q, answer)["topics"] == expected


def test_first_person_words_of_mixed_languages() -> None:
    for aside in ("ginagawa ko", "mera topic", "riset aku", "meu tema"):
        assert PRONOUNS.search(aside), aside


@pytest.mark.parametrize(
    "bio",
    [
        "My research interests are glacier monitoring and snow cover mapping.",
        "My interests are glacier monitoring and snow cover mapping.",
    ],
)
def test_interests_are_is_a_topic_trigger(bio: str) -> None:
    assert profile(TOPIC_Q, bio)["topics"] == ["glacier monitoring", "snow cover mapping"]


def test_want_to_try_is_a_topic_trigger() -> None:
    assert profile(TOPIC_Q, "not sure it counts but i want to try wildfire spread modelling")["topics"] == [
        "wildfire spread modelling"
    ]


def test_languages_known_and_speak_english_as_a_skill() -> None:
    assert profile(TOPIC_Q, "Languages known: Kannada, Hindi, English.")["languages"] == {"kn", "hi", "en"}
    assert profile(WANT_Q, "Writing and speak English fluently")["languages"] == set()
    assert profile(PLACE_Q, "Semarang, bahasa Indonesia dan Jawa")["languages"] == {"id", "jv"}


@pytest.mark.parametrize(
    ("answer", "offset"),
    [("Bhubaneswar side, Odisha", 5.5), ("a small town in Kerala", 5.5), ("Abeokuta, Ogun", 1.0)],
)
def test_states_and_provinces(answer: str, offset: float) -> None:
    assert profile(PLACE_Q, answer)["utc_offset"] == offset


def test_sichuan_province_gives_china_time() -> None:
    assert profile(PLACE_Q, "a village in Sichuan")["utc_offset"] == 8.0


@pytest.mark.parametrize(
    ("answer", "hours"),
    [
        ("Medan, 6 jam seminggu", 6),
        ("Bandung, 12 jam per minggu", 12),
        ("5 jam seminggu, bukan 8", 5),
        ("40 jam sebulan", 9),
        ("3 ghante", 3),
        ("2 hours a tag", 14),
    ],
)
def test_hours_in_more_languages(answer: str, hours: int) -> None:
    assert profile(PLACE_Q, answer)["hours_per_week"] == hours
