"""The conversation simulation: seeded newcomers with everyday habits, through the real intake
policy (rules extractor, hashing embedder: questions are matched by words), and its metrics."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from assistant.conversation.answers import entries
from assistant.conversation.intake import IntakeService
from assistant.extraction.rules import RulesExtractor
from evals.conversation_metrics import grounded_in_questions, percentile, summarize
from evals.conversation_sim import Newcomer, Plan, converse, plan_for, simulate_conversations
from evals.interview_sim import scratch_intake
from evals.newcomer_speech import PHRASES, QUESTIONS, STYLES, render_slot

GOLD: dict[str, Any] = {
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
}
CASE = {"id": "c1", "gold": GOLD}
RFP = next(i for i, (entry, _) in enumerate(QUESTIONS) if entry == "rfp")
FACT_QUESTIONS = [i for i, (_, text) in enumerate(QUESTIONS) if "PhD" in text or "writing" in text]


@pytest.fixture(scope="module")
def intake() -> Iterator[IntakeService]:
    with scratch_intake(RulesExtractor()) as service:
        yield service


def test_a_question_back_is_answered_and_the_slot_resumes(intake: IntakeService) -> None:
    record, _ = converse(intake, CASE, "fluent", seed=0, plan=Plan(questions={"career_stage": RFP}))
    turns = record["turns"]
    at = next(i for i, t in enumerate(turns) if t.get("kind") == "question")
    rfp_answer = next(e.answer for e in entries() if e.id == "rfp")
    assert rfp_answer in turns[at + 1]["content"]  # Mingle's reply to the question
    assert turns[at + 2] == {**turns[at + 2], "slot": "career_stage", "kind": "answer"}  # then the slot
    assert record["questions"] == [{**record["questions"][0], "answered": True, "resumed": True}]
    assert record["recoveries"] == [
        {"kind": "question_back", "slot": "career_stage", "asked_again": True, "filled_after": True}
    ]
    assert record["completed"] and record["profile"]["career_stage"] == "phd"


def test_questions_that_name_facts_ground_nothing(intake: IntakeService) -> None:
    """'Is this free for a PhD student?' asked at the stage, 'who will see that I'm bad at
    writing?' at the wishes: the card's stage and wishes come from the answers only."""
    gold = {**GOLD, "career_stage": None, "skills_want": []}  # never said outside the questions
    plan = Plan(questions=dict(zip(("career_stage", "skills_want"), FACT_QUESTIONS, strict=True)))
    for style in ("fluent", "pidgin"):
        record, _ = converse(intake, {"id": "c2", "gold": gold}, style, seed=0, plan=plan)
        assert len(record["questions"]) == 2
        assert record["grounded_in_questions"] == []
        assert record["profile"]["career_stage"] is None and record["profile"]["skills_want"] == []


def test_a_question_with_a_lead_in_grounds_nothing(intake: IntakeService) -> None:
    conversation = intake.start("lead-in", "What do you work on?")
    intake.handle(conversation, "speech recognition")
    intake.handle(conversation, "Quick question: why do you need my time zone, is UTC+1 okay?")
    assert conversation.extraction.fields.utc_offset is None


def test_a_run_is_reproducible_and_every_style_says_the_same_facts(intake: IntakeService) -> None:
    one, _ = simulate_conversations(intake, [CASE], seed=4, styles=STYLES)
    two, _ = simulate_conversations(intake, [CASE], seed=4, styles=STYLES)
    strip = [[{k: v for k, v in t.items() if k != "ms"} for t in r["turns"]] for r in one]
    assert strip == [[{k: v for k, v in t.items() if k != "ms"} for t in r["turns"]] for r in two]
    assert len({str(r["behaviours"]) for r in one}) == 1  # one plan for every style
    assert all(r["completed"] and r["grounded_in_questions"] == [] for r in one)


def test_the_styles_render_the_same_facts_with_the_same_draws() -> None:
    assert all(set(table) <= set(STYLES) and "fluent" in table for table in PHRASES.values())
    said = {
        s: render_slot("skills_have", {"skills_have": ["code", "write"]}, s, random.Random(1)) for s in STYLES
    }
    assert said["fluent"] in ("I'm good at coding and writing.", "I'm fairly strong at coding and writing.")
    assert "writting" in said["casual"] and said["casual"] == said["casual"].lower()
    assert all("cod" in text or "programming" in text for text in said.values())


def test_a_partial_answer_is_completed_with_the_next_message() -> None:
    newcomer = Newcomer(GOLD, Plan(partial=("skills_have",)), "fluent", random.Random(0))
    _, kind = newcomer.message("skills_have")
    assert kind == "partial" and newcomer.told["skills_have"] == ["code"]
    second, _ = newcomer.message("skills_want")
    assert newcomer.told["skills_have"] == ["code", "read"] and "read" in second.lower()


def test_the_plan_is_seeded_and_declines_only_what_it_could_answer() -> None:
    plans = [plan_for(GOLD, random.Random(f"{seed}")) for seed in range(40)]
    assert plan_for(GOLD, random.Random("7")) == plan_for(GOLD, random.Random("7"))
    assert {name for p in plans for name in p.behaviours()} == {
        "bio_paste", "question_back", "off_slot", "partial", "correction", "skip",
    }  # fmt: skip
    for p in plans:
        busy = [*p.skip, *p.partial, *p.correction, *p.off_slot]
        assert len(busy) == len(set(busy)) and not set(busy) & set(p.bio)


def _record(style: str, profile: dict[str, Any], told: dict[str, Any], **extra: Any) -> dict[str, Any]:
    base = {
        "id": "h", "style": style, "completed": True, "turns_to_card": 8, "profile": profile,
        "told": told, "gold": told, "questions": [], "recoveries": [], "grounded_in_questions": [],
        "behaviours": [],
    }  # fmt: skip
    return {**base, **extra}


def test_the_metrics_on_a_hand_made_case() -> None:
    told = {"career_stage": "phd", "skills_have": ["code", "read"]}
    fluent = _record(
        "fluent",
        told,  # both fields right: TP 3 → F1 1
        told,
        questions=[{"id": "rfp", "answered": True, "resumed": True}],
        recoveries=[{"kind": "off_slot", "slot": "seeking", "asked_again": True, "filled_after": True}],
    )
    pidgin = _record(
        "pidgin",
        {"career_stage": "masters", "skills_have": ["code"]},  # TP 1, FP 1, FN 2
        told,
        turns_to_card=12,
        questions=[{"id": "cost", "answered": False, "resumed": True}],
        recoveries=[{"kind": "question_back", "slot": "topics", "asked_again": True, "filled_after": False}],
        grounded_in_questions=["utc_offset"],
    )
    casual = _record("casual", told, told, completed=False, turns_to_card=30)
    m = summarize([fluent, pidgin, casual], [1.0, 2.0, 3.0, 4.0, 100.0])
    p, r = 1 / (1 + 1), 1 / (1 + 2)
    assert m["card_micro_f1"] == {"fluent": 1.0, "pidgin": pytest.approx(2 * p * r / (p + r)), "casual": 1.0}
    assert (
        m["style_gap"] == pytest.approx(1.0 - 2 * p * r / (p + r)) and m["worst_everyday_style"] == "pidgin"
    )
    assert m["questions"] == {"asked": 2, "answered": 1, "answered_rate": 0.5, "resumed_rate": 1.0}
    assert (m["recovery"]["non_answers"], m["recovery"]["recovered"], m["recovery"]["recovered_rate"]) == (
        2,
        1,
        0.5,
    )
    assert m["grounded_in_questions"] == 1
    assert m["turns"] == {"completed": 2, "completion_rate": 2 / 3, "median": 10.0, "p90": 12.0}
    assert m["latency_ms"] == {"turns": 5, "p50": 3.0, "p95": 100.0}  # ⌈0.5·5⌉ = 3rd, ⌈0.95·5⌉ = 5th


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 11)]
    assert (percentile(values, 0.5), percentile(values, 0.9), percentile(values, 0.95)) == (5.0, 9.0, 10.0)
    assert percentile([], 0.5) == 0.0


def test_a_field_quoted_only_from_a_question_is_caught() -> None:
    turns = [
        {"role": "user", "kind": "question", "content": "Is this free for a PhD student?"},
        {"role": "user", "kind": "answer", "content": "I work on speech recognition."},
    ]
    evidence = {"career_stage": ["PhD student"], "topics": ["speech recognition"]}
    assert grounded_in_questions(evidence, turns) == ["career_stage"]
    said_too = [*turns, {"role": "user", "kind": "answer", "content": "I'm a PhD student."}]
    assert grounded_in_questions(evidence, said_too) == []
