"""survey tables: visits, invitations, anonymous responses, hash chain, targets

Revision ID: 0002_surveys
Revises: 0001
Create Date: 2026-11-23 03:14:40.919548
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base
from sqlalchemy.dialects import postgresql

revision: str = '0002_surveys'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('survey_instruments',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('definition', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_survey_instruments'))
    )
    op.create_table('survey_chain_heads',
    sa.Column('commune_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_survey_chain_heads_commune_id_communes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('commune_id', name=op.f('pk_survey_chain_heads'))
    )
    op.create_table('survey_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('commune_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_survey_log_commune_id_communes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_log')),
    sa.UniqueConstraint('commune_id', 'position', name=op.f('uq_survey_log_commune_id_position'))
    )
    op.create_table('survey_responses',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('commune_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('instrument', sa.String(length=60), nullable=False),
    sa.Column('evidence', sa.String(length=20), nullable=False),
    sa.Column('procedure_code', sa.String(length=20), nullable=True),
    sa.Column('field', sa.String(length=200), nullable=False),
    sa.Column('field_group', sa.String(length=40), nullable=False),
    sa.Column('counter', sa.String(length=100), nullable=True),
    sa.Column('officer', sa.String(length=100), nullable=True),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('visit_date', sa.Date(), nullable=True),
    sa.Column('answered_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('overall', sa.SmallInteger(), nullable=True),
    sa.Column('access', sa.SmallInteger(), nullable=True),
    sa.Column('procedure', sa.SmallInteger(), nullable=True),
    sa.Column('civil_servant', sa.SmallInteger(), nullable=True),
    sa.Column('result', sa.SmallInteger(), nullable=True),
    sa.Column('feedback', sa.SmallInteger(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('flag', sa.String(length=20), nullable=True),
    sa.Column('receipt', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_survey_responses_commune_id_communes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses')),
    sa.UniqueConstraint('receipt', name=op.f('uq_survey_responses_receipt'))
    )
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.create_index('ix_survey_responses_period', ['commune_id', 'answered_at', 'evidence', 'field_group', 'mode'], unique=False)
        batch_op.create_index('ix_survey_responses_time', ['answered_at'], unique=False)

    op.create_table('survey_targets',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('commune_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=40), nullable=False),
    sa.Column('target', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_survey_targets_commune_id_communes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_targets')),
    sa.UniqueConstraint('commune_id', 'year', 'indicator', name=op.f('uq_survey_targets_commune_id_year_indicator'))
    )
    op.create_table('survey_visits',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('commune_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('dossier_code', sa.String(length=100), nullable=True),
    sa.Column('procedure_code', sa.String(length=20), nullable=True),
    sa.Column('field', sa.String(length=200), nullable=False),
    sa.Column('field_group', sa.String(length=40), nullable=False),
    sa.Column('counter', sa.String(length=100), nullable=True),
    sa.Column('officer', sa.String(length=100), nullable=True),
    sa.Column('officer_chat', sa.String(length=130), nullable=True),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('occurred_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_survey_visits_commune_id_communes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_visits')),
    sa.UniqueConstraint('commune_id', 'dossier_code', 'occurred_at', name=op.f('uq_survey_visits_commune_id_dossier_code_occurred_at'))
    )
    with op.batch_alter_table('survey_visits', schema=None) as batch_op:
        batch_op.create_index('ix_survey_visits_commune_time', ['commune_id', 'occurred_at'], unique=False)

    op.create_table('survey_invitations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('commune_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('visit_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=True),
    sa.Column('reusable', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('expires_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('progress', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('push_channel', sa.String(length=20), nullable=True),
    sa.Column('push_user_id', sa.String(length=100), nullable=True),
    sa.Column('push_chat_id', sa.String(length=100), nullable=True),
    sa.Column('push_due_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('pushed_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminder_due_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('push_note', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_survey_invitations_commune_id_communes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_id'], ['survey_visits.id'], name=op.f('fk_survey_invitations_visit_id_survey_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitations')),
    sa.UniqueConstraint('code', name=op.f('uq_survey_invitations_code'))
    )
    with op.batch_alter_table('survey_invitations', schema=None) as batch_op:
        batch_op.create_index('ix_survey_invitations_expiry', ['status', 'expires_at'], unique=False)
        batch_op.create_index('ix_survey_invitations_push', ['status', 'push_due_at'], unique=False)
        batch_op.create_index('ix_survey_invitations_reminder', ['status', 'reminder_due_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('survey_invitations', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_invitations_reminder')
        batch_op.drop_index('ix_survey_invitations_push')
        batch_op.drop_index('ix_survey_invitations_expiry')

    op.drop_table('survey_invitations')
    with op.batch_alter_table('survey_visits', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_visits_commune_time')

    op.drop_table('survey_visits')
    op.drop_table('survey_targets')
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_responses_time')
        batch_op.drop_index('ix_survey_responses_period')

    op.drop_table('survey_responses')
    op.drop_table('survey_log')
    op.drop_table('survey_chain_heads')
    op.drop_table('survey_instruments')
