"""Ranking people and RFPs: vetoes, capacity, attention spreading, reasons and directions."""

from __future__ import annotations

from retrieval.matching import SHOWS_PER_SLOT, Candidate, Context, rank_people, rank_rfps, spread_attention
from store.domain import RFP, Profile

from .conftest import make

AMARA = make(
    "amara",
    skills_have={"write", "read"},
    skills_want={"code"},
    seeking={"collaboration", "compute"},
    offering={"feedback"},
    project_mode="pitch_idea",
    topics=["diffusion models"],
)


def cands(*profiles: Profile) -> list[Candidate]:
    return [Candidate(p, 0.3, 0.3) for p in profiles]


def coder(pid: str, **fields: object) -> Profile:
    base = {"skills_have": {"code"}, "skills_want": {"write"}, "offering": {"collaboration"}}
    return make(pid, **{**base, **fields})


def test_two_sided_pairs_rank_above_one_sided_ones() -> None:
    both = coder("both")
    one_sided = coder("one_sided", skills_want=set())  # gains nothing from Amara
    ranked = rank_people(AMARA, cands(one_sided, both), Context())
    assert [m.profile.id for m in ranked] == ["both", "one_sided"]
    assert ranked[0].parts.reciprocal > ranked[1].parts.reciprocal


def test_vetoes_self_paused_hidden_not_a_fit_and_existing_intros() -> None:
    people = [
        coder("paused", paused=True),
        coder("hidden", visibility="hidden"),
        coder("nope"),
        coder("asked"),
        coder("fine"),
        AMARA,
    ]
    context = Context(blocked={frozenset({"amara", "nope"}), frozenset({"amara", "asked"})})
    assert [m.profile.id for m in rank_people(AMARA, cands(*people), context)] == ["fine"]


def test_infeasible_and_non_complementary_people_are_not_suggested() -> None:
    people = [
        coder("no_language", languages={"pt"}),
        coder("no_hours", utc_offset=-11.0),  # 12 hours from UTC+1: no shared working hour
        coder("full", intro_capacity=1),
        make("writer", skills_have={"write"}, offering={"feedback"}),  # covers nothing Amara wants
        coder("ok"),
    ]
    context = Context(open_intros={"full": 1})
    assert [m.profile.id for m in rank_people(AMARA, cands(*people), context)] == ["ok"]


def test_reasons_name_the_axes_and_directions() -> None:
    minh = coder(
        "minh",
        display_name="Minh",
        offering={"collaboration", "compute"},
        seeking={"feedback"},
        project_mode="implement_idea",
        topics=["diffusion models"],
    )
    [match] = rank_people(AMARA, cands(minh), Context())
    kinds = {(r.kind, r.direction, str(r.value)) for r in match.reasons}
    assert ("grow", "you", "code") in kinds  # Amara grows code from Minh
    assert ("grow", "them", "write") in kinds  # Minh grows writing from Amara
    assert ("help", "you", "compute") in kinds and ("help", "them", "feedback") in kinds
    assert match.explanation.startswith(
        "You want to grow coding — Minh codes well. Minh wants to grow writing"
    )
    assert (
        "You both work on diffusion models; 12 shared working hours; you both speak English."
        in match.explanation
    )


def test_attention_is_spread_beyond_a_popular_mentors_capacity() -> None:
    star = coder("star", intro_capacity=1, topics=["diffusion models"], offering={"collaboration", "compute"})
    other = coder("other")
    first = rank_people(AMARA, cands(star, other), Context())
    assert first[0].profile.id == "star"
    rested = rank_people(AMARA, cands(star, other), Context(exposure={"star": SHOWS_PER_SLOT * 1}))
    assert [m.profile.id for m in rested] == ["other", "star"]  # budget spent: shown last, not hidden


def test_spread_attention_damps_by_the_used_share_of_the_budget() -> None:
    a, b = coder("a", intro_capacity=2), coder("b", intro_capacity=2)
    scored = [(1.0, Candidate(a, 0, 0)), (0.9, Candidate(b, 0, 0))]
    # budget = 3 · 2 = 6; a was shown 3 times: 1.0 · (1 − 0.3 · 3/6) = 0.85 < 0.9
    ranked = spread_attention(scored, Context(exposure={"a": 3}), k=2)
    assert [c.profile.id for _, c in ranked] == ["b", "a"]
    assert ranked[1][0] == 1.0 * (1 - 0.3 * 3 / 6)


def test_rfps_fit_skills_mode_topics_and_compute() -> None:
    owner = make("olena", skills_have={"code", "write"}, offering={"mentorship"})
    fits = RFP(
        id="r_fit",
        owner_id="olena",
        title="Scale a diffusion experiment",
        description="GPUs for you.",
        topics=["diffusion models"],
        skills_needed={"read", "code"},
        skills_developed={"code"},
        mode="pitch_idea",
        compute_offered="40 GPU-hours a month",
    )
    wrong_mode = fits.model_copy(update={"id": "r_mode", "mode": "implement_idea"})
    closed = fits.model_copy(update={"id": "r_closed", "status": "closed"})
    own = fits.model_copy(update={"id": "r_own", "owner_id": "amara"})
    rfps = [(r, 0.2) for r in (fits, wrong_mode, closed, own)]
    [match] = rank_rfps(AMARA, rfps, {"olena": owner, "amara": AMARA}, Context())
    assert match.rfp.id == "r_fit"
    kinds = {(r.kind, r.direction, str(r.value)) for r in match.reasons}
    # needs read (Amara has it) and code (Amara wants it, Olena has it: grown with her help)
    assert ("skill_needed", "you", "read") in kinds and ("skill_needed", "them", "code") in kinds
    assert ("compute", "you", "40 GPU-hours a month") in kinds
    # 1 · (0.3 · 2/2 + 0.2 · 1/1 + 0.35 · max(1, 0.2) + 0.15 · 1) times feasibility
    assert match.score == round((0.3 + 0.2 + 0.35 + 0.15) * (0.6 + 0.4) * (0.8 + 0.2), 4)
    assert "It comes with compute: 40 GPU-hours a month." in match.explanation
