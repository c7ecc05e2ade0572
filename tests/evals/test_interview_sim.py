"""The interview simulation: a seeded newcomer answers the real IntakeService from gold facts."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from assistant.conversation.intake import IntakeService
from assistant.extraction.rules import RulesExtractor
from assistant.settings import load_settings
from evals.interview_sim import compose, scratch_intake, simulate
from store.db import make_engine, upgrade
from store.repositories import Store
from tests.assistant.fakes import fake_services

GOLD: list[dict[str, Any]] = [
    {
        "id": "g1",
        "gold": {
            "career_stage": "phd",
            "skills_have": ["code", "read"],
            "skills_want": ["write"],
            "seeking": ["mentorship"],
            "offering": ["feedback"],
            "project_mode": "pitch_idea",
            "topics": ["speech recognition"],
            "languages": ["en", "yo"],
            "utc_offset": 1,
            "hours_per_week": 5,
        },
    },
    {
        "id": "g2",
        "gold": {
            "career_stage": "engineer",
            "skills_have": ["code"],
            "skills_want": ["idea", "speak"],
            "seeking": ["collaboration"],
            "offering": [],
            "project_mode": "implement_idea",
            "topics": ["recommender systems"],
            "languages": ["vi"],
            "utc_offset": 7,
            "hours_per_week": 6,
        },
    },
    {
        "id": "g3",
        "gold": {
            "career_stage": "faculty",
            "skills_have": [],
            "skills_want": ["network"],
            "seeking": [],
            "offering": ["compute"],
            "project_mode": None,
            "topics": ["speech emotion recognition"],
            "languages": [],
            "utc_offset": None,
            "hours_per_week": None,
        },
    },
]


@pytest.fixture(scope="module")
def intake() -> Iterator[IntakeService]:
    with scratch_intake(RulesExtractor()) as service:
        yield service


def test_every_case_reaches_the_card_within_the_cap(intake: IntakeService) -> None:
    result = simulate(intake, GOLD, seed=3, max_turns=12)
    assert result["cases"] == 3 and result["completed"] == 3 and result["completion_rate"] == 1.0
    assert all(1 <= t <= 12 for t in result["turns_per_case"])
    assert result["turns"]["max"] == max(result["turns_per_case"])
    assert all(case["asked"][0] == "topics" for case in result["per_case"])  # the slot comes from `pending`
    assert set(result["slot_coverage"]) == {
        "topics",
        "career_stage",
        "skills_have",
        "skills_want",
        "seeking",
        "offering",
        "project_mode",
        "practical",
    }
    assert 0.0 <= result["field_scores"]["micro"]["f1"] <= 1.0


def test_the_same_seed_gives_the_same_run(intake: IntakeService) -> None:
    one, two = simulate(intake, GOLD, seed=7), simulate(intake, GOLD, seed=7)
    assert one == two


def test_a_newcomer_who_refuses_everything_is_counted_and_covers_nothing(intake: IntakeService) -> None:
    result = simulate(intake, GOLD[:1], seed=1, p_refuse=1.0)
    refused = result["per_case"][0]["refused"]
    assert result["refusals"] == len(refused) >= 7
    assert result["slot_coverage"]["career_stage"] == 0.0
    assert result["completed"] == 1  # every slot declined → the card, nothing asked twice


def test_a_plain_newcomer_answers_each_slot_from_the_gold(intake: IntakeService) -> None:
    result = simulate(intake, GOLD[:2], seed=0, p_refuse=0.0, p_terse=0.0, p_volunteer=0.0)
    assert result["refusals"] == 0 and result["volunteered"] == 0
    assert result["slot_coverage"]["project_mode"] == 1.0
    assert result["slot_coverage"]["topics"] == 1.0


def test_compose_phrases_the_facts() -> None:
    rng = random.Random(0)
    gold = GOLD[0]["gold"]
    assert compose("skills_have", gold, rng, terse=True) in {
        "coding, reading papers",
        "coding, reading",
        "programming, reading papers",
        "programming, reading",
    }
    assert compose("practical", gold, rng, terse=True) == "UTC+1, 5 hours a week, English, Yoruba"
    assert "UTC+5:30" in compose("practical", {"utc_offset": 5.5}, rng, terse=True)
    assert compose("practical", gold, rng, terse=False, fields=["hours_per_week"]) == "About 5 hours a week."


def test_services_are_accepted_as_well(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    store = Store(engine)
    try:
        result = simulate(fake_services(load_settings(), store), GOLD[:1], seed=0)
    finally:
        store.dispose()
    assert result["cases"] == 1 and result["turns_per_case"][0] <= 12
