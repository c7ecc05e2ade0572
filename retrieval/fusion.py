"""Reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009), as pure functions.

ranx implements the same formula for evaluation runs (``ranx.fuse(method="rrf")``); on the
query path we fuse two short ranked lists per request, where importing ranx's numba kernels
would cost seconds at start-up. ``tests/retrieval/test_fusion.py`` checks both agree.
"""

from __future__ import annotations

from collections.abc import Sequence


def rrf(rankings: Sequence[Sequence[str]], k: int = 60) -> list[tuple[str, float]]:
    """score(d) = Σ over rankings r that contain d of 1 / (k + rank_r(d)), ranks from 1.
    Returns (id, score) best first; ties broken by first appearance."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking, start=1):
            scores[doc] = scores.get(doc, 0.0) + 1.0 / (k + rank)
    order = {doc: i for i, doc in enumerate(dict.fromkeys(d for r in rankings for d in r))}
    return sorted(scores.items(), key=lambda item: (-item[1], order[item[0]]))
