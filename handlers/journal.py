"""The replies of one inbound update, kept in that update's own unit of work.

The adapter makes a journal per update and hands it to ``Conversation.handle``; before
committing, the conversation asks it to ``record`` the replies: the adapter's ``render``
turns them into the platform's own operations (JSON), stored as one reply-outbox row
with the change they report. After the commit the adapter sends them (``live``) and
says how that went (``delivered`` / ``failed``); what it could not send within the
update's budget the outbox dispatcher delivers later, in order per chat.

A redelivered update that was handled already ``recall``s its stored replies if they
were never sent, so the user still gets them, once.

While an adapter sends them (``send``) they are in ``LiveReplies``: the outbox dispatcher
of this process leaves them alone, even once they are due, until the adapter has said
how it went — under load the "sent" mark can take longer than the budget to commit, and
the dispatcher would otherwise send a card a second time.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from domain.ports import ChatRef, Clock, StoredReplies, UnitOfWork
from handlers.delivery import DeliveryError
from handlers.types import Reply

log = logging.getLogger(__name__)

Render = Callable[[Sequence[Reply]], Sequence[Mapping[str, Any]]]

# The outbox dispatcher's pace for stored replies that failed: short, because a person
# is waiting for them, capped, so a long outage is caught up within a minute of its end.
REPLY_BACKOFF_CAP_S = 60.0


def reply_backoff(attempt: int) -> timedelta:
    return timedelta(seconds=min(2.0**attempt, REPLY_BACKOFF_CAP_S))


class LiveReplies:
    """The ids of stored replies this process's adapters are sending right now."""

    def __init__(self) -> None:
        self._ids: set[int] = set()

    def __contains__(self, reply_id: object) -> bool:
        return reply_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, reply_id: int) -> None:
        self._ids.add(reply_id)

    def discard(self, reply_id: int) -> None:
        self._ids.discard(reply_id)


class ReplyJournal:
    def __init__(
        self,
        units_of_work: Callable[[], UnitOfWork],
        clock: Clock,
        chat: ChatRef,
        render: Render,
        *,
        budget: timedelta,
        sending: LiveReplies | None = None,
    ) -> None:
        self._uow = units_of_work
        self._clock = clock
        self.chat = chat
        self._render = render
        self.budget = budget
        self._sending = sending if sending is not None else LiveReplies()
        # Set by record/recall: whether the conversation handed the replies to the
        # journal, what was stored, and whether the adapter sends them now.
        self.recorded = False
        self.stored: StoredReplies | None = None
        self.live = False

    async def record(
        self, uow: UnitOfWork, update_key: str | None, replies: Sequence[Reply]
    ) -> None:
        """Before the commit: store the rendered replies with the update's change. While
        the chat has older undelivered replies these wait behind them (order)."""
        self.recorded = True
        payload = self._render(replies)
        if not payload:
            return
        now = self._clock.now()
        queued = await uow.replies.backlog(self.chat)
        # Until the budget has passed only this update's adapter sends them.
        due = now if queued else now + self.budget
        self.stored = await uow.replies.add(self.chat, update_key, payload, due)
        self.live = not queued

    async def recall(self, uow: UnitOfWork, update_key: str) -> None:
        """A redelivered update, handled before: its replies again, if never sent."""
        self.recorded = True
        stored = await uow.replies.unsent_of(self.chat.platform, update_key)
        if stored is None:
            return
        if await uow.replies.backlog(stored.chat, before=stored.id):
            return  # older replies first: the dispatcher sends them all in order
        if await uow.replies.take(stored.id, self._clock.now() + self.budget):
            log.info("update %s redelivered: resending its stored replies", update_key)
            self.stored, self.live = stored, True

    async def send(self, carry_out: Callable[[StoredReplies], Awaitable[None]]) -> None:
        """After the commit: carry the stored replies out now, if they are this update's
        to send, and record how it went (``delivered`` / ``failed``). ``carry_out``
        raises DeliveryError saying how many operations went."""
        stored = self.stored
        if stored is None or not self.live:
            return
        self._sending.add(stored.id)
        try:
            try:
                await carry_out(stored)
            except DeliveryError as failure:
                await self.failed(
                    failure.done,
                    failure.reason,
                    permanent=failure.permanent,
                    retry_after=failure.retry_after,
                )
                return
            except Exception as error:  # a bug: the outbox tries again, the log says why
                log.exception("sending replies %s failed", stored.id)
                await self.failed(stored.done, f"unexpected: {error!r}")
                return
            await self.delivered()
        finally:
            self._sending.discard(stored.id)

    async def delivered(self) -> None:
        assert self.stored is not None
        async with self._uow() as uow:
            await uow.replies.sent(self.stored.id, self._clock.now())
            await uow.commit()

    async def failed(
        self, done: int, reason: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        """Not (all) sent now: the outbox dispatcher goes on from ``done``, or, for a chat
        that is gone, nobody does."""
        assert self.stored is not None
        async with self._uow() as uow:
            if permanent:
                await uow.replies.failed(self.stored.id, done, reason)
            else:
                delay = (
                    timedelta(seconds=retry_after)
                    if retry_after
                    else reply_backoff(self.stored.attempts)
                )
                await uow.replies.retry_later(
                    self.stored.id, self._clock.now() + delay, done, reason
                )
            await uow.commit()
        log.warning(
            "replies %s to %s:%s not sent now (%s)%s",
            self.stored.id,
            self.chat.platform,
            self.chat.chat_id,
            reason,
            "" if permanent else "; the outbox delivers them",
        )
