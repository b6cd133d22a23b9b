"""The ports the domain needs; `storage` implements them, tests may fake them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import TracebackType
from typing import Generic, Protocol, Self, TypeVar

from domain.company import ChatIdentity, Company, Department, Invite, Member, Project
from domain.notifications import Notification
from domain.tasks import Comment, Task, TaskEvent


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        ...


class ListView(StrEnum):
    TODAY = "today"
    OVERDUE = "overdue"
    NEW = "new"
    MINE = "mine"  # everything open where I am responsible or co-executor
    CREATED = "created"
    OBSERVING = "observing"
    AWAITING = "awaiting"  # awaiting my acceptance
    PROJECT = "project"
    TAG = "tag"
    BACKLOG = "backlog"


@dataclass(frozen=True)
class TaskQuery:
    company_id: int
    member_id: int
    view: ListView
    now: datetime
    day_end: datetime  # end of the member's local today, UTC
    project_id: int | None = None
    tag: str | None = None
    limit: int = 10
    offset: int = 0


@dataclass(frozen=True)
class SearchQuery:
    company_id: int
    member_id: int
    stem_groups: Sequence[frozenset[str]]
    project_id: int | None = None
    # None: everything in the company (admins); else tasks the member takes part in
    # or that belong to these projects.
    visible_projects: frozenset[int] | None = frozenset()
    limit: int = 10
    offset: int = 0


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    offset: int
    limit: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total

    @property
    def has_prev(self) -> bool:
        return self.offset > 0


class CompanyRepository(Protocol):
    async def add(self, company: Company) -> Company: ...
    async def get(self, company_id: int) -> Company | None: ...
    async def first(self) -> Company | None: ...
    async def save(self, company: Company) -> None: ...


class MemberRepository(Protocol):
    async def add(self, member: Member) -> Member: ...
    async def get(self, member_id: int) -> Member | None: ...
    async def save(self, member: Member) -> None: ...
    async def by_handle(self, company_id: int, handle: str) -> Member | None: ...
    async def list(self, company_id: int) -> Sequence[Member]: ...
    async def count(self, company_id: int) -> int: ...
    async def supervisors_of(self, member_id: int) -> frozenset[int]: ...
    async def by_identity(
        self, platform: str, workspace: str, user_id: str
    ) -> tuple[Member, ChatIdentity] | None: ...
    async def add_identity(self, identity: ChatIdentity) -> None: ...
    async def identities_of(self, member_id: int) -> Sequence[ChatIdentity]: ...
    async def mark_unreachable(self, platform: str, workspace: str, user_id: str) -> None: ...


class DepartmentRepository(Protocol):
    async def add(self, department: Department) -> Department: ...
    async def get(self, department_id: int) -> Department | None: ...
    async def list(self, company_id: int) -> Sequence[Department]: ...


class ProjectRepository(Protocol):
    async def add(self, project: Project) -> Project: ...
    async def get(self, project_id: int) -> Project | None: ...
    async def by_name(self, company_id: int, name: str) -> Project | None: ...
    async def list(self, company_id: int) -> Sequence[Project]: ...
    async def ids_for_member(self, member_id: int) -> frozenset[int]: ...
    async def add_member(self, project_id: int, member_id: int) -> None: ...


class InviteRepository(Protocol):
    async def add(self, invite: Invite) -> None: ...
    async def get(self, code: str) -> Invite | None: ...
    async def save(self, invite: Invite) -> None: ...


class TaskRepository(Protocol):
    async def add(self, task: Task) -> Task:
        """Insert, assign ``task.id``, write pending events and search terms."""
        ...

    async def get(self, task_id: int) -> Task | None: ...

    async def save(self, task: Task) -> None:
        """Write changed fields and pending events (optimistic version check)."""
        ...

    async def delete(self, task_id: int) -> None:
        """Remove a task and everything hanging off it (undo of a fresh task only)."""
        ...

    async def history(self, task_id: int) -> Sequence[TaskEvent]: ...
    async def add_comment(self, comment: Comment) -> Comment: ...
    async def comments(self, task_id: int, limit: int = 5) -> Sequence[Comment]: ...
    async def subtask_progress(self, task_id: int) -> tuple[int, int]: ...
    async def children(self, task_id: int) -> Sequence[Task]: ...
    async def list(self, query: TaskQuery) -> Page[Task]: ...
    async def search(self, query: SearchQuery) -> Page[Task]: ...


class Outbox(Protocol):
    async def add(self, notification: Notification) -> bool:
        """Enqueue unless a row with the same dedup key exists; True if added."""
        ...


class InboundLog(Protocol):
    async def seen(self, platform: str, key: str) -> bool:
        """Record an inbound update key; True when it was recorded before."""
        ...


class UnitOfWork(Protocol):
    # Read-only members so that implementations may narrow the repository types.
    @property
    def companies(self) -> CompanyRepository: ...
    @property
    def members(self) -> MemberRepository: ...
    @property
    def departments(self) -> DepartmentRepository: ...
    @property
    def projects(self) -> ProjectRepository: ...
    @property
    def invites(self) -> InviteRepository: ...
    @property
    def tasks(self) -> TaskRepository: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def inbound(self) -> InboundLog: ...
    @property
    def prompts(self) -> PromptStore: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


class PromptStore(Protocol):
    """What a member was just asked (e.g. "the result for task 12"): their next text answers it."""

    async def get(self, member_id: int) -> tuple[str, dict[str, object]] | None: ...
    async def set(self, member_id: int, kind: str, data: dict[str, object]) -> None: ...
    async def clear(self, member_id: int) -> None: ...
