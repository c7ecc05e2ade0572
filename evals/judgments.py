"""Silver match judgments: a written rubric applied by a deterministic judge, and the pools it grades.

No human judged these pairs. ``grade`` applies the rubric of ``evals/data/JUDGING.md`` ("would
these two plausibly help each other grow") to the contract fields, written from the rubric and
not from Mingle's ranker: it imports nothing from ``retrieval`` scoring or matching, so the
ranker under test cannot grade itself.

Rubric, for a newcomer A and a candidate B (formal version of JUDGING.md):

    meet(A, B)    = B is reachable (public, not paused), both give hours (> 0 or unknown), they
                    share a language (or either did not say), and at least one whole UTC hour
                    lies inside both local days 09:00-21:00 (or either offset is unknown)
    strong(X←Y)   = Y has an axis X wants, or Y offers mentorship, compute or feedback that X seeks
    weak(X←Y)     = Y offers collaboration or a study group that X seeks
    topical(A, B) = their topics share a content word
    mentoring     = one seeks mentorship the other offers, and topical(A, B)

    grade = 0                              if not meet(A, B)
          = 3  if (strong(A←B) and strong(B←A)) or mentoring
          = 2  if strong(A←B) or strong(B←A)
          = 1  if weak(A←B) or weak(B←A) or topical(A, B)
          = 0  otherwise

Pools (pooling depth 10, as in TREC): for each newcomer, the union of the top 10 of every system
the matching eval compares (Mingle and the three baselines, ``evals.match_quality``) plus 10 people
drawn at random, so no system's top 10 goes unjudged and a random slice checks the rest.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from store.domain import Help, Profile, ProfileFields

STRONG_HELP = frozenset({Help.mentorship, Help.compute, Help.feedback})
WEAK_HELP = frozenset({Help.collaboration, Help.study_group})
DAY = (9, 21)  # local hours in which volunteers meet, [start, end)
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "for",
        "in",
        "on",
        "to",
        "with",
        "via",
        "from",
        "based",
        "using",
        "learning",
        "machine",
        "deep",
        "neural",
        "model",
        "models",
        "network",
        "networks",
        "method",
        "methods",
        "system",
        "systems",
        "ai",
        "ml",
    ]
)
WORD = re.compile(r"[a-z0-9]+")
POOL_DEPTH = 10
RANDOM_PER_NEWCOMER = 10
NEWCOMERS = 50
SEED = 5


def can_meet(a: ProfileFields, b: Profile) -> bool:
    """Reachable, some time to give, a shared language and a shared working hour (unknowns pass)."""
    if b.paused or b.visibility != "public":
        return False
    if any(h == 0 for h in (a.hours_per_week, b.hours_per_week)):
        return False
    if a.languages and b.languages and not a.languages & b.languages:
        return False
    if a.utc_offset is None or b.utc_offset is None:
        return True
    return any(_local_day(utc, a.utc_offset) and _local_day(utc, b.utc_offset) for utc in range(24))


def _local_day(utc_hour: int, offset: float) -> bool:
    """Does the hour [utc, utc+1) lie inside the local day? (half-hour offsets: the whole hour must)."""
    start = (utc_hour + offset) % 24
    return DAY[0] <= start and start + 1 <= DAY[1]


def strong(x: ProfileFields, y: ProfileFields) -> bool:
    """Y clearly helps X grow: an axis X wants that Y has, or mentorship/compute/feedback X seeks."""
    return bool(x.skills_want & y.skills_have) or bool(x.seeking & y.offering & STRONG_HELP)


def weak(x: ProfileFields, y: ProfileFields) -> bool:
    return bool(x.seeking & y.offering & WEAK_HELP)


def topic_words(topics: Iterable[str]) -> set[str]:
    return {w for t in topics for w in WORD.findall(t.lower()) if w not in STOPWORDS}


def topical(a: ProfileFields, b: ProfileFields) -> bool:
    return bool(topic_words(a.topics) & topic_words(b.topics))


def mentoring(a: ProfileFields, b: ProfileFields) -> bool:
    """A mentor offers what a mentee seeks, in shared topics (either way round)."""
    pair = (Help.mentorship in a.seeking and Help.mentorship in b.offering) or (
        Help.mentorship in b.seeking and Help.mentorship in a.offering
    )
    return pair and topical(a, b)


def grade(a: Profile, b: Profile) -> int:
    """The rubric grade 0-3 of candidate B for newcomer A (see the module docstring)."""
    if a.id == b.id or not can_meet(a, b):
        return 0
    if (strong(a, b) and strong(b, a)) or mentoring(a, b):
        return 3
    if strong(a, b) or strong(b, a):
        return 2
    if weak(a, b) or weak(b, a) or topical(a, b):
        return 1
    return 0


def pick_newcomers(profiles: list[Profile], n: int = NEWCOMERS, seed: int = SEED) -> list[str]:
    """Every hand-written showcase person, then a seeded sample of the generated ones."""
    showcase = [p.id for p in profiles if not p.id[len("demo-") :].isdigit()]
    generated = sorted(p.id for p in profiles if p.id[len("demo-") :].isdigit())
    rest = random.Random(seed).sample(generated, max(0, n - len(showcase)))
    return showcase + sorted(rest)


def build_pool(
    newcomer: str, tops: Mapping[str, list[str]], everyone: list[str], rng: random.Random
) -> list[str]:
    """The union of each system's top ``POOL_DEPTH`` and ``RANDOM_PER_NEWCOMER`` random others."""
    pool = {pid for ranked in tops.values() for pid in ranked[:POOL_DEPTH]}
    others = sorted(set(everyone) - pool - {newcomer})
    pool |= set(rng.sample(others, min(RANDOM_PER_NEWCOMER, len(others))))
    return sorted(pool)


def judge(
    newcomers: list[str],
    tops: Mapping[str, Mapping[str, list[str]]],
    profiles: Mapping[str, Profile],
    seed: int = SEED,
) -> list[dict[str, Any]]:
    """One record per newcomer: ``{"newcomer": id, "judgments": {candidate: grade}}``.
    ``tops`` maps system name → newcomer → ranked ids."""
    rng = random.Random(seed)
    everyone = sorted(profiles)
    records = []
    for newcomer in newcomers:
        pool = build_pool(newcomer, {name: ranked[newcomer] for name, ranked in tops.items()}, everyone, rng)
        a = profiles[newcomer]
        records.append({"newcomer": newcomer, "judgments": {pid: grade(a, profiles[pid]) for pid in pool}})
    return records


def write_judgments(records: list[dict[str, object]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in records), encoding="utf-8")


def load_judgments(path: Path) -> dict[str, dict[str, int]]:
    """newcomer → candidate → grade."""
    out: dict[str, dict[str, int]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            out[record["newcomer"]] = {k: int(v) for k, v in record["judgments"].items()}
    return out
