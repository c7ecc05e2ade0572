"""Pure scoring of a pair of people: one concept per function, the formula in each docstring.

Notation: A is the person asking (the newcomer), B a candidate. ``have``/``want`` are sets of
the six axes; ``seek``/``offer`` sets of kinds of help; ``sim_ab`` is the cosine similarity of
A's seek text to B's offer text (and ``sim_ba`` the reverse). Nothing here sees a name, school,
country, gender, pronoun or tone: the inputs are contract fields and similarities only.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

from store.domain import Help, ProfileFields, ProjectMode

GENERIC = frozenset(
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
        "learning",
        "machine",
        "deep",
        "neural",
        "model",
        "models",
        "network",
        "networks",
        "methods",
        "method",
        "systems",
        "system",
        "ai",
        "ml",
    ]
)
TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Weights:
    axis: float = 0.7  # α: share of growth fit that comes from the axes (the rest from text similarity)
    reciprocal: float = 0.5
    help: float = 0.2
    topic: float = 0.2
    mode: float = 0.1
    mentor_floor: float = 0.6  # a declared mentor's wish to mentor, before topic affinity
    day_start: float = 9.0  # local working window for volunteer time, hours
    day_end: float = 21.0
    full_overlap: float = 4.0  # shared hours that count as "easy to meet"


DEFAULT = Weights()


def axis_cover(wants: AbstractSet[str], haves: AbstractSet[str]) -> float:
    """cover = |want ∩ have| / |want|, and 0 when nothing is wanted."""
    return len(wants & haves) / len(wants) if wants else 0.0


def growth(
    wants: AbstractSet[str], haves: AbstractSet[str], similarity: float, w: Weights = DEFAULT
) -> float:
    """How much the other side helps this person grow:
    g = α · cover(want, other's have) + (1 − α) · max(0, sim(seek text, other's offer text))."""
    return w.axis * axis_cover(wants, haves) + (1 - w.axis) * max(0.0, similarity)


def mentor_wish(topic: float, w: Weights = DEFAULT) -> float:
    """A declared mentor's side of a pure-mentorship pair: floor + (1 − floor) · topic affinity."""
    return w.mentor_floor + (1 - w.mentor_floor) * topic


def harmonic(x: float, y: float) -> float:
    """H(x, y) = 2xy / (x + y): high only when both sides gain, so one-sided pairs sink."""
    return 0.0 if x <= 0 or y <= 0 else 2 * x * y / (x + y)


def help_match(a: ProfileFields, b: ProfileFields) -> float:
    """Seeking ↔ offering, both ways, each normalised by what is sought:
    h = ½ (|A.seek ∩ B.offer| / |A.seek| + |B.seek ∩ A.offer| / |B.seek|), empty terms count 0."""
    mine = len(a.seeking & b.offering) / len(a.seeking) if a.seeking else 0.0
    theirs = len(b.seeking & a.offering) / len(b.seeking) if b.seeking else 0.0
    return (mine + theirs) / 2


def topic_tokens(topics: list[str]) -> frozenset[str]:
    return _tokens(tuple(topics))


@lru_cache(maxsize=65536)
def _tokens(topics: tuple[str, ...]) -> frozenset[str]:
    return frozenset(t for topic in topics for t in TOKEN.findall(topic.lower()) if t not in GENERIC)


def topic_affinity(a_topics: list[str], b_topics: list[str]) -> float:
    """Cosine of the binary bags of content words: |Ta ∩ Tb| / √(|Ta| · |Tb|)."""
    ta, tb = topic_tokens(a_topics), topic_tokens(b_topics)
    return len(ta & tb) / (len(ta) * len(tb)) ** 0.5 if ta and tb else 0.0


def shared_topics(a_topics: list[str], b_topics: list[str]) -> list[str]:
    """B's topics that share a content word with one of A's, in B's order."""
    mine = topic_tokens(a_topics)
    return [t for t in b_topics if topic_tokens([t]) & mine]


MODE_FIT = {
    frozenset({ProjectMode.pitch_idea, ProjectMode.implement_idea}): 1.0,
    frozenset({ProjectMode.pitch_idea, ProjectMode.either}): 0.75,
    frozenset({ProjectMode.implement_idea, ProjectMode.either}): 0.75,
    frozenset({ProjectMode.either}): 0.6,
    frozenset({ProjectMode.pitch_idea}): 0.3,  # two ideas: possible, but who builds?
    frozenset({ProjectMode.implement_idea}): 0.0,  # nobody brings the idea
}


def mode_fit(a: ProjectMode | None, b: ProjectMode | None) -> float:
    """Table: pitch ↔ implement 1, with either 0.75, either–either 0.6, pitch–pitch 0.3,
    implement–implement 0; unknown 0.5."""
    if a is None or b is None:
        return 0.5
    return MODE_FIT[frozenset({a, b})]


def shared_hours(a_offset: float | None, b_offset: float | None, w: Weights = DEFAULT) -> float | None:
    """Overlap of two local windows [start, end) on the 24-hour UTC circle:
    with d = circular distance of the offsets, overlap = max(0, (end − start) − d). None if unknown."""
    if a_offset is None or b_offset is None:
        return None
    d = abs(a_offset - b_offset) % 24
    d = min(d, 24 - d)
    return max(0.0, (w.day_end - w.day_start) - d)


def shared_languages(a: ProfileFields, b: ProfileFields) -> set[str] | None:
    """Languages both speak; None when either side did not say."""
    if not a.languages or not b.languages:
        return None
    return set(a.languages & b.languages)


@dataclass(frozen=True)
class Feasibility:
    feasible: bool
    factor: float
    hours: float | None
    languages: set[str] | None


def feasibility(
    a: ProfileFields, b: ProfileFields, remaining_capacity: int, w: Weights = DEFAULT
) -> Feasibility:
    """Can these two actually meet? Infeasible when no shared language, no shared working hour,
    zero hours a week on either side, or no open intro slot left. Otherwise a factor
    f = (0.6 + 0.4 · min(hours, full) / full) · (0.8 + 0.2 · min(1, min(h_a, h_b) / 3)),
    unknowns counting as neutral (hours → 0.8 of the time term, h → 1)."""
    hours = shared_hours(a.utc_offset, b.utc_offset, w)
    languages = shared_languages(a, b)
    weekly = [h for h in (a.hours_per_week, b.hours_per_week) if h is not None]
    feasible = (
        (languages is None or bool(languages))
        and (hours is None or hours >= 1)
        and (not weekly or min(weekly) > 0)
        and remaining_capacity > 0
    )
    time_term = 0.6 + 0.4 * (0.5 if hours is None else min(hours, w.full_overlap) / w.full_overlap)
    weekly_term = 0.8 + 0.2 * (min(1.0, min(weekly) / 3) if weekly else 1.0)
    return Feasibility(feasible, time_term * weekly_term, hours, languages)


@dataclass(frozen=True)
class PairScore:
    growth_you: float  # B helps A grow
    growth_them: float  # A helps B grow
    reciprocal: float
    help: float
    topic: float
    mode: float
    fit: float
    score: float


def score_pair(
    a: ProfileFields,
    b: ProfileFields,
    sim_ab: float,
    sim_ba: float,
    feasible: Feasibility,
    w: Weights = DEFAULT,
) -> PairScore:
    """score = feasibility · (w_r · H(g_A, g_B) + w_h · help + w_t · topic + w_m · mode), where
    g_A = growth(A.want, B.have, sim_ab), g_B = growth(B.want, A.have, sim_ba), and when A seeks
    mentorship that B offers, g_B = max(g_B, mentor_wish(topic))."""
    topic = topic_affinity(a.topics, b.topics)
    g_you = growth(a.skills_want, b.skills_have, sim_ab, w)
    g_them = growth(b.skills_want, a.skills_have, sim_ba, w)
    if Help.mentorship in a.seeking and Help.mentorship in b.offering:
        g_them = max(g_them, mentor_wish(topic, w))
    if Help.mentorship in b.seeking and Help.mentorship in a.offering:
        g_you = max(g_you, mentor_wish(topic, w))
    recip = harmonic(g_you, g_them)
    helps = help_match(a, b)
    mode = mode_fit(a.project_mode, b.project_mode)
    fit = w.reciprocal * recip + w.help * helps + w.topic * topic + w.mode * mode
    return PairScore(g_you, g_them, recip, helps, topic, mode, fit, fit * feasible.factor)


def complementary(a: ProfileFields, b: ProfileFields) -> bool:
    """One of A's wants is B's strength, or B offers something A seeks."""
    return bool(a.skills_want & b.skills_have) or bool(a.seeking & b.offering)
