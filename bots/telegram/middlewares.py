"""Client-side request middlewares: honour ``retry_after`` and keep under Telegram's limits.

Registered on the bot's session (``bot.session.middleware(...)``); the first registered
is the outermost, so ``RetryAfterMiddleware`` goes first and every retry passes the
limiter again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from contextvars import ContextVar
from typing import Any, Protocol

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from handlers.delivery import NotSentInTime

log = logging.getLogger(__name__)

WINDOW_S = 1.0  # Telegram's overall limit is per second

# When the messages sent in this context must have left (``time.monotonic()``), or None.
# A reply sent live within its update's budget sets it: the limits' waits and a 429's
# pause then end at the deadline with NotSentInTime, before anything is sent, so the
# reply outbox can take the message over without ever sending it twice.
send_deadline: ContextVar[float | None] = ContextVar("send_deadline", default=None)


def _time_left() -> float | None:
    deadline = send_deadline.get()
    return None if deadline is None else deadline - time.monotonic()


class RetryAfterMiddleware(BaseRequestMiddleware):
    """On 429 sleep ``retry_after`` and retry, at most ``attempts`` times in all.

    A wait longer than ``max_wait`` is not slept here: the error propagates so that the
    caller (e.g. the outbox dispatcher) reschedules instead of blocking a worker.
    """

    def __init__(self, attempts: int = 3, max_wait: float = 30.0) -> None:
        self.attempts = attempts
        self.max_wait = max_wait

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        attempt = 1
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                left = _time_left()
                if (
                    attempt >= self.attempts
                    or error.retry_after > self.max_wait
                    or (left is not None and error.retry_after > left)
                ):
                    raise
                log.warning(
                    "telegram %s: 429, retrying in %ss (attempt %s)",
                    type(method).__name__,
                    error.retry_after,
                    attempt,
                )
                await asyncio.sleep(error.retry_after)
                attempt += 1


class TokenBucket:
    """A token bucket that hands out reservations: ``reserve()`` takes a token now and
    returns how long the caller must wait for it. No lock is needed in asyncio (no await
    between reading and updating), and waiters are served in arrival order."""

    __slots__ = ("capacity", "rate", "tokens", "updated")

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.updated = time.monotonic()

    def _refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def reserve(self, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        self._refill(now)
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def give_back(self) -> None:
        """A reservation that will not be used (its message was not sent)."""
        self.tokens = min(self.capacity, self.tokens + 1)

    def idle(self, now: float) -> bool:
        self._refill(now)
        return self.tokens >= self.capacity


class RateLimiter:
    """~30 messages/s overall, ~1/s per private chat, 20/min per group (small bursts).

    Overall, Telegram counts the messages it handles in any one second, each at some
    moment between our sending the request and our reading the answer. So a message
    counts here from the moment it leaves until one second after its answer came back,
    and a new one leaves only while fewer than ``per_second`` are counted. Whatever
    delays a request on its way (a stalled event loop, the network), no second on
    Telegram's side then holds more than ``per_second``: of the messages Telegram
    handled within one second, the last to leave found every other one in flight or
    answered less than a second before. ``min_gap`` spaces the departures, so a
    backlog does not leave in one burst.
    """

    def __init__(
        self,
        per_second: int = 29,
        min_gap: float = 0.02,
        private_per_second: float = 1.0,
        private_burst: float = 3.0,
        group_per_minute: float = 20.0,
        group_burst: float = 3.0,
    ) -> None:
        self._cap = per_second
        self._min_gap = min_gap
        self._last_departure = -math.inf
        self._in_flight = 0
        self._answered: deque[float] = deque()
        self._answer = asyncio.Event()
        self._departures = asyncio.Lock()
        self._private = (private_per_second, private_burst)
        self._group = (group_per_minute / 60.0, group_burst)
        self._chats: dict[int | str, TokenBucket] = {}

    def departure_delay(self, now: float) -> float | None:
        """Seconds until the next message may leave; None: only once one is answered."""
        answered = self._answered
        while answered and answered[0] <= now - WINDOW_S:
            answered.popleft()
        wait = self._last_departure + self._min_gap - now
        if self._in_flight + len(answered) >= self._cap:
            if not answered:
                return None
            wait = max(wait, answered[0] + WINDOW_S - now)
        return wait

    def departed(self, now: float) -> None:
        self._last_departure = now
        self._in_flight += 1

    def answered(self, now: float) -> None:
        self._in_flight -= 1
        self._answered.append(now)
        self._answer.set()

    def _bucket(self, chat_id: int | str) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            group = isinstance(chat_id, str) or chat_id < 0
            rate, burst = self._group if group else self._private
            bucket = self._chats[chat_id] = TokenBucket(rate, burst)
            if len(self._chats) > 10_000:
                self._prune()
        return bucket

    def _prune(self) -> None:
        now = time.monotonic()
        for key in [k for k, b in self._chats.items() if b.idle(now)]:
            del self._chats[key]

    @contextlib.asynccontextmanager
    async def slot(self, chat_id: int | str | None) -> AsyncIterator[None]:
        """Wait for the limits, then hold one overall slot until the request is answered
        (or fails: it may have reached Telegram all the same). With a ``send_deadline``
        the wait ends there with NotSentInTime, and nothing is sent."""
        bucket = self._bucket(chat_id) if chat_id is not None else None
        chat_wait = bucket.reserve() if bucket is not None else 0.0
        left = _time_left()
        if left is None:
            await self._wait_turn(chat_wait)
        else:
            # The wait runs as its own task: a timeout cancels only the wait. It departs
            # with no await after it, so once departed it is never undone.
            try:
                await asyncio.wait_for(self._wait_turn(chat_wait), timeout=max(left, 0.0))
            except TimeoutError:
                if bucket is not None:
                    bucket.give_back()
                raise NotSentInTime(f"telegram limits: {chat_id} not reached in time") from None
        try:
            yield
        finally:
            self.answered(time.monotonic())

    async def _wait_turn(self, chat_wait: float) -> None:
        if chat_wait > 0:
            await asyncio.sleep(chat_wait)
        async with self._departures:  # one waiter at a time: departures stay in order
            while (wait := self.departure_delay(time.monotonic())) is None or wait > 0:
                if wait is None:
                    self._answer.clear()
                    await self._answer.wait()
                else:
                    await asyncio.sleep(wait)
            self.departed(time.monotonic())


class SendLimiter(Protocol):
    """The strategy ``RateLimitMiddleware`` waits on: this process's ``RateLimiter``, or
    one shared by all replicas (``bots.ratelimit_redis.RedisRateLimiter``)."""

    def slot(self, chat_id: int | str | None) -> AbstractAsyncContextManager[None]:
        """Wait for the limits (until ``send_deadline``: NotSentInTime, nothing sent), then
        hold one overall slot while the request is out."""
        ...


class RateLimitMiddleware(BaseRequestMiddleware):
    """Waits for the limiter before every ``send*`` method."""

    def __init__(self, limiter: SendLimiter | None = None) -> None:
        self.limiter: SendLimiter = limiter or RateLimiter()

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if type(method).__name__.startswith("Send") and type(method).__name__ != "SendChatAction":
            chat_id: Any = getattr(method, "chat_id", None)
            async with self.limiter.slot(chat_id):
                return await make_request(bot, method)
        return await make_request(bot, method)
