"""the single-user local demo has one owner

Without auth, each page load used to own its conversations (``session:{id}``), so after a
reload the person could no longer export or delete what they had saved, nor answer their
introductions. The local demo now has one owner, ``local``; the conversations and exposures of
past page loads are given to it (they were all the one local person's). Not undone: which page
load owned what is not worth keeping.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

LOCAL_OWNER = "local"  # assistant.conversation.privacy.LOCAL_OWNER when this was written


def upgrade() -> None:
    transcripts = sa.table("transcripts", sa.column("owner", sa.String))
    exposures = sa.table("exposures", sa.column("viewer", sa.String))
    connection = op.get_bind()
    connection.execute(
        transcripts.update().where(transcripts.c.owner.like("session:%")).values(owner=LOCAL_OWNER)
    )
    connection.execute(
        exposures.update().where(exposures.c.viewer.like("session:%")).values(viewer=LOCAL_OWNER)
    )


def downgrade() -> None:
    pass
