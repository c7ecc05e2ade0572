"""The formulas of retrieval/scoring.py on tiny hand-made people, arithmetic spelled out."""

from __future__ import annotations

import pytest

from retrieval.scoring import (
    DEFAULT,
    axis_cover,
    complementary,
    feasibility,
    growth,
    harmonic,
    help_match,
    mentor_wish,
    mode_fit,
    score_pair,
    shared_hours,
    topic_affinity,
)
from store.domain import ProfileFields


def person(**fields: object) -> ProfileFields:
    return ProfileFields(**fields)


def test_axis_cover_is_the_share_of_wants_the_other_has() -> None:
    assert axis_cover({"code", "network"}, {"code", "write"}) == 1 / 2
    assert axis_cover(set(), {"code"}) == 0.0


def test_growth_mixes_axes_and_text_similarity() -> None:
    # α = 0.7: 0.7 · cover(½) + 0.3 · max(0, 0.4)
    assert growth({"code", "network"}, {"code"}, 0.4) == pytest.approx(0.7 * 0.5 + 0.3 * 0.4)
    # negative similarity counts as 0
    assert growth({"code"}, {"code"}, -0.2) == pytest.approx(0.7)


def test_harmonic_mean_sinks_one_sided_pairs() -> None:
    assert harmonic(0.8, 0.8) == pytest.approx(0.8)
    assert harmonic(0.9, 0.1) == pytest.approx(2 * 0.9 * 0.1 / 1.0)  # 0.18, far below the mean 0.5
    assert harmonic(0.9, 0.0) == 0.0


def test_help_match_counts_both_directions() -> None:
    a = person(seeking={"compute", "mentorship"}, offering={"feedback"})
    b = person(seeking={"feedback"}, offering={"compute"})
    # ½ (|{compute}| / 2 + |{feedback}| / 1)
    assert help_match(a, b) == pytest.approx(0.5 * (1 / 2 + 1 / 1))


def test_topic_affinity_ignores_generic_words() -> None:
    # content words {diffusion} vs {diffusion, medical, imaging}: 1 / √(1 · 3)
    assert topic_affinity(["diffusion models"], ["diffusion models", "medical imaging"]) == pytest.approx(
        3**-0.5
    )
    # "learning" alone is generic: no affinity between RL and federated learning
    assert topic_affinity(["reinforcement learning"], ["federated learning"]) == 0.0


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("pitch_idea", "implement_idea", 1.0),
        ("implement_idea", "either", 0.75),
        ("either", "either", 0.6),
        ("pitch_idea", "pitch_idea", 0.3),
        ("implement_idea", "implement_idea", 0.0),
        (None, "pitch_idea", 0.5),
    ],
)
def test_mode_fit_table(a: str | None, b: str | None, expected: float) -> None:
    assert mode_fit(a, b) == expected  # type: ignore[arg-type]  # the table uses the stored strings


@pytest.mark.parametrize(
    ("a", "b", "hours"),
    [
        (1, 1, 12.0),  # same zone: the whole 09–21 window
        (1, 5, 8.0),  # 12 − 4
        (-8, 5.5, 1.5),  # d = 13.5 → 24 − 13.5 = 10.5 → 12 − 10.5
        (-6, 6, 0.0),  # opposite sides of the world
        (None, 3, None),
    ],
)
def test_shared_hours_on_the_utc_circle(a: float | None, b: float | None, hours: float | None) -> None:
    assert shared_hours(a, b) == hours


def test_feasibility_needs_a_language_an_hour_time_and_a_slot() -> None:
    a = person(languages={"en", "vi"}, utc_offset=7, hours_per_week=10)
    ok = feasibility(a, person(languages={"vi"}, utc_offset=9, hours_per_week=2), remaining_capacity=1)
    assert ok.feasible and ok.hours == 10.0 and ok.languages == {"vi"}
    # (0.6 + 0.4 · min(10, 4) / 4) · (0.8 + 0.2 · min(1, 2 / 3))
    assert ok.factor == pytest.approx((0.6 + 0.4) * (0.8 + 0.2 * 2 / 3))
    assert not feasibility(a, person(languages={"pt"}), 1).feasible
    assert not feasibility(a, person(utc_offset=-5), 1).feasible  # d = 12: no shared hour
    assert not feasibility(a, person(hours_per_week=0), 1).feasible
    assert not feasibility(a, person(), remaining_capacity=0).feasible
    unknown = feasibility(a, person(), 1)
    assert unknown.feasible and unknown.factor == pytest.approx((0.6 + 0.4 * 0.5) * (0.8 + 0.2))


def test_score_pair_spelled_out() -> None:
    amara = person(
        skills_have={"write", "read"},
        skills_want={"code"},
        seeking={"collaboration"},
        offering={"feedback"},
        project_mode="pitch_idea",
        topics=["diffusion models"],
    )
    minh = person(
        skills_have={"code"},
        skills_want={"write"},
        seeking={"feedback"},
        offering={"collaboration"},
        project_mode="implement_idea",
        topics=["diffusion models"],
    )
    feasible = feasibility(amara, minh, 1)
    parts = score_pair(amara, minh, sim_ab=0.5, sim_ba=0.3, feasible=feasible)
    g_you = 0.7 * 1 + 0.3 * 0.5  # Amara's only want (code) is Minh's strength
    g_them = 0.7 * 1 + 0.3 * 0.3  # Minh's only want (write) is Amara's strength
    assert parts.growth_you == pytest.approx(g_you)
    assert parts.growth_them == pytest.approx(g_them)
    recip = 2 * g_you * g_them / (g_you + g_them)
    fit = 0.5 * recip + 0.2 * 1.0 + 0.2 * 1.0 + 0.1 * 1.0  # help both ways, same topic, pitch ↔ implement
    assert parts.fit == pytest.approx(fit)
    assert parts.score == pytest.approx(fit * feasible.factor)


def test_pure_mentorship_counts_the_mentors_wish() -> None:
    mentee = person(skills_want={"write"}, seeking={"mentorship"}, topics=["speech recognition"])
    mentor = person(skills_have={"write"}, offering={"mentorship"}, topics=["speech recognition"])
    parts = score_pair(mentee, mentor, 0.0, 0.0, feasibility(mentee, mentor, 1))
    # the mentor wants nothing from the mentee: their side is the wish to mentor in these topics
    assert parts.growth_them == pytest.approx(mentor_wish(1.0)) == pytest.approx(1.0)
    assert parts.reciprocal > 0


def test_complementary_means_a_want_is_covered_or_help_is_offered() -> None:
    a = person(skills_want={"code"}, seeking={"compute"})
    assert complementary(a, person(skills_have={"code"}))
    assert complementary(a, person(offering={"compute"}))
    assert not complementary(a, person(skills_have={"write"}, offering={"feedback"}))


def test_weights_are_documented_defaults() -> None:
    assert DEFAULT.reciprocal + DEFAULT.help + DEFAULT.topic + DEFAULT.mode == pytest.approx(1.0)
