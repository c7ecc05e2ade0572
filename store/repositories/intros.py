"""Introduction requests, as stored (what each side is shown is decided above the store)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import and_, func, or_, select

from store.domain import INTRO_WAIT, IntroRequest, IntroStatus
from store.errors import NotFound
from store.repositories.base import Repository, columns
from store.tables import IntroRequestRow


class IntroRepository(Repository):
    def add(self, intro: IntroRequest) -> IntroRequest:
        with self._session() as session:
            session.add(IntroRequestRow(**intro.model_dump()))
        return intro

    def get(self, intro_id: str) -> IntroRequest:
        with self._session() as session:
            row = session.get(IntroRequestRow, intro_id)
            if row is None:
                raise NotFound(f"no introduction with id {intro_id!r}")
            return IntroRequest.model_validate(columns(row))

    def set_status(self, intro_id: str, status: IntroStatus) -> IntroRequest:
        with self._session() as session:
            row = session.get(IntroRequestRow, intro_id)
            if row is None:
                raise NotFound(f"no introduction with id {intro_id!r}")
            row.status = status
            row.decided_at = datetime.now(UTC)
            return IntroRequest.model_validate(columns(row))

    def open_counts(self, profile_ids: Iterable[str], now: datetime | None = None) -> dict[str, int]:
        """Per person, intros that hold a slot, either side: accepted, or pending for less than
        INTRO_WAIT (an unanswered request stops holding anyone's slot when it closes)."""
        ids = list(profile_ids)
        counts: Counter[str] = Counter()
        if not ids:
            return {}
        waiting_since = (now or datetime.now(UTC)) - INTRO_WAIT
        holds = or_(
            IntroRequestRow.status == "accepted",
            and_(IntroRequestRow.status == "pending", IntroRequestRow.created_at > waiting_since),
        )
        with self._session() as session:
            rows = session.execute(
                select(IntroRequestRow.requester_id, IntroRequestRow.target_id).where(
                    holds, or_(IntroRequestRow.requester_id.in_(ids), IntroRequestRow.target_id.in_(ids))
                )
            )
            wanted = set(ids)
            for requester, target in rows:
                counts.update({requester, target} & wanted)
        return dict(counts)

    def requested_since(self, requester_id: str, since: datetime) -> int:
        """Requests this person made since ``since``, whatever became of them."""
        query = select(func.count()).where(
            IntroRequestRow.requester_id == requester_id, IntroRequestRow.created_at >= since
        )
        with self._session() as session:
            return session.scalar(query) or 0

    def involving(self, profile_id: str, *, status: IntroStatus | None = None) -> list[IntroRequest]:
        query = select(IntroRequestRow).where(
            or_(IntroRequestRow.requester_id == profile_id, IntroRequestRow.target_id == profile_id)
        )
        if status is not None:
            query = query.where(IntroRequestRow.status == status)
        with self._session() as session:
            rows = session.scalars(query.order_by(IntroRequestRow.created_at))
            return [IntroRequest.model_validate(columns(row)) for row in rows]
