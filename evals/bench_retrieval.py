"""`mingle bench retrieval`: the retrieval path measured side by side in one run.

A program, not a timed test: these machines are shared and noisy, so the figures that matter
are ratios taken in the same run (Chroma against exact numpy, ingest against raw encode).

Synthetic community: N people whose offer/seek vectors are drawn around 200 topic centres
(x = normalise(centre + σ·noise), with the profile's topics taken from its centre), so
neighbourhoods look like real embeddings; the contract fields are random but typed. The
match path is the product's own (MatchService over SQLite and embedded Chroma), with the
newcomer's vectors read from the index, i.e. excluding the query embedding.
"""

from __future__ import annotations

import random
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.embedder import Embedder, normalise
from retrieval.index import exact_top_k
from retrieval.texts import content_hash, offer_text, rfp_text, seek_text
from store.domain import RFP, Profile

AXES = ["read", "code", "idea", "write", "speak", "network"]
HELPS = ["collaboration", "mentorship", "compute", "feedback", "study_group"]
TARGETS = {"match_p95_ms": 50.0, "recall_at_10": 0.95, "ingest_vs_encode": 0.8}


class StoredVectorsOnly:
    """The embedder of the synthetic index: every vector is already stored, so the match path
    never embeds. Calling ``embed`` is a bug in the benchmark, and says so."""

    model_id = "synthetic-clustered-384"
    dim = 384

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        raise AssertionError(f"the match path tried to embed {len(texts)} texts")


def synthetic_community(
    n: int, seed: int = 7, centres: int = 200, sigma: float = 1.0
) -> tuple[list[Profile], np.ndarray, np.ndarray]:
    rng = random.Random(seed)
    gen = np.random.default_rng(seed)
    centre_vectors = normalise(gen.standard_normal((centres, 384)).astype(np.float32))
    labels = gen.integers(0, centres, n)
    offer = normalise(
        centre_vectors[labels] + sigma * gen.standard_normal((n, 384)).astype(np.float32) / 384**0.5
    )
    seek = normalise(
        centre_vectors[labels] + sigma * gen.standard_normal((n, 384)).astype(np.float32) / 384**0.5
    )
    people = []
    for i in range(n):
        have = set(rng.sample(AXES, rng.randint(1, 4)))
        people.append(
            Profile.model_construct(
                **Profile(
                    id=f"syn-{i:06d}",
                    display_name=f"Person {i}",
                    skills_have=have,
                    skills_want=set(rng.sample([a for a in AXES if a not in have], rng.randint(1, 2))),
                    seeking=set(rng.sample(HELPS, rng.randint(1, 2))),
                    offering=set(rng.sample(HELPS, rng.randint(1, 2))),
                    topics=[f"topic {labels[i]}", f"topic {rng.randrange(centres)}"],
                    languages={"en"}
                    | ({rng.choice(["es", "pt", "fr", "vi", "hi"])} if rng.random() < 0.5 else set()),
                    utc_offset=float(rng.choice([-8, -5, -3, 0, 1, 2, 3, 5.5, 7, 8, 9])),
                    hours_per_week=rng.randint(1, 12),
                    intro_capacity=rng.randint(1, 4),
                    source="seed",
                ).__dict__
            )
        )
    return people, offer, seek


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50": round(statistics.median(ordered) * 1000, 2),
        "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, 2),
    }


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


@dataclass
class BenchConfig:
    profiles: int = 100_000
    queries: int = 200
    ingest_texts: int = 1000
    seed: int = 7


def run_bench(
    config: BenchConfig, real_embedder: Embedder | None, log: Callable[[str], None]
) -> dict[str, Any]:
    from assistant.services import build_services, open_index, scratch_settings
    from retrieval.indexer import Indexer

    out: dict[str, Any] = {"profiles": config.profiles, "queries": config.queries}
    work = Path(tempfile.mkdtemp(prefix="mingle-bench-"))
    log(f"generating {config.profiles} synthetic people")
    people, offer, seek = synthetic_community(config.profiles, config.seed)
    model = StoredVectorsOnly()

    # the product's own stack on a scratch SQLite file and embedded Chroma, with stored vectors
    services = build_services(scratch_settings(work), embedder=model, upgrade=True)
    store, index = services.store, services.matching.index
    _, seconds = _timed(lambda: store.profiles.add_many(people))
    owners = people[: max(1, config.profiles // 1000) * 10]
    rfps = [
        RFP(
            id=f"rfp-{i}",
            owner_id=o.id,
            title=f"Idea {i}",
            description="Synthetic.",
            topics=o.topics,
            skills_needed=o.skills_have,
            skills_developed=o.skills_want,
            mode="either",
        )
        for i, o in enumerate(owners[: max(1, config.profiles // 1000)])
    ]
    store.rfps.add_many(rfps)
    out["sql_insert_s"] = round(seconds, 2)

    log("building the Chroma index")
    ids = [p.id for p in people]
    hashes = {
        "offer": [content_hash(model.model_id, offer_text(p)) for p in people],
        "seek": [content_hash(model.model_id, seek_text(p)) for p in people],
    }

    def build() -> None:
        index.upsert("offer", ids, offer, hashes["offer"])
        index.upsert("seek", ids, seek, hashes["seek"])
        rfp_hashes = [content_hash(model.model_id, rfp_text(r)) for r in rfps]
        index.upsert("rfp", [r.id for r in rfps], seek[: len(rfps)], rfp_hashes)  # owners' vectors

    _, seconds = _timed(build)
    out["index_build_s"] = round(seconds, 2)
    out["index_build_vectors_per_s"] = round(2 * config.profiles / seconds, 1)

    rng = random.Random(config.seed)
    sample = rng.sample(range(config.profiles), min(config.queries, config.profiles))
    log("raw Chroma top-10 against exact numpy top-10")
    chroma_times, exact_times, recalls = [], [], []
    for i in sample:
        got, seconds = _timed(partial(index.query, "offer", seek[i], 10))
        chroma_times.append(seconds)
        exact, seconds = _timed(partial(exact_top_k, offer, seek[i : i + 1], 10))
        exact_times.append(seconds)
        truth = {ids[j] for j in exact[0]}
        recalls.append(len(truth & {g for g, _ in got}) / 10)
    out["chroma_query_ms"] = _percentiles(chroma_times)
    out["exact_numpy_query_ms"] = _percentiles(exact_times)
    out["recall_at_10"] = round(statistics.mean(recalls), 4)

    log("end-to-end match: query → explained top-10 people and RFPs")
    service = services.matching
    log("checking the index is in step with the store (once per process; nothing to embed)")
    _, seconds = _timed(service.in_step)
    out["in_step_check_s"] = round(seconds, 2)
    for i in sample[:5]:
        service.match(ids[i])  # warm caches
    match_times = []
    for i in sample:
        result, seconds = _timed(partial(service.match, ids[i], k=10))
        match_times.append(seconds)
        assert all(m.explanation for m in result.people)
    out["match_ms"] = _percentiles(match_times)

    if real_embedder is not None:
        log(f"ingest against raw encode on {config.ingest_texts} texts, interleaved in 4 rounds")
        texts_people = people[: config.ingest_texts // 2]
        real_embedder.embed([offer_text(p) for p in texts_people[:32]])  # load and warm the model
        fresh = open_index(scratch_settings(work / "ingest"), real_embedder)
        indexer = Indexer(real_embedder, fresh)
        raw_total = ingest_total = 0.0
        rounds = 4
        step = max(1, len(texts_people) // rounds)
        for start in range(0, len(texts_people), step):
            chunk = texts_people[start : start + step]
            texts = [t for p in chunk for t in (offer_text(p), seek_text(p))]
            # the same texts, raw and through the indexer, back to back so machine noise hits both
            raw_total += _timed(partial(real_embedder.embed, texts))[1]
            ingest_total += _timed(partial(indexer.sync, chunk, [], prune=False))[1]
        count = 2 * len(texts_people)
        out["raw_encode_texts_per_s"] = round(count / raw_total, 1)
        out["ingest_texts_per_s"] = round(count / ingest_total, 1)
        out["ingest_vs_encode"] = round(raw_total / ingest_total, 3)

    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["targets"] = TARGETS
    out["meets"] = {
        "match_p95_ms": out["match_ms"]["p95"] <= TARGETS["match_p95_ms"],
        "recall_at_10": out["recall_at_10"] >= TARGETS["recall_at_10"],
        **(
            {"ingest_vs_encode": out["ingest_vs_encode"] >= TARGETS["ingest_vs_encode"]}
            if "ingest_vs_encode" in out
            else {}
        ),
    }
    store.dispose()
    return out
