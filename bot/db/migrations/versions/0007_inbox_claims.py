"""inbox: the conversation each update belongs to, so instances claim them in order

Revision ID: 0007
Revises: 0006_overrides
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006_overrides"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows stored before this revision have no conversation: each is claimed on its own,
    # as before (only rows still pending at the upgrade can be affected).
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("conversation", sa.String(length=200), nullable=True))
        batch.create_index(
            "ix_inbox_conversation", ["commune_id", "channel", "conversation", "status"]
        )


def downgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.drop_index("ix_inbox_conversation")
        batch.drop_column("conversation")
