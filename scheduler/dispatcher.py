"""The outbox dispatcher: claims due notifications, applies the member's preferences,
renders, sends, and records the outcome.

Three short transactions per batch: claim, prepare (render, pick a chat), record.
Sends happen between them, concurrently, outside any transaction, so a slow chat
or one waiting out its per-chat limit holds up neither the database nor the
others. A crash after a send but before its record leaves the row claimed; after
the lease it is sent again (at-least-once: the platforms offer no idempotency key),
while the dedup key guarantees a decision is never enqueued twice.

It also delivers the reply outbox: the replies of inbound updates that their adapter
could not send at once (``handlers.journal``). Those are delivered per chat strictly in
id order: a chat's replies wait while its oldest one is not due, and a chat's round
stops at its first failure. Stored replies are never given up on a transient error
(after an outage of any length everything arrives, in order); only a chat that is gone
ends them.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.company import ChatIdentity
from domain.notifications import Notification, OutboxMessage
from domain.ports import ChatRef, Clock, StoredReplies, UnitOfWork
from domain.reminders import DIGESTIBLE, MUTABLE, STATUS_CARDS, Preferences
from domain.schedule import within_quiet_hours
from domain.services.members import member_unreachable
from handlers.config import ConversationConfig
from handlers.delivery import DeliveryError, Notifier, ReplyCourier
from handlers.journal import LiveReplies, reply_backoff
from handlers.notifications import notification_replies
from handlers.personal import PRIVATE_ANSWER, PRIVATE_UNREACHABLE, SKIP
from handlers.tokens import TokenSigner
from handlers.types import Reply

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
# With the backoff capped at 10 minutes: about two hours of an unreachable platform.
MAX_ATTEMPTS = 20
DIGEST_EVERY = timedelta(hours=1)
REPLY_CHATS = 50  # chats whose stored replies one round delivers


def backoff(attempt: int) -> timedelta:
    return timedelta(seconds=min(2**attempt, 600))


@dataclass
class _Send:
    """What is ready to go: the rows it settles, where, and the messages, in order (one,
    but a personal answer may be several)."""

    rows: list[OutboxMessage]
    identity: ChatIdentity
    replies: list[Reply]


@dataclass
class _Outcome:
    rows: list[OutboxMessage]
    identity: ChatIdentity | None = None
    error: DeliveryError | None = None
    sent: int = 0  # messages that went before the error


class OutboxDispatcher:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        signer: TokenSigner,
        notifiers: Mapping[str, Notifier],
        *,
        config: ConversationConfig | None = None,
        concurrency: int = 32,
        live: LiveReplies | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._live = live if live is not None else LiveReplies()
        self._clock = clock
        self._signer = signer
        self._notifiers = notifiers
        self._config = config or ConversationConfig()
        self._slots = asyncio.Semaphore(concurrency)

    async def run_once(self, limit: int = 200) -> int:
        """Handle what is due; returns how many rows were claimed."""
        replies = await self.replies_once()
        async with self._uow_factory() as uow:
            batch = await uow.outbox.claim_due(self._clock.now(), limit, LEASE)
            await uow.commit()
        if not batch:
            return replies
        sends = await self._prepare(batch)
        await asyncio.gather(*(self._send_and_record(s) for s in sends))
        return replies + len(batch)

    async def _send_and_record(self, send: _Send) -> None:
        """Each send is recorded as soon as it is answered, not with the batch: a worker
        killed mid-batch (kill -9, a lost host) leaves only the sends then in flight to be
        sent again, not everything the batch had sent so far."""
        await self._record([await self._send(send)])

    # -- stored replies ------------------------------------------------------------------
    async def replies_once(self, chats: int = REPLY_CHATS) -> int:
        """Deliver the due stored replies of up to ``chats`` chats; returns rows claimed."""
        async with self._uow_factory() as uow:
            claimed = await uow.replies.claim_due(self._clock.now(), chats, LEASE)
            await uow.commit()
        if not claimed:
            return 0
        by_chat: dict[ChatRef, list[StoredReplies]] = {}
        for stored in claimed:
            by_chat.setdefault(stored.chat, []).append(stored)
        # A chat whose replies an adapter of this process is sending right now waits for
        # the next round: their "sent" mark may not have been committed yet.
        busy = [chat for chat, rows in by_chat.items() if any(r.id in self._live for r in rows)]
        if busy:
            async with self._uow_factory() as uow:
                for chat in busy:
                    for stored in by_chat.pop(chat):
                        await uow.replies.release(stored.id, due=self._clock.now())
                await uow.commit()
        results = await asyncio.gather(*(self._deliver_chat(rows) for rows in by_chat.values()))
        now = self._clock.now()
        async with self._uow_factory() as uow:
            for rows, (tried, error) in zip(by_chat.values(), results, strict=True):
                for stored in rows[:tried]:
                    await uow.replies.sent(stored.id, now)
                if error is None:
                    continue
                failing = rows[tried]
                if error.permanent:
                    await uow.replies.failed(failing.id, error.done, error.reason)
                else:
                    delay = (
                        timedelta(seconds=error.retry_after)
                        if error.retry_after
                        else reply_backoff(failing.attempts)
                    )
                    await uow.replies.retry_later(failing.id, now + delay, error.done, error.reason)
                for later in rows[tried + 1 :]:
                    await uow.replies.release(later.id)
            await uow.commit()
        return len(claimed)

    async def _deliver_chat(self, rows: list[StoredReplies]) -> tuple[int, DeliveryError | None]:
        """One chat's rows in order; (how many went, the error that stopped the rest)."""
        chat = rows[0].chat
        courier = self._notifiers.get(chat.platform)
        if not isinstance(courier, ReplyCourier):
            return 0, DeliveryError(f"{chat.platform}: not running here", done=rows[0].done)
        async with self._slots:
            for index, stored in enumerate(rows):
                try:
                    await courier.deliver(chat.workspace, chat.chat_id, stored.payload, stored.done)
                except DeliveryError as error:
                    log.warning("stored replies %s to %s: %s", stored.id, chat, error.reason)
                    return index, error
                except Exception as error:  # a bug in an adapter must not stop the others
                    log.exception("delivering stored replies %s failed", stored.id)
                    return index, DeliveryError(f"unexpected: {error!r}", done=stored.done)
        return len(rows), None

    async def run_forever(
        self, interval: float, stop: asyncio.Event, *, workers: int = 2, batch: int = 100
    ) -> None:
        """Keep sending until ``stop``. Two workers pipeline the work: while one batch
        waits out the platform's rate limits, the next one is being rendered."""
        await asyncio.gather(*(self._work(interval, stop, batch) for _ in range(workers)))

    async def _work(self, interval: float, stop: asyncio.Event, batch: int) -> None:
        while not stop.is_set():
            try:
                handled = await self.run_once(batch)
            except Exception:
                log.exception("outbox batch failed")
                handled = 0
            if not handled:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=interval)

    # -- prepare: preferences, rendering, the chat to use --------------------------------
    async def _prepare(self, batch: Sequence[OutboxMessage]) -> list[_Send]:
        sends: list[_Send] = []
        now = self._clock.now()
        async with self._uow_factory() as uow:
            members = sorted({m.member_id for m in batch})
            prefs = await uow.scheduler.preferences(members)
            by_member: dict[int, list[OutboxMessage]] = {}
            for message in batch:
                by_member.setdefault(message.member_id, []).append(message)
            for member_id, messages in by_member.items():
                member = await uow.members.get(member_id)
                for notice in [m for m in messages if m.kind == PRIVATE_UNREACHABLE]:
                    messages.remove(notice)
                    sends.extend(await self._group_notice(uow, now, notice))
                if not messages:
                    continue
                pref = prefs.get(member_id) or Preferences(member_id)
                identities = [
                    i
                    for i in await uow.members.identities_of(member_id)
                    if not i.unreachable and i.platform in self._notifiers
                ]
                if member is None or not member.active or not identities:
                    for m in messages:
                        await uow.outbox.mark_failed(m.id, "member has no reachable chat")
                    continue
                quiet_until = within_quiet_hours(now, member.timezone, pref.quiet)
                digest: list[OutboxMessage] = []
                cards: dict[str, list[OutboxMessage]] = {}
                for message in messages:
                    if message.kind in STATUS_CARDS:
                        # Kept current in place, sent at once (never muted, held or
                        # digested); rendered from the current state, so one send
                        # settles every row of the card in the batch.
                        cards.setdefault(message.kind, []).append(message)
                    elif message.kind in MUTABLE and not pref.wants(message.kind):
                        await uow.outbox.mark_skipped(message.id, "muted by the member")
                    elif quiet_until is not None:
                        await uow.outbox.postpone(message.id, quiet_until, "quiet hours")
                    elif pref.digest and message.kind in DIGESTIBLE:
                        digest.append(message)
                    else:
                        replies = await self._render(uow, now, message)
                        if not replies:
                            await uow.outbox.mark_skipped(message.id, "nothing to say any more")
                        else:
                            sends.append(_Send([message], identities[0], replies))
                for rows in cards.values():
                    replies = await self._render(uow, now, rows[-1])
                    if not replies:
                        for message in rows:
                            await uow.outbox.mark_skipped(message.id, "nothing to say any more")
                    else:
                        sends.append(_Send(rows, identities[0], replies))
                if digest:
                    send = await self._digest(uow, now, member_id, digest, identities[0])
                    if send is not None:
                        sends.append(send)
                # Rendering is CPU work on the loop (SQLite runs in it too): let the
                # other batch's sends leave on time between members.
                await asyncio.sleep(0)
            await uow.commit()
        return sends

    async def _render(self, uow: UnitOfWork, now: datetime, m: OutboxMessage) -> list[Reply]:
        return await notification_replies(
            uow, self._signer, now, m.member_id, m.kind, m.data, self._config
        )

    async def _group_notice(
        self, uow: UnitOfWork, now: datetime, message: OutboxMessage
    ) -> list[_Send]:
        """A personal answer could not reach the member's private chat: the group it was
        asked in is told how to open one (the member's identity, in that group's chat)."""
        group = message.data.get("group") or {}
        identity = next(
            (
                i
                for i in await uow.members.identities_of(message.member_id)
                if i.platform == group.get("platform") and i.platform in self._notifiers
            ),
            None,
        )
        replies = await self._render(uow, now, message) if identity is not None else []
        if identity is None or not replies or not group.get("chat_id"):
            await uow.outbox.mark_failed(message.id, "the group is not reachable")
            return []
        in_group = dataclasses.replace(identity, chat_id=str(group["chat_id"]), unreachable=False)
        return [_Send([message], in_group, replies)]

    async def _digest(
        self,
        uow: UnitOfWork,
        now: datetime,
        member_id: int,
        messages: list[OutboxMessage],
        identity: ChatIdentity,
    ) -> _Send | None:
        """At most one digest an hour, bundling every digestible update since the last."""
        key = f"digest:{member_id}"
        last = await uow.scheduler.watermark(key)
        if last is not None and now < last + DIGEST_EVERY:
            for message in messages:
                await uow.outbox.postpone(message.id, last + DIGEST_EVERY, "digest")
            return None
        items: list[dict[str, Any]] = []
        first: Reply | None = None
        for message in messages:
            rendered = await self._render(uow, now, message)
            if not rendered:
                await uow.outbox.mark_skipped(message.id, "nothing to say any more")
                continue
            reply = rendered[0]
            first = first or reply
            task = reply.context.get("task")
            items.append(
                {
                    "kind": message.kind,
                    "task_id": message.data.get("task_id"),
                    "title": getattr(task, "title", ""),
                    "actor": reply.context.get("actor", ""),
                }
            )
        if first is None:
            return None
        await uow.scheduler.set_watermark(key, now)
        digest = Reply(
            template="digest",
            context={"tz": first.context.get("tz"), "now": now, "items": items},
            lang=first.lang,
            to_member=member_id,
        )
        return _Send(messages, identity, [digest])

    # -- send and record ---------------------------------------------------------------
    async def _send(self, send: _Send) -> _Outcome:
        notifier = self._notifiers[send.identity.platform]
        async with self._slots:
            for sent, reply in enumerate(send.replies):
                try:
                    await notifier.send(send.identity, reply)
                except DeliveryError as error:
                    return _Outcome(send.rows, send.identity, error, sent)
                except Exception as error:  # a bug in an adapter must not stop the others
                    log.exception("sending outbox rows %s failed", [r.id for r in send.rows])
                    failure = DeliveryError(f"unexpected: {error!r}")
                    return _Outcome(send.rows, send.identity, failure, sent)
        return _Outcome(send.rows, send.identity, sent=len(send.replies))

    async def _record(self, outcomes: Sequence[_Outcome]) -> None:
        now = self._clock.now()
        async with self._uow_factory() as uow:
            for outcome in outcomes:
                for message in outcome.rows:
                    error = outcome.error
                    if error is None:
                        await uow.outbox.mark_sent(message.id, now)
                    elif error.permanent:
                        identity = outcome.identity
                        assert identity is not None
                        await uow.members.mark_unreachable(
                            identity.platform, identity.workspace, identity.user_id
                        )
                        await member_unreachable(uow, message.member_id, identity.platform)
                        await uow.outbox.mark_failed(message.id, error.reason)
                        if message.kind == PRIVATE_ANSWER and message.data.get("group"):
                            await uow.outbox.add(_group_notice(message))
                    elif outcome.sent:
                        # Part of a personal answer went: the rest goes as a new row, so
                        # a retry does not send the first messages again.
                        await uow.outbox.add(
                            _rest_of(message, outcome.sent, now + _delay(error, message))
                        )
                        await uow.outbox.mark_sent(message.id, now)
                    elif message.attempts >= MAX_ATTEMPTS:
                        await uow.outbox.mark_failed(message.id, f"gave up: {error.reason}")
                    else:
                        delay = _delay(error, message)
                        await uow.outbox.retry_later(message.id, now + delay, error.reason)
            await uow.commit()


def _delay(error: DeliveryError, message: OutboxMessage) -> timedelta:
    return timedelta(seconds=error.retry_after) if error.retry_after else backoff(message.attempts)


def _rest_of(message: OutboxMessage, sent: int, due: datetime) -> Notification:
    """The messages of a personal answer after the ``sent`` first ones."""
    skip = int(message.data.get(SKIP) or 0) + sent
    return Notification(
        member_id=message.member_id,
        kind=message.kind,
        data={**message.data, SKIP: skip},
        dedup_key=f"{message.kind}:{message.id}:{SKIP}:{skip}",
        not_before=due,
    )


def _group_notice(message: OutboxMessage) -> Notification:
    """The group a personal answer was asked in is told it could not be delivered."""
    return Notification(
        member_id=message.member_id,
        kind=PRIVATE_UNREACHABLE,
        data={"group": message.data["group"]},
        dedup_key=f"{PRIVATE_UNREACHABLE}:{message.id}",
    )
