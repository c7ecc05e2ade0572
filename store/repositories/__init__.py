"""Repositories: the only way in and out of the database. They take and return domain models.

One module per aggregate (profiles, rfps, transcripts, intros, signals, accounts); ``Store``
holds them all over one engine.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Engine, func, select

from store.db import session_factory, translated_errors
from store.repositories.accounts import AccountRepository
from store.repositories.intros import IntroRepository
from store.repositories.profiles import ProfileRepository
from store.repositories.rfps import RFPRepository
from store.repositories.signals import ExposureRepository, FeedbackRepository, LLMCallRepository
from store.repositories.transcripts import TranscriptRepository
from store.tables import ProfileRow, RFPRow

__all__ = [
    "AccountRepository",
    "ExposureRepository",
    "FeedbackRepository",
    "Generation",
    "IntroRepository",
    "LLMCallRepository",
    "ProfileRepository",
    "RFPRepository",
    "Store",
    "TranscriptRepository",
]


class Generation(NamedTuple):
    """What the vector index must be in step with, in four values: adding, changing
    (``ProfileRepository.upsert`` stamps ``updated_at``) or removing a profile or an RFP changes
    at least one of them."""

    profiles: int
    profiles_changed: datetime | None
    rfps: int
    rfps_added: datetime | None


class Store:
    """The repositories over one engine. Build it once per process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        sessions = session_factory(engine)
        self.profiles = ProfileRepository(engine, sessions)
        self.rfps = RFPRepository(engine, sessions)
        self.transcripts = TranscriptRepository(engine, sessions)
        self.intros = IntroRepository(engine, sessions)
        self.feedback = FeedbackRepository(engine, sessions)
        self.llm_calls = LLMCallRepository(engine, sessions)
        self.exposures = ExposureRepository(engine, sessions)
        self.accounts = AccountRepository(engine, sessions)

    def stats(self) -> dict[str, Any]:
        """Counts and diversity of the community, as `mingle stats --json` prints them."""
        profiles = self.profiles.list()
        have: Counter[str] = Counter()
        want: Counter[str] = Counter()
        stages: Counter[str] = Counter()
        for profile in profiles:
            have.update(profile.skills_have)
            want.update(profile.skills_want)
            stages[profile.career_stage or "unknown"] += 1
        return {
            "profiles": len(profiles),
            "rfps": self.rfps.count(),
            "skills_have": dict(sorted(have.items())),
            "skills_want": dict(sorted(want.items())),
            "career_stages": dict(sorted(stages.items())),
            "utc_offsets": len({p.utc_offset for p in profiles if p.utc_offset is not None}),
            "languages": len({lang for p in profiles for lang in p.languages}),
        }

    def generation(self) -> Generation:
        """One aggregate query, so matching can ask before every request whether its index is
        still in step (0.25 ms at 300 profiles on SQLite)."""
        p, r = ProfileRow, RFPRow
        query = select(
            select(func.count()).select_from(p).scalar_subquery(),
            select(func.max(p.updated_at)).scalar_subquery(),
            select(func.count()).select_from(r).scalar_subquery(),
            select(func.max(r.created_at)).scalar_subquery(),
        )
        with translated_errors(self.engine), self.engine.connect() as connection:
            return Generation(*connection.execute(query).one())

    def dispose(self) -> None:
        self.engine.dispose()
