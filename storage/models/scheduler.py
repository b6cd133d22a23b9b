"""Tables of the scheduler: sweep watermarks, notification preferences, recurring templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId


class SchedulerStateRow(Base):
    """How far each sweep has looked: the next sweep covers (watermark, now]."""

    __tablename__ = "scheduler_state"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime]


class PreferencesRow(Base):
    __tablename__ = "member_preferences"
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    muted: Mapped[list[Any]] = mapped_column(default=list)
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    digest: Mapped[bool] = mapped_column(default=False)
    # Kinds that are off unless the member switched them on (the team digest).
    enabled: Mapped[list[Any] | None] = mapped_column(default=list)


class TaskTemplateRow(Base):
    __tablename__ = "task_templates"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    text: Mapped[str] = mapped_column(Text)
    cron: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class TemplateRunRow(Base):
    """One row per occurrence that produced a task: the guard against doubles."""

    __tablename__ = "template_runs"
    template_id: Mapped[int] = mapped_column(ForeignKey("task_templates.id"), primary_key=True)
    occurrence: Mapped[datetime] = mapped_column(primary_key=True)
