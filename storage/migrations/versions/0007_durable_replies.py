"""durable replies: the reply outbox (an inbound update's replies, kept with its change)

Revision ID: 0007_durable_replies
Revises: 0006_slack_oauth
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0007_durable_replies'
down_revision: str | None = '0006_slack_oauth'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'reply_outbox',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('platform', sa.String(length=16), nullable=False),
        sa.Column('workspace', sa.String(length=64), nullable=False),
        sa.Column('chat_id', sa.String(length=64), nullable=False),
        sa.Column('update_key', sa.String(length=160), nullable=True),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('not_before', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('sent_at', storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('platform', 'update_key', name='uq_reply_outbox_update'),
    )
    with op.batch_alter_table('reply_outbox', schema=None) as batch_op:
        batch_op.create_index(
            'ix_reply_outbox_chat', ['platform', 'workspace', 'chat_id', 'status'], unique=False
        )
        batch_op.create_index('ix_reply_outbox_due', ['status', 'not_before'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reply_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_reply_outbox_due')
        batch_op.drop_index('ix_reply_outbox_chat')
    op.drop_table('reply_outbox')
