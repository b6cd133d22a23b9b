"""slack inbox: Slack requests kept before they are acked, handled again after a crash

Revision ID: 0011_slack_inbox
Revises: 0010_instance_lease
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0011_slack_inbox'
down_revision: str | None = '0010_instance_lease'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'slack_inbox',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('team', sa.String(length=64), nullable=False),
        sa.Column('body', sa.JSON(), nullable=False),
        sa.Column('received_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('not_before', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('handled_at', storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('slack_inbox', schema=None) as batch_op:
        batch_op.create_index(
            'ix_slack_inbox_pending', ['handled_at', 'not_before'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('slack_inbox', schema=None) as batch_op:
        batch_op.drop_index('ix_slack_inbox_pending')
    op.drop_table('slack_inbox')
