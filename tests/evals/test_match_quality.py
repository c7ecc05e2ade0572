"""The rubric judge on hand-made pairs, the judged file's shape, and the matching eval end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.judgments import build_pool, can_meet, grade, judge, load_judgments, pick_newcomers
from retrieval.embedder import HashingEmbedder
from store.demo import demo_community
from store.domain import Profile

DATA = Path(__file__).resolve().parents[2] / "evals" / "data" / "match_judgments.jsonl"


def person(pid: str, **fields: object) -> Profile:
    base: dict[str, object] = {
        "display_name": pid,
        "languages": {"en"},
        "utc_offset": 0.0,
        "hours_per_week": 5,
    }
    return Profile(id=pid, **{**base, **fields})


def test_mutual_cover_that_can_meet_is_a_3() -> None:
    a = person("a", skills_have={"code"}, skills_want={"write"})
    b = person("b", skills_have={"write"}, skills_want={"code"})
    assert grade(a, b) == 3 and grade(b, a) == 3


def test_a_mentor_offering_what_a_mentee_seeks_in_shared_topics_is_a_3() -> None:
    mentee = person("a", seeking={"mentorship"}, topics=["speech recognition"])
    mentor = person("b", offering={"mentorship"}, topics=["low-resource speech"])
    assert grade(mentee, mentor) == 3
    elsewhere = person("c", offering={"mentorship"}, topics=["protein folding"])
    assert grade(mentee, elsewhere) == 2  # one clear direction, no shared topic


def test_one_direction_is_a_2_and_topic_or_weak_help_a_1() -> None:
    a = person("a", skills_want={"write"}, topics=["graph learning"])
    assert grade(a, person("b", skills_have={"write"})) == 2
    assert grade(a, person("c", seeking={"feedback"}, offering={"feedback"}, skills_want={"speak"})) == 0
    assert grade(a, person("d", topics=["graph neural networks"])) == 1  # "graph" is a content word
    assert grade(person("e", seeking={"study_group"}), person("f", offering={"study_group"})) == 1
    assert grade(a, person("g", topics=["deep learning models"])) == 0  # only generic words shared


def test_pairs_that_cannot_meet_are_0_whatever_they_offer() -> None:
    a = person("a", skills_have={"code"}, skills_want={"write"})
    b = {"skills_have": {"write"}, "skills_want": {"code"}}
    assert grade(a, person("b", languages={"fr"}, **b)) == 0  # no shared language
    assert grade(a, person("c", utc_offset=12.0, **b)) == 0  # 09-21 local: 12 h apart leaves no hour
    assert grade(a, person("d", utc_offset=11.0, **b)) == 3  # 11 h apart: one shared hour
    assert grade(a, person("e", hours_per_week=0, **b)) == 0
    assert grade(a, person("f", paused=True, **b)) == 0
    assert grade(a, person("g", visibility="hidden", **b)) == 0
    assert grade(a, person("h", languages=set(), utc_offset=None, **b)) == 3  # unknowns do not veto


def test_shared_hour_is_a_whole_utc_hour_inside_both_local_days() -> None:
    a = person("a")
    assert can_meet(a, person("b", utc_offset=11.0))  # 09-10 UTC: 09-10 for a, 20-21 for b
    assert not can_meet(a, person("c", utc_offset=12.0))
    assert can_meet(person("d", utc_offset=5.5), person("e", utc_offset=-5.0))  # 14-15 UTC: 19:30 and 09:00


def test_pools_hold_every_systems_top_and_random_others() -> None:
    import random

    tops = {"x": ["p1", "p2"], "y": ["p2", "p3"]}
    everyone = [f"p{i}" for i in range(30)]
    pool = build_pool("p0", tops, everyone, random.Random(1))
    assert {"p1", "p2", "p3"} <= set(pool) and "p0" not in pool and len(pool) == 3 + 10


def test_the_judged_file_has_40_newcomers_with_10_graded_candidates_each() -> None:
    judged = load_judgments(DATA)
    ids = {p.id for p in demo_community().profiles}
    assert len(judged) >= 40
    for newcomer, grades in judged.items():
        assert newcomer in ids and len(grades) >= 10 and set(grades) <= ids
        assert set(grades.values()) <= {0, 1, 2, 3}


def test_the_judged_file_is_what_the_judge_says() -> None:
    """Regrading every stored pair with the rubric gives the stored grade (nobody hand-edited it)."""
    profiles = {p.id: p for p in demo_community().profiles}
    for newcomer, grades in load_judgments(DATA).items():
        for candidate, stored in grades.items():
            assert grade(profiles[newcomer], profiles[candidate]) == stored, (newcomer, candidate)


def test_newcomers_are_the_showcase_then_a_seeded_sample() -> None:
    profiles = demo_community().profiles
    picked = pick_newcomers(profiles, 20, seed=3)
    assert picked[:14] == [p.id for p in profiles[:14]] and len(set(picked)) == 20
    assert picked == pick_newcomers(profiles, 20, seed=3)
    records = judge(picked[:2], {"s": {i: [] for i in picked[:2]}}, {p.id: p for p in profiles}, seed=3)
    assert [r["newcomer"] for r in records] == picked[:2] and all(len(r["judgments"]) == 10 for r in records)


@pytest.mark.slow
def test_matching_eval_runs_end_to_end_on_a_few_newcomers(tmp_path: Path) -> None:
    from evals.match_quality import LABELS, SYSTEMS, format_matching, run_matching_eval

    report = run_matching_eval(DATA, tmp_path / "out", HashingEmbedder(), newcomers=6, stat_test="student")
    assert report["newcomers"] == 6
    for name in SYSTEMS:
        for label in LABELS.values():
            assert 0 <= report["metrics"][name][label] <= 1
    assert set(report["p_values"]) == {"random", "topic", "growth"}
    saved = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert saved["metrics"] == report["metrics"]
    assert (tmp_path / "out" / "run_mingle.json").is_file()
    assert "mingle" in format_matching(report) and "silver" in format_matching(report)
