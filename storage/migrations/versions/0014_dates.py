"""dates: a company's country (public holidays), each member's join date, opt-in kinds

Revision ID: 0014_dates
Revises: 0013_structure
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0014_dates'
down_revision: str | None = '0013_structure'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('companies') as batch:
        batch.add_column(sa.Column('country', sa.String(length=8), nullable=True))
    with op.batch_alter_table('members') as batch:
        batch.add_column(sa.Column('joined_at', storage.types.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('member_preferences') as batch:
        batch.add_column(sa.Column('enabled', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('member_preferences') as batch:
        batch.drop_column('enabled')
    with op.batch_alter_table('members') as batch:
        batch.drop_column('joined_at')
    with op.batch_alter_table('companies') as batch:
        batch.drop_column('country')
