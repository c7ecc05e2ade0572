"""Fairness eval: the arithmetic of Gini and Kendall τ, the identity rewrite, and a small end-to-end run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from evals.fairness import gini, kendall_tau, rewrite_identity, share_identical
from retrieval.service import MatchService
from store.demo import demo_community


def test_gini_of_equal_shares_is_0_and_of_one_holder_is_1_minus_1_over_n() -> None:
    assert gini([4, 4, 4, 4]) == 0.0
    assert gini([0, 0, 0, 8]) == pytest.approx(1 - 1 / 4)  # Σ|xi−xj| = 2·3·8 = 48; 2n²μ = 2·16·2 = 64
    assert gini([]) == 0.0 and gini([0, 0]) == 0.0


def test_gini_on_1_2_3_4() -> None:
    # Σ_i Σ_j |x_i − x_j| = 2·(1+2+3+1+2+1) = 20; 2 n² μ = 2·16·2.5 = 80
    assert gini([4, 1, 3, 2]) == pytest.approx(20 / 80)


def test_kendall_tau_on_tiny_lists() -> None:
    assert kendall_tau(["a", "b", "c"], ["a", "b", "c"]) == 1.0
    assert kendall_tau(["a", "b", "c"], ["c", "b", "a"]) == pytest.approx(-1.0)
    # one adjacent swap of three: concordant 2, discordant 1 → (2 − 1) / 3
    assert kendall_tau(["a", "b", "c"], ["a", "c", "b"]) == pytest.approx(1 / 3)
    assert kendall_tau(["a"], ["b"]) == pytest.approx(-1.0)  # each misses the other's only item
    assert kendall_tau([], []) == 1.0


def test_share_identical_counts_exact_lists() -> None:
    pairs = [(["a", "b"], ["a", "b"]), (["a", "b"], ["b", "a"]), ([], []), (["x"], ["y"])]
    assert share_identical(pairs) == 2 / 4


def test_the_rewrite_changes_identity_and_keeps_the_contract() -> None:
    people = demo_community().profiles
    for i, p in enumerate(people):
        q = rewrite_identity(p, i)
        assert q.contract() == p.contract() and q.evidence == p.evidence and q.id == p.id
        assert (q.intro_capacity, q.visibility, q.paused) == (p.intro_capacity, p.visibility, p.paused)
        assert q.display_name != p.display_name and q.bio != p.bio
    amara = rewrite_identity(people[0], 0)
    assert "Enugu" not in amara.bio and "Nigeria" not in amara.bio and "small university" not in amara.bio
    assert amara.bio.startswith("I'm not sure I'm any good") and "Pronouns:" in amara.bio
    assert rewrite_identity(people[1], 1).bio.startswith("I'm excellent")


def test_pronouns_are_swapped_both_ways_at_once() -> None:
    p = demo_community().profiles[20]
    q = rewrite_identity(p.model_copy(update={"bio": "She said he would help his friend. Mr Lee agreed."}), 0)
    assert "He said she would help her friend. Ms Lee agreed." in q.bio


@pytest.fixture
def small_service(tmp_path: Path) -> Iterator[MatchService]:
    """The first 60 demo people in a temp SQLite store, hashing embedder, in-memory index."""
    from evals.match_quality import demo_service
    from retrieval.embedder import HashingEmbedder
    from store.demo import Community

    service = demo_service(HashingEmbedder(dim=128), tmp_path, Community(demo_community().profiles[:60], []))
    yield service
    service.store.dispose()


def test_fairness_eval_end_to_end_on_a_small_community(small_service: MatchService, tmp_path: Path) -> None:
    from evals.fairness import format_fairness, run_fairness_eval

    report = run_fairness_eval(small_service.embedder, newcomers=15, out_dir=tmp_path, service=small_service)
    for key in ("invariance_top10", "kendall_tau", "gini", "gini_similarity_baseline", "never_shown_share"):
        assert key in report
    assert report["invariance_top10"] == 1.0 and report["kendall_tau"] == 1.0
    assert report["reembedded_after_rewrite"] == {"offer": 0, "seek": 0, "rfp": 0}
    assert 0 <= report["gini"] <= 1 and 0 <= report["gini_similarity_baseline"] <= 1
    assert report["newcomers"] == 15 and report["people"] == 60
    assert json.loads((tmp_path / "fairness.json").read_text())["gini"] == report["gini"]
    assert small_service.store.profiles.get("demo-amara").display_name != "Amara Nwosu"  # rewritten in place
    assert "invariance" in format_fairness(report)
