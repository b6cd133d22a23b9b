"""questions: texts held while the member picks what they meant

Revision ID: 0008_questions
Revises: 0006_slack_oauth

A message that is not a clean answer to an open question is not consumed: it is kept
here, with the question it was held against, until the member picks [the answer],
[a new task] or [cancel] (handlers.questions).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0008_questions'
down_revision: str | None = '0007_durable_replies'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'held_texts',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column(
            'member_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False
        ),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['members.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('held_texts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_held_texts_member_id'), ['member_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('held_texts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_held_texts_member_id'))
    op.drop_table('held_texts')
