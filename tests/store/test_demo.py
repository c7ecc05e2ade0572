"""The demo community reflects the talk, and seeding is deterministic and idempotent."""

from __future__ import annotations

from itertools import combinations, permutations

import pytest

from store.demo import AXES, Community, demo_community, seed
from store.domain import CareerStage, Help
from store.repositories import Store


@pytest.fixture(scope="module")
def community() -> Community:
    return demo_community()


def test_sizes(community: Community) -> None:
    assert len(community.profiles) >= 300
    assert len(community.rfps) >= 60
    assert len({p.id for p in community.profiles}) == len(community.profiles)


def test_every_combination_of_strengths_occurs(community: Community) -> None:
    have_sets = {frozenset(p.skills_have) for p in community.profiles}
    every_subset = {frozenset(c) for k in range(7) for c in combinations(AXES, k)}
    assert every_subset <= have_sets  # 64 subsets, from "nothing yet" to all six
    pairs = {(h, w) for p in community.profiles for h in p.skills_have for w in p.skills_want}
    assert set(permutations(AXES, 2)) <= pairs  # every "has X, wants to grow Y"


def test_nobody_wants_what_they_already_have(community: Community) -> None:
    assert all(not (p.skills_have & p.skills_want) for p in community.profiles)


def test_diversity_of_stages_places_and_languages(community: Community) -> None:
    assert {p.career_stage for p in community.profiles} >= set(CareerStage)
    assert len({p.utc_offset for p in community.profiles if p.utc_offset is not None}) >= 20
    assert len({lang for p in community.profiles for lang in p.languages}) >= 12
    assert any(p.utc_offset is not None and p.utc_offset % 1 for p in community.profiles)  # 5.5, 5.75, …
    assert any("en" not in p.languages for p in community.profiles)


def test_introverts_confident_people_and_small_mentors(community: Community) -> None:
    bios = [p.bio.lower() for p in community.profiles]
    assert sum("introvert" in b or "quiet" in b for b in bios) >= 20
    assert sum("confident" in b and "not confident" not in b for b in bios) >= 20
    small_mentors = [p for p in community.profiles if Help.mentorship in p.offering and p.intro_capacity <= 2]
    assert len(small_mentors) >= 10


def test_some_rfps_come_with_compute_from_their_mentors(community: Community) -> None:
    owners = {p.id: p for p in community.profiles}
    with_compute = [r for r in community.rfps if r.compute_offered]
    assert len(with_compute) >= 6
    assert all(Help.mentorship in owners[r.owner_id].offering for r in community.rfps)


def test_bios_mention_each_persons_topics(community: Community) -> None:
    generated = [p for p in community.profiles if p.id.startswith("demo-0")]
    assert all(all(t in p.bio for t in p.topics) for p in generated)


def test_generation_is_deterministic(community: Community) -> None:
    again = demo_community()
    assert [p.model_dump() for p in again.profiles] == [p.model_dump() for p in community.profiles]
    assert [r.model_dump() for r in again.rfps] == [r.model_dump() for r in community.rfps]


def test_seeding_twice_leaves_one_copy(store: Store, community: Community) -> None:
    first = seed(store, community)
    assert (first.profiles_added, first.rfps_added) == (len(community.profiles), len(community.rfps))
    second = seed(store, community)
    assert (second.profiles_added, second.rfps_added) == (0, 0)
    assert (second.profiles_total, second.rfps_total) == (len(community.profiles), len(community.rfps))
    stats = store.stats()
    assert stats["profiles"] == len(community.profiles)
    assert stats["utc_offsets"] >= 20 and stats["languages"] >= 12
