"""Repositories: the only way in and out of the database. They take and return domain models."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from store.db import session_factory, translated_errors
from store.domain import (
    RFP,
    CareerStage,
    Feedback,
    Help,
    IntroRequest,
    IntroStatus,
    LLMCall,
    Message,
    Profile,
    ProjectMode,
    Skill,
    Transcript,
)
from store.errors import NotFound
from store.tables import (
    AccountRow,
    ExposureRow,
    FeedbackRow,
    IntroRequestRow,
    LLMCallRow,
    MessageRow,
    ProfileRow,
    RFPRow,
    TranscriptRow,
)

_PROFILE_SETS = ("skills_have", "skills_want", "seeking", "offering", "languages")
_RFP_SETS = ("skills_needed", "skills_developed")


def _row_values(model: Profile | RFP, sets: tuple[str, ...]) -> dict[str, Any]:
    data = model.model_dump(mode="json")
    for name in sets:
        data[name] = sorted(data[name])
    data["created_at"] = model.created_at
    if isinstance(model, Profile):
        data["updated_at"] = model.updated_at
    return data


def _columns(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


_NOT_FOR_RANKING = {"contact", "bio", "evidence", "created_at", "updated_at"}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_RANKING_BLANKS: dict[str, Any] = {
    "contact": None,
    "bio": "",
    "evidence": dict,
    "created_at": _EPOCH,
    "updated_at": _EPOCH,
}
_ENUM_SETS = {"skills_have": Skill, "skills_want": Skill, "seeking": Help, "offering": Help}


def _profile(values: dict[str, Any]) -> Profile:
    """A profile from its row without re-validating it: every row was validated on the way in
    (``upsert``/``add_many`` take a Profile), and validation costs ~0.15 ms a profile, which
    the matching hot path would pay for each of its candidates."""
    for name, kind in _ENUM_SETS.items():
        values[name] = {kind(v) for v in values[name]}
    values["languages"] = set(values["languages"])
    values["career_stage"] = CareerStage(values["career_stage"]) if values["career_stage"] else None
    values["project_mode"] = ProjectMode(values["project_mode"]) if values["project_mode"] else None
    for name, blank in _RANKING_BLANKS.items():  # given, so pydantic computes no default factory
        values.setdefault(name, blank() if callable(blank) else blank)
    return Profile.model_construct(**values)


class _Repository:
    def __init__(self, engine: Engine, sessions: sessionmaker[Session]) -> None:
        self._engine = engine
        self._sessions = sessions

    @contextmanager
    def _session(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back whole on any error."""
        with translated_errors(self._engine), self._sessions.begin() as session:
            yield session


class ProfileRepository(_Repository):
    def upsert(self, profile: Profile) -> Profile:
        values = _row_values(profile, _PROFILE_SETS)
        with self._session() as session:
            row = session.get(ProfileRow, profile.id)
            if row is None:
                session.add(ProfileRow(**values))
            else:
                values["updated_at"] = datetime.now(UTC)
                for key, value in values.items():
                    setattr(row, key, value)
        return profile

    def add_many(self, profiles: Iterable[Profile]) -> int:
        rows = [ProfileRow(**_row_values(p, _PROFILE_SETS)) for p in profiles]
        with self._session() as session:
            session.add_all(rows)
        return len(rows)

    def get(self, profile_id: str) -> Profile:
        with self._session() as session:
            row = session.get(ProfileRow, profile_id)
            if row is None:
                raise NotFound(f"no profile with id {profile_id!r}")
            return Profile.model_validate(_columns(row))

    def find(self, profile_id: str) -> Profile | None:
        with self._session() as session:
            row = session.get(ProfileRow, profile_id)
            return None if row is None else Profile.model_validate(_columns(row))

    def list(self, *, source: str | None = None) -> list[Profile]:
        query = select(ProfileRow).order_by(ProfileRow.id)
        if source is not None:
            query = query.where(ProfileRow.source == source)
        with self._session() as session:
            return [Profile.model_validate(_columns(row)) for row in session.scalars(query)]

    def get_many(self, ids: Iterable[str], *, for_ranking: bool = False) -> dict[str, Profile]:
        """Profiles by id (missing ids left out), one Core query per 900 ids.

        ``for_ranking`` reads only what ranking and explanations use: no contact, bio or
        evidence (they stay empty in the returned objects, which are not for display), so
        private fields never even reach the matching code, and the hot path reads less."""
        wanted = list(dict.fromkeys(ids))
        table = ProfileRow.__table__
        columns = [c for c in table.c if not for_ranking or c.key not in _NOT_FOR_RANKING]
        out: dict[str, Profile] = {}
        with translated_errors(self._engine), self._engine.connect() as connection:
            for start in range(0, len(wanted), 900):  # SQLite's bound-parameter limit
                chunk = wanted[start : start + 900]
                for values in connection.execute(select(*columns).where(table.c.id.in_(chunk))).mappings():
                    out[values["id"]] = _profile(dict(values))
        return out

    def ids(self) -> set[str]:
        with self._session() as session:
            return set(session.scalars(select(ProfileRow.id)))

    def count(self, *, suggestable: bool = False) -> int:
        """Everyone, or (``suggestable``) those who can be suggested: public and not paused."""
        query = select(func.count()).select_from(ProfileRow)
        if suggestable:
            query = query.where(ProfileRow.visibility == "public", ProfileRow.paused.is_(False))
        with self._session() as session:
            return session.scalar(query) or 0

    def delete(self, profile_id: str) -> None:
        with self._session() as session:
            if session.execute(delete(ProfileRow).where(ProfileRow.id == profile_id)).rowcount == 0:
                raise NotFound(f"no profile with id {profile_id!r}")


class RFPRepository(_Repository):
    def upsert(self, rfp: RFP) -> RFP:
        values = _row_values(rfp, _RFP_SETS)
        with self._session() as session:
            row = session.get(RFPRow, rfp.id)
            if row is None:
                session.add(RFPRow(**values))
            else:
                for key, value in values.items():
                    setattr(row, key, value)
        return rfp

    def add_many(self, rfps: Iterable[RFP]) -> int:
        rows = [RFPRow(**_row_values(r, _RFP_SETS)) for r in rfps]
        with self._session() as session:
            session.add_all(rows)
        return len(rows)

    def get(self, rfp_id: str) -> RFP:
        with self._session() as session:
            row = session.get(RFPRow, rfp_id)
            if row is None:
                raise NotFound(f"no RFP with id {rfp_id!r}")
            return RFP.model_validate(_columns(row))

    def list(self, *, status: str | None = None) -> list[RFP]:
        query = select(RFPRow).order_by(RFPRow.id)
        if status is not None:
            query = query.where(RFPRow.status == status)
        with self._session() as session:
            return [RFP.model_validate(_columns(row)) for row in session.scalars(query)]

    def ids(self) -> set[str]:
        with self._session() as session:
            return set(session.scalars(select(RFPRow.id)))

    def count(self, *, status: str | None = None) -> int:
        query = select(func.count()).select_from(RFPRow)
        if status is not None:
            query = query.where(RFPRow.status == status)
        with self._session() as session:
            return session.scalar(query) or 0


class TranscriptRepository(_Repository):
    def create(
        self, owner: str, profile_id: str | None = None, transcript_id: str | None = None
    ) -> Transcript:
        transcript = Transcript(
            owner=owner, profile_id=profile_id, **({"id": transcript_id} if transcript_id else {})
        )
        with self._session() as session:
            session.add(
                TranscriptRow(
                    id=transcript.id, owner=owner, profile_id=profile_id, created_at=transcript.created_at
                )
            )
        return transcript

    def append(self, transcript_id: str, message: Message) -> int:
        """Store one message at the end of a transcript; returns its position (0-based)."""
        with self._session() as session:
            if session.get(TranscriptRow, transcript_id) is None:
                raise NotFound(f"no transcript with id {transcript_id!r}")
            last = session.scalar(
                select(func.max(MessageRow.seq)).where(MessageRow.transcript_id == transcript_id)
            )
            seq = 0 if last is None else last + 1
            session.add(
                MessageRow(
                    transcript_id=transcript_id,
                    seq=seq,
                    role=message.role,
                    content=message.content,
                    created_at=message.created_at,
                )
            )
        return seq

    def link_profile(self, transcript_id: str, profile_id: str) -> None:
        with self._session() as session:
            row = session.get(TranscriptRow, transcript_id)
            if row is None:
                raise NotFound(f"no transcript with id {transcript_id!r}")
            row.profile_id = profile_id

    def get(self, transcript_id: str) -> Transcript:
        with self._session() as session:
            row = session.get(TranscriptRow, transcript_id)
            if row is None:
                raise NotFound(f"no transcript with id {transcript_id!r}")
            messages = session.scalars(
                select(MessageRow).where(MessageRow.transcript_id == transcript_id).order_by(MessageRow.seq)
            )
            return Transcript(
                id=row.id,
                owner=row.owner,
                profile_id=row.profile_id,
                created_at=row.created_at,
                messages=[Message(role=m.role, content=m.content, created_at=m.created_at) for m in messages],  # type: ignore[arg-type]
            )

    def for_owner(self, owner: str) -> list[str]:
        with self._session() as session:
            query = (
                select(TranscriptRow.id)
                .where(TranscriptRow.owner == owner)
                .order_by(TranscriptRow.created_at)
            )
            return list(session.scalars(query))

    def for_profile(self, profile_id: str) -> list[str]:
        with self._session() as session:
            query = select(TranscriptRow.id).where(TranscriptRow.profile_id == profile_id)
            return list(session.scalars(query.order_by(TranscriptRow.created_at)))

    def delete(self, transcript_id: str) -> None:
        with self._session() as session:
            session.execute(delete(TranscriptRow).where(TranscriptRow.id == transcript_id))

    def delete_for_profile(self, profile_id: str) -> int:
        with self._session() as session:
            result = session.execute(delete(TranscriptRow).where(TranscriptRow.profile_id == profile_id))
            return result.rowcount


class IntroRepository(_Repository):
    def add(self, intro: IntroRequest) -> IntroRequest:
        with self._session() as session:
            session.add(IntroRequestRow(**intro.model_dump()))
        return intro

    def get(self, intro_id: str) -> IntroRequest:
        with self._session() as session:
            row = session.get(IntroRequestRow, intro_id)
            if row is None:
                raise NotFound(f"no introduction with id {intro_id!r}")
            return IntroRequest.model_validate(_columns(row))

    def set_status(self, intro_id: str, status: IntroStatus) -> IntroRequest:
        with self._session() as session:
            row = session.get(IntroRequestRow, intro_id)
            if row is None:
                raise NotFound(f"no introduction with id {intro_id!r}")
            row.status = status
            row.decided_at = datetime.now(UTC)
            return IntroRequest.model_validate(_columns(row))

    def open_counts(self, profile_ids: Iterable[str]) -> dict[str, int]:
        """Per person, intros that hold a slot: pending or accepted, either side."""
        ids = list(profile_ids)
        counts: Counter[str] = Counter()
        if not ids:
            return {}
        with self._session() as session:
            rows = session.execute(
                select(IntroRequestRow.requester_id, IntroRequestRow.target_id).where(
                    IntroRequestRow.status.in_(("pending", "accepted")),
                    or_(IntroRequestRow.requester_id.in_(ids), IntroRequestRow.target_id.in_(ids)),
                )
            )
            wanted = set(ids)
            for requester, target in rows:
                counts.update({requester, target} & wanted)
        return dict(counts)

    def involving(self, profile_id: str, *, status: IntroStatus | None = None) -> list[IntroRequest]:
        query = select(IntroRequestRow).where(
            or_(IntroRequestRow.requester_id == profile_id, IntroRequestRow.target_id == profile_id)
        )
        if status is not None:
            query = query.where(IntroRequestRow.status == status)
        with self._session() as session:
            rows = session.scalars(query.order_by(IntroRequestRow.created_at))
            return [IntroRequest.model_validate(_columns(row)) for row in rows]


class FeedbackRepository(_Repository):
    def add(self, feedback: Feedback) -> Feedback:
        with self._session() as session:
            session.add(FeedbackRow(**feedback.model_dump()))
        return feedback

    def not_a_fit_pairs(self) -> set[tuple[str, str]]:
        """Every (from, about) pair marked "not a fit", in both directions."""
        with self._session() as session:
            rows = session.execute(
                select(FeedbackRow.from_id, FeedbackRow.about_id).where(FeedbackRow.kind == "not_a_fit")
            )
            pairs = {(a, b) for a, b in rows}
        return pairs | {(b, a) for a, b in pairs}

    def blocked_with(self, profile_id: str) -> set[str]:
        """Everyone (or every RFP) this person marked "not a fit", or who marked them."""
        with self._session() as session:
            rows = session.execute(
                select(FeedbackRow.from_id, FeedbackRow.about_id).where(
                    FeedbackRow.kind == "not_a_fit",
                    or_(FeedbackRow.from_id == profile_id, FeedbackRow.about_id == profile_id),
                )
            )
            return {about if source == profile_id else source for source, about in rows}

    def by(self, from_id: str) -> list[Feedback]:
        with self._session() as session:
            rows = session.scalars(select(FeedbackRow).where(FeedbackRow.from_id == from_id))
            return [Feedback.model_validate(_columns(row)) for row in rows]


class LLMCallRepository(_Repository):
    def add(self, call: LLMCall) -> LLMCall:
        with self._session() as session:
            session.add(LLMCallRow(**call.model_dump()))
        return call

    def recent(self, limit: int = 50) -> list[LLMCall]:
        with self._session() as session:
            rows = session.scalars(select(LLMCallRow).order_by(LLMCallRow.created_at.desc()).limit(limit))
            return [LLMCall.model_validate(_columns(row)) for row in rows]


class ExposureRepository(_Repository):
    def record(self, viewer: str, profile_ids: Iterable[str], at: datetime | None = None) -> None:
        when = at or datetime.now(UTC)
        with self._session() as session:
            session.add_all(ExposureRow(profile_id=p, viewer=viewer, shown_at=when) for p in profile_ids)

    def counts_since(self, since: datetime, profile_ids: Iterable[str] | None = None) -> dict[str, int]:
        query = (
            select(ExposureRow.profile_id, func.count())
            .where(ExposureRow.shown_at >= since)
            .group_by(ExposureRow.profile_id)
        )
        if profile_ids is not None:
            query = query.where(ExposureRow.profile_id.in_(list(profile_ids)))
        with self._session() as session:
            return {pid: n for pid, n in session.execute(query)}


class AccountRepository(_Repository):
    """Password logins. Hashes are scrypt (n=2**14, r=8, p=1) with a 16-byte salt."""

    N, R, P = 2**14, 8, 1

    def _hash(self, password: str, salt: bytes) -> str:
        digest = hashlib.scrypt(password.encode(), salt=salt, n=self.N, r=self.R, p=self.P, dklen=32)
        return f"scrypt${self.N}${self.R}${self.P}${salt.hex()}${digest.hex()}"

    def sign_in(self, identifier: str, password: str, *, create: bool = True) -> bool:
        """True when the password matches; an unknown identifier signs up (when ``create``)."""
        with self._session() as session:
            row = session.get(AccountRow, identifier)
            if row is None:
                if not create:
                    return False
                stored = self._hash(password, secrets.token_bytes(16))
                session.add(
                    AccountRow(identifier=identifier, password_hash=stored, created_at=datetime.now(UTC))
                )
                return True
            _, n, r, p, salt, _digest = row.password_hash.split("$")
            expected = hashlib.scrypt(
                password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
            ).hex()
            return hmac.compare_digest(expected, _digest)

    def delete(self, identifier: str) -> None:
        with self._session() as session:
            session.execute(delete(AccountRow).where(AccountRow.identifier == identifier))


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

    def dispose(self) -> None:
        self.engine.dispose()
