"""The reply outbox (see ``domain.ports.ReplyOutbox``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ports import ChatRef, Clock, StoredReplies
from storage.models.replies import ReplyOutboxRow
from storage.repositories._sql import delete_some

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
_UNSENT = (PENDING, SENDING)
R = ReplyOutboxRow


def _of_chat(chat: ChatRef) -> Any:
    return and_(
        R.platform == chat.platform, R.workspace == chat.workspace, R.chat_id == chat.chat_id
    )


def _stored(row: ReplyOutboxRow) -> StoredReplies:
    return StoredReplies(
        row.id,
        ChatRef(row.platform, row.workspace, row.chat_id),
        list(row.payload),
        row.done,
        row.attempts,
    )


class SqlReplyOutbox:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._s = session
        self._clock = clock

    async def add(
        self,
        chat: ChatRef,
        update_key: str | None,
        payload: Sequence[Mapping[str, Any]],
        not_before: datetime,
    ) -> StoredReplies:
        row = ReplyOutboxRow(
            platform=chat.platform,
            workspace=chat.workspace,
            chat_id=chat.chat_id,
            update_key=update_key[:160] if update_key else None,
            payload=[dict(op) for op in payload],
            done=0,
            status=PENDING,
            attempts=0,
            created_at=self._clock.now(),
            not_before=not_before,
        )
        self._s.add(row)
        await self._s.flush()
        return _stored(row)

    async def backlog(self, chat: ChatRef, before: int | None = None) -> bool:
        condition = and_(_of_chat(chat), R.status.in_(_UNSENT))
        if before is not None:
            condition = and_(condition, R.id < before)
        return bool(await self._s.scalar(select(exists().where(condition))))

    async def unsent_of(self, platform: str, update_key: str) -> StoredReplies | None:
        row = await self._s.scalar(
            select(R).where(
                R.platform == platform, R.update_key == update_key[:160], R.status == PENDING
            )
        )
        return _stored(row) if row is not None else None

    async def take(self, reply_id: int, until: datetime) -> bool:
        result = await self._s.execute(
            update(R).where(R.id == reply_id, R.status == PENDING).values(not_before=until)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def sent(self, reply_id: int, now: datetime) -> None:
        await self._s.execute(
            update(R).where(R.id == reply_id).values(status=SENT, sent_at=now, last_error=None)
        )

    async def retry_later(self, reply_id: int, at: datetime, done: int, error: str) -> None:
        await self._s.execute(
            update(R)
            .where(R.id == reply_id)
            .values(
                status=PENDING,
                not_before=at,
                done=done,
                attempts=R.attempts + 1,
                last_error=error[:2000],
            )
        )

    async def failed(self, reply_id: int, done: int, error: str) -> None:
        await self._s.execute(
            update(R)
            .where(R.id == reply_id)
            .values(status=FAILED, done=done, attempts=R.attempts + 1, last_error=error[:2000])
        )

    async def claim_due(
        self, now: datetime, chats: int, lease: timedelta
    ) -> Sequence[StoredReplies]:
        heads = (
            select(func.min(R.id).label("id"))
            .where(R.status.in_(_UNSENT))
            .group_by(R.platform, R.workspace, R.chat_id)
            .subquery()
        )
        due = await self._s.execute(
            select(R.platform, R.workspace, R.chat_id)
            .join(heads, heads.c.id == R.id)
            .where(R.not_before <= now)
            .order_by(R.id)
            .limit(chats)
        )
        claimed: list[StoredReplies] = []
        postgres = self._s.bind is not None and self._s.bind.dialect.name == "postgresql"
        for platform, workspace, chat_id in due.all():
            chat = ChatRef(platform, workspace, chat_id)
            stmt = select(R).where(_of_chat(chat), R.status.in_(_UNSENT)).order_by(R.id)
            if postgres:
                # Another dispatcher may hold this chat: skip it rather than wait, and
                # look at the head again as it is now (it may have been claimed since).
                stmt = stmt.with_for_update(skip_locked=True)
            rows = list(await self._s.scalars(stmt))
            if not rows or rows[0].not_before > now:
                continue
            if postgres and await self.backlog(chat, before=rows[0].id):
                continue  # an older row is locked by someone else: order first
            for row in rows:
                row.status = SENDING
                row.not_before = now + lease
            claimed.extend(_stored(row) for row in rows)
        await self._s.flush()
        return claimed

    async def release(self, reply_id: int, due: datetime | None = None) -> None:
        values: dict[str, object] = {"status": PENDING}
        if due is not None:
            values["not_before"] = due
        await self._s.execute(update(R).where(R.id == reply_id, R.status == SENDING).values(values))

    async def prune(self, sent_before: datetime, failed_before: datetime, limit: int) -> int:
        """Delete up to ``limit`` rows that are done with: sent before ``sent_before``,
        or given up on and created before ``failed_before``. Pending rows stay, whatever
        their age. Returns how many went (the caller repeats while it is ``limit``)."""
        old = or_(
            and_(R.status == SENT, R.sent_at < sent_before),
            and_(R.status == FAILED, R.created_at < failed_before),
        )
        return await delete_some(self._s, R.__table__, old, limit)  # type: ignore[arg-type]
