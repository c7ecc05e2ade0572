"""The demo community: hand-written showcase people plus a seeded generator.

It mirrors the talk: every combination of strengths occurs (all 64 subsets of the six axes,
and every "has X, wants Y" pair), every career stage, many time zones and languages,
introverts and confident people, mentors with room for only one mentee. Deterministic: the
same seed gives byte-identical people, so `mingle seed` is idempotent by id.
"""

from __future__ import annotations

import json
import random
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib.resources import files
from itertools import combinations, permutations
from typing import Any

from store.domain import RFP, Help, Profile, ProjectMode, Skill
from store.repositories import Store

SEED = 2023  # the year of the talk
AXES = [skill.value for skill in Skill]
HELPS = [help_.value for help_ in Help]
BASE_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
STAGE_WEIGHTS = {  # by how many axes a person already has
    0: {"undergrad": 4, "masters": 2, "phd": 1, "engineer": 1, "other": 2},
    2: {"undergrad": 1, "masters": 2, "phd": 4, "engineer": 3, "postdoc": 1, "other": 1},
    4: {"phd": 2, "postdoc": 3, "engineer": 2, "researcher": 3, "faculty": 2},
    5: {"postdoc": 1, "researcher": 3, "faculty": 4, "engineer": 1},
}
SENIOR = {"postdoc", "researcher", "faculty"}
YEARS = ["First-year", "Second-year", "Third-year", "Fourth-year", "Final-year"]


@cache
def _data(name: str) -> Any:
    return json.loads((files("store") / "demo_data" / name).read_text(encoding="utf-8"))


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _join(skills: list[str]) -> str:
    return skills[0] if len(skills) == 1 else ", ".join(skills[:-1]) + " and " + skills[-1]


def _skill_plan(n: int, rng: random.Random) -> list[tuple[set[str], set[str]]]:
    """(have, want) for n people: all 64 subsets of the axes come first, then every ordered
    pair (has X, wants Y), then random mixes."""
    subsets = [set(c) for k in range(7) for c in combinations(AXES, k)]
    rng.shuffle(subsets)
    pairs = list(permutations(AXES, 2))
    plan: list[tuple[set[str], set[str]]] = []
    for i in range(n):
        have = subsets[i] if i < len(subsets) else set(rng.sample(AXES, rng.choice([1, 2, 2, 3, 3, 4])))
        rest = [axis for axis in AXES if axis not in have]
        want = set(rng.sample(rest, min(len(rest), rng.choice([1, 2, 2, 3])))) if rest else set()
        if len(subsets) <= i < len(subsets) + len(pairs):
            x, y = pairs[i - len(subsets)]
            have = (have | {x}) - {y}
            want = (want | {y}) - have
        plan.append((have, want))
    return plan


def _helps(rng: random.Random, stage: str, have: set[str]) -> tuple[set[str], set[str]]:
    senior = stage in SENIOR or len(have) >= 5
    if senior:
        seeking = {"collaboration"} | ({"feedback"} if rng.random() < 0.3 else set())
        offering = {"mentorship"} if rng.random() < 0.85 else {"collaboration"}
        offering |= {h for h in ("feedback", "compute") if rng.random() < (0.6 if h == "feedback" else 0.3)}
    else:
        seeking = set(rng.sample(HELPS, rng.choice([1, 2, 2, 3])))
        if rng.random() < 0.6:
            seeking.add("mentorship")
        offer_pool = ["collaboration", "feedback", "study_group"] + (
            ["compute"] if stage == "engineer" else []
        )
        offering = set(rng.sample(offer_pool, rng.choice([1, 1, 2])))
    return seeking, offering


def _bio(rng: random.Random, p: dict[str, Any], place: str, persona: str) -> str:
    phrases = _data("phrases.json")
    intro = rng.choice(phrases["stage_intro"][p["career_stage"] or "other"]).format(
        place=place, year=rng.choice(YEARS), year_word=rng.choice(["first", "second"])
    )
    parts = [intro, rng.choice(phrases["work"]).format(topics=_join(p["topics"]))]
    have = sorted(p["skills_have"], key=AXES.index)
    if len(have) >= 3 and rng.random() < 0.5:
        nouns = [phrases["skill_nouns"][axis] for axis in have]
        parts.append(rng.choice(phrases["have_summary"]).format(skills=_join(nouns)))
    else:
        parts += [rng.choice(phrases["have"][axis]) for axis in have]
    parts += [rng.choice(phrases["want"][axis]) for axis in sorted(p["skills_want"], key=AXES.index)]
    mood = rng.choice(phrases["personality"][persona])
    if mood:
        parts.insert(1 if rng.random() < 0.5 else len(parts), mood)
    parts += [rng.choice(phrases["seek"][h]) for h in sorted(p["seeking"])]
    parts += [rng.choice(phrases["offer"][h]) for h in sorted(p["offering"])]
    if p["project_mode"]:
        parts.append(rng.choice(phrases["mode"][p["project_mode"]]))
    if p["hours_per_week"] is not None:
        hours = "one hour" if p["hours_per_week"] == 1 else f"{p['hours_per_week']} hours"
        parts.append(rng.choice(phrases["hours"]).format(hours=hours))
    return " ".join(parts)


def generate_profiles(n: int = 300, seed: int = SEED) -> list[Profile]:
    rng = random.Random(seed)
    regions = _data("regions.json")
    topics = _data("phrases.json")["topics"]
    people: list[Profile] = []
    for i, (have, want) in enumerate(_skill_plan(n, rng)):
        region = regions[i % len(regions)]
        place, offset = rng.choice(region["places"])
        given, family = rng.choice(region["given"]), rng.choice(region["family"])
        stage = _weighted(rng, STAGE_WEIGHTS[max(k for k in STAGE_WEIGHTS if k <= len(have))])
        seeking, offering = _helps(rng, stage, have)
        mode: str | None
        if "idea" in have:
            mode = rng.choice(["pitch_idea", "pitch_idea", "either"])
        else:
            mode = rng.choice(["implement_idea", "implement_idea", "either", None])
        mentor = "mentorship" in offering
        persona = rng.choice(["introvert", "not_confident", "confident", "plain", "plain"])
        fields = {
            "career_stage": stage if rng.random() > 0.03 else None,
            "skills_have": have,
            "skills_want": want,
            "seeking": seeking,
            "offering": offering,
            "project_mode": mode,
            "topics": rng.sample(topics, rng.choice([1, 2, 2, 3])),
            "languages": set(rng.choice(region["languages"])),
            "utc_offset": float(offset) if rng.random() > 0.03 else None,
            "hours_per_week": (rng.randint(1, 5) if mentor else rng.randint(2, 15))
            if rng.random() > 0.05
            else None,
        }
        created = BASE_TIME + timedelta(hours=i)
        people.append(
            Profile(
                id=f"demo-{i + 1:04d}",
                display_name=f"{given} {family}",
                contact=f"{_ascii(given)}.{_ascii(family)}{i + 1}@example.org",
                bio=_bio(rng, fields, place, persona),
                visibility="hidden" if rng.random() < 0.03 else "public",
                intro_capacity=rng.choice([1, 1, 2]) if mentor and rng.random() < 0.4 else rng.randint(2, 5),
                paused=rng.random() < 0.03,
                source="seed",
                created_at=created,
                updated_at=created,
                **fields,
            )
        )
    return people


def showcase_profiles() -> list[Profile]:
    created = BASE_TIME - timedelta(days=30)
    return [
        Profile(source="seed", created_at=created, updated_at=created, **person)
        for person in _data("showcase.json")
    ]


def generate_rfps(owners: list[Profile], n: int = 60, seed: int = SEED) -> list[RFP]:
    """RFPs posted by people who offer mentorship; some come with compute."""
    rng = random.Random(seed + 1)
    phrases = _data("phrases.json")
    mentors = [p for p in owners if Help.mentorship in p.offering and p.topics]
    rng.shuffle(mentors)
    rfps = []
    for i in range(n):
        owner = mentors[i % len(mentors)]
        template = phrases["rfp_templates"][i % len(phrases["rfp_templates"])]
        topic = rng.choice(owner.topics)
        gives_compute = "Compute grant" in template["title"] or (
            Help.compute in owner.offering and rng.random() < 0.6
        )
        rfps.append(
            RFP(
                id=f"demo-rfp-{i + 1:03d}",
                owner_id=owner.id,
                title=template["title"].format(topic=topic),
                description=template["description"].format(topic=topic),
                topics=[topic, *[t for t in owner.topics if t != topic][:1]],
                skills_needed=set(template["skills_needed"]),
                skills_developed=set(template["skills_developed"]),
                mode=ProjectMode(template["mode"]),
                compute_offered=rng.choice(phrases["compute"]) if gives_compute else None,
                hours_per_week=rng.randint(2, 8),
                capacity=rng.choice([1, 1, 2, 3]),
                status="closed" if rng.random() < 0.08 else "open",
                source="seed",
                created_at=BASE_TIME + timedelta(days=1, hours=i),
            )
        )
    return rfps


@dataclass(frozen=True)
class Community:
    profiles: list[Profile]
    rfps: list[RFP]


def demo_community(n_profiles: int = 300, n_rfps: int = 60, seed: int = SEED) -> Community:
    profiles = showcase_profiles() + generate_profiles(n_profiles, seed)
    return Community(profiles=profiles, rfps=generate_rfps(profiles, n_rfps, seed))


@dataclass(frozen=True)
class SeedReport:
    profiles_added: int
    rfps_added: int
    profiles_total: int
    rfps_total: int


def seed(store: Store, community: Community | None = None) -> SeedReport:
    """Add the demo people and RFPs that are not in the store yet (by id): running it twice
    leaves one copy, and it never touches anyone who joined through the intake."""
    community = community or demo_community()
    have_profiles, have_rfps = store.profiles.ids(), store.rfps.ids()
    added_profiles = store.profiles.add_many(p for p in community.profiles if p.id not in have_profiles)
    added_rfps = store.rfps.add_many(r for r in community.rfps if r.id not in have_rfps)
    return SeedReport(added_profiles, added_rfps, store.profiles.count(), store.rfps.count())
