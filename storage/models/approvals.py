"""Tables of the approval engine: requests, their approvers per step, history, deputies,
and the absences approved leave creates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId


class ApprovalRequestRow(Base):
    __tablename__ = "approval_requests"
    __table_args__ = (
        Index("ix_approval_requests_subject", "subject_kind", "subject_id", "status"),
        Index("ix_approval_requests_status", "status", "company_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    type_key: Mapped[str] = mapped_column(String(32))
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int | None] = mapped_column(BigId)
    requester_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    mode: Mapped[str] = mapped_column(String(8))
    steps: Mapped[list[Any]]
    current_step: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime]
    step_started_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    escalated_step: Mapped[int | None]
    answers: Mapped[dict[str, Any]]
    spec: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(default=0)


class ApprovalApproverRow(Base):
    """Who approves at which step: lets "awaiting my decision" be one indexed query."""

    __tablename__ = "approval_approvers"
    __table_args__ = (Index("ix_approval_approvers_member", "member_id", "step"),)
    request_id: Mapped[int] = mapped_column(ForeignKey("approval_requests.id"), primary_key=True)
    step: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)


class ApprovalEventRow(Base):
    __tablename__ = "approval_events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("approval_requests.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    on_behalf_of: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(16))
    step: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)


class ApprovalDeputyRow(Base):
    __tablename__ = "approval_deputies"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), unique=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)


class AbsenceRow(Base):
    """An approved leave; the scheduler mutes the member's prompts on these days."""

    __tablename__ = "absences"
    __table_args__ = (Index("ix_absences_member_dates", "member_id", "start_date", "end_date"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("approval_requests.id"))
