"""CRM tables: leads, contacts, client companies, pipelines and stages, deals, activities, forms.

Imported at the end of ``storage.models`` so that ``Base.metadata`` (Alembic, tests)
knows them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId


class CrmLeadRow(Base):
    __tablename__ = "crm_leads"
    __table_args__ = (
        Index("ix_crm_leads_owner", "company_id", "owner_id", "status"),
        Index("ix_crm_leads_phone", "company_id", "phone_key"),
        Index("ix_crm_leads_email", "company_id", "email_key"),
        Index("ix_crm_leads_company_key", "company_id", "company_key"),
        Index("ix_crm_leads_form", "company_id", "form_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    phone_key: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    email_key: Mapped[str | None] = mapped_column(String(254))
    company_name: Mapped[str | None] = mapped_column(String(200))
    company_key: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(100))
    comment: Mapped[str | None] = mapped_column(Text)
    # The budget written in the lead ("budget 12 000 PLN"): its deal's amount on conversion.
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    form_id: Mapped[int | None] = mapped_column(ForeignKey("crm_forms.id"))
    duplicate_of: Mapped[str | None] = mapped_column(String(32))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("crm_contacts.id"))
    client_company_id: Mapped[int | None] = mapped_column(ForeignKey("crm_companies.id"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("crm_deals.id"))
    merged_into: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    last_activity_at: Mapped[datetime | None]


class CrmContactRow(Base):
    __tablename__ = "crm_contacts"
    __table_args__ = (
        Index("ix_crm_contacts_owner", "company_id", "owner_id"),
        Index("ix_crm_contacts_phone", "company_id", "phone_key"),
        Index("ix_crm_contacts_email", "company_id", "email_key"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    phone_key: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    email_key: Mapped[str | None] = mapped_column(String(254))
    client_company_id: Mapped[int | None] = mapped_column(
        ForeignKey("crm_companies.id"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    source_lead_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime]


class CrmCompanyRow(Base):
    __tablename__ = "crm_companies"
    __table_args__ = (
        Index("ix_crm_companies_owner", "company_id", "owner_id"),
        Index("ix_crm_companies_name_key", "company_id", "name_key"),
        Index("ix_crm_companies_phone", "company_id", "phone_key"),
        Index("ix_crm_companies_email", "company_id", "email_key"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    phone_key: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    email_key: Mapped[str | None] = mapped_column(String(254))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    source_lead_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime]


class CrmPipelineRow(Base):
    __tablename__ = "crm_pipelines"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(100))
    code: Mapped[str | None] = mapped_column(String(32))


class CrmStageRow(Base):
    __tablename__ = "crm_stages"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("crm_pipelines.id"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str | None] = mapped_column(String(100))
    code: Mapped[str | None] = mapped_column(String(32))


class CrmDealRow(Base):
    __tablename__ = "crm_deals"
    __table_args__ = (
        # The funnel: one pipeline, a period, grouped by stage / reached position.
        # Covers the query, so the funnel never touches the table rows.
        Index(
            "ix_crm_deals_funnel",
            "pipeline_id",
            "created_at",
            "stage_id",
            "reached_position",
            "currency",
            "owner_id",
            "amount",
        ),
        Index("ix_crm_deals_owner", "company_id", "owner_id", "stage_kind"),
        Index("ix_crm_deals_stale", "stage_kind", "last_activity_at"),
        Index("ix_crm_deals_contact", "contact_id"),
        Index("ix_crm_deals_client_company", "client_company_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    title: Mapped[str] = mapped_column(String(250))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("crm_pipelines.id"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("crm_stages.id"))
    stage_kind: Mapped[str] = mapped_column(String(8))
    reached_position: Mapped[int]
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("crm_contacts.id"))
    client_company_id: Mapped[int | None] = mapped_column(ForeignKey("crm_companies.id"))
    expected_close: Mapped[date | None] = mapped_column(Date)
    lost_reason: Mapped[str | None] = mapped_column(Text)
    source_lead_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime | None]


class CrmActivityRow(Base):
    __tablename__ = "crm_activities"
    __table_args__ = (Index("ix_crm_activities_entity", "entity", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    entity: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    at: Mapped[datetime]
    text: Mapped[str | None] = mapped_column(Text)


class CrmFormRow(Base):
    """A website form; its token is the last segment of the intake URL."""

    __tablename__ = "crm_forms"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    name: Mapped[str] = mapped_column(String(100))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    active: Mapped[bool] = mapped_column(default=True)
