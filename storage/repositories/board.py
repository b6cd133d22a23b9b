"""The board's reads and its used one-time links (``domain.ports.BoardRepository``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import ColumnElement, CursorResult, and_, case, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ports import BoardQuery, TaskCounts
from domain.tasks import TaskStatus
from storage.models import TaskRow, TaskTagRow
from storage.models.board import BoardLinkRow
from storage.repositories._sql import delete_some, table_of


class SqlBoardRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def use_link(self, nonce: str, member_id: int, now: datetime, expires: datetime) -> bool:
        # One guarded INSERT: two tabs opening the same link at once cannot both win.
        dialect = self._s.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(BoardLinkRow).values(
            nonce=nonce, member_id=member_id, used_at=now, expires_at=expires
        )
        result = await self._s.execute(stmt.on_conflict_do_nothing())
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    async def prune_links(self, expired_before: datetime, limit: int) -> int:
        # On ix_board_links_used_expires.
        expired = BoardLinkRow.expires_at < expired_before
        return await delete_some(self._s, table_of(BoardLinkRow), expired, limit)

    async def task_counts(self, query: BoardQuery) -> Mapping[int, TaskCounts]:
        if not query.member_ids:
            return {}
        t = TaskRow
        awaiting = t.status == TaskStatus.AWAITING_ACCEPTANCE.value
        is_open = t.is_open.is_(True)

        def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
            return func.sum(case((condition, 1), else_=0))

        where = [
            t.company_id == query.company_id,
            t.responsible_id.in_(query.member_ids),
            or_(is_open, awaiting),
        ]
        if query.project_id is not None:
            where.append(t.project_id == query.project_id)
        if query.tag:
            where.append(t.id.in_(select(TaskTagRow.task_id).where(TaskTagRow.tag == query.tag)))
        stmt = (
            select(
                t.responsible_id,
                count(and_(is_open, t.status == TaskStatus.IN_PROGRESS.value)),
                count(and_(is_open, t.deadline >= query.now, t.deadline < query.day_end)),
                count(and_(is_open, t.deadline < query.now)),
                count(awaiting),
            )
            .where(*where)
            .group_by(t.responsible_id)
        )
        rows = await self._s.execute(stmt)
        return {
            int(member_id): TaskCounts(int(a or 0), int(b or 0), int(c or 0), int(d or 0))
            for member_id, a, b, c, d in rows
        }
