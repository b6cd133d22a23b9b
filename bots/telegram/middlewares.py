"""Client-side request middlewares: honour ``retry_after`` and keep under Telegram's limits.

Registered on the bot's session (``bot.session.middleware(...)``); the first registered
is the outermost, so ``RetryAfterMiddleware`` goes first and every retry passes the
limiter again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

log = logging.getLogger(__name__)

WINDOW_S = 1.0  # Telegram's overall limit is per second


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
                if attempt >= self.attempts or error.retry_after > self.max_wait:
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

    def idle(self, now: float) -> bool:
        self._refill(now)
        return self.tokens >= self.capacity


class RateLimiter:
    """~30 messages/s overall, ~1/s per private chat, 20/min per group (small bursts).

    Overall, Telegram counts the messages that *arrive* in any one second. Departures
    are therefore logged over a sliding second and kept to ``global_per_window`` in it,
    with at least ``min_gap`` between two: after the event loop stalls (a prompt being
    rendered), the sender catches up within the second's budget instead of losing the
    slot for good, and the gap keeps the jitter between leaving and arriving from
    putting more than the budget plus one into any arrival second.
    """

    def __init__(
        self,
        global_per_window: int = 28,
        min_gap: float = 0.025,
        private_per_second: float = 1.0,
        private_burst: float = 3.0,
        group_per_minute: float = 20.0,
        group_burst: float = 3.0,
    ) -> None:
        self._budget = global_per_window
        self._min_gap = min_gap
        self._departed: deque[float] = deque()
        self._departures = asyncio.Lock()
        self._private = (private_per_second, private_burst)
        self._group = (group_per_minute / 60.0, group_burst)
        self._chats: dict[int | str, TokenBucket] = {}

    def _departure_wait(self, now: float) -> float:
        departed = self._departed
        while departed and departed[0] <= now - WINDOW_S:
            departed.popleft()
        wait = departed[-1] + self._min_gap - now if departed else 0.0
        if len(departed) >= self._budget:
            wait = max(wait, departed[0] + WINDOW_S - now)
        return wait

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

    async def acquire(self, chat_id: int | str | None) -> None:
        if chat_id is not None:
            wait = self._bucket(chat_id).reserve()
            if wait > 0:
                await asyncio.sleep(wait)
        async with self._departures:  # one waiter at a time: departures stay in order
            while (wait := self._departure_wait(time.monotonic())) > 0:
                await asyncio.sleep(wait)
            self._departed.append(time.monotonic())


class RateLimitMiddleware(BaseRequestMiddleware):
    """Waits for the limiter before every ``send*`` method."""

    def __init__(self, limiter: RateLimiter | None = None) -> None:
        self.limiter = limiter or RateLimiter()

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if type(method).__name__.startswith("Send") and type(method).__name__ != "SendChatAction":
            chat_id: Any = getattr(method, "chat_id", None)
            await self.limiter.acquire(chat_id)
        return await make_request(bot, method)
