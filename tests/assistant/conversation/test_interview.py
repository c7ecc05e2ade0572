"""The interview policy: order, skip, paste-a-bio, no repeats, completion."""

from __future__ import annotations

from assistant.conversation.interview import (
    SLOTS,
    next_step,
    progress_note,
    ready_to_match,
    skipped,
    wants_to_finish,
)
from assistant.extraction.port import Extraction
from store.domain import ProfileFields


def extraction(**fields: object) -> Extraction:
    return Extraction(fields=ProfileFields(**fields))


def test_questions_follow_the_contract_order_one_at_a_time() -> None:
    asked: set[str] = set()
    order = []
    empty = extraction()
    while (step := next_step(empty, asked, set())).kind == "ask":
        assert step.text and step.text.count("?") == 1
        order.append(step.slot)
        asked.add(step.slot or "")
    assert order == list(SLOTS)
    assert len(order) <= 8  # a newcomer is done in at most eight answers


def test_a_pasted_bio_leaves_only_the_missing_questions() -> None:
    bio = extraction(
        topics=["diffusion models"],
        career_stage="phd",
        skills_have={"write"},
        skills_want={"code"},
        seeking={"compute"},
        utc_offset=1,
        languages={"en"},
    )
    steps = []
    asked: set[str] = {"topics"}
    while (step := next_step(bio, asked, set())).kind == "ask":
        steps.append(step)
        asked.add(step.slot or "")
    assert [s.slot for s in steps] == ["offering", "project_mode", "practical"]
    assert steps[-1].text == "Last practical bit: about how many hours a week you could give?"


def test_declined_and_asked_slots_are_never_asked_again() -> None:
    step = next_step(extraction(), asked={"topics"}, declined={"career_stage"})
    assert step.slot == "skills_have"


def test_a_skip_is_the_extractors_decline_of_the_open_question() -> None:
    """The detector is ``assistant.extraction.declines.is_decline`` (tested there); the policy
    adds only that a question must be open."""
    assert skipped("career_stage", "I'd rather not say") and skipped("topics", "skip")
    assert not skipped(None, "skip") and not skipped("topics", "I work on speech")


def test_knowing_when_there_is_enough_to_match() -> None:
    partial = extraction(topics=["speech"], skills_want={"code"})
    assert not ready_to_match(partial)
    enough = extraction(topics=["speech"], skills_want={"code"}, offering={"feedback"})
    assert ready_to_match(enough)
    assert "enough to suggest people" in progress_note(enough, was_ready=False)
    assert progress_note(enough, was_ready=True) == ""
    assert (
        wants_to_finish("done")
        and wants_to_finish("that's enough!")
        and not wants_to_finish("done with my PhD")
    )
