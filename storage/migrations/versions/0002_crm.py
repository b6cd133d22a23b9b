"""crm: leads, contacts, client companies, pipelines, deals, activities, web forms

Revision ID: 0002_crm
Revises: 0001
Create Date: 2026-11-27 16:48:44.816718
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types


revision: str = '0002_crm'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('crm_forms',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token')
    )
    op.create_table('crm_pipelines',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.Column('code', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('crm_pipelines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crm_pipelines_company_id'), ['company_id'], unique=False)

    op.create_table('crm_stages',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('pipeline_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.Column('code', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['pipeline_id'], ['crm_pipelines.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('crm_stages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crm_stages_pipeline_id'), ['pipeline_id'], unique=False)

    op.create_table('crm_activities',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['members.id'], ),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('crm_activities', schema=None) as batch_op:
        batch_op.create_index('ix_crm_activities_entity', ['entity', 'id'], unique=False)

    op.create_table('crm_companies',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('phone_key', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('email_key', sa.String(length=254), nullable=True),
    sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('source_lead_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['members.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('crm_companies', schema=None) as batch_op:
        batch_op.create_index('ix_crm_companies_email', ['company_id', 'email_key'], unique=False)
        batch_op.create_index('ix_crm_companies_name_key', ['company_id', 'name_key'], unique=False)
        batch_op.create_index('ix_crm_companies_owner', ['company_id', 'owner_id'], unique=False)
        batch_op.create_index('ix_crm_companies_phone', ['company_id', 'phone_key'], unique=False)

    op.create_table('crm_contacts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('phone_key', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('email_key', sa.String(length=254), nullable=True),
    sa.Column('client_company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('source_lead_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_company_id'], ['crm_companies.id'], ),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['members.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('crm_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crm_contacts_client_company_id'), ['client_company_id'], unique=False)
        batch_op.create_index('ix_crm_contacts_email', ['company_id', 'email_key'], unique=False)
        batch_op.create_index('ix_crm_contacts_owner', ['company_id', 'owner_id'], unique=False)
        batch_op.create_index('ix_crm_contacts_phone', ['company_id', 'phone_key'], unique=False)

    op.create_table('crm_deals',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=250), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('pipeline_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('stage_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('stage_kind', sa.String(length=8), nullable=False),
    sa.Column('reached_position', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('contact_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('client_company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('expected_close', sa.Date(), nullable=True),
    sa.Column('lost_reason', sa.Text(), nullable=True),
    sa.Column('source_lead_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_activity_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_company_id'], ['crm_companies.id'], ),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ),
    sa.ForeignKeyConstraint(['contact_id'], ['crm_contacts.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['members.id'], ),
    sa.ForeignKeyConstraint(['pipeline_id'], ['crm_pipelines.id'], ),
    sa.ForeignKeyConstraint(['stage_id'], ['crm_stages.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('crm_deals', schema=None) as batch_op:
        batch_op.create_index('ix_crm_deals_client_company', ['client_company_id'], unique=False)
        batch_op.create_index('ix_crm_deals_contact', ['contact_id'], unique=False)
        batch_op.create_index('ix_crm_deals_funnel', ['pipeline_id', 'created_at', 'stage_id', 'reached_position', 'currency', 'owner_id', 'amount'], unique=False)
        batch_op.create_index('ix_crm_deals_owner', ['company_id', 'owner_id', 'stage_kind'], unique=False)
        batch_op.create_index('ix_crm_deals_stale', ['stage_kind', 'last_activity_at'], unique=False)

    op.create_table('crm_leads',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('phone_key', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('email_key', sa.String(length=254), nullable=True),
    sa.Column('company_name', sa.String(length=200), nullable=True),
    sa.Column('company_key', sa.String(length=200), nullable=True),
    sa.Column('source', sa.String(length=100), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('form_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('duplicate_of', sa.String(length=32), nullable=True),
    sa.Column('contact_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('client_company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('deal_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('merged_into', sa.String(length=32), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_activity_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_company_id'], ['crm_companies.id'], ),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ),
    sa.ForeignKeyConstraint(['contact_id'], ['crm_contacts.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], ),
    sa.ForeignKeyConstraint(['deal_id'], ['crm_deals.id'], ),
    sa.ForeignKeyConstraint(['form_id'], ['crm_forms.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['members.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('crm_leads', schema=None) as batch_op:
        batch_op.create_index('ix_crm_leads_company_key', ['company_id', 'company_key'], unique=False)
        batch_op.create_index('ix_crm_leads_email', ['company_id', 'email_key'], unique=False)
        batch_op.create_index('ix_crm_leads_form', ['company_id', 'form_id'], unique=False)
        batch_op.create_index('ix_crm_leads_owner', ['company_id', 'owner_id', 'status'], unique=False)
        batch_op.create_index('ix_crm_leads_phone', ['company_id', 'phone_key'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('crm_leads', schema=None) as batch_op:
        batch_op.drop_index('ix_crm_leads_phone')
        batch_op.drop_index('ix_crm_leads_owner')
        batch_op.drop_index('ix_crm_leads_form')
        batch_op.drop_index('ix_crm_leads_email')
        batch_op.drop_index('ix_crm_leads_company_key')

    op.drop_table('crm_leads')
    with op.batch_alter_table('crm_deals', schema=None) as batch_op:
        batch_op.drop_index('ix_crm_deals_stale')
        batch_op.drop_index('ix_crm_deals_owner')
        batch_op.drop_index('ix_crm_deals_funnel')
        batch_op.drop_index('ix_crm_deals_contact')
        batch_op.drop_index('ix_crm_deals_client_company')

    op.drop_table('crm_deals')
    with op.batch_alter_table('crm_contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_crm_contacts_phone')
        batch_op.drop_index('ix_crm_contacts_owner')
        batch_op.drop_index('ix_crm_contacts_email')
        batch_op.drop_index(batch_op.f('ix_crm_contacts_client_company_id'))

    op.drop_table('crm_contacts')
    with op.batch_alter_table('crm_companies', schema=None) as batch_op:
        batch_op.drop_index('ix_crm_companies_phone')
        batch_op.drop_index('ix_crm_companies_owner')
        batch_op.drop_index('ix_crm_companies_name_key')
        batch_op.drop_index('ix_crm_companies_email')

    op.drop_table('crm_companies')
    with op.batch_alter_table('crm_activities', schema=None) as batch_op:
        batch_op.drop_index('ix_crm_activities_entity')

    op.drop_table('crm_activities')
    with op.batch_alter_table('crm_stages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crm_stages_pipeline_id'))

    op.drop_table('crm_stages')
    with op.batch_alter_table('crm_pipelines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crm_pipelines_company_id'))

    op.drop_table('crm_pipelines')
    op.drop_table('crm_forms')
