"""Search for people: filters from the parsed query, dense + BM25 rankings fused by RRF,
each hit explained by what it satisfies. Pure: the rankings arrive as lists of ids."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from retrieval.explain import HELP, LANGUAGE_NAMES, WANT, Reason
from retrieval.fusion import rrf
from retrieval.query import SearchQuery
from retrieval.scoring import TOKEN, topic_tokens
from store.domain import Profile, Skill


@dataclass
class SearchHit:
    profile: Profile
    score: float
    reasons: list[Reason]
    explanation: str


def passes(q: SearchQuery, p: Profile) -> bool:
    """Every filter of the query holds (languages: any one of them; UTC: inside the range)."""
    if p.paused or p.visibility != "public":
        return False
    if not (q.skills_have <= p.skills_have and q.skills_want <= p.skills_want):
        return False
    if not (q.offering <= p.offering and q.seeking <= p.seeking):
        return False
    if q.career_stages and p.career_stage not in q.career_stages:
        return False
    if q.languages and not (q.languages & p.languages):
        return False
    return (
        q.utc_min is None
        or q.utc_max is None
        or (p.utc_offset is not None and q.utc_min <= p.utc_offset <= q.utc_max)
    )


def search_reasons(q: SearchQuery, p: Profile) -> list[Reason]:
    axes = list(Skill)
    reasons = [Reason("has", None, s) for s in axes if s in q.skills_have]
    reasons += [Reason("wants", None, s) for s in axes if s in q.skills_want]
    reasons += [Reason("offers", None, h) for h in sorted(q.offering)]
    reasons += [Reason("seeks", None, h) for h in sorted(q.seeking)]
    asked = set(TOKEN.findall(q.text.lower()))
    topics = [t for t in p.topics if topic_tokens([t]) & asked]
    if topics:
        reasons.append(Reason("topic", None, topics[:3]))
    if q.utc_min is not None and p.utc_offset is not None:
        reasons.append(Reason("utc", None, p.utc_offset))
    if q.languages:
        reasons.append(Reason("language", None, sorted(q.languages & p.languages)))
    if q.career_stages and p.career_stage:
        reasons.append(Reason("stage", None, str(p.career_stage)))
    return reasons


def _utc(offset: float) -> str:
    hours = int(offset) if float(offset).is_integer() else offset
    return f"UTC{'+' if offset >= 0 else ''}{hours}"


def search_sentence(name: str, reasons: list[Reason]) -> str:
    """E.g. "Amara is strong at writing and wants to grow coding; works on diffusion models; UTC+1." """
    clauses: list[str] = []
    has = [WANT[r.value] for r in reasons if r.kind == "has"]
    wants = [WANT[r.value] for r in reasons if r.kind == "wants"]
    skill_clause = []
    if has:
        skill_clause.append("is strong at " + " and ".join(has))
    if wants:
        skill_clause.append("wants to grow " + " and ".join(wants))
    if skill_clause:
        clauses.append(" and ".join(skill_clause))
    for r in reasons:
        if r.kind == "offers":
            clauses.append(f"offers {HELP[r.value]}")
        elif r.kind == "seeks":
            clauses.append(f"is looking for {HELP[r.value]}")
        elif r.kind == "topic":
            clauses.append("works on " + " and ".join(r.value))
        elif r.kind == "stage":
            clauses.append(f"career stage: {r.value}")
        elif r.kind == "utc":
            clauses.append(_utc(r.value))
        elif r.kind == "language" and r.value:
            clauses.append("speaks " + " and ".join(LANGUAGE_NAMES.get(c, c) for c in r.value))
    if not clauses:
        return f"{name} is close to what you described."
    return f"{name} " + "; ".join(clauses) + "."


def rank_search(
    q: SearchQuery,
    profiles: Mapping[str, Profile],
    rankings: Sequence[Sequence[str]],
    k: int = 10,
) -> list[SearchHit]:
    """Fuse the rankings (RRF), keep those passing every filter, then append any other
    profile that passes (so strict filters still fill the list), best first."""
    fused = rrf([[i for i in r if i in profiles] for r in rankings])
    seen = {i for i, _ in fused}
    ordered = fused + [(i, 0.0) for i in sorted(profiles) if i not in seen]
    hits: list[SearchHit] = []
    for profile_id, score in ordered:
        p = profiles[profile_id]
        if not passes(q, p):
            continue
        reasons = search_reasons(q, p)
        hits.append(SearchHit(p, round(score, 5), reasons, search_sentence(p.display_name, reasons)))
        if len(hits) == k:
            break
    return hits
