"""`mingle eval fairness`: does identity move a ranking, and how is attention spread?

(a) Counterfactual invariance. Every demo person's top 10 (MatchService, empty exposure ledger)
is computed; then the whole community's identity is rewritten — display name (a name from
another region), contact, and bio: places and countries swapped for another region's, schools
swapped (small / unknown ↔ famous), gendered pronouns swapped plus a stated pronoun set, and the
confidence of the wording flipped (hedged ↔ bold) — while the ten contract fields, including
utc_offset and languages, stay as they were. The rewritten people are re-saved, the index is
synced (unchanged contract texts are not re-embedded) and every top 10 recomputed. Reported:
the share of identical top-10 lists and the mean Kendall τ between each pair of lists.

(b) Exposure. Every demo person asks in turn, with one shared in-memory ledger (each person
shown adds 1, as ``viewer`` would in the product) — the whole community in one window, a stress
case. Compared with Mingle without the ledger (no attention spreading) and with a pure-similarity
ranking (top 10 by cos(A's seek vector, B's offer vector), no vetoes beyond hidden/paused, no
reciprocity, no spreading). Over the people who can be shown (public, not paused): Gini of the
appearance counts, the share never shown, and the most-shown person against their budget
SHOWS_PER_SLOT · intro_capacity.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from retrieval.embedder import Embedder
from retrieval.matching import SHOWS_PER_SLOT
from retrieval.service import MatchService
from store.domain import Profile

K = 10

# ---------------------------------------------------------------------------------- pure metrics


def gini(values: Sequence[float]) -> float:
    """Gini coefficient of non-negative counts: G = Σ_i Σ_j |x_i − x_j| / (2 n² μ).
    0 when everyone has the same (or there is nothing to share), → 1 when one holds all."""
    n = len(values)
    total = float(sum(values))
    if n == 0 or total == 0:
        return 0.0
    ordered = sorted(values)
    # Σ_i Σ_j |x_i − x_j| = 2 Σ_i (2i − n + 1) x_(i) over the sorted x, i from 0
    pair_sum = 2 * sum((2 * i - n + 1) * x for i, x in enumerate(ordered))
    return pair_sum / (2 * n * n * (total / n))


def kendall_tau(a: Sequence[str], b: Sequence[str]) -> float:
    """Kendall τ-b between two top-k lists over the union of their items; an item missing from a
    list ranks just below its end (tied with the other missing ones). 1 for identical lists."""
    if list(a) == list(b):
        return 1.0
    items = sorted(set(a) | set(b))
    rank_a = [a.index(i) if i in a else len(a) for i in items]
    rank_b = [b.index(i) if i in b else len(b) for i in items]
    if len(set(rank_a)) < 2 or len(set(rank_b)) < 2:
        return 0.0
    from scipy.stats import kendalltau

    return float(kendalltau(rank_a, rank_b).statistic)


def share_identical(pairs: Sequence[tuple[Sequence[str], Sequence[str]]]) -> float:
    return sum(list(x) == list(y) for x, y in pairs) / len(pairs) if pairs else 1.0


# ---------------------------------------------------------------------------------- counterfactuals

EXTRA_PLACES = (
    "Enugu",
    "Ho Chi Minh City",
    "Coimbatore",
    "Stockholm",
    "Wellington",
    "Lviv",
    "Wuhan",
    "Kisumu",
    "Atlanta",
)
COUNTRIES = (
    "Nigeria",
    "Ghana",
    "Kenya",
    "Ethiopia",
    "Morocco",
    "Egypt",
    "India",
    "Pakistan",
    "Bangladesh",
    "Vietnam",
    "Indonesia",
    "China",
    "Japan",
    "Korea",
    "Germany",
    "France",
    "Ukraine",
    "Poland",
    "Turkey",
    "Iran",
    "Brazil",
    "Mexico",
    "Peru",
    "Canada",
    "United States",
    "Australia",
    "New Zealand",
    "Sweden",
)
SCHOOL_SWAPS = (  # (modest, famous), swapped both ways
    ("a small university", "Stanford"),
    ("a university", "MIT"),
    ("isn't exactly famous", "is world famous"),
    ("nobody outside", "everybody inside"),
    ("a teaching-focused college", "Oxford"),
)
PRONOUNS = {
    "he": "she",
    "she": "he",
    "him": "her",
    "his": "her",
    "her": "his",
    "hers": "his",
    "himself": "herself",
    "herself": "himself",
    "Mr": "Ms",
    "Ms": "Mr",
}
PRONOUN_SETS = ("she/her", "he/him", "they/them")
HEDGED = "I'm not sure I'm any good, but here goes. "
BOLD = "I'm excellent at what I do and I know it. "
REGION_SHIFT = 5


@cache
def _regions() -> list[dict[str, Any]]:
    return json.loads((files("store") / "demo_data" / "regions.json").read_text(encoding="utf-8"))


@cache
def _personality() -> dict[str, list[str]]:
    return json.loads((files("store") / "demo_data" / "phrases.json").read_text(encoding="utf-8"))[
        "personality"
    ]


@cache
def _place_swaps() -> dict[str, str]:
    """Every known place → a place of another region; every listed country → another country."""
    regions = _regions()
    swaps: dict[str, str] = {}
    for r, region in enumerate(regions):
        other = regions[(r + REGION_SHIFT) % len(regions)]["places"]
        for j, (place, _) in enumerate(region["places"]):
            swaps[place] = other[j % len(other)][0]
    everywhere = [place for region in regions for place, _ in region["places"]]
    for j, place in enumerate(EXTRA_PLACES):
        swaps[place] = everywhere[(7 * j + 3) % len(everywhere)]
    for j, country in enumerate(COUNTRIES):
        swaps[country] = COUNTRIES[(j + len(COUNTRIES) // 2) % len(COUNTRIES)]
    return swaps


def _swap_all(text: str, mapping: Mapping[str, str], *, words: bool = True) -> str:
    """Simultaneous replacement (a ↔ b does not undo itself), longest keys first."""
    keys = sorted(mapping, key=len, reverse=True)
    edge = r"\b" if words else ""
    pattern = re.compile("|".join(f"{edge}{re.escape(k)}{edge}" for k in keys))

    lower = {k.lower(): v for k, v in mapping.items()}

    def repl(m: re.Match[str]) -> str:
        found = m.group(0)
        if found in mapping:
            return mapping[found]
        out = lower[found.lower()]
        return out[:1].upper() + out[1:] if found[:1].isupper() else out

    if words:
        pattern = re.compile(pattern.pattern, re.IGNORECASE)
    return pattern.sub(repl, text)


def _flip_confidence(bio: str, i: int) -> str:
    """Confident phrases ↔ unconfident ones, and a hedged or bold opening (alternating)."""
    timid, bold = _personality()["not_confident"], _personality()["confident"]
    swaps = {t: bold[j % len(bold)] for j, t in enumerate(timid)} | {
        b: timid[j % len(timid)] for j, b in enumerate(bold)
    }
    flipped = _swap_all(bio, swaps, words=False)
    return (HEDGED if i % 2 == 0 else BOLD) + flipped


def rewrite_identity(p: Profile, i: int) -> Profile:
    """The same person (contract fields, evidence, capacity, visibility untouched) with another
    name, contact, places, school, pronouns and tone of voice."""
    regions = _regions()
    region = regions[(i + REGION_SHIFT) % len(regions)]
    given, family = (
        region["given"][i % len(region["given"])],
        region["family"][(3 * i) % len(region["family"])],
    )
    bio = _swap_all(p.bio, _place_swaps())
    bio = _swap_all(bio, dict(SCHOOL_SWAPS) | {famous: modest for modest, famous in SCHOOL_SWAPS})
    bio = _swap_all(bio, PRONOUNS)
    bio = _flip_confidence(bio, i) + f" Pronouns: {PRONOUN_SETS[i % len(PRONOUN_SETS)]}."
    slug = re.sub(r"[^a-z]", "", f"{given}.{family}".lower()) or "person"
    data = p.model_dump()
    data.update(
        display_name=f"{given} {family}",
        bio=bio[:4000],
        contact=f"{slug}{i}@example.net" if p.contact else None,
    )
    return Profile.model_validate(data)


# ---------------------------------------------------------------------------------- the eval


def _tops(service: MatchService, ids: Sequence[str]) -> dict[str, list[str]]:
    return {i: [m.profile.id for m in service.match(i, k=K, rfp_k=0, exposure={}).people] for i in ids}


def _exposure_summary(counts: Mapping[str, int], shown_pool: Mapping[str, Profile]) -> dict[str, Any]:
    values = [counts.get(i, 0) for i in shown_pool]
    top_id = max(shown_pool, key=lambda i: (counts.get(i, 0), i))
    person = shown_pool[top_id]
    return {
        "gini": round(gini(values), 4),
        "never_shown_share": round(sum(v == 0 for v in values) / len(values), 4),
        "most_shown": {
            "id": top_id,
            "count": counts.get(top_id, 0),
            "budget": SHOWS_PER_SLOT * person.intro_capacity,
            "intro_capacity": person.intro_capacity,
        },
        "over_budget_share": round(
            sum(counts.get(i, 0) > SHOWS_PER_SLOT * p.intro_capacity for i, p in shown_pool.items())
            / len(values),
            4,
        ),
    }


def exposure_runs(service: MatchService, ids: Sequence[str]) -> dict[str, Counter[str]]:
    """Appearance counts per person: Mingle with a shared ledger, Mingle without, pure similarity."""
    profiles = {p.id: p for p in service.store.profiles.list()}
    offer = service.index.get("offer", sorted(profiles))
    seek = service.index.get("seek", list(ids))
    ledger: Counter[str] = Counter()
    unspread: Counter[str] = Counter()
    similarity: Counter[str] = Counter()
    eligible = [i for i, p in sorted(profiles.items()) if p.visibility == "public" and not p.paused]
    for a in ids:
        ledger.update(m.profile.id for m in service.match(a, k=K, rfp_k=0, exposure=ledger).people)
        unspread.update(m.profile.id for m in service.match(a, k=K, rfp_k=0, exposure={}).people)
        sims = {b: float(seek[a][0] @ offer[b][0]) for b in eligible if b != a}
        similarity.update(sorted(sims, key=lambda b: (-sims[b], b))[:K])
    return {"mingle": ledger, "mingle_no_spreading": unspread, "similarity": similarity}


def run_fairness_eval(
    embedder: Embedder,
    *,
    newcomers: int | None = None,
    out_dir: Path | None = None,
    service: MatchService | None = None,
) -> dict[str, Any]:
    """Both parts over the demo community (a fresh SQLite store and in-memory index, unless a
    seeded ``service`` is given — its profiles are rewritten in place). ``newcomers`` keeps the
    first n people by id as askers (all of them by default). Writes ``fairness.json`` to out_dir."""
    from evals.match_quality import demo_matching

    started = time.perf_counter()
    with demo_matching(embedder, service) as svc:
        result = _evaluate(svc, newcomers)
    result["model_id"] = embedder.model_id
    result["seconds"] = round(time.perf_counter() - started, 1)
    if out_dir is not None:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        (Path(out_dir) / "fairness.json").write_text(json.dumps(result, indent=1))
    return result


def _evaluate(svc: MatchService, newcomers: int | None) -> dict[str, Any]:
    profiles = sorted(svc.store.profiles.list(), key=lambda p: p.id)
    ids = [p.id for p in profiles][:newcomers] if newcomers else [p.id for p in profiles]
    shown_pool = {p.id: p for p in profiles if p.visibility == "public" and not p.paused}

    counts = exposure_runs(svc, ids)  # before the rewrite: the community as generated
    exposure = {name: _exposure_summary(c, shown_pool) for name, c in counts.items()}

    before = _tops(svc, ids)
    for i, p in enumerate(profiles):
        svc.store.profiles.upsert(rewrite_identity(p, i))
    sync = svc.reindex()
    after = _tops(svc, ids)
    pairs = [(before[i], after[i]) for i in ids]
    taus = [kendall_tau(x, y) for x, y in pairs]
    changed = [i for i in ids if before[i] != after[i]]
    return {
        "newcomers": len(ids),
        "people": len(profiles),
        "invariance_top10": round(share_identical(pairs), 4),
        "kendall_tau": round(sum(taus) / len(taus), 4) if taus else 1.0,
        "changed_lists": changed[:20],
        "reembedded_after_rewrite": dict(sync.embedded),
        "gini": exposure["mingle"]["gini"],
        "gini_no_spreading": exposure["mingle_no_spreading"]["gini"],
        "gini_similarity_baseline": exposure["similarity"]["gini"],
        "never_shown_share": exposure["mingle"]["never_shown_share"],
        "never_shown_share_similarity_baseline": exposure["similarity"]["never_shown_share"],
        "exposure": exposure,
        "window": "every newcomer in one window (stress case); shows counted over public, unpaused people",
    }


def format_fairness(report: Mapping[str, Any]) -> str:
    e = report["exposure"]
    lines = [
        (
            f"counterfactual invariance: {report['invariance_top10']:.1%} of {report['newcomers']} top-10 "
            f"lists identical, mean Kendall τ {report['kendall_tau']:.3f}"
        ),
        f"{'ranking':<22} {'gini':>6} {'never shown':>12} {'most shown (count/budget)':>28}",
    ]
    for name in ("mingle", "mingle_no_spreading", "similarity"):
        top = e[name]["most_shown"]
        lines.append(
            f"{name:<22} {e[name]['gini']:>6.3f} {e[name]['never_shown_share']:>12.1%} "
            f"{top['id'] + ' ' + str(top['count']) + '/' + str(top['budget']):>28}"
        )
    lines.append(f"model {report['model_id']}; {report['window']}")
    return "\n".join(lines)
