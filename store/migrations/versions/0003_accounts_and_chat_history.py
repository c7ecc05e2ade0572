"""accounts (password login) and Chainlit's chat-history tables

Chainlit's SQLAlchemyDataLayer never creates its tables: this migration does, with the
columns Chainlit 2.12 writes (``autoCollapse`` and ``modes`` on steps included). On
PostgreSQL the types are the ones Chainlit binds (UUID, JSONB, TEXT[]); elsewhere TEXT.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("identifier", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("identifier"),
    )
    pg = op.get_bind().dialect.name == "postgresql"
    uuid = postgresql.UUID(as_uuid=False) if pg else sa.Text()
    jsonb = postgresql.JSONB() if pg else sa.Text()
    tags = postgresql.ARRAY(sa.Text()) if pg else sa.Text()
    op.create_table(
        "users",
        sa.Column("id", uuid, primary_key=True),
        sa.Column("identifier", sa.Text(), nullable=False, unique=True),
        sa.Column("metadata", jsonb, nullable=False),
        sa.Column("createdAt", sa.Text()),
    )
    op.create_table(
        "threads",
        sa.Column("id", uuid, primary_key=True),
        sa.Column("createdAt", sa.Text()),
        sa.Column("name", sa.Text()),
        sa.Column("userId", uuid, sa.ForeignKey("users.id", ondelete="CASCADE")),
        sa.Column("userIdentifier", sa.Text()),
        sa.Column("tags", tags),
        sa.Column("metadata", jsonb),
    )
    op.create_table(
        "steps",
        sa.Column("id", uuid, primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("threadId", uuid, sa.ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("parentId", uuid),
        sa.Column("streaming", sa.Boolean(), nullable=False),
        sa.Column("waitForAnswer", sa.Boolean()),
        sa.Column("isError", sa.Boolean()),
        sa.Column("metadata", jsonb),
        sa.Column("tags", tags),
        sa.Column("input", sa.Text()),
        sa.Column("output", sa.Text()),
        sa.Column("createdAt", sa.Text()),
        sa.Column("command", sa.Text()),
        sa.Column("start", sa.Text()),
        sa.Column("end", sa.Text()),
        sa.Column("generation", jsonb),
        sa.Column("showInput", sa.Text()),
        sa.Column("language", sa.Text()),
        sa.Column("indent", sa.Integer()),
        sa.Column("defaultOpen", sa.Boolean()),
        sa.Column("autoCollapse", sa.Boolean()),
        sa.Column("modes", jsonb),
    )
    op.create_table(
        "elements",
        sa.Column("id", uuid, primary_key=True),
        sa.Column("threadId", uuid, sa.ForeignKey("threads.id", ondelete="CASCADE")),
        sa.Column("type", sa.Text()),
        sa.Column("url", sa.Text()),
        sa.Column("chainlitKey", sa.Text()),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("display", sa.Text()),
        sa.Column("objectKey", sa.Text()),
        sa.Column("size", sa.Text()),
        sa.Column("page", sa.Integer()),
        sa.Column("language", sa.Text()),
        sa.Column("forId", uuid),
        sa.Column("mime", sa.Text()),
        sa.Column("props", jsonb),
    )
    op.create_table(
        "feedbacks",
        sa.Column("id", uuid, primary_key=True),
        sa.Column("forId", uuid, nullable=False),
        sa.Column("threadId", uuid, sa.ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text()),
    )


def downgrade() -> None:
    for table in ("feedbacks", "elements", "steps", "threads", "users", "accounts"):
        op.drop_table(table)
