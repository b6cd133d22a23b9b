"""Tables of the company's structure: the company, departments, members and their chat
identities, invites, projects, and the structure's history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId


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
