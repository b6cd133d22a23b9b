"""approvals: requests, approvers per step, history, deputies, absences

Revision ID: 0003_approvals
Revises: 0002_crm
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types


revision: str = '0003_approvals'
# The lead re-chains migrations when merging; this follows the head present today.
down_revision: str | None = '0002_crm'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('approval_requests',
    sa.Column('id', _ID, nullable=False),
    sa.Column('company_id', _ID, nullable=False),
    sa.Column('type_key', sa.String(length=32), nullable=False),
    sa.Column('subject_kind', sa.String(length=16), nullable=False),
    sa.Column('subject_id', _ID, nullable=True),
    sa.Column('requester_id', _ID, nullable=False),
    sa.Column('mode', sa.String(length=8), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('current_step', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('step_started_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', _ID, nullable=True),
    sa.Column('escalated_step', sa.Integer(), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('spec', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ),
    sa.ForeignKeyConstraint(['decided_by'], ['members.id'], ),
    sa.ForeignKeyConstraint(['requester_id'], ['members.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('approval_requests', schema=None) as batch_op:
        batch_op.create_index('ix_approval_requests_status', ['status', 'company_id'], unique=False)
        batch_op.create_index('ix_approval_requests_subject', ['subject_kind', 'subject_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_requests_requester_id'), ['requester_id'], unique=False)

    op.create_table('approval_approvers',
    sa.Column('request_id', _ID, nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('member_id', _ID, nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['approval_requests.id'], ),
    sa.PrimaryKeyConstraint('request_id', 'step', 'member_id')
    )
    with op.batch_alter_table('approval_approvers', schema=None) as batch_op:
        batch_op.create_index('ix_approval_approvers_member', ['member_id', 'step'], unique=False)

    op.create_table('approval_events',
    sa.Column('id', _ID, nullable=False),
    sa.Column('request_id', _ID, nullable=False),
    sa.Column('actor_id', _ID, nullable=True),
    sa.Column('on_behalf_of', _ID, nullable=True),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['members.id'], ),
    sa.ForeignKeyConstraint(['on_behalf_of'], ['members.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['approval_requests.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('approval_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approval_events_request_id'), ['request_id'], unique=False)

    op.create_table('approval_deputies',
    sa.Column('id', _ID, nullable=False),
    sa.Column('company_id', _ID, nullable=False),
    sa.Column('member_id', _ID, nullable=False),
    sa.Column('deputy_id', _ID, nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ),
    sa.ForeignKeyConstraint(['deputy_id'], ['members.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id')
    )
    with op.batch_alter_table('approval_deputies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approval_deputies_deputy_id'), ['deputy_id'], unique=False)

    op.create_table('absences',
    sa.Column('id', _ID, nullable=False),
    sa.Column('member_id', _ID, nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('request_id', _ID, nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['approval_requests.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.create_index('ix_absences_member_dates', ['member_id', 'start_date', 'end_date'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.drop_index('ix_absences_member_dates')
    op.drop_table('absences')
    with op.batch_alter_table('approval_deputies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approval_deputies_deputy_id'))
    op.drop_table('approval_deputies')
    with op.batch_alter_table('approval_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approval_events_request_id'))
    op.drop_table('approval_events')
    with op.batch_alter_table('approval_approvers', schema=None) as batch_op:
        batch_op.drop_index('ix_approval_approvers_member')
    op.drop_table('approval_approvers')
    with op.batch_alter_table('approval_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approval_requests_requester_id'))
        batch_op.drop_index('ix_approval_requests_subject')
        batch_op.drop_index('ix_approval_requests_status')
    op.drop_table('approval_requests')
