"""A small smoke of the retrieval benchmark, so the program keeps working (numbers are not asserted:
benchmarks are programs, and their targets are checked in their own output)."""

from __future__ import annotations

import pytest

from evals.bench_retrieval import BenchConfig, run_bench, synthetic_community
from retrieval.embedder import HashingEmbedder


def test_synthetic_people_cluster_like_real_embeddings() -> None:
    people, offer, seek = synthetic_community(300, seed=1)
    assert len(people) == 300 and offer.shape == seek.shape == (300, 384)
    same_topic = [
        (i, j) for i in range(50) for j in range(i + 1, 300) if people[i].topics[0] == people[j].topics[0]
    ]
    other = [
        (i, j) for i in range(50) for j in range(i + 1, 60) if people[i].topics[0] != people[j].topics[0]
    ]
    assert same_topic and other
    near = sum(float(offer[i] @ offer[j]) for i, j in same_topic) / len(same_topic)
    far = sum(float(offer[i] @ offer[j]) for i, j in other) / len(other)
    assert near > far + 0.3


@pytest.mark.slow
def test_the_benchmark_runs_end_to_end_on_a_small_community() -> None:
    result = run_bench(
        BenchConfig(profiles=600, queries=20, ingest_texts=40), HashingEmbedder(384), lambda _: None
    )
    for key in (
        "index_build_s",
        "chroma_query_ms",
        "exact_numpy_query_ms",
        "recall_at_10",
        "match_ms",
        "ingest_vs_encode",
        "peak_rss_mb",
        "meets",
    ):
        assert key in result
    assert 0 <= result["recall_at_10"] <= 1
