"""The Slack inbox (see ``domain.ports.RequestInbox``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ports import Clock, InboxEntry
from storage.models.inbox import SlackInboxRow

R = SlackInboxRow


class SqlRequestInbox:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._s = session
        self._clock = clock

    async def add(self, kind: str, team: str, body: Mapping[str, Any], not_before: datetime) -> int:
        row = SlackInboxRow(
            kind=kind,
            team=team[:64],
            body=dict(body),
            received_at=self._clock.now(),
            not_before=not_before,
            attempts=0,
        )
        self._s.add(row)
        await self._s.flush()
        return row.id

    async def handled(self, entry_id: int, now: datetime, error: str | None = None) -> None:
        await self._s.execute(
            update(R)
            .where(R.id == entry_id)
            .values(handled_at=now, last_error=error[:2000] if error else None)
        )

    async def claim_due(self, now: datetime, limit: int, lease: timedelta) -> Sequence[InboxEntry]:
        stmt = (
            select(R).where(R.handled_at.is_(None), R.not_before <= now).order_by(R.id).limit(limit)
        )
        if self._s.bind is not None and self._s.bind.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = list(await self._s.scalars(stmt))
        for row in rows:
            row.not_before = now + lease
            row.attempts += 1
        await self._s.flush()
        return [InboxEntry(r.id, r.kind, r.team, dict(r.body), r.attempts) for r in rows]

    async def prune(self, handled_before: datetime) -> int:
        result = await self._s.execute(
            delete(R).where(R.handled_at.is_not(None), R.handled_at < handled_before)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
