"""One message must not freeze the server: every rule that reads user text runs in time linear in
its length, a turn is analysed once, and odd whitespace changes neither values nor quotes.

The wall bounds here are generous (a noisy shared machine); the tight target (every extraction of
a 20,000-character message within 50 ms) is measured by ``mingle bench hostile``."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from assistant.conversation.interview import QUESTIONS, skipped, wants_to_finish
from assistant.extraction import rules
from assistant.extraction.declines import is_decline
from assistant.extraction.port import Extraction
from assistant.extraction.rules import RulesExtractor
from retrieval.query import parse_query
from store.domain import Message

LIMIT = 20_000
HOURS_QUESTION = "A few practical bits: where you are, about how many hours a week you could give?"


def seconds(run: object) -> float:
    assert callable(run)
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def test_a_long_run_of_spaces_between_two_letters_is_read_in_well_under_a_second() -> None:
    text = "a" + " " * 19_998 + "b"  # took 6-7 s: CLAUSE_BREAK's leading \s* at every space
    assert seconds(lambda: RulesExtractor().extract([Message(role="user", content=text)])) < 1.0


@pytest.mark.parametrize(
    "text",
    [
        "done" + " " * (LIMIT - 5) + "x",  # DONE: \s*[.!]*\s*$ split the run two ways
        "not sure" + " " * (LIMIT - 9) + "x",  # the skip lexicon, same shape
        "5" + " " * (LIMIT - 2) + "x",  # the bare-hours rule: \s*(unit)?\W*$
        "a" + "\t" * (LIMIT - 2) + "b",
    ],
    ids=["done", "not-sure", "bare-hours", "tabs"],
)
def test_runs_after_a_cue_are_read_in_well_under_a_second(text: str) -> None:
    turns = [Message(role="assistant", content=HOURS_QUESTION), Message(role="user", content=text)]
    assert seconds(lambda: wants_to_finish(text)) < 1.0
    assert seconds(lambda: skipped("practical", text)) < 1.0
    assert seconds(lambda: RulesExtractor().extract(turns)) < 1.0


def test_odd_whitespace_changes_no_value_and_quotes_stay_verbatim() -> None:
    plain = "I'm a postdoc in Lagos. I speak English and Yoruba, about 5 hours a week."
    odd = "I'm a  postdoc\t\tin\u00a0Lagos.   \n\n I speak English  and Yoruba,\u2003about 5 hours   a week."
    assert RulesExtractor().extract([Message(role="user", content=odd)]).fields == (
        RulesExtractor().extract([Message(role="user", content=plain)]).fields
    )
    result = RulesExtractor().extract([Message(role="user", content=odd)])
    assert result.fields.hours_per_week == 5 and result.fields.utc_offset == 1
    for quotes in result.evidence.values():
        for quote in quotes:
            assert quote in odd, quote  # a verbatim slice of what was written, odd spaces and all


def test_a_quote_never_carries_a_long_run_and_stays_verbatim() -> None:
    text = "I'm a postdoc" + " " * 5_000 + "in Lagos, about 5 hours a week."
    result = RulesExtractor().extract([Message(role="user", content=text)])
    assert result.fields.career_stage == "postdoc" and result.fields.hours_per_week == 5
    for quotes in result.evidence.values():
        for quote in quotes:
            assert quote in text and len(quote) <= 200, len(quote)


def test_a_turn_is_read_up_to_the_read_limit_and_no_further() -> None:
    said = "I'm a postdoc in Lagos and I speak Yoruba."
    within = "Ok. " * ((rules.READ_LIMIT - len(said)) // 4 - 1) + said  # many tiny sentences, then facts
    result = RulesExtractor().extract([Message(role="user", content=within)])
    assert result.fields.career_stage == "postdoc" and result.fields.utc_offset == 1
    assert result.fields.languages == {"yo"} and not rules.read_in_part(within)
    beyond = "Ok. " * 3_000 + said  # 12,000 characters before the facts: past what is read
    started = time.perf_counter()
    result = RulesExtractor().extract([Message(role="user", content=beyond)])
    assert time.perf_counter() - started < 1.0
    assert result.fields.career_stage is None and rules.read_in_part(beyond)
    folded = "I'm a postdoc" + " " * 15_000 + "in Lagos."  # runs fold before the limit is counted
    assert not rules.read_in_part(folded)
    assert RulesExtractor().extract([Message(role="user", content=folded)]).fields.utc_offset == 1


def test_repeated_punctuation_reads_like_a_little_of_it() -> None:
    calm = RulesExtractor().extract([Message(role="user", content="I'm a postdoc!!! I work on speech.")])
    loud = RulesExtractor().extract(
        [Message(role="user", content="I'm a postdoc" + "!" * 3_000 + " I work on speech.")]
    )
    assert loud.fields == calm.fields


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text of every user turn the rules read (``turn_findings`` calls), in order."""
    calls: list[str] = []
    real = rules.turn_findings

    def counting(
        index: int, text: str, slot: str | None, also: tuple[str, ...] = (), question: str = ""
    ) -> object:
        calls.append(text)
        return real(index, text, slot, also, question)

    monkeypatch.setattr(rules, "turn_findings", counting)
    return calls


def test_each_turn_is_analysed_once_not_on_every_later_message(reads: list[str]) -> None:
    extractor = RulesExtractor()
    hostile = "a" + " " * 19_998 + "b"
    turns = [Message(role="assistant", content=QUESTIONS["topics"]), Message(role="user", content=hostile)]
    first = extractor.extract(turns)
    for answer in ("PhD student.", "Coding.", "Writing."):
        turns += [Message(role="assistant", content="And?"), Message(role="user", content=answer)]
        extractor.extract(turns)
    assert reads.count(hostile) == 1
    assert len(reads) == 4  # each user turn once
    assert extractor.extract(turns[:2]) == first  # same input, same answer, from the cache


def test_the_cache_is_bounded_in_turns_and_in_findings(reads: list[str]) -> None:
    few_turns = RulesExtractor(cache_turns=2)
    for text in ("I'm a postdoc.", "I speak Yoruba.", "I code.", "I'm a postdoc."):
        few_turns.extract([Message(role="user", content=text)])
    assert reads.count("I'm a postdoc.") == 2  # pushed out by the third turn, read again
    reads.clear()
    few_findings = RulesExtractor(cache_findings=100)
    many = "I speak " + ", ".join(["English", "French", "Spanish", "Yoruba"] * 100) + "."
    few_findings.extract([Message(role="user", content=many)])
    few_findings.extract([Message(role="user", content=many)])
    assert reads.count(many) == 2  # too many findings to keep
    assert few_findings._held <= 100


def test_the_cache_is_keyed_by_the_whole_turn_not_its_position() -> None:
    extractor = RulesExtractor()
    first = extractor.extract([Message(role="user", content="I'm a postdoc.")])
    assert first.fields.career_stage == "postdoc"
    # same index, other words; then the same words after another question: read afresh
    other = extractor.extract([Message(role="user", content="I'm a PhD student.")])
    assert other.fields.career_stage == "phd"
    asked = [Message(role="assistant", content="What's your name?"), Message(role="user", content="Amara")]
    assert extractor.extract(asked).display_name == "Amara"
    assert extractor.extract([Message(role="user", content="Amara")]).display_name is None


# --- fuzz: hostile strings up to 20,000 characters, each example within a deadline ----------------

RUNS = " \t\n\r\u00a0\u2003\u3000\u2028.!?,-;:'\"()/"
CUES = (
    "hours",
    "5 hours",
    "skip",
    "done",
    "not sure",
    "phd",
    "postdoc",
    "lagos",
    "utc+1",
    "english",
    "i work on",
    "networking",
    "good at",
    "who",
    "dr.",
    "but",
    "and",
    "i'm",
    "a",
    "5",
)
RUN = st.builds(lambda ch, n: ch * n, st.sampled_from(RUNS), st.integers(1, LIMIT))
REPEATED = st.builds(
    lambda cue, sep, n: (cue + sep) * n,
    st.sampled_from(CUES),
    st.sampled_from(["", " ", "  ", ", ", ". ", "\n", "\t", "!"]),
    st.integers(1, LIMIT // 4),
)
BITS = st.text(alphabet=RUNS + "ab5", max_size=40)
HOSTILE = st.lists(st.one_of(RUN, REPEATED, BITS), min_size=1, max_size=5).map(lambda ps: "".join(ps)[:LIMIT])
FUZZ = settings(max_examples=25, deadline=timedelta(seconds=2))


@FUZZ
@given(HOSTILE)
@example("a" + " " * 19_998 + "b")
@example("done" + " " * (LIMIT - 5) + "x")
@example("5" + " " * (LIMIT - 2) + "x")
def test_the_rules_extractor_reads_hostile_text_in_bounded_time(text: str) -> None:
    turns = [Message(role="assistant", content=HOURS_QUESTION), Message(role="user", content=text)]
    assert isinstance(RulesExtractor().extract(turns), Extraction)
    assert isinstance(RulesExtractor().extract(turns[1:]), Extraction)


@FUZZ
@given(HOSTILE)
@example("a" + " " * 19_998 + "b")
@example("utc" + " " * (LIMIT - 5) + "+1")
def test_the_search_parser_reads_hostile_text_in_bounded_time(text: str) -> None:
    query = parse_query(text)
    assert len(query.text) <= 600


@FUZZ
@given(HOSTILE)
@example("done" + " " * (LIMIT - 5) + "x")
@example("not sure" + " " * (LIMIT - 9) + "x")
@example("skip" + "." * (LIMIT - 5) + "x")
def test_skip_and_done_detection_reads_hostile_text_in_bounded_time(text: str) -> None:
    assert isinstance(wants_to_finish(text), bool)
    assert skipped("topics", text) == is_decline(text)
