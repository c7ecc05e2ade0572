"""Transcripts: each conversation's messages, stored before they are processed, with the
dialogue state of every assistant message."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select

from store.domain import DialogueState, Message, Transcript
from store.errors import NotFound
from store.repositories.base import Repository
from store.tables import MessageRow, TranscriptRow


def _message(row: MessageRow) -> Message:
    state = None if row.state is None else DialogueState.model_validate(row.state)
    return Message(role=row.role, content=row.content, created_at=row.created_at, state=state)


class TranscriptRepository(Repository):
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
                    state=None if message.state is None else message.state.model_dump(mode="json"),
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
                messages=[_message(m) for m in messages],
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
            return cast("CursorResult[Any]", result).rowcount  # a DELETE answers with a cursor result
