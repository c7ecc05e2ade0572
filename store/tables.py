"""SQLAlchemy 2.x tables. Only the repositories read or write them; schema changes go through
Alembic migrations in ``store/migrations``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        list[Any]: JSON,
        datetime: UTCDateTime,
    }


class ProfileRow(Base):
    __tablename__ = "profiles"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(80))
    contact: Mapped[str | None] = mapped_column(String(200))
    bio: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(10), default="public")
    intro_capacity: Mapped[int] = mapped_column(Integer, default=3)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(10), default="intake")
    career_stage: Mapped[str | None] = mapped_column(String(20))
    skills_have: Mapped[list[Any]] = mapped_column(default=list)
    skills_want: Mapped[list[Any]] = mapped_column(default=list)
    seeking: Mapped[list[Any]] = mapped_column(default=list)
    offering: Mapped[list[Any]] = mapped_column(default=list)
    project_mode: Mapped[str | None] = mapped_column(String(20))
    topics: Mapped[list[Any]] = mapped_column(default=list)
    languages: Mapped[list[Any]] = mapped_column(default=list)
    utc_offset: Mapped[float | None] = mapped_column(Float)
    hours_per_week: Mapped[int | None] = mapped_column(Integer)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(index=True)  # its max() is part of Store.generation()


class RFPRow(Base):
    __tablename__ = "rfps"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text)
    topics: Mapped[list[Any]] = mapped_column(default=list)
    skills_needed: Mapped[list[Any]] = mapped_column(default=list)
    skills_developed: Mapped[list[Any]] = mapped_column(default=list)
    mode: Mapped[str] = mapped_column(String(20))
    compute_offered: Mapped[str | None] = mapped_column(String(200))
    hours_per_week: Mapped[int | None] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(10), default="open")
    source: Mapped[str] = mapped_column(String(10), default="intake")
    created_at: Mapped[datetime]


class TranscriptRow(Base):
    __tablename__ = "transcripts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200), index=True)
    profile_id: Mapped[str | None] = mapped_column(ForeignKey("profiles.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime]


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_transcript_seq", "transcript_id", "seq", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    transcript_id: Mapped[str] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(10))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    state: Mapped[dict[str, Any] | None]  # assistant messages: the dialogue state (migration 0004)
    kind: Mapped[str] = mapped_column(String(10), default="interview", server_default="interview")


class IntroRequestRow(Base):
    __tablename__ = "intro_requests"
    __table_args__ = (Index("ix_intro_target_status", "target_id", "status"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    requester_id: Mapped[str] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[str] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="pending")
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class FeedbackRow(Base):
    __tablename__ = "feedback"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    from_id: Mapped[str] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    about_id: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="not_a_fit")
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class LLMCallRow(Base):
    __tablename__ = "llm_calls"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    prompt_name: Mapped[str] = mapped_column(String(80))
    prompt_version: Mapped[str] = mapped_column(String(20))
    model: Mapped[str] = mapped_column(String(120))
    input_tokens: Mapped[int | None] = mapped_column(Integer)
    output_tokens: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[float] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(index=True)


class ExposureRow(Base):
    """One appearance of a person in someone's suggestions or search results: who was shown
    to whom (attention spreading; only people shown can be asked for an introduction)."""

    __tablename__ = "exposures"
    __table_args__ = (
        Index("ix_exposures_profile_shown", "profile_id", "shown_at"),
        Index("ix_exposures_viewer_profile", "viewer", "profile_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    profile_id: Mapped[str] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    viewer: Mapped[str] = mapped_column(String(200))
    shown_at: Mapped[datetime]
    # "suggested" (counts for attention spreading) or "search" (found by the viewer: only lets
    # them ask for an introduction, so nobody can rest a person by searching for them)
    kind: Mapped[str] = mapped_column(String(10), default="suggested", server_default="suggested")


class AccountRow(Base):
    """A login for MINGLE_AUTH=password: an identifier, who vouches for it, and for a password
    login its scrypt hash; nothing else. Identifiers are plain names (no ``:``) for passwords and
    ``{provider}:{id}`` for OAuth providers, so the two never meet."""

    __tablename__ = "accounts"

    identifier: Mapped[str] = mapped_column(String(255), primary_key=True)
    provider: Mapped[str] = mapped_column(String(40), server_default="password")
    password_hash: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]


# Chainlit's chat-history tables: created by migration 0003, written only by Chainlit's data layer.
CHAINLIT_TABLES = frozenset({"users", "threads", "steps", "elements", "feedbacks"})
