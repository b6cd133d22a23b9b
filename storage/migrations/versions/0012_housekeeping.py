"""housekeeping: processed-update keys are deleted by age (an index on their time)

Revision ID: 0012_housekeeping
Revises: 0011_slack_inbox
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0012_housekeeping'
down_revision: str | None = '0011_slack_inbox'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_inbound_updates_at', 'inbound_updates', ['at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_inbound_updates_at', table_name='inbound_updates')
