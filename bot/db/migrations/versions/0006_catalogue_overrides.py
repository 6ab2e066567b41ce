"""catalogue entries: staff overrides kept apart from imported data

Revision ID: 0006_overrides
Revises: 0005_staff
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006_overrides"
down_revision: str | None = "0005_staff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("catalogue_entries") as batch:
        batch.add_column(sa.Column("overrides", JSON, nullable=False, server_default="{}"))
    # Entries saved by the staff editor held a whole record; from now on that record is
    # their override of every field (the same answer as before, now removable field by
    # field), and they no longer count as imported data.
    bind = op.get_bind()
    entries = sa.table(
        "catalogue_entries",
        sa.column("id", sa.Integer),
        sa.column("data", JSON),
        sa.column("overrides", JSON),
        sa.column("source", sa.String),
    )
    rows = bind.execute(
        sa.select(entries.c.id, entries.c.data).where(entries.c.source.like("staff:%"))
    ).all()
    for row_id, data in rows:
        overrides = {k: v for k, v in (data or {}).items() if k not in ("code", "source")}
        bind.execute(
            entries.update().where(entries.c.id == row_id).values(data={}, overrides=overrides)
        )


def downgrade() -> None:
    with op.batch_alter_table("catalogue_entries") as batch:
        batch.drop_column("overrides")
