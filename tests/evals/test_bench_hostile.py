"""A small smoke of the hostile-input benchmark, so the program keeps working (its 50 ms target is
checked in its own output; a timed test would be flaky on a shared machine)."""

from __future__ import annotations

from evals.bench_hostile import CASES, LENGTH, TARGET_MS, run_hostile_bench


def test_every_case_is_a_20000_character_message() -> None:
    assert all(len(text) == LENGTH for text in CASES.values())
    assert len(CASES) >= 20


def test_the_benchmark_runs_and_reports_the_target() -> None:
    result = run_hostile_bench(repeats=1, only=["spaces", "done"])
    assert result["target_ms"] == TARGET_MS and set(result["cases"]) == {"spaces", "done"}
    for row in [result["plain"], *result["cases"].values()]:
        assert {"one_turn_ms", "twenty_turns_ms", "handle_ms", "next_turn_ms"} <= set(row)
    assert isinstance(result["meets_target"], bool) and result["worst_extraction"]["case"] in result["cases"]
