"""The SQLAlchemy unit of work: one AsyncSession per inbound update or job run."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.ports import Clock
from storage.repositories.members import (
    SqlCompanyRepository,
    SqlDepartmentRepository,
    SqlInviteRepository,
    SqlMemberRepository,
    SqlProjectRepository,
)
from storage.repositories.outbox import SqlInboundLog, SqlOutbox
from storage.repositories.prompts import SqlPromptStore
from storage.repositories.tasks import SqlTaskRepository


class SqlUnitOfWork:
    """``async with uow:`` opens a session; leaving without ``commit()`` rolls back."""

    session: AsyncSession

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        s = self.session
        self.companies = SqlCompanyRepository(s)
        self.members = SqlMemberRepository(s)
        self.departments = SqlDepartmentRepository(s)
        self.projects = SqlProjectRepository(s)
        self.invites = SqlInviteRepository(s)
        self.tasks = SqlTaskRepository(s)
        self.outbox = SqlOutbox(s, self._clock)
        self.inbound = SqlInboundLog(s, self._clock)
        self.prompts = SqlPromptStore(s, self._clock)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self.session.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


class UnitOfWorkFactory:
    """Makes a fresh unit of work per use; what the composition root hands around."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions, self.clock)
