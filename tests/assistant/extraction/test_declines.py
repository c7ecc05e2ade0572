"""One rule for "this answer declines the question": the extractor and the interview both use it."""

from __future__ import annotations

import pytest

from assistant.extraction.declines import is_decline


def test_skips_and_refusals_are_recognised() -> None:
    for text in (
        "skip",
        "pass",
        "I'd rather not say",
        "rather not",
        "not sure",
        "-",
        "I'd rather not say, sorry",
        "dunno.",
        "I don't know",
        "n/a",
        "next question",
        "no comment",
        "prefiero no decirlo",
    ):
        assert is_decline(text), text
    for text in ("I work on speech", "I passed my exams", "skipping rope is my hobby, I work on RL"):
        assert not is_decline(text), text


def test_only_a_short_answer_that_opens_by_declining_is_a_decline() -> None:
    assert is_decline("I'd rather not say where I live, if that's ok with you")  # 12 words
    long = "I'd rather not say where I live, but I work on speech recognition for Yoruba"
    assert not is_decline(long)  # the rest of the answer is read
    assert not is_decline("not sure I have one, but I love writing")  # "not sure" only as the whole answer


@pytest.mark.parametrize(
    "answer", ["Nothing yet, sorry.", "I haven't decided.", "not decided yet", "none", "idk"]
)
def test_not_yet_and_undecided_are_declines(answer: str) -> None:
    assert is_decline(answer)
