"""accounts record their provider

Until now only password logins had a row, and a password sign-in with an unknown name created
one, so ``github:octocat`` with any password became the GitHub person of that name. From here
on every account says who vouches for it: ``password`` (a scrypt hash) or an OAuth provider
(``github``, ``google``, …; no hash). Identifiers are ``{provider}:{id}`` for OAuth and plain
names without ``:`` for passwords, so the two can never meet; the identifier is widened for
e-mail addresses behind a provider prefix.

Existing rows are password logins. A row whose name holds ``:`` can no longer sign in (it was
made by the hole this closes, or it is not a name a person can type at sign-up any more).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("provider", sa.String(length=40), server_default="password", nullable=False)
        )
        batch_op.alter_column(
            "identifier", existing_type=sa.String(length=80), type_=sa.String(length=255), nullable=False
        )
        batch_op.alter_column("password_hash", existing_type=sa.String(length=300), nullable=True)


def downgrade() -> None:
    # The old schema has no place for accounts without a password.
    op.execute(sa.text("DELETE FROM accounts WHERE provider <> 'password' OR password_hash IS NULL"))
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.alter_column("password_hash", existing_type=sa.String(length=300), nullable=False)
        batch_op.alter_column(
            "identifier", existing_type=sa.String(length=255), type_=sa.String(length=80), nullable=False
        )
        batch_op.drop_column("provider")
