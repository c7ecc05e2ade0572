"""dialogue state stored with each assistant message

Until now a resumed conversation was rebuilt by matching the assistant's own sentences
against the interview questions, so rewording a question broke every stored chat. From here
on each assistant message carries its state as data (``messages.state``: phase, pending slot,
slots asked and declined, whether the person was told the model is offline).

Stored chats are converted once, here: the wording they were written with is frozen below as
literal strings, the only place Mingle ever reads the assistant's text to learn the state.
Later rewording of the questions cannot change what this migration derives.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The interview questions as they were worded up to revision 0003 (their first 40 characters
# identified them), in interview order.
OLD_QUESTIONS = (
    ("topics", "What do you work on, or want to work on?"),
    ("career_stage", "Where are you in your journey: undergrad"),
    ("skills_have", "Research asks for six things: reading pa"),
    ("skills_want", "And which of those would you like to gro"),
    ("seeking", "What help would be most useful: collabor"),
    ("offering", "What could you offer others? For example"),
    ("project_mode", "Do you have an idea of your own you'd li"),
)
OLD_PRACTICAL = ("A few practical bits", "Last practical bit")
OLD_CARD = "Does this look right?"
OLD_WELCOME_BACK = "Welcome back"
OLD_SAVED = ("Saved.", OLD_WELCOME_BACK)
OLD_OFFLINE = "(The language model isn't answering"
# What counted as skipping a question up to revision 0003.
OLD_SKIP = re.compile(
    r"^\s*(skip|pass|next|no comment|prefer not|i'?d rather not( say)?|rather not( say)?|not sure|"
    r"i don'?t know|dunno|n/?a|-)\s*[.!]*\s*$",
    re.IGNORECASE,
)
OLD_DECLINE = re.compile(
    r"\b(i'?d rather not|rather not say|prefer not to say|skip( this| that)?|pass on this)\b", re.IGNORECASE
)


def _slot_asked(text: str) -> str | None:
    """The slot an old assistant message asked (a note or "No problem." may precede it)."""
    for slot, opening in OLD_QUESTIONS:
        if opening in text:
            return slot
    if any(opening in text for opening in OLD_PRACTICAL):
        return "practical"
    return None


def _skipped(text: str) -> bool:
    return bool(OLD_SKIP.match(text)) or bool(OLD_DECLINE.search(text))


def derive_states(messages: list[tuple[str, str]], linked: bool) -> list[dict[str, Any] | None]:
    """Per message (role, content) of one transcript, in order: the state after each assistant
    message, or None for a user message. ``linked``: the transcript has a saved profile.

    As the service kept it: the welcome asks the topics (a returning member's welcome asks
    nothing); a question makes its slot pending and asked; any other message (a command's
    answer, the card) leaves the open question open; a skip declines the pending slot."""
    phase: str = "interview"
    pending: str | None = None
    told_offline = False
    asked: set[str] = set()
    declined: set[str] = set()
    states: list[dict[str, Any] | None] = []
    for role, content in messages:
        if role != "assistant":
            if pending and _skipped(content):
                declined.add(pending)
            states.append(None)
            continue
        slot = _slot_asked(content)
        if not asked:  # the welcome
            asked.add("topics")
            pending = None if content.startswith(OLD_WELCOME_BACK) else "topics"
        if slot:
            pending = slot
            asked.add(slot)
        if content.startswith(OLD_SAVED):
            phase = "saved"
        elif OLD_CARD in content and phase != "saved":
            phase = "confirm"
        told_offline = told_offline or OLD_OFFLINE in content
        states.append(
            {
                "phase": phase,
                "pending": pending,
                "asked": sorted(asked),
                "declined": sorted(declined),
                "told_offline": told_offline,
            }
        )
    if linked:  # a transcript with a saved profile continues as saved
        last = next((s for s in reversed(states) if s is not None), None)
        if last is not None:
            last["phase"] = "saved"
    return states


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state", sa.JSON(), nullable=True))

    transcripts = sa.table("transcripts", sa.column("id", sa.String), sa.column("profile_id", sa.String))
    messages = sa.table(
        "messages",
        sa.column("id", sa.Integer),
        sa.column("transcript_id", sa.String),
        sa.column("seq", sa.Integer),
        sa.column("role", sa.String),
        sa.column("content", sa.Text),
        sa.column("state", sa.JSON),
    )
    connection = op.get_bind()
    linked = {tid: pid is not None for tid, pid in connection.execute(sa.select(transcripts))}
    rows: dict[str, list[tuple[int, str, str]]] = {}
    query = sa.select(messages.c.transcript_id, messages.c.id, messages.c.role, messages.c.content).order_by(
        messages.c.transcript_id, messages.c.seq
    )
    for transcript_id, message_id, role, content in connection.execute(query):
        rows.setdefault(transcript_id, []).append((message_id, role, content))
    updates = []
    for transcript_id, found in rows.items():
        states = derive_states(
            [(role, content) for _, role, content in found], linked.get(transcript_id, False)
        )
        updates += [
            {"message_id": message_id, "new_state": state}
            for (message_id, _, _), state in zip(found, states, strict=True)
            if state is not None
        ]
    if updates:
        connection.execute(
            messages.update()
            .where(messages.c.id == sa.bindparam("message_id"))
            .values(state=sa.bindparam("new_state", type_=sa.JSON)),
            updates,
        )


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("state")
