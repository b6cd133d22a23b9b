"""The SQLAlchemy unit of work: one AsyncSession per inbound update or job run."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.ports import Clock
from storage.repositories.approvals import SqlApprovalRepository
from storage.repositories.crm import SqlCrmRepository
from storage.repositories.members import (
    SqlCompanyRepository,
    SqlDepartmentRepository,
    SqlInviteRepository,
    SqlMemberRepository,
    SqlProjectRepository,
)
from storage.repositories.outbox import SqlInboundLog, SqlOutbox
from storage.repositories.prompts import SqlPromptStore
from storage.repositories.scheduler import SqlSchedulerRepository
from storage.repositories.tasks import SqlTaskRepository
from storage.repositories.time import SqlTimeRepository


class SqlUnitOfWork:
    """``async with uow:`` opens a session; leaving without ``commit()`` rolls back."""

    session: AsyncSession

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        lock: asyncio.Lock | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._lock = lock

    async def __aenter__(self) -> Self:
        if self._lock is not None:
            await self._lock.acquire()
        self.session = self._sessions()
        s = self.session
        self.companies = SqlCompanyRepository(s)
        self.members = SqlMemberRepository(s)
        self.departments = SqlDepartmentRepository(s)
        self.projects = SqlProjectRepository(s)
        self.invites = SqlInviteRepository(s)
        self.tasks = SqlTaskRepository(s)
        self.approvals = SqlApprovalRepository(s)
        self.crm = SqlCrmRepository(s)
        self.outbox = SqlOutbox(s, self._clock)
        self.inbound = SqlInboundLog(s, self._clock)
        self.prompts = SqlPromptStore(s, self._clock)
        self.scheduler = SqlSchedulerRepository(s)
        self.time = SqlTimeRepository(s)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self.session.close()  # rolls back whatever was not committed
        finally:
            if self._lock is not None:
                self._lock.release()

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


class UnitOfWorkFactory:
    """Makes a fresh unit of work per use; what the composition root hands around.

    On SQLite, units of work of one process take turns (``serialize``): SQLite has one
    writer at a time anyway, and the in-loop driver must never wait inside SQLite for
    a lock that another coroutine of the same loop holds.
    """

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], clock: Clock, *, serialize: bool = False
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self._lock = asyncio.Lock() if serialize else None

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions, self.clock, self._lock)
