"""Tables of time tracking: timers, time entries and their history, the working day,
daily plans and daily reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId


class TimerRow(Base):
    """One timer per member (the primary key says so); running while ``started_at`` is set."""

    __tablename__ = "timers"
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    started_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=0)


class TimeEntryRow(Base):
    __tablename__ = "time_entries"
    __table_args__ = (
        # Timesheets: one member's days in a period, covering what the GROUP BY reads.
        Index("ix_time_entries_member_day", "member_id", "day", "deleted", "task_id", "seconds"),
        Index("ix_time_entries_task", "task_id", "deleted", "seconds"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime]
    seconds: Mapped[int]
    day: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str | None] = mapped_column(Text)
    deleted: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=0)


class TimeEntryChangeRow(Base):
    __tablename__ = "time_entry_changes"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("time_entries.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(16))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)


class WorkDayEventRow(Base):
    __tablename__ = "work_day_events"
    __table_args__ = (Index("ix_work_day_events_member_day", "member_id", "day"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    day: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(8))


class DailyPlanRow(Base):
    __tablename__ = "daily_plans"
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    items: Mapped[list[Any]]
    fixed_at: Mapped[datetime]


class DailyReportRow(Base):
    __tablename__ = "daily_reports"
    __table_args__ = (UniqueConstraint("member_id", "day"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    day: Mapped[date] = mapped_column(Date)
    comment: Mapped[str] = mapped_column(Text)
    summary: Mapped[dict[str, Any]]
    submitted_at: Mapped[datetime]
    request_id: Mapped[int | None] = mapped_column(BigId)
