"""Named instance leases (``domain.ports.InstanceLeases``) in ``instance_leases``.

Taking a lease is one guarded statement, so two processes racing for it cannot both
win: an ``INSERT ... ON CONFLICT DO NOTHING`` for a free lease, else an ``UPDATE`` that
matches only when the lease is ours or its heartbeat is stale. The caller commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ports import LeaseHolder
from storage.models.lease import InstanceLeaseRow

_T = InstanceLeaseRow


class SqlInstanceLeases:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def acquire(self, name: str, me: LeaseHolder, stale_before: datetime) -> LeaseHolder:
        values = {
            "name": name,
            "token": me.token,
            "host": me.host,
            "pid": me.pid,
            "started_at": me.started_at,
            "heartbeat_at": me.heartbeat_at,
        }
        dialect = self._s.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        inserted = await self._s.execute(insert(_T).values(values).on_conflict_do_nothing())
        if _rowcount(inserted) == 1:
            return me
        taken = await self._s.execute(
            update(_T)
            .where(_T.name == name, or_(_T.token == me.token, _T.heartbeat_at < stale_before))
            .values(values)
        )
        if _rowcount(taken) == 1:
            return me
        row = (await self._s.execute(select(_T).where(_T.name == name))).scalar_one()
        return LeaseHolder(row.token, row.host, row.pid, row.started_at, row.heartbeat_at)

    async def renew(self, name: str, token: str, now: datetime) -> bool:
        result = await self._s.execute(
            update(_T).where(_T.name == name, _T.token == token).values(heartbeat_at=now)
        )
        return _rowcount(result) == 1

    async def release(self, name: str, token: str) -> None:
        await self._s.execute(delete(_T).where(_T.name == name, _T.token == token))


def _rowcount(result: object) -> int:
    return result.rowcount if isinstance(result, CursorResult) else 0
