"""Housekeeping: tables that only grow are kept to what is still of use.

The reply outbox (``storage.repositories.replies``) keeps every update's replies; once
sent they are only history. Sent rows go after ``sent_days``; rows given up on (the
chat is gone) after ``failed_days``, long enough to look into why. Pending rows are
never deleted, however old: they are owed to someone. A redelivered update whose
rows are gone is still recognised (``processed_updates``) and answered with nothing.

Deleting happens in batches, one short unit of work each, so the sweep, the outbox and
the conversation (SQLite has one writer) wait for at most one batch.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from domain.ports import Clock
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

BATCH = 1000


@dataclass(frozen=True)
class Retention:
    sent_days: float = 7.0
    failed_days: float = 30.0


class Housekeeping:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, retention: Retention, *, batch: int = BATCH
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._retention = retention
        self._batch = batch

    async def run_once(self) -> int:
        """Prune the reply outbox; returns how many rows were deleted."""
        now = self._clock.now()
        sent_before = now - timedelta(days=self._retention.sent_days)
        failed_before = now - timedelta(days=self._retention.failed_days)
        total = 0
        while True:
            async with self._uow() as uow:
                deleted = await uow.replies.prune(sent_before, failed_before, self._batch)
                await uow.commit()
            total += deleted
            if deleted < self._batch:
                break
            await asyncio.sleep(0)  # let the others take their turn between batches
        if total:
            log.info("housekeeping: %d old reply-outbox rows deleted", total)
        return total
