"""The transactional outbox and the inbound-update log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.notifications import Notification, OutboxMessage
from domain.ports import Clock
from storage.models import InboundUpdateRow, OutboxRow
from storage.repositories._sql import delete_some, insert_ignore, table_of

PENDING, SENDING, SENT, FAILED, SKIPPED = "pending", "sending", "sent", "failed", "skipped"


class SqlOutbox:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._s = session
        self._clock = clock

    async def add(self, notification: Notification) -> bool:
        return await self.add_many([notification]) == 1

    async def prune(self, before: datetime, limit: int) -> int:
        # ``not_before`` (on ix_outbox_due with the status) is never before the row's
        # creation: what was due before ``before`` was created before it too.
        done = OutboxRow.status.in_((SENT, FAILED, SKIPPED)) & (OutboxRow.not_before < before)
        return await delete_some(self._s, table_of(OutboxRow), done, limit)

    async def add_many(self, notifications: Sequence[Notification]) -> int:
        now = self._clock.now()
        return await insert_ignore(
            self._s,
            OutboxRow.__table__,  # type: ignore[arg-type]
            [
                {
                    "member_id": n.member_id,
                    "kind": n.kind,
                    "data": n.data,
                    "dedup_key": n.dedup_key,
                    "created_at": now,
                    "not_before": n.not_before or now,
                    "status": PENDING,
                    "attempts": 0,
                }
                for n in notifications
            ],
        )

    async def claim_due(
        self, now: datetime, limit: int, lease: timedelta
    ) -> Sequence[OutboxMessage]:
        """Claim due rows for sending. A crashed sender's claim expires after ``lease``.

        On PostgreSQL concurrent dispatchers skip each other's rows (SKIP LOCKED);
        SQLite serialises writers, so the status flip is enough there.
        """
        stmt = (
            select(OutboxRow)
            .where(OutboxRow.status.in_((PENDING, SENDING)), OutboxRow.not_before <= now)
            .order_by(OutboxRow.not_before, OutboxRow.id)
            .limit(limit)
        )
        bind = self._s.bind
        if bind is not None and bind.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = list(await self._s.scalars(stmt))
        for row in rows:
            row.status = SENDING
            row.attempts += 1
            row.not_before = now + lease
        await self._s.flush()
        return [OutboxMessage(r.id, r.member_id, r.kind, dict(r.data), r.attempts) for r in rows]

    async def mark_sent(self, message_id: int, now: datetime) -> None:
        await self._s.execute(
            update(OutboxRow)
            .where(OutboxRow.id == message_id)
            .values(status=SENT, sent_at=now, last_error=None)
        )

    async def mark_failed(self, message_id: int, error: str) -> None:
        await self._s.execute(
            update(OutboxRow)
            .where(OutboxRow.id == message_id)
            .values(status=FAILED, last_error=error[:2000])
        )

    async def mark_skipped(self, message_id: int, reason: str) -> None:
        await self._s.execute(
            update(OutboxRow)
            .where(OutboxRow.id == message_id)
            .values(status=SKIPPED, last_error=reason[:2000])
        )

    async def postpone(self, message_id: int, at: datetime, reason: str) -> None:
        """Hold a row back (quiet hours, digest) without counting it as a failed attempt."""
        await self._s.execute(
            update(OutboxRow)
            .where(OutboxRow.id == message_id)
            .values(
                status=PENDING, not_before=at, attempts=OutboxRow.attempts - 1, last_error=reason
            )
        )

    async def retry_later(self, message_id: int, at: datetime, error: str) -> None:
        await self._s.execute(
            update(OutboxRow)
            .where(OutboxRow.id == message_id)
            .values(status=PENDING, not_before=at, last_error=error[:2000])
        )


class SqlInboundLog:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._s = session
        self._clock = clock

    async def seen(self, platform: str, key: str) -> bool:
        inserted = await insert_ignore(
            self._s,
            InboundUpdateRow.__table__,  # type: ignore[arg-type]
            [{"platform": platform, "key": key[:128], "at": self._clock.now()}],
        )
        return inserted == 0

    async def prune(self, before: datetime, limit: int) -> int:
        return await delete_some(
            self._s, table_of(InboundUpdateRow), InboundUpdateRow.at < before, limit
        )
