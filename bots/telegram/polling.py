"""Long polling that confirms an update to Telegram only once it is handled.

aiogram's own polling moves the offset past every update it has fetched and handles
them as background tasks: a process killed meanwhile loses them (Telegram will not
send them again). Here the offset given to ``getUpdates`` is the lowest update id
still being handled (or the last one + 1 when none is), so whatever was not handled,
committed and answered before a crash is fetched again after the restart, and the
conversation's update log makes the second handling do nothing twice.

Updates of one chat are handled strictly in order (a button press never overtakes
the message before it); different chats run concurrently, ``concurrency`` at most.
Telegram returns at most 100 updates from the offset, so no more are ever in flight.

Telegram answers 409 Conflict while another process polls with the same token (or a
webhook is set): that is logged as such and retried at a slow pace, never in a loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramUnauthorizedError,
)
from aiogram.methods import GetUpdates
from aiogram.types import Update

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class PollingConfig:
    timeout: int = 25  # seconds a long poll waits on Telegram's side
    concurrency: int = 32  # chats handled at once
    idle_poll: float = 0.5  # with updates in flight: at most one getUpdates per this
    error_backoff: tuple[float, float] = (1.0, 30.0)  # network errors, 5xx: first, max
    conflict_backoff: tuple[float, float] = (5.0, 60.0)  # 409: another poller
    attempts: int = 5  # tries of an update whose handling raised
    retry_delay: float = 1.0  # first pause between those tries (doubling)
    drain_timeout: float = 10.0  # on stop: how long in-flight updates may finish


def chat_key(update: Update) -> int | str:
    """What orders updates: the chat (or the user, for events without a chat)."""
    event: Any = update.event
    message = getattr(event, "message", None)  # a callback query's message
    chat = getattr(event, "chat", None) or getattr(message, "chat", None)
    if chat is not None:
        return int(chat.id)
    user = getattr(event, "from_user", None)
    if user is not None:
        return f"user:{user.id}"
    return f"update:{update.update_id}"


class ChatSequencer:
    """Runs jobs of one chat one after another, in submission order; jobs of different
    chats concurrently, at most ``limit`` at a time."""

    def __init__(self, limit: int) -> None:
        self._slots = asyncio.Semaphore(limit)
        self._tails: dict[int | str, asyncio.Task[Any]] = {}

    def submit(self, key: int | str, job: Callable[[], Awaitable[T]]) -> asyncio.Task[T]:
        previous = self._tails.get(key)
        task = asyncio.create_task(self._run(previous, job))
        self._tails[key] = task

        def forget(done: asyncio.Task[Any]) -> None:
            if self._tails.get(key) is done:
                del self._tails[key]

        task.add_done_callback(forget)
        return task

    async def _run(self, previous: asyncio.Task[Any] | None, job: Callable[[], Awaitable[T]]) -> T:
        if previous is not None:
            await asyncio.wait({previous})  # its outcome is its own business
        async with self._slots:
            return await job()


class _Backoff:
    def __init__(self, first: float, cap: float) -> None:
        self.first, self.cap = first, cap
        self.delay = first

    def next(self) -> float:
        delay = self.delay
        self.delay = min(self.delay * 2, self.cap)
        return delay

    def reset(self) -> None:
        self.delay = self.first


class DurablePolling:
    def __init__(
        self,
        bot: Bot,
        dispatcher: Dispatcher,
        *,
        allowed_updates: list[str] | None = None,
        config: PollingConfig | None = None,
    ) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self.allowed_updates = allowed_updates
        self.config = config or PollingConfig()
        self.sequencer = ChatSequencer(self.config.concurrency)
        # Update ids fetched and not yet confirmed to Telegram: those being handled
        # (``_running``) and those handled while a lower one was not.
        self._taken: set[int] = set()
        self._running: dict[int, asyncio.Task[None]] = {}
        self._last: int | None = None  # the highest update id fetched
        self._idle = asyncio.Event()  # nothing in flight
        self._idle.set()
        self._crashed = False

    @property
    def offset(self) -> int | None:
        """The next getUpdates offset: every update below it is handled."""
        if self._running:
            return min(self._running)
        return self._last + 1 if self._last is not None else None

    async def run(self, stop: asyncio.Event) -> None:
        """Poll and handle until ``stop``; then let what is in flight finish."""
        errors = _Backoff(*self.config.error_backoff)
        conflicts = _Backoff(*self.config.conflict_backoff)
        try:
            while not stop.is_set() and not self._crashed:
                try:
                    updates = await self._until(stop, self._fetch())
                except TelegramConflictError as error:
                    pause = conflicts.next()
                    log.error(
                        "Telegram refuses getUpdates (409 Conflict: %s): another process "
                        "is polling with this bot token, or a webhook is set. Retrying in "
                        "%.0f s; stop the other copy.",
                        error.message,
                        pause,
                    )
                    await self._pause(stop, pause)
                    continue
                except (TelegramUnauthorizedError, TelegramForbiddenError) as error:
                    pause = conflicts.next()
                    log.error(
                        "Telegram refuses the bot token (%s); retrying in %.0f s", error, pause
                    )
                    await self._pause(stop, pause)
                    continue
                except Exception as error:  # the network, 5xx, 429
                    pause = errors.next()
                    log.warning("getUpdates failed (%r); retrying in %.1f s", error, pause)
                    await self._pause(stop, pause)
                    continue
                if updates is None:  # stopped
                    break
                errors.reset()
                conflicts.reset()
                fresh = [u for u in updates if u.update_id not in self._taken]
                for update in fresh:
                    self._start(update)
                if not fresh and self._running:
                    # Telegram would only send the ones in flight again: ask again in a
                    # moment, or at once when all of them are handled (to confirm them).
                    await self._pause(stop, self.config.idle_poll, until_idle=True)
        finally:
            await self._drain()

    async def _fetch(self) -> list[Update]:
        # While updates are in flight Telegram answers at once anyway (they are above
        # the offset); a long poll only when everything fetched is handled.
        timeout = 0 if self._running else self.config.timeout
        return await self.bot(
            GetUpdates(offset=self.offset, timeout=timeout, allowed_updates=self.allowed_updates),
            request_timeout=timeout + 30,
        )

    def _start(self, update: Update) -> None:
        update_id = update.update_id
        self._taken.add(update_id)
        self._last = max(update_id, self._last if self._last is not None else update_id)
        task = self.sequencer.submit(chat_key(update), lambda: self._handle(update))
        self._running[update_id] = task
        self._idle.clear()

        def finished(_: asyncio.Task[None]) -> None:
            del self._running[update_id]
            offset = self.offset
            if offset is not None:
                self._taken = {i for i in self._taken if i >= offset}
            if not self._running:
                self._idle.set()

        task.add_done_callback(finished)

    async def _handle(self, update: Update) -> None:
        """Handle one update; an exception (the database is away) is retried, with pauses,
        before the update is given up and logged."""
        delay = self.config.retry_delay
        for attempt in range(1, self.config.attempts + 1):
            try:
                await self.dispatcher.feed_update(self.bot, update)
                return
            except Exception:
                log.exception(
                    "update %s failed (attempt %s of %s)",
                    update.update_id,
                    attempt,
                    self.config.attempts,
                )
            if attempt < self.config.attempts:
                await asyncio.sleep(delay)
                delay *= 2
        log.error("update %s given up after %s attempts", update.update_id, self.config.attempts)

    def crash(self) -> None:
        """Abandon every update in flight at once, unconfirmed and with no clean-up, as
        ``kill -9`` would (tests stand in for a crash with it); then ``run`` ends."""
        self._crashed = True
        for task in list(self._running.values()):
            task.cancel()

    async def _drain(self) -> None:
        """Let the updates in flight finish, then confirm them to Telegram."""
        if self._crashed:
            return
        running = list(self._running.values())
        if running:
            _, pending = await asyncio.wait(running, timeout=self.config.drain_timeout)
            for task in pending:
                task.cancel()  # fetched again after the restart
            if pending:
                await asyncio.wait(pending)
        if self.offset is not None:
            with contextlib.suppress(Exception):
                await self.bot(GetUpdates(offset=self.offset, timeout=0, limit=1))

    async def _pause(
        self, stop: asyncio.Event, seconds: float, *, until_idle: bool = False
    ) -> None:
        """Sleep ``seconds``, or less: until ``stop`` (or nothing is in flight any more)."""
        waits = {asyncio.create_task(stop.wait())}
        if until_idle:
            waits.add(asyncio.create_task(self._idle.wait()))
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in waits:
                task.cancel()

    @staticmethod
    async def _until(stop: asyncio.Event, call: Awaitable[T]) -> T | None:
        """``call``'s result, or None as soon as ``stop`` is set (the call is cancelled)."""
        work = asyncio.ensure_future(call)
        stopper = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({work, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
        if work.done():
            return work.result()
        work.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await work
        return None
