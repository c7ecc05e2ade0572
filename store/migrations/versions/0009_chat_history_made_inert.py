"""chat history written before people's words were escaped is made inert

Chainlit shows a reopened chat from its own ``steps`` table, as markdown. Mingle's messages
stored there before every name, topic and contact was escaped may hold someone's image, link or
raw HTML (``![x](https://…)`` in a name fetched a remote image in the reader's browser). Mingle's
own texts hold no brackets, ``<``, URLs or emails, so in its stored messages every ``[`` and
``]`` not already escaped gets a backslash, every ``<`` becomes ``&lt;``, and an invisible word
joiner (U+2060) goes inside ``://`` and ``www.`` and before ``@`` (as ``markup.escape`` does
now): they read the same, and nothing in them is an image, a link or HTML any more. Not
undone: nothing worth restoring.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

JOINER = "\u2060"
_BRACKET = re.compile(r"(?<!\\)([\[\]])")
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<!\\)(?=@)", re.IGNORECASE)


def inert(markdown: str) -> str:
    """``markdown`` with no image, link or HTML left (one pass, linear in its length)."""
    return _AUTOLINK.sub(JOINER, _BRACKET.sub(r"\\\1", markdown).replace("<", "&lt;"))


def upgrade() -> None:
    steps = sa.table("steps", sa.column("id"), sa.column("type", sa.Text), sa.column("output", sa.Text))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(steps.c.id, steps.c.output).where(
            steps.c.type == "assistant_message",
            sa.or_(*(steps.c.output.contains(mark) for mark in ("[", "<", "://", "www.", "@"))),
        )
    ).all()
    for step_id, output in rows:
        connection.execute(steps.update().where(steps.c.id == step_id).values(output=inert(output)))


def downgrade() -> None:
    pass
