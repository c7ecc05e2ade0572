"""What every repository shares: one unit of work per call, rows read back as plain dicts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from store.db import translated_errors
from store.domain import RFP, Profile


def row_values(model: Profile | RFP, sets: tuple[str, ...]) -> dict[str, Any]:
    data = model.model_dump(mode="json")
    for name in sets:
        data[name] = sorted(data[name])
    data["created_at"] = model.created_at
    if isinstance(model, Profile):
        data["updated_at"] = model.updated_at
    return data


def columns(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


class Repository:
    def __init__(self, engine: Engine, sessions: sessionmaker[Session]) -> None:
        self._engine = engine
        self._sessions = sessions

    @contextmanager
    def _session(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back whole on any error."""
        with translated_errors(self._engine), self._sessions.begin() as session:
            yield session
