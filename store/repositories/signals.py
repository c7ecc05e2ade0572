"""What the community's use leaves behind: "not a fit" feedback, exposures in suggestions,
and the log of language-model calls."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import func, or_, select

from store.domain import Feedback, LLMCall
from store.repositories.base import Repository, columns
from store.tables import ExposureRow, FeedbackRow, LLMCallRow


class FeedbackRepository(Repository):
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
            return [Feedback.model_validate(columns(row)) for row in rows]


class LLMCallRepository(Repository):
    def add(self, call: LLMCall) -> LLMCall:
        with self._session() as session:
            session.add(LLMCallRow(**call.model_dump()))
        return call

    def recent(self, limit: int = 50) -> list[LLMCall]:
        with self._session() as session:
            rows = session.scalars(select(LLMCallRow).order_by(LLMCallRow.created_at.desc()).limit(limit))
            return [LLMCall.model_validate(columns(row)) for row in rows]


class ExposureRepository(Repository):
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
            return dict(session.execute(query).all())
