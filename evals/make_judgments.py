"""Write ``evals/data/match_judgments.jsonl``: rank the demo community with every compared system,
pool the tops, grade each pair with the independent rules of ``evals.judgments``.

    python -m evals.make_judgments [--hashing]

Kept apart from ``evals.judgments`` (the grader, which must not know Mingle's ranker) and from
``evals.match_quality`` (which reads the file this writes).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from evals.judgments import NEWCOMERS, POOL_DEPTH, SEED, judge, pick_newcomers, write_judgments
from evals.match_quality import demo_service, system_rankings
from retrieval.embedder import Embedder
from store.demo import demo_community


def generate(path: Path, embedder: Embedder, *, n: int = NEWCOMERS, seed: int = SEED) -> list[dict[str, Any]]:
    """Build the demo community, rank it with every compared system, pool, grade, write the file."""
    community = demo_community()
    profiles = {p.id: p for p in community.profiles}
    newcomers = pick_newcomers(community.profiles, n, seed)
    with tempfile.TemporaryDirectory(prefix="mingle-judge-") as work:
        service = demo_service(embedder, Path(work), community)
        try:
            tops = system_rankings(service, newcomers, depth=POOL_DEPTH, seed=seed)
        finally:
            service.store.dispose()
    records = judge(newcomers, tops, profiles, seed)
    write_judgments(records, path)
    return records


def main(argv: list[str]) -> None:
    from assistant.services import open_embedder
    from assistant.settings import load_settings
    from retrieval.embedder import HashingEmbedder

    model: Embedder = HashingEmbedder() if "--hashing" in argv else open_embedder(load_settings())
    out = Path(__file__).parent / "data" / "match_judgments.jsonl"
    written = generate(out, model)
    grades = [int(g) for r in written for g in r["judgments"].values()]
    print(f"{len(written)} newcomers, {len(grades)} judged pairs -> {out}")
    print("grades:", {g: grades.count(g) for g in range(4)})


if __name__ == "__main__":
    main(sys.argv[1:])
