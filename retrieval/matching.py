"""Ranking people and RFPs for one person: vetoes, scores, attention spreading, explanations.

Pure: every input arrives as plain data (profiles, similarities, counts), nothing is read from
a database or a clock here. The composition with the store and the index is in
``retrieval/service.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from retrieval.explain import Reason, person_sentence, rfp_sentence
from retrieval.scoring import (
    DEFAULT,
    Feasibility,
    PairScore,
    Weights,
    complementary,
    feasibility,
    score_pair,
    shared_topics,
    topic_affinity,
)
from store.domain import RFP, Help, Profile, ProjectMode, Skill

SHOWS_PER_SLOT = 3  # appearances per open intro slot per window before someone is rested
EXPOSURE_DAMPING = 0.3  # score × (1 − damping · used share of the exposure budget)


@dataclass(frozen=True)
class Candidate:
    profile: Profile
    sim_ab: float  # A's seek text · B's offer text
    sim_ba: float  # B's seek text · A's offer text


@dataclass
class Context:
    """What the ranking must respect beyond the two profiles."""

    blocked: set[frozenset[str]] = field(default_factory=set)  # "not a fit" either way, existing intros
    open_intros: Mapping[str, int] = field(default_factory=dict)  # person → intros pending or accepted
    exposure: Mapping[str, int] = field(default_factory=dict)  # person → times shown in the window


@dataclass
class PersonMatch:
    profile: Profile
    score: float
    parts: PairScore
    reasons: list[Reason]
    explanation: str


@dataclass
class RFPMatch:
    rfp: RFP
    score: float
    reasons: list[Reason]
    explanation: str


def remaining_capacity(profile: Profile, context: Context) -> int:
    return profile.intro_capacity - context.open_intros.get(profile.id, 0)


def vetoed(a: Profile, b: Profile, context: Context) -> bool:
    """Never suggest: oneself, a paused or hidden person, a "not a fit" either way, an existing intro."""
    return a.id == b.id or b.paused or b.visibility != "public" or frozenset({a.id, b.id}) in context.blocked


def person_reasons(a: Profile, b: Profile, parts: PairScore, feasible: Feasibility) -> list[Reason]:
    axes = list(Skill)
    reasons = [Reason("grow", "you", s) for s in axes if s in a.skills_want & b.skills_have]
    reasons += [Reason("grow", "them", s) for s in axes if s in b.skills_want & a.skills_have]
    if Help.mentorship in a.seeking & b.offering:
        reasons.append(Reason("mentor", "you"))
    if Help.mentorship in b.seeking & a.offering:
        reasons.append(Reason("mentor", "them"))
    for h in sorted(a.seeking & b.offering - {Help.mentorship}):
        reasons.append(Reason("help", "you", h))
    for h in sorted(b.seeking & a.offering - {Help.mentorship}):
        reasons.append(Reason("help", "them", h))
    if a.project_mode == ProjectMode.pitch_idea and b.project_mode == ProjectMode.implement_idea:
        reasons.append(Reason("mode", "both", "You have an idea; they want to build one."))
    elif a.project_mode == ProjectMode.implement_idea and b.project_mode == ProjectMode.pitch_idea:
        reasons.append(Reason("mode", "both", "They have an idea; you want to build one."))
    topics = shared_topics(a.topics, b.topics)
    if topics:
        reasons.append(Reason("topic", "both", topics[:3]))
    if feasible.hours is not None:
        reasons.append(Reason("hours", "both", round(feasible.hours, 1)))
    if feasible.languages:
        reasons.append(Reason("language", "both", sorted(feasible.languages)[:2]))
    return reasons


def spread_attention(
    scored: list[tuple[float, Candidate]], context: Context, k: int
) -> list[tuple[float, Candidate]]:
    """Exposure-aware re-ranking. Each person may be shown SHOWS_PER_SLOT times per open intro
    slot in a window: budget = SHOWS_PER_SLOT · remaining capacity. Scores are damped by the
    share of the budget already used, s' = s · (1 − damping · min(1, shown / budget)); people
    whose budget is spent come only after everyone else, least-shown first."""

    def budget(c: Candidate) -> int:
        return SHOWS_PER_SLOT * max(1, remaining_capacity(c.profile, context))

    fresh: list[tuple[float, Candidate]] = []
    spent: list[tuple[float, float, Candidate]] = []
    for score, c in scored:
        shown = context.exposure.get(c.profile.id, 0)
        used = shown / budget(c)
        if used >= 1:
            spent.append((used, -score, c))
        else:
            fresh.append((score * (1 - EXPOSURE_DAMPING * used), c))
    fresh.sort(key=lambda item: (-item[0], item[1].profile.id))
    spent.sort(key=lambda item: (item[0], item[1], item[2].profile.id))
    return (fresh + [(-neg, c) for _, neg, c in spent])[:k]


def rank_people(
    a: Profile, candidates: Iterable[Candidate], context: Context, k: int = 10, w: Weights = DEFAULT
) -> list[PersonMatch]:
    """Feasible, complementary, not vetoed; scored by ``score_pair``; attention spread; top k."""
    scored: list[tuple[float, Candidate]] = []
    details: dict[str, tuple[PairScore, Feasibility]] = {}
    for c in candidates:
        b = c.profile
        if vetoed(a, b, context) or not complementary(a, b):
            continue
        feasible = feasibility(a, b, remaining_capacity(b, context), w)
        if not feasible.feasible:
            continue
        parts = score_pair(a, b, c.sim_ab, c.sim_ba, feasible, w)
        details[b.id] = (parts, feasible)
        scored.append((parts.score, c))
    matches = []
    for score, c in spread_attention(scored, context, k):
        parts, feasible = details[c.profile.id]
        reasons = person_reasons(a, c.profile, parts, feasible)
        matches.append(
            PersonMatch(
                c.profile, round(score, 4), parts, reasons, person_sentence(c.profile.display_name, reasons)
            )
        )
    return matches


RFP_MODE_OK = {
    ProjectMode.implement_idea: {ProjectMode.implement_idea, ProjectMode.either, None},
    ProjectMode.pitch_idea: {ProjectMode.pitch_idea, ProjectMode.either, None},
    ProjectMode.either: {ProjectMode.implement_idea, ProjectMode.pitch_idea, ProjectMode.either, None},
}


def score_rfp(
    a: Profile, rfp: RFP, owner: Profile, similarity: float, w: Weights = DEFAULT
) -> tuple[float, list[Reason]]:
    """For an open RFP whose mode suits A (implement ↔ implement/either, pitch ↔ pitch/either):
    needs = |needed ∩ (A.have ∪ (A.want ∩ owner.have))| / |needed|  (what A has, or can grow
    with the owner's help), grows = |developed ∩ A.want| / max(1, |A.want|),
    score = feasibility · (0.3 needs + 0.2 grows + 0.35 max(topic, sim) + 0.15 compute),
    compute = 1 when A seeks compute and the RFP offers it. 0 when the mode does not suit."""
    if a.project_mode is not None and a.project_mode not in RFP_MODE_OK[rfp.mode]:
        return 0.0, []
    feasible = feasibility(a, owner, 1, w)
    if not feasible.feasible:
        return 0.0, []
    axes = list(Skill)
    has = [s for s in axes if s in rfp.skills_needed & a.skills_have]
    grow_with_owner = [s for s in axes if s in rfp.skills_needed & a.skills_want & owner.skills_have]
    develops = [s for s in axes if s in rfp.skills_developed & a.skills_want]
    needs = (len(has) + len(grow_with_owner)) / len(rfp.skills_needed) if rfp.skills_needed else 1.0
    grows = len(develops) / max(1, len(a.skills_want))
    topic = max(topic_affinity(a.topics, rfp.topics), 0.0, similarity)
    compute = 1.0 if rfp.compute_offered and Help.compute in a.seeking else 0.0
    score = feasible.factor * (0.3 * needs + 0.2 * grows + 0.35 * topic + 0.15 * compute)
    reasons = [Reason("skill_needed", "you", s) for s in has]
    reasons += [Reason("skill_needed", "them", s) for s in grow_with_owner]
    reasons += [Reason("grow", "you", s) for s in develops]
    if rfp.compute_offered:
        reasons.append(Reason("compute", "you", rfp.compute_offered))
    topics = shared_topics(a.topics, rfp.topics)
    if topics:
        reasons.append(Reason("topic", "both", topics[:3]))
    if feasible.hours is not None:
        reasons.append(Reason("hours", "both", round(feasible.hours, 1)))
    return score, reasons


def rank_rfps(
    a: Profile,
    rfps: Iterable[tuple[RFP, float]],
    owners: Mapping[str, Profile],
    context: Context,
    k: int = 5,
    w: Weights = DEFAULT,
) -> list[RFPMatch]:
    """Open RFPs of someone else, not vetoed, that A could take on; best first."""
    out: list[RFPMatch] = []
    for rfp, similarity in rfps:
        owner = owners.get(rfp.owner_id)
        if owner is None or rfp.status != "open" or vetoed(a, owner, context):
            continue
        if frozenset({a.id, rfp.id}) in context.blocked:
            continue
        score, reasons = score_rfp(a, rfp, owner, similarity, w)
        if score > 0 and any(r.kind in ("skill_needed", "grow", "compute") for r in reasons):
            out.append(RFPMatch(rfp, round(score, 4), reasons, rfp_sentence(owner.display_name, reasons)))
    out.sort(key=lambda m: (-m.score, m.rfp.id))
    return out[:k]
