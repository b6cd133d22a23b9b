"""structure: archived projects, invites made for a member set up before joining, and
the history of the company's structure

Revision ID: 0013_structure
Revises: 0012_housekeeping
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0013_structure'
down_revision: str | None = '0012_housekeeping'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    # A plain ADD COLUMN, not a batch: SQLite's batch rebuilds the table, and dropping
    # "projects" with tasks pointing at it fails the foreign keys.
    op.add_column(
        'projects', sa.Column('archived', sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    # Nothing refers to invites, so its rebuild (SQLite adds the foreign key so) is safe.
    with op.batch_alter_table('invites') as batch:
        batch.add_column(sa.Column('member_id', _ID, nullable=True))
        batch.create_foreign_key('fk_invites_member_id_members', 'members', ['member_id'], ['id'])
        batch.create_index('ix_invites_member_id', ['member_id'], unique=False)
    op.create_table(
        'structure_changes',
        sa.Column('id', _ID, nullable=False),
        sa.Column('company_id', _ID, nullable=False),
        sa.Column('actor_id', _ID, nullable=True),
        sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('subject', sa.String(length=16), nullable=False),
        sa.Column('subject_id', _ID, nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('field', sa.String(length=32), nullable=False),
        sa.Column('old', sa.String(length=250), nullable=True),
        sa.Column('new', sa.String(length=250), nullable=True),
        sa.ForeignKeyConstraint(['company_id'], ['companies.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_structure_changes_company_at', 'structure_changes', ['company_id', 'at'], unique=False
    )


def downgrade() -> None:
    op.drop_index('ix_structure_changes_company_at', table_name='structure_changes')
    op.drop_table('structure_changes')
    with op.batch_alter_table('invites') as batch:
        batch.drop_index('ix_invites_member_id')
        batch.drop_constraint('fk_invites_member_id_members', type_='foreignkey')
        batch.drop_column('member_id')
    op.drop_column('projects', 'archived')
