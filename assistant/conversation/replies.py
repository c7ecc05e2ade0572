"""What the intake service answers: one small frozen type per kind of reply, each holding only
what that kind needs. The UIs render them with ``match``; none of them holds logic.

    Reply = Say | Ask | Card | Matches | SearchResults | Intros | Export | Deleted

``text`` is Mingle's markdown, with anyone's words in it escaped where it was written
(``markup.escape``, ``markup.literal``). Every other field holds people's data raw (profiles,
explanations, names, contacts), and a UI escapes whatever of it it shows, when it renders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

from assistant.conversation.intros import IntroView
from retrieval.search import SearchHit
from retrieval.service import MatchResult
from store.domain import Profile


@dataclass(frozen=True)
class Say:
    """Plain words: an answer, an acknowledgement, help."""

    text: str


@dataclass(frozen=True)
class Ask:
    """The next interview question, asking ``slot``."""

    text: str
    slot: str


@dataclass(frozen=True)
class Card:
    """A profile with the person's own words behind each field, to confirm or correct."""

    text: str
    profile: Profile
    evidence: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Matches:
    """Suggested people and project ideas (RFPs), each with its explanation."""

    text: str
    matches: MatchResult


@dataclass(frozen=True)
class SearchResults:
    """People found for a search, or people similar to someone."""

    text: str
    hits: tuple[SearchHit, ...] = ()


@dataclass(frozen=True)
class Intros:
    """The person's introductions, asked for and received."""

    text: str
    intros: tuple[IntroView, ...] = ()


@dataclass(frozen=True)
class Export:
    """Everything Mingle holds about the person, as JSON-ready data."""

    text: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Deleted:
    """The person's data is gone (nothing of this reply is stored)."""

    text: str


Reply: TypeAlias = Say | Ask | Card | Matches | SearchResults | Intros | Export | Deleted
