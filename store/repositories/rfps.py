"""Requests for proposals: project ideas people post."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from store.domain import RFP
from store.errors import NotFound
from store.repositories.base import Repository, columns, row_values
from store.tables import RFPRow

_RFP_SETS = ("skills_needed", "skills_developed")


class RFPRepository(Repository):
    def upsert(self, rfp: RFP) -> RFP:
        values = row_values(rfp, _RFP_SETS)
        with self._session() as session:
            row = session.get(RFPRow, rfp.id)
            if row is None:
                session.add(RFPRow(**values))
            else:
                for key, value in values.items():
                    setattr(row, key, value)
        return rfp

    def add_many(self, rfps: Iterable[RFP]) -> int:
        rows = [RFPRow(**row_values(r, _RFP_SETS)) for r in rfps]
        with self._session() as session:
            session.add_all(rows)
        return len(rows)

    def get(self, rfp_id: str) -> RFP:
        with self._session() as session:
            row = session.get(RFPRow, rfp_id)
            if row is None:
                raise NotFound(f"no RFP with id {rfp_id!r}")
            return RFP.model_validate(columns(row))

    def list(self, *, status: str | None = None) -> list[RFP]:
        query = select(RFPRow).order_by(RFPRow.id)
        if status is not None:
            query = query.where(RFPRow.status == status)
        with self._session() as session:
            return [RFP.model_validate(columns(row)) for row in session.scalars(query)]

    def ids(self) -> set[str]:
        with self._session() as session:
            return set(session.scalars(select(RFPRow.id)))

    def count(self, *, status: str | None = None) -> int:
        query = select(func.count()).select_from(RFPRow)
        if status is not None:
            query = query.where(RFPRow.status == status)
        with self._session() as session:
            return session.scalar(query) or 0
