"""Platform rate limits shared by every replica, kept in Redis.

Each decision is one Lua script, run atomically by Redis on Redis's own clock (``TIME``),
so replicas neither race each other nor need synchronised clocks:

* Telegram (``RedisRateLimiter``, per bot): overall ``per_second`` messages in any one
  second, counted like the in-process ``RateLimiter`` does — a message counts from its
  departure until one second after its answer (while it is out, its entry in a sorted set
  is scored in the future; the answer rescores it) —, departures spaced by ``min_gap``,
  and a token bucket per chat (private: 1/s, burst 3; group: 20/min, burst 3).
* Slack (``RedisChannelPacer``): each channel's next free departure, ~1/s.

A script either takes the turn (all limits at once) or answers how long to wait and takes
nothing, so a caller whose ``send_deadline`` comes first gives up without having used a
turn (NotSentInTime: the reply outbox sends the message later, once).

When Redis cannot be reached the limiter falls back to the process's own one and logs a
warning (once per outage); Redis is tried again after ``retry_seconds``. Meanwhile each
replica keeps the limits on its own, so N replicas may send up to N times the overall
rate: Telegram's 429 ``retry_after``, honoured by ``RetryAfterMiddleware`` and the
outbox, is the backstop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bots.slack.outbound import ChannelPacer
from bots.telegram.middlewares import RateLimiter, send_deadline
from handlers.delivery import NotSentInTime

log = logging.getLogger(__name__)

# KEYS: window (zset), last departure, chat bucket (hash)
# ARGV: cap, min_gap_ms, chat_rate_per_ms, chat_burst, member, in_flight_ms, has_chat
# Returns "0" (taken) or the milliseconds to wait (nothing taken).
_TELEGRAM_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local cap = tonumber(ARGV[1])
local gap = tonumber(ARGV[2])
local rate = tonumber(ARGV[3])
local burst = tonumber(ARGV[4])
local in_flight = tonumber(ARGV[6])
local has_chat = ARGV[7] == '1'
local wait = 0
local tokens = burst
if has_chat then
  local b = redis.call('HMGET', KEYS[3], 't', 's')
  if b[1] then
    tokens = math.min(burst, tonumber(b[1]) + (now - tonumber(b[2])) * rate)
  end
  if tokens < 1 then wait = (1 - tokens) / rate end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 1000)
if redis.call('ZCARD', KEYS[1]) >= cap then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local score = tonumber(first[2])
  local w
  if score > now then w = 20 else w = score + 1000 - now end
  if w > wait then wait = w end
end
local last = redis.call('GET', KEYS[2])
if last then
  local g = tonumber(last) + gap - now
  if g > wait then wait = g end
end
if wait > 0 then return tostring(wait) end
if has_chat then
  redis.call('HSET', KEYS[3], 't', tostring(tokens - 1), 's', tostring(now))
  redis.call('PEXPIRE', KEYS[3], math.ceil(burst / rate) + 1000)
end
redis.call('ZADD', KEYS[1], now + in_flight, ARGV[5])
redis.call('PEXPIRE', KEYS[1], in_flight + 2000)
redis.call('SET', KEYS[2], tostring(now), 'PX', 60000)
return '0'
"""

# KEYS: window; ARGV: member. The message was answered: it counts one more second.
_TELEGRAM_ANSWERED = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
return 1
"""

# KEYS: channel's next departure; ARGV: interval_ms, left_ms (-1: no deadline).
# Returns the milliseconds until the turn taken, or "-1": not in time (nothing taken).
_SLACK_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local left = tonumber(ARGV[2])
local departure = now
local nxt = redis.call('GET', KEYS[1])
if nxt and tonumber(nxt) > now then departure = tonumber(nxt) end
if left >= 0 and departure - now > left then return '-1' end
local keep = math.ceil(departure - now + interval) + 1000
redis.call('SET', KEYS[1], tostring(departure + interval), 'PX', keep)
return tostring(departure - now)
"""


def connect(url: str) -> Redis:
    """A client that fails fast: a limiter waiting on a dead Redis would hold every send."""
    return Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)


class _Fallback:
    """Redis's health as a limiter sees it: down after an error, tried again later."""

    def __init__(self, what: str, retry_seconds: float) -> None:
        self._what = what
        self._retry = retry_seconds
        self._down_until: float | None = None

    def usable(self) -> bool:
        return self._down_until is None or time.monotonic() >= self._down_until

    def failed(self, error: Exception) -> None:
        if self._down_until is None:
            log.warning(
                "%s: Redis unreachable (%r): using this process's own limiter until it is "
                "back (the replicas' limits are no longer shared)",
                self._what,
                error,
            )
        self._down_until = time.monotonic() + self._retry

    def worked(self) -> None:
        if self._down_until is not None:
            log.warning("%s: Redis is back: limits shared again", self._what)
            self._down_until = None

    @property
    def down(self) -> bool:
        return self._down_until is not None


class RedisRateLimiter:
    """Telegram's limits for one bot across replicas (the ``SendLimiter`` strategy)."""

    def __init__(
        self,
        redis: Redis,
        bot_id: int | str,
        *,
        per_second: int = 29,
        min_gap: float = 0.02,
        private_per_second: float = 1.0,
        private_burst: float = 3.0,
        group_per_minute: float = 20.0,
        group_burst: float = 3.0,
        in_flight_seconds: float = 30.0,
        retry_seconds: float = 5.0,
        local: RateLimiter | None = None,
    ) -> None:
        self._redis = redis
        self._prefix = f"brygada:tg:{bot_id}"
        self._cap = per_second
        self._gap_ms = min_gap * 1000
        self._private = (private_per_second / 1000, private_burst)
        self._group = (group_per_minute / 60_000, group_burst)
        self._in_flight_ms = in_flight_seconds * 1000
        self._take: Any = redis.register_script(_TELEGRAM_TAKE)
        self._answered: Any = redis.register_script(_TELEGRAM_ANSWERED)
        self.local = local or RateLimiter(
            per_second=per_second,
            min_gap=min_gap,
            private_per_second=private_per_second,
            private_burst=private_burst,
            group_per_minute=group_per_minute,
            group_burst=group_burst,
        )
        self.health = _Fallback(f"telegram limits of bot {bot_id}", retry_seconds)

    @contextlib.asynccontextmanager
    async def slot(self, chat_id: int | str | None) -> AsyncIterator[None]:
        member = uuid.uuid4().hex
        if self.health.usable():
            try:
                await self._wait_turn(chat_id, member)
            except RedisError as error:
                self.health.failed(error)
            else:
                self.health.worked()
                try:
                    yield
                finally:
                    with contextlib.suppress(RedisError):  # else it expires in flight
                        await self._answered(keys=[self._window], args=[member])
                return
        async with self.local.slot(chat_id):
            yield

    @property
    def _window(self) -> str:
        return f"{self._prefix}:window"

    async def _wait_turn(self, chat_id: int | str | None, member: str) -> None:
        rate, burst = self._private
        if chat_id is not None and (isinstance(chat_id, str) or chat_id < 0):
            rate, burst = self._group
        keys = [self._window, f"{self._prefix}:last", f"{self._prefix}:chat:{chat_id}"]
        args = [self._cap, self._gap_ms, rate, burst, member, self._in_flight_ms]
        args.append(1 if chat_id is not None else 0)
        deadline = send_deadline.get()
        while True:
            wait_ms = float(await self._take(keys=keys, args=args))
            if wait_ms <= 0:
                return
            wait = wait_ms / 1000
            if deadline is not None and time.monotonic() + wait > deadline:
                raise NotSentInTime(f"telegram limits: {chat_id} not reached in time")
            await asyncio.sleep(wait)


class RedisChannelPacer:
    """Slack's ~1 message/s per channel across replicas (the ``Pacer`` strategy)."""

    def __init__(
        self,
        redis: Redis,
        *,
        per_second: float = 1.0,
        retry_seconds: float = 5.0,
        local: ChannelPacer | None = None,
    ) -> None:
        self._interval_ms = 1000 / per_second
        self._take: Any = redis.register_script(_SLACK_TAKE)
        self.local = local or ChannelPacer(per_second)
        self.health = _Fallback("slack channel pacing", retry_seconds)

    async def wait(self, channel: str, deadline: float | None = None) -> None:
        if self.health.usable():
            left = -1.0 if deadline is None else max(0.0, deadline - time.monotonic()) * 1000
            try:
                wait_ms = float(
                    await self._take(
                        keys=[f"brygada:slack:channel:{channel}"],
                        args=[self._interval_ms, left],
                    )
                )
            except RedisError as error:
                self.health.failed(error)
            else:
                self.health.worked()
                if wait_ms < 0:
                    raise NotSentInTime(f"slack channel {channel}: its turn comes too late")
                if wait_ms > 0:
                    await asyncio.sleep(wait_ms / 1000)
                return
        await self.local.wait(channel, deadline)
