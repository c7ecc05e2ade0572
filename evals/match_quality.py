"""`mingle eval matching`: Mingle's people ranking against three baselines on the judged set.

Judgments (``evals/data/match_judgments.jsonl``, rubric in ``evals/data/JUDGING.md``) grade
candidates 0-3 for each newcomer. Every system ranks ALL demo people for each judged newcomer;
unjudged people count as non-relevant. Systems, all cut at the same depth (10):

    mingle   MatchService.match over the demo community (SQLite + exact in-memory index + the
             embedder passed in), with an empty exposure ledger so newcomers do not interact
    random   eligible people shuffled (seeded per newcomer)
    topic    cosine of the embedded topic texts ("; ".join(topics)) only
    growth   one-sided growth fit only: how well B covers A's wants,
             g = 0.7 · |A.want ∩ B.have| / |A.want| + 0.3 · max(0, cos(A's seek text, B's offer text))

Eligible for the baselines: everyone public and not paused except the newcomer (the product's
hard filters; the baselines do not know about languages, hours or reciprocity).

Metrics (ranx): nDCG@10 on the grades as gains; Recall@10 and MRR@10 with relevant = grade ≥ 2
(ranx's "-l2" level). Significance: ranx.compare, paired Fisher randomization test by default.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.embedder import Embedder
from retrieval.index import MemoryIndex
from retrieval.scoring import growth
from retrieval.service import MatchService
from store.demo import Community, demo_community, seed
from store.domain import Profile

DEPTH = 10
METRICS = ("ndcg@10", "recall@10-l2", "mrr@10-l2")
LABELS = {"ndcg@10": "nDCG@10", "recall@10-l2": "Recall@10", "mrr@10-l2": "MRR@10"}
SYSTEMS = ("mingle", "random", "topic", "growth")


@contextmanager
def demo_matching(embedder: Embedder, service: MatchService | None = None) -> Iterator[MatchService]:
    """``service`` when one is given (the caller owns it); else the demo community in a throwaway
    folder, disposed of afterwards."""
    if service is not None:
        yield service
        return
    with tempfile.TemporaryDirectory(prefix="mingle-demo-") as work:
        own = demo_service(embedder, Path(work))
        try:
            yield own
        finally:
            own.store.dispose()


def demo_service(embedder: Embedder, workdir: Path, community: Community | None = None) -> MatchService:
    """The demo community in a fresh SQLite file under ``workdir``, indexed with ``embedder``."""
    from assistant.services import build_services, scratch_settings

    index = MemoryIndex(embedder.model_id, embedder.dim)
    services = build_services(scratch_settings(Path(workdir)), embedder=embedder, index=index, upgrade=True)
    seed(services.store, community or demo_community())
    services.matching.reindex()
    return services.matching


def _eligible(profiles: Mapping[str, Profile], newcomer: str) -> list[str]:
    return sorted(
        i for i, p in profiles.items() if i != newcomer and p.visibility == "public" and not p.paused
    )


def _top(scores: Mapping[str, float], depth: int) -> list[str]:
    return [i for i, _ in sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:depth]]


def system_rankings(
    service: MatchService, newcomers: list[str], *, depth: int = DEPTH, seed: int = 5
) -> dict[str, dict[str, list[str]]]:
    """system → newcomer → ranked candidate ids (best first, at most ``depth``)."""
    profiles = {p.id: p for p in service.store.profiles.list()}
    ids = sorted(profiles)
    offer = service.index.get("offer", ids)
    seek = service.index.get("seek", ids)
    topic_texts = ["; ".join(profiles[i].topics) for i in ids]
    topic_vectors = dict(zip(ids, service.embedder.embed(topic_texts), strict=True))
    has_topics = {i for i in ids if profiles[i].topics}
    out: dict[str, dict[str, list[str]]] = {name: {} for name in SYSTEMS}
    for a_id in newcomers:
        a = profiles[a_id]
        pool = _eligible(profiles, a_id)
        out["mingle"][a_id] = [
            m.profile.id for m in service.match(a_id, k=depth, rfp_k=0, exposure={}).people
        ]
        shuffled = list(pool)
        random.Random(f"{seed}:{a_id}").shuffle(shuffled)
        out["random"][a_id] = shuffled[:depth]
        topic = {
            b: float(topic_vectors[a_id] @ topic_vectors[b])
            if a_id in has_topics and b in has_topics
            else 0.0
            for b in pool
        }
        out["topic"][a_id] = _top(topic, depth)
        seek_a = seek[a_id][0]
        fit = {b: growth(a.skills_want, profiles[b].skills_have, float(seek_a @ offer[b][0])) for b in pool}
        out["growth"][a_id] = _top(fit, depth)
    return out


def _run_dict(ranked: Mapping[str, list[str]], queries: list[str]) -> dict[str, dict[str, float]]:
    """Scores from ranks (depth − position), so ranx keeps each system's order exactly. A system
    that returns nobody for a newcomer gets a sentinel that is never relevant."""
    return {
        q: {doc: float(len(ranked[q]) - pos) for pos, doc in enumerate(ranked[q])} or {"<none>": 0.0}
        for q in queries
    }


def run_matching_eval(
    judgments_path: Path,
    out_dir: Path,
    embedder: Embedder,
    *,
    newcomers: int | None = None,
    stat_test: str = "fisher",
    max_p: float = 0.05,
    service: MatchService | None = None,
) -> dict[str, Any]:
    """Rank every judged newcomer with each system, score with ranx, write ``metrics.json``,
    the runs (``run_<system>.json``) and ``report.txt`` to ``out_dir``. ``newcomers`` keeps the
    first n judged newcomers; ``service`` reuses an already seeded demo MatchService."""
    from ranx import Qrels, Run, compare

    from evals.judgments import load_judgments

    started = time.perf_counter()
    judged = load_judgments(Path(judgments_path))
    queries = list(judged)[:newcomers] if newcomers else list(judged)
    with demo_matching(embedder, service) as svc:
        ranked = system_rankings(svc, queries)
    qrels = Qrels({q: {doc: int(g) for doc, g in judged[q].items()} for q in queries})
    runs = [Run(_run_dict(ranked[name], queries), name=name) for name in SYSTEMS]
    report = compare(qrels, runs, list(METRICS), stat_test=stat_test, max_p=max_p, rounding_digits=4)
    table = report.to_dict()
    coverage = {
        name: round(
            float(
                np.mean(
                    [
                        sum(doc in judged[q] for doc in ranked[name][q]) / max(1, len(ranked[name][q]))
                        for q in queries
                    ]
                )
            ),
            4,
        )
        for name in SYSTEMS
    }
    result: dict[str, Any] = {
        "judgments": str(judgments_path),
        "newcomers": len(queries),
        "judged_pairs": sum(len(judged[q]) for q in queries),
        "relevant_pairs": sum(g >= 2 for q in queries for g in judged[q].values()),
        "model_id": embedder.model_id,
        "depth": DEPTH,
        "metrics": {
            name: {LABELS[m]: round(float(table[name]["scores"][m]), 4) for m in METRICS} for name in SYSTEMS
        },
        "stat_test": stat_test,
        "max_p": max_p,
        "p_values": {
            other: {LABELS[m]: float(table["mingle"]["comparisons"][other][m]) for m in METRICS}
            for other in SYSTEMS
            if other != "mingle"
        },
        "recall_at_10_ceiling": round(
            float(
                np.mean(
                    [
                        min(DEPTH, r) / r if r else 0.0
                        for r in (sum(g >= 2 for g in judged[q].values()) for q in queries)
                    ]
                )
            ),
            4,
        ),
        "judged_share_of_top10": coverage,
        "seconds": round(time.perf_counter() - started, 1),
    }
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(result, indent=1))
    for name in SYSTEMS:
        (out / f"run_{name}.json").write_text(json.dumps(_run_dict(ranked[name], queries), indent=1))
    (out / "report.txt").write_text(format_matching(result) + "\n")
    return result


def format_matching(report: Mapping[str, Any]) -> str:
    """A plain-text table: one row per system; * marks a significant difference from Mingle."""
    labels = [LABELS[m] for m in METRICS]
    lines = [f"{'system':<8}  " + "  ".join(f"{label:>10}" for label in labels), "-" * 44]
    for name in SYSTEMS:
        cells = []
        for label in labels:
            value = report["metrics"][name][label]
            p = report["p_values"].get(name, {}).get(label)
            mark = "*" if p is not None and p < report["max_p"] else " "
            cells.append(f"{value:>9.4f}{mark}")
        lines.append(f"{name:<8}  " + "  ".join(cells))
    lines.append(
        f"* differs from mingle, {report['stat_test']} test p < {report['max_p']}; "
        f"{report['newcomers']} newcomers, {report['judged_pairs']} judged pairs "
        f"({report['relevant_pairs']} with grade ≥ 2); model {report['model_id']}"
    )
    lines.append(f"best possible Recall@10 on these judgments: {report['recall_at_10_ceiling']:.4f}")
    lines.append("labels are rubric-generated silver judgments, not human ones (evals/data/JUDGING.md)")
    return "\n".join(lines)
