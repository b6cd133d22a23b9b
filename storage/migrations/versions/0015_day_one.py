"""day one: a lead keeps the budget written in it ("budget 12 000 PLN"), which its deal
takes on conversion

Revision ID: 0015_day_one
Revises: 0014_dates
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015_day_one'
down_revision: str | None = '0014_dates'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('crm_leads') as batch:
        batch.add_column(sa.Column('amount', sa.Numeric(14, 2), nullable=True))
        batch.add_column(sa.Column('currency', sa.String(3), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('crm_leads') as batch:
        batch.drop_column('currency')
        batch.drop_column('amount')
