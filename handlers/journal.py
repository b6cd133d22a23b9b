"""The replies of one inbound update, kept in that update's own unit of work.

The adapter makes a journal per update and hands it to ``Conversation.handle``; before
committing, the conversation asks it to ``record`` the replies: the adapter's ``render``
turns them into the platform's own operations (JSON), stored as one reply-outbox row
with the change they report. After the commit the adapter sends them (``live``) and
says how that went (``delivered`` / ``failed``); what it could not send within the
update's budget the outbox dispatcher delivers later, in order per chat.

A redelivered update that was handled already ``recall``s its stored replies if they
were never sent, so the user still gets them, once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from domain.ports import ChatRef, Clock, StoredReplies, UnitOfWork
from handlers.types import Reply

log = logging.getLogger(__name__)

Render = Callable[[Sequence[Reply]], Sequence[Mapping[str, Any]]]

# The outbox dispatcher's pace for stored replies that failed: short, because a person
# is waiting for them, capped, so a long outage is caught up within a minute of its end.
REPLY_BACKOFF_CAP_S = 60.0


def reply_backoff(attempt: int) -> timedelta:
    return timedelta(seconds=min(2.0**attempt, REPLY_BACKOFF_CAP_S))


class ReplyJournal:
    def __init__(
        self,
        units_of_work: Callable[[], UnitOfWork],
        clock: Clock,
        chat: ChatRef,
        render: Render,
        *,
        budget: timedelta,
    ) -> None:
        self._uow = units_of_work
        self._clock = clock
        self.chat = chat
        self._render = render
        self.budget = budget
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
