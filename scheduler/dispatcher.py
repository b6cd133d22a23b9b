"""The outbox dispatcher: claims due notifications, renders them, sends, records the outcome.

Claiming and recording are separate short transactions, so a crash after a send
leaves the row "sending" with a lease: it is retried after the lease, which may
repeat a message that did reach the user (at-least-once); the dedup key makes
sure a decision is never enqueued twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta

from domain.company import ChatIdentity
from domain.ports import Clock
from handlers.delivery import DeliveryError, Notifier
from handlers.notifications import notification_reply
from handlers.tokens import TokenSigner
from storage.repositories.outbox import OutboxMessage
from storage.uow import SqlUnitOfWork

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8


def backoff(attempt: int) -> timedelta:
    return timedelta(seconds=min(2**attempt, 600))


class OutboxDispatcher:
    def __init__(
        self,
        uow_factory: Callable[[], SqlUnitOfWork],
        clock: Clock,
        signer: TokenSigner,
        notifiers: Mapping[str, Notifier],
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._signer = signer
        self._notifiers = notifiers

    async def run_once(self, limit: int = 100) -> int:
        """Send what is due; returns how many rows were handled."""
        async with self._uow_factory() as uow:
            batch = await uow.outbox.claim_due(self._clock.now(), limit, LEASE)
            await uow.commit()
        for message in batch:
            await self._deliver(message)
        return len(batch)

    async def _deliver(self, message: OutboxMessage) -> None:
        async with self._uow_factory() as uow:
            now = self._clock.now()
            try:
                reply = await notification_reply(
                    uow, self._signer, now, message.member_id, message.kind, message.data
                )
                identities = [
                    i
                    for i in await uow.members.identities_of(message.member_id)
                    if not i.unreachable and i.platform in self._notifiers
                ]
                if reply is None:
                    await uow.outbox.mark_failed(message.id, "nothing to say any more")
                elif not identities:
                    await uow.outbox.mark_failed(message.id, "member has no reachable chat")
                else:
                    identity = identities[0]
                    try:
                        await self._notifiers[identity.platform].send(identity, reply)
                    except DeliveryError as error:
                        await self._failed(uow, message, error, identity)
                    else:
                        await uow.outbox.mark_sent(message.id, now)
                await uow.commit()
            except Exception:
                log.exception("outbox message %s could not be handled", message.id)

    async def _failed(
        self,
        uow: SqlUnitOfWork,
        message: OutboxMessage,
        error: DeliveryError,
        identity: ChatIdentity,
    ) -> None:
        if error.permanent:
            await uow.members.mark_unreachable(
                identity.platform, identity.workspace, identity.user_id
            )
            await uow.outbox.mark_failed(message.id, error.reason)
        elif message.attempts >= MAX_ATTEMPTS:
            await uow.outbox.mark_failed(message.id, f"gave up: {error.reason}")
        else:
            delay = (
                timedelta(seconds=error.retry_after)
                if error.retry_after
                else backoff(message.attempts)
            )
            await uow.outbox.retry_later(message.id, self._clock.now() + delay, error.reason)

    async def run_forever(self, interval: float, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                handled = await self.run_once()
            except Exception:
                log.exception("outbox sweep failed")
                handled = 0
            if not handled:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=interval)
