"""Transcripts: each conversation's messages, stored before they are processed, with the
dialogue state of every assistant message; and, for export and delete, Chainlit's own copy of
the chats (its ``users``, ``threads``, ``steps``, ``elements`` and ``feedbacks`` tables, which
only Chainlit writes: a web chat's transcript id is its Chainlit thread id)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    ScalarSelect,
    String,
    column,
    delete,
    func,
    or_,
    select,
    table,
    update,
)

from store.domain import DialogueState, Message, Transcript
from store.errors import NotFound
from store.repositories.base import Repository
from store.tables import MessageRow, TranscriptRow

# Chainlit's tables (migration 0003), as far as export and delete read them.
_USERS = table("users", column("id"), column("identifier"))
_THREADS = table("threads", column("id"), column("userId"), column("userIdentifier"))
_STEPS = table("steps", column("id"), column("threadId"), column("type"), column("input"), column("output"))
_ELEMENTS = table("elements", column("threadId"), column("forId"))
_FEEDBACKS = table("feedbacks", column("threadId"), column("forId"))

Replacements = Sequence[tuple[re.Pattern[str], str]]


def _scrubbed(text: str | None, replacements: Replacements) -> str | None:
    if text is None:
        return None
    for pattern, replacement in replacements:
        text = pattern.sub(replacement, text)
    return text


def _message(row: MessageRow) -> Message:
    state = None if row.state is None else DialogueState.model_validate(row.state)
    return Message(role=row.role, content=row.content, created_at=row.created_at, state=state, kind=row.kind)


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
                    kind=message.kind,
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

    def owners(self, transcript_ids: Iterable[str]) -> set[str]:
        ids = list(transcript_ids)
        with self._session() as session:
            return set(session.scalars(select(TranscriptRow.owner).where(TranscriptRow.id.in_(ids))))

    def scrub(self, transcript_ids: Iterable[str], replacements: Replacements) -> int:
        """In these transcripts' commands and events (never the interview: those are the owner's
        own words and questions), replace each pattern; returns how many messages changed."""
        ids, changed = list(transcript_ids), 0
        with self._session() as session:
            rows = session.scalars(
                select(MessageRow).where(MessageRow.transcript_id.in_(ids), MessageRow.kind != "interview")
            )
            for row in rows:
                content = _scrubbed(row.content, replacements) or ""
                if content != row.content:
                    row.content, changed = content, changed + 1
        return changed

    # --- Chainlit's copy of the chats -----------------------------------------------------
    @staticmethod
    def _chat_threads(identifiers: list[str], thread_ids: list[str]) -> ScalarSelect[Any]:
        """The ids of Chainlit threads of these users (by identifier), or with these ids. The
        ids are compared as text: they are UUIDs on PostgreSQL, text on SQLite."""
        users = select(_USERS.c.id).where(_USERS.c.identifier.in_(identifiers)).scalar_subquery()
        return (
            select(_THREADS.c.id)
            .where(
                or_(
                    _THREADS.c.userIdentifier.in_(identifiers),
                    _THREADS.c.userId.in_(users),
                    _THREADS.c.id.cast(String).in_(thread_ids),
                )
            )
            .scalar_subquery()
        )

    def delete_chat_history(self, identifiers: Iterable[str], thread_ids: Iterable[str] = ()) -> None:
        """Chainlit's users of these identifiers, their threads and the threads with these ids,
        with every step, element and feedback in them."""
        names = list(identifiers)
        threads = self._chat_threads(names, list(thread_ids))
        steps = select(_STEPS.c.id).where(_STEPS.c.threadId.in_(threads)).scalar_subquery()
        with self._session() as session:
            for rows in (_FEEDBACKS, _ELEMENTS):
                session.execute(
                    delete(rows).where(or_(rows.c.threadId.in_(threads), rows.c.forId.in_(steps)))
                )
            session.execute(delete(_STEPS).where(_STEPS.c.threadId.in_(threads)))
            session.execute(delete(_THREADS).where(_THREADS.c.id.in_(threads)))
            session.execute(delete(_USERS).where(_USERS.c.identifier.in_(names)))

    def scrub_chat_history(
        self, identifiers: Iterable[str], thread_ids: Iterable[str], replacements: Replacements
    ) -> int:
        """In what Mingle said in Chainlit's threads of these users and with these ids (not the
        users' own messages: those are theirs), replace each pattern; returns steps changed."""
        threads = self._chat_threads(list(identifiers), list(thread_ids))
        query = select(_STEPS.c.id, _STEPS.c.input, _STEPS.c.output).where(
            _STEPS.c.threadId.in_(threads), _STEPS.c.type != "user_message"
        )
        changed = 0
        with self._session() as session:
            for step_id, given, said in session.execute(query).all():
                new = {"input": _scrubbed(given, replacements), "output": _scrubbed(said, replacements)}
                if (new["input"], new["output"]) != (given, said):
                    session.execute(update(_STEPS).where(_STEPS.c.id == step_id).values(**new))
                    changed += 1
        return changed
