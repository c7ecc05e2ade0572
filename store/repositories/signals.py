"""What the community's use leaves behind: "not a fit" feedback, exposures in suggestions and
search results, and the log of language-model calls."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import delete, func, or_, select

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

    def delete_about(self, about_ids: Iterable[str]) -> None:
        """Others' "not a fit" about these people or RFPs (the ones from them go with the profile)."""
        with self._session() as session:
            session.execute(delete(FeedbackRow).where(FeedbackRow.about_id.in_(list(about_ids))))


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
    """Who was shown to whom: ``suggested`` in someone's suggestions (attention spreading counts
    these) or found in their ``search`` (counted for nothing: it only lets them ask)."""

    def record(
        self,
        viewer: str,
        profile_ids: Iterable[str],
        at: datetime | None = None,
        kind: Literal["suggested", "search"] = "suggested",
    ) -> None:
        when = at or datetime.now(UTC)
        with self._session() as session:
            session.add_all(
                ExposureRow(profile_id=p, viewer=viewer, shown_at=when, kind=kind) for p in profile_ids
            )

    def shown(self, viewer: str, profile_id: str) -> bool:
        """Was this person ever shown to this viewer, suggested or found?"""
        query = select(ExposureRow.id).where(
            ExposureRow.viewer == viewer, ExposureRow.profile_id == profile_id
        )
        with self._session() as session:
            return session.scalar(query.limit(1)) is not None

    def viewers_of(self, profile_id: str) -> set[str]:
        with self._session() as session:
            return set(
                session.scalars(select(ExposureRow.viewer).where(ExposureRow.profile_id == profile_id))
            )

    def shown_to(self, viewers: Iterable[str]) -> list[dict[str, Any]]:
        """What these viewers were shown, oldest first (for their data export)."""
        query = select(ExposureRow.profile_id, ExposureRow.kind, ExposureRow.shown_at).where(
            ExposureRow.viewer.in_(list(viewers))
        )
        with self._session() as session:
            return [
                {"profile_id": p, "kind": kind, "shown_at": at.isoformat()}
                for p, kind, at in session.execute(query.order_by(ExposureRow.shown_at, ExposureRow.id))
            ]

    def delete_viewers(self, viewers: Iterable[str]) -> None:
        with self._session() as session:
            session.execute(delete(ExposureRow).where(ExposureRow.viewer.in_(list(viewers))))

    def counts_since(self, since: datetime, profile_ids: Iterable[str] | None = None) -> dict[str, int]:
        """Per person, times suggested since ``since`` (search results are not counted)."""
        query = (
            select(ExposureRow.profile_id, func.count())
            .where(ExposureRow.shown_at >= since, ExposureRow.kind == "suggested")
            .group_by(ExposureRow.profile_id)
        )
        if profile_ids is not None:
            query = query.where(ExposureRow.profile_id.in_(list(profile_ids)))
        with self._session() as session:
            return dict(session.execute(query).all())
