"""Tables of tasks: the task, its participants, tags, search terms, history and comments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId


class TaskRow(Base):
    """A task; its id is the "#12" people quote in chats, so it is never reused: SQLite
    AUTOINCREMENT (a deleted, undone task's number stays taken), on PostgreSQL a sequence
    (which never goes back)."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_responsible_open", "responsible_id", "is_open", "deadline"),
        Index("ix_tasks_creator_status", "creator_id", "status"),
        Index("ix_tasks_project_open", "project_id", "is_open"),
        Index("ix_tasks_open_deadline", "is_open", "deadline"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    title: Mapped[str] = mapped_column(String(250))
    description: Mapped[str | None] = mapped_column(Text)
    creator_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    responsible_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    priority: Mapped[str] = mapped_column(String(8))
    deadline: Mapped[datetime | None]
    deadline_hard: Mapped[bool] = mapped_column(default=False)
    planned_minutes: Mapped[int | None]
    time_tracking: Mapped[bool] = mapped_column(default=True)
    accept_after_completion: Mapped[bool] = mapped_column(default=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    crm_links: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(24))
    is_open: Mapped[bool] = mapped_column(default=True)
    result: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[str | None] = mapped_column(String(8))
    rating_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    previous_part_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))
    part_number: Mapped[int] = mapped_column(default=1)
    source_ref: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    version: Mapped[int] = mapped_column(default=0)


class TaskParticipantRow(Base):
    """Co-executors and observers (creator and responsible live on the task row)."""

    __tablename__ = "task_participants"
    __table_args__ = (Index("ix_task_participants_member", "member_id", "role"),)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


class TaskTagRow(Base):
    __tablename__ = "task_tags"
    __table_args__ = (Index("ix_task_tags_tag", "tag", "task_id"),)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(64), primary_key=True)


class TaskTermRow(Base):
    """Search stems of a task's title/description ("t") and comments ("c")."""

    __tablename__ = "task_terms"
    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), primary_key=True, index=True)
    source: Mapped[str] = mapped_column(String(1), primary_key=True)


class TaskEventRow(Base):
    __tablename__ = "task_events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    at: Mapped[datetime]
    field: Mapped[str] = mapped_column(String(32))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)


class TaskCommentRow(Base):
    __tablename__ = "task_comments"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)
