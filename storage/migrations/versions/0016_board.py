"""board: one-time sign-in links to the manager's board, each usable once

Revision ID: 0016_board
Revises: 0015_day_one
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0016_board'
down_revision: str | None = '0015_day_one'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'board_links_used',
        sa.Column('nonce', sa.String(length=32), nullable=False),
        sa.Column('member_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('used_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('nonce'),
    )
    op.create_index('ix_board_links_used_expires', 'board_links_used', ['expires_at'])


def downgrade() -> None:
    op.drop_index('ix_board_links_used_expires', table_name='board_links_used')
    op.drop_table('board_links_used')
