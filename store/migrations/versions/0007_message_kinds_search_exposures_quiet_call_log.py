"""message kinds, search exposures, a call log without model output

- ``messages.kind``: ``interview`` (the person's answers and Mingle's questions: all an
  extractor reads), ``command`` (a command or search and its answer) or ``event`` (an
  introduction asked, accepted or declined, a suggestion acted on: texts that name other people
  and may carry their contact, and so must never reach a language model with the person's
  words). Stored chats are sorted once, here, by the wording they were written with, frozen
  below as literal strings.
- ``exposures.kind``: ``suggested`` (counts for attention spreading) or ``search`` (found by
  the viewer: lets them ask for an introduction, never rests anybody); an index on
  (viewer, profile_id) answers "was this person shown to this viewer?".
- ``llm_calls.error`` keeps where and why a reply failed validation, no longer what the model
  wrote (which echoes the person's words, in a row that belongs to nobody): the
  ``(your reply had ...)`` parts of stored rows are removed. This part cannot be undone.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# What Mingle said for events up to revision 0006: (how the text starts, how it ends).
OLD_EVENTS = (
    ("I've asked ", ""),
    ("Wonderful: you and ", ""),
    ("Understood. ", " won't be told it was a no."),
    ("Noted. You won't see that suggestion again", ""),
    ("People similar to ", ""),
)
# What counted as a search up to revision 0006 (a command starts with "/").
OLD_SEARCH = re.compile(
    r"^\s*(/search\b|find\b|search\b|look(ing)? for someone|anyone who|someone who)", re.IGNORECASE
)
MODEL_OUTPUT = re.compile(r" \(your reply had .*$", re.MULTILINE)


def kinds(messages: list[tuple[str, str]]) -> list[str]:
    """The kind of each (role, content) of one transcript, in order: a user's command or search
    and the answer right after it are commands; the event texts above are events."""
    out: list[str] = []
    after_command = False
    for role, content in messages:
        if role == "user":
            after_command = content.lstrip().startswith("/") or bool(OLD_SEARCH.match(content))
            out.append("command" if after_command else "interview")
            continue
        if any(content.startswith(head) and content.endswith(tail) for head, tail in OLD_EVENTS):
            out.append("event")
        else:
            out.append("command" if after_command else "interview")
        after_command = False
    return out


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=10), server_default="interview", nullable=False)
        )
    with op.batch_alter_table("exposures", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=10), server_default="suggested", nullable=False)
        )
        batch_op.create_index("ix_exposures_viewer_profile", ["viewer", "profile_id"], unique=False)

    connection = op.get_bind()
    messages = sa.table(
        "messages",
        sa.column("id", sa.Integer),
        sa.column("transcript_id", sa.String),
        sa.column("seq", sa.Integer),
        sa.column("role", sa.String),
        sa.column("content", sa.Text),
        sa.column("kind", sa.String),
    )
    rows: dict[str, list[tuple[int, str, str]]] = {}
    query = sa.select(messages.c.transcript_id, messages.c.id, messages.c.role, messages.c.content)
    for transcript_id, message_id, role, content in connection.execute(
        query.order_by(messages.c.transcript_id, messages.c.seq)
    ):
        rows.setdefault(transcript_id, []).append((message_id, role, content))
    updates = [
        {"message_id": message_id, "new_kind": kind}
        for found in rows.values()
        for (message_id, _, _), kind in zip(found, kinds([(r, c) for _, r, c in found]), strict=True)
        if kind != "interview"
    ]
    if updates:
        connection.execute(
            messages.update()
            .where(messages.c.id == sa.bindparam("message_id"))
            .values(kind=sa.bindparam("new_kind")),
            updates,
        )

    calls = sa.table("llm_calls", sa.column("id", sa.String), sa.column("error", sa.Text))
    scrubbed = [
        {"call_id": call_id, "new_error": MODEL_OUTPUT.sub("", error)}
        for call_id, error in connection.execute(sa.select(calls.c.id, calls.c.error))
        if error and MODEL_OUTPUT.search(error)
    ]
    if scrubbed:
        connection.execute(
            calls.update()
            .where(calls.c.id == sa.bindparam("call_id"))
            .values(error=sa.bindparam("new_error")),
            scrubbed,
        )


def downgrade() -> None:
    with op.batch_alter_table("exposures", schema=None) as batch_op:
        batch_op.drop_index("ix_exposures_viewer_profile")
        batch_op.drop_column("kind")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("kind")
