"""`mingle bench hostile`: how long one adversarial message costs, against plain text of the same length.

Each case is a 20,000-character message built to stress the rules (runs of spaces, tabs,
newlines or one punctuation mark, repeated words, repeated cue words, unicode whitespace, a
mix). For each case, and for plain prose of the same length, the program times:

- ``one_turn_ms``: the rules extraction of a transcript holding only that message;
- ``twenty_turns_ms``: the rules extraction of a 20-turn interview whose last turn is that
  message (answering the practical question, so the hours, time-zone and language rules read it);
- ``handle_ms``: a whole ``IntakeService.handle`` turn with that message (store, skip and done
  detection, extraction, next question), on a throwaway store;
- ``next_turn_ms``: the ``handle`` of a short message sent after it (the hostile turn is not
  paid again: findings are kept per turn).

Every extraction starts from a new extractor (nothing cached); the worst of ``repeats`` runs is
reported, with the ratio to plain text. The target, ``TARGET_MS``, is for every extraction.
A program, not a timed test."""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Callable
from typing import Any

from assistant.conversation.interview import QUESTIONS, practical_question
from assistant.extraction.port import Extraction
from assistant.extraction.rules import RulesExtractor
from store.domain import Message

TARGET_MS = 50.0
LENGTH = 20_000

PLAIN = (
    "I'm a second-year PhD student in Lagos working on speech recognition for Yoruba and Igbo. "
    "I'm good at coding and reading papers, but writing is hard for me, so I'd like feedback on "
    "my drafts. I can offer mentoring to undergrads, and I have some spare compute. I speak "
    "English, Yoruba and a bit of French; about five hours a week works, usually on weekends. "
)


def _fill(unit: str, length: int = LENGTH) -> str:
    return (unit * (length // len(unit) + 1))[:length]


def _between(run: str, length: int = LENGTH) -> str:
    """``"a" + run * … + "b"``: a long run of one thing between two letters."""
    return "a" + _fill(run, length - 2) + "b"


CASES: dict[str, str] = {
    "spaces": _between(" "),
    "tabs": _between("\t"),
    "newlines": _between("\n"),
    "dots": _between("."),
    "bangs": _between("!"),
    "questions": _between("?"),
    "commas": _between(","),
    "dashes": _between("-"),
    "comma_space": _between(", "),
    "dot_space": _between(". "),
    "unicode_whitespace": _between("\u00a0\u2003\u3000\u2028\u200a"),
    "repeated_word": _fill("research "),
    "hours": _fill("hours "),
    "numbers_hours": _fill("5 hours 3 "),
    "skip": _fill("skip "),
    "done": _fill("done "),
    "done_then_spaces": "done" + " " * (LENGTH - 5) + "x",
    "not_sure_then_spaces": "not sure" + " " * (LENGTH - 9) + "x",
    "hours_then_spaces": "5" + " " * (LENGTH - 2) + "x",
    "stage_words": _fill("phd "),
    "places": _fill("lagos "),
    "languages": _fill("english "),
    "topic_triggers": _fill("i work on "),
    "skill_words": _fill("networking "),
    "name_cues": _fill("i'm a "),
    "abbreviations": _fill("dr. "),
    "relative": _fill("who "),
    "tiny_sentences": _fill("a. "),
    "distinct_sentences": _fill("ab. cd. ef. gh. ij. kl. "),
    "stage_sentences": _fill("phd a. postdoc b. faculty c. "),
    "lines": _fill("PyTorch\n"),
    "topic_lists": _fill("research interests: x1, "),
    "negated_places": _fill("not lagos "),
    "mixed": "".join(itertools.islice(itertools.cycle(" \t.!?,-\n  hours skip done, but "), LENGTH)),
    "no_spaces": _fill("a"),
}

ANSWERS = (
    "Speech recognition for low-resource languages.",
    "PhD student, second year.",
    "Coding and reading papers.",
    "Writing, definitely.",
    "Feedback on my drafts and maybe a mentor.",
    "I could mentor undergrads and share some compute.",
    "I have my own idea I'd like to pitch.",
    "Nothing else comes to mind.",
    "That's all about my work.",
)


def _interview(last: str) -> list[Message]:
    """A 20-turn interview: nine ordinary answers, then ``last`` answers the practical question."""
    turns: list[Message] = []
    for question, answer in zip(QUESTIONS.values(), ANSWERS, strict=False):
        turns += [Message(role="assistant", content=question), Message(role="user", content=answer)]
    while len(turns) < 18:
        turns += [Message(role="assistant", content="Anything else?"), Message(role="user", content="No.")]
    practical = practical_question(Extraction())
    return [*turns, Message(role="assistant", content=practical), Message(role="user", content=last)]


def _times_ms(run: Callable[[], object], repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _measure(text: str, repeats: int, handle: Callable[[str], tuple[float, float]]) -> dict[str, float]:
    """The worst of ``repeats`` runs of each measurement, and the median of the extractions (the
    machine is shared: the median says what a quiet moment costs)."""
    one = [Message(role="user", content=text)]
    twenty = _interview(text)
    handled = [handle(text) for _ in range(repeats)]
    one_ms = _times_ms(lambda: RulesExtractor().extract(one), repeats)
    twenty_ms = _times_ms(lambda: RulesExtractor().extract(twenty), repeats)
    return {
        "one_turn_ms": round(max(one_ms), 2),
        "twenty_turns_ms": round(max(twenty_ms), 2),
        "handle_ms": round(max(h[0] for h in handled) * 1000, 2),
        "next_turn_ms": round(max(h[1] for h in handled) * 1000, 2),
        "one_turn_p50_ms": round(statistics.median(one_ms), 2),
        "twenty_turns_p50_ms": round(statistics.median(twenty_ms), 2),
    }


def _extraction_ms(row: dict[str, float], kind: str = "") -> float:
    return max(row[f"one_turn{kind}_ms"], row[f"twenty_turns{kind}_ms"])


def run_hostile_bench(
    repeats: int = 5,
    only: list[str] | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Every case (or the ``only`` ones) beside plain text; ``meets_target`` says whether every
    extraction of every hostile case (the worst of its runs) stayed within ``TARGET_MS``."""
    from assistant.conversation.language import detector
    from evals.interview_sim import scratch_intake

    chosen = {name: CASES[name] for name in (only or CASES)}
    with scratch_intake(RulesExtractor()) as intake:
        RulesExtractor().extract(_interview(PLAIN))  # warm-up: lexicons and patterns compiled
        detector()  # and the language detector, built once per process (as the app's warm-up does)

        def handle(text: str) -> tuple[float, float]:
            conversation = intake.start("bench:hostile", "What do you work on?")
            started = time.perf_counter()
            intake.handle(conversation, text)
            middle = time.perf_counter()
            intake.handle(conversation, "Thanks, that's it for now.")
            return middle - started, time.perf_counter() - middle

        plain = _measure(_fill(PLAIN), repeats, handle)
        cases: dict[str, dict[str, float]] = {}
        for name, text in chosen.items():
            progress(name)
            row = _measure(text, repeats, handle)
            row["ratio_to_plain"] = round(_extraction_ms(row) / _extraction_ms(plain), 2)
            cases[name] = row
    worst_name = max(cases, key=lambda n: _extraction_ms(cases[n]))
    worst = _extraction_ms(cases[worst_name])
    return {
        "length": LENGTH,
        "repeats": repeats,
        "target_ms": TARGET_MS,
        "plain": plain,
        "cases": cases,
        "worst_extraction": {"case": worst_name, "ms": worst},
        "worst_median_extraction_ms": max(_extraction_ms(row, "_p50") for row in cases.values()),
        "meets_target": worst <= TARGET_MS,
    }
