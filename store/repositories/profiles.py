"""Profiles: the people of the community, with the fast read path matching uses."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select

from store.db import translated_errors
from store.domain import CareerStage, Help, Profile, ProjectMode, Skill
from store.errors import NotFound
from store.repositories.base import Repository, columns, row_values
from store.tables import ProfileRow

_PROFILE_SETS = ("skills_have", "skills_want", "seeking", "offering", "languages")
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


class ProfileRepository(Repository):
    def upsert(self, profile: Profile) -> Profile:
        values = row_values(profile, _PROFILE_SETS)
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
        rows = [ProfileRow(**row_values(p, _PROFILE_SETS)) for p in profiles]
        with self._session() as session:
            session.add_all(rows)
        return len(rows)

    def get(self, profile_id: str) -> Profile:
        with self._session() as session:
            row = session.get(ProfileRow, profile_id)
            if row is None:
                raise NotFound(f"no profile with id {profile_id!r}")
            return Profile.model_validate(columns(row))

    def find(self, profile_id: str) -> Profile | None:
        with self._session() as session:
            row = session.get(ProfileRow, profile_id)
            return None if row is None else Profile.model_validate(columns(row))

    def list(self, *, source: str | None = None) -> list[Profile]:
        query = select(ProfileRow).order_by(ProfileRow.id)
        if source is not None:
            query = query.where(ProfileRow.source == source)
        with self._session() as session:
            return [Profile.model_validate(columns(row)) for row in session.scalars(query)]

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
            result = session.execute(delete(ProfileRow).where(ProfileRow.id == profile_id))
            if cast("CursorResult[Any]", result).rowcount == 0:  # a DELETE answers with a cursor result
                raise NotFound(f"no profile with id {profile_id!r}")
