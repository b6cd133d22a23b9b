"""Tables, as typed SQLAlchemy 2 declarative models. Repositories map them to domain objects."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import UTCDateTime

# BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class CompanyRow(Base):
    __tablename__ = "companies"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    working_days: Mapped[str] = mapped_column(String(20), default="0,1,2,3,4")
    day_start: Mapped[str] = mapped_column(String(5), default="09:00")
    day_end: Mapped[str] = mapped_column(String(5), default="18:00")
    holidays: Mapped[list[Any]] = mapped_column(default=list)
    # ISO code whose public holidays are days off; "" none; NULL: the timezone's country.
    country: Mapped[str | None] = mapped_column(String(8))


class DepartmentRow(Base):
    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # No foreign key: departments and members refer to each other; kept consistent by code.
    head_id: Mapped[int | None] = mapped_column(BigId)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))


class MemberRow(Base):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("company_id", "handle"),
        # Stored case-folded; one member per address in a company (NULLs never collide).
        Index("ix_members_company_email", "company_id", "email", unique=True),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    name: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    position: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)
    joined_at: Mapped[datetime | None]


class ChatIdentityRow(Base):
    __tablename__ = "chat_identities"
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    chat_id: Mapped[str | None] = mapped_column(String(64))
    unreachable: Mapped[bool] = mapped_column(default=False)


class InviteRow(Base):
    __tablename__ = "invites"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    role: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    used_at: Mapped[datetime | None]
    # For a member set up before joining (brygada import members): joining links to them.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)


class ProjectRow(Base):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("company_id", "name_key"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100))  # case-folded, for lookups
    archived: Mapped[bool] = mapped_column(default=False, server_default=false())


class ProjectMemberRow(Base):
    __tablename__ = "project_members"
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True, index=True)


class StructureChangeRow(Base):
    """The history of the company's structure: projects, departments, members."""

    __tablename__ = "structure_changes"
    __table_args__ = (Index("ix_structure_changes_company_at", "company_id", "at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    # No foreign key: the command line acts as nobody (NULL).
    actor_id: Mapped[int | None] = mapped_column(BigId)
    at: Mapped[datetime]
    subject: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(BigId)
    name: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(32))
    old: Mapped[str | None] = mapped_column(String(250))
    new: Mapped[str | None] = mapped_column(String(250))


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


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "not_before"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]]
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime]
    not_before: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]


class InboundUpdateRow(Base):
    """Keys of processed inbound updates, so a redelivery does nothing twice."""

    __tablename__ = "inbound_updates"
    __table_args__ = (Index("ix_inbound_updates_at", "at"),)
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    at: Mapped[datetime]


class PromptRow(Base):
    """The question a member was last asked; their next message answers it."""

    __tablename__ = "prompts"
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]]
    at: Mapped[datetime]


class HeldTextRow(Base):
    """A message that was not a clean answer to an open question, kept until the member
    says what it was (the answer after all, a new task, or nothing). ``kind`` and ``data``
    are the question it was held against, so the choice works after the question closed."""

    __tablename__ = "held_texts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]]
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


class SettingRow(Base):
    """Install-wide key/value settings (the generated secret, for one)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


import storage.models_approvals  # noqa: E402
import storage.models_board  # noqa: E402
import storage.models_crm  # noqa: E402
import storage.models_inbox  # noqa: E402
import storage.models_lease  # noqa: E402
import storage.models_replies  # noqa: E402
import storage.models_scheduler  # noqa: E402
import storage.models_time  # noqa: E402,F401
