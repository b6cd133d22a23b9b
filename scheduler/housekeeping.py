"""Housekeeping: tables that only grow are kept to what is still of use.

- The reply outbox (``storage.repositories.replies``) keeps every update's replies;
  once sent they are only history. Sent rows go after ``sent_days``; rows given up on
  (the chat is gone) after ``failed_days``, long enough to look into why.
- The notification outbox keeps every notification; those sent, given up on or
  skipped go after ``notifications_days``. Their dedup keys name a version, a day or a
  decision, none of which comes back months later.
- The processed-updates log remembers update keys so a redelivery does nothing twice;
  Telegram keeps an update for 24 hours and Slack retries within minutes, so keys go
  after ``processed_updates_days``.
- The board's used one-time links (``board_links_used``) only stop a second use while
  the link is valid; past its expiry its signature refuses it anyway, so a row goes
  ``board_link_grace`` after its link expired (the grace covers clocks of replicas a
  little apart).

Rows still owed to someone (pending, being sent) are never deleted, however old.
Deleting happens in batches, one short unit of work each, so the sweep, the outbox and
the conversation (SQLite has one writer) wait for at most one batch.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.ports import Clock, UnitOfWork

log = logging.getLogger(__name__)

BATCH = 1000


@dataclass(frozen=True)
class Retention:
    sent_days: float = 7.0
    failed_days: float = 30.0
    notifications_days: float = 90.0
    processed_updates_days: float = 30.0
    board_link_grace: timedelta = timedelta(hours=1)


class Housekeeping:
    def __init__(
        self,
        units_of_work: Callable[[], UnitOfWork],
        clock: Clock,
        retention: Retention,
        *,
        batch: int = BATCH,
    ) -> None:
        self._uow = units_of_work
        self._clock = clock
        self._retention = retention
        self._batch = batch

    async def run_once(self) -> int:
        """Prune every table above; returns how many rows were deleted in all."""
        now = self._clock.now()
        r = self._retention

        def ago(days: float) -> datetime:
            return now - timedelta(days=days)

        pruned = {
            "reply-outbox": await self._in_batches(
                lambda uow: uow.replies.prune(ago(r.sent_days), ago(r.failed_days), self._batch)
            ),
            "notification": await self._in_batches(
                lambda uow: uow.outbox.prune(ago(r.notifications_days), self._batch)
            ),
            "processed-update": await self._in_batches(
                lambda uow: uow.inbound.prune(ago(r.processed_updates_days), self._batch)
            ),
            "board-link": await self._in_batches(
                lambda uow: uow.board.prune_links(now - r.board_link_grace, self._batch)
            ),
        }
        for what, count in pruned.items():
            if count:
                log.info("housekeeping: %d old %s rows deleted", count, what)
        return sum(pruned.values())

    async def _in_batches(self, prune: Callable[[UnitOfWork], Awaitable[int]]) -> int:
        total = 0
        while True:
            async with self._uow() as uow:
                deleted = await prune(uow)
                await uow.commit()
            total += deleted
            if deleted < self._batch:
                return total
            await asyncio.sleep(0)  # let the others take their turn between batches
