"""Telegram's and Slack's limits shared through Redis by two senders (two replicas of one
bot), checked where Telegram counts them: at the fake Bot API enforcing the limits."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
import uuid

import pytest
from aiogram import Bot
from pydantic import SecretStr
from redis.asyncio import Redis

from bots.ratelimit_redis import RedisChannelPacer, RedisRateLimiter, connect
from bots.telegram.adapter import build_bot
from bots.telegram.middlewares import send_deadline
from brygada.settings import Settings
from brygada.telegram import telegram_config
from handlers.delivery import NotSentInTime
from tests.e2e.replicas.conftest import REDIS_URL, RedisServer, needs_redis
from tests.fakes.telegram_api import FakeTelegramAPI

pytestmark = needs_redis

TOKEN = "777001:REPLICAS"
PER_SENDER = 45  # to as many private chats: only the overall limit binds


def _bot(api: FakeTelegramAPI, redis: Redis, bot_id: str) -> Bot:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, telegram_bot_token=SecretStr(TOKEN), telegram_api_url=api.base_url
    )
    return build_bot(telegram_config(settings), limiter=RedisRateLimiter(redis, bot_id))


async def test_two_senders_of_one_bot_hold_30_per_second_together() -> None:
    """Without the shared limiter each sender would go at 29/s: 58/s and 429s."""
    assert REDIS_URL
    bot_id = uuid.uuid4().hex  # keys of this test only
    async with FakeTelegramAPI() as api:
        api.enforce_limits(per_chat_per_second=1, global_per_second=30)
        clients = [connect(REDIS_URL), connect(REDIS_URL)]  # one per "replica"
        bots = [_bot(api, client, bot_id) for client in clients]
        started = time.monotonic()
        try:
            await asyncio.gather(
                *(
                    bot.send_message(10_000 + n * 1_000 + i, f"prompt {i}")
                    for n, bot in enumerate(bots)
                    for i in range(PER_SENDER)
                )
            )
        finally:
            for bot in bots:
                await bot.session.close()
            for client in clients:
                await client.aclose()
        elapsed = time.monotonic() - started
    assert api.rejected_429 == 0
    assert len([c for c in api.calls_to("sendMessage") if c.ok]) == 2 * PER_SENDER
    assert api.busiest_second() <= 30
    assert elapsed >= 2.0  # 90 messages at <= 29/s


async def test_per_chat_turns_are_shared_and_a_deadline_takes_no_turn(redis: Redis) -> None:
    bot_id = uuid.uuid4().hex
    first = RedisRateLimiter(redis, bot_id, private_burst=1)
    second = RedisRateLimiter(redis, bot_id, private_burst=1)
    async with first.slot(42):
        pass
    token = send_deadline.set(time.monotonic() + 0.3)
    try:
        with pytest.raises(NotSentInTime):  # chat 42's next turn is ~1 s away
            async with second.slot(42):
                raise AssertionError("sent too early")
    finally:
        send_deadline.reset(token)
    started = time.monotonic()
    async with second.slot(42):
        waited = time.monotonic() - started
    assert 0.4 < waited < 1.2  # the refused attempt took no turn: 1/s, not 2 s


async def test_slack_channel_pacing_is_shared(redis: Redis) -> None:
    pacers = [RedisChannelPacer(redis), RedisChannelPacer(redis)]
    channel = f"C{uuid.uuid4().hex[:8]}"
    departures = []
    for i in range(3):
        await pacers[i % 2].wait(channel)
        departures.append(time.monotonic())
    gaps = [b - a for a, b in itertools.pairwise(departures)]
    assert all(gap > 0.9 for gap in gaps), gaps
    with pytest.raises(NotSentInTime):
        await pacers[0].wait(channel, deadline=time.monotonic() + 0.2)
    await pacers[1].wait(f"{channel}-other", deadline=time.monotonic() + 0.2)  # no wait


async def test_redis_going_down_falls_back_to_the_local_limiter_and_back(
    own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    client = connect(own_redis.url)
    limiter = RedisRateLimiter(client, "outage", retry_seconds=0.2)
    try:
        async with limiter.slot(1):
            pass
        assert not limiter.health.down
        assert await client.exists("brygada:tg:outage:window")

        own_redis.stop()
        with caplog.at_level(logging.WARNING, logger="bots.ratelimit_redis"):
            for chat in (2, 3):  # sent all the same, by this process's own limits
                async with limiter.slot(chat):
                    pass
        assert limiter.health.down
        warnings = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
        assert len(warnings) == 1  # once per outage
        assert limiter.local._in_flight == 0 and len(limiter.local._answered) == 2

        own_redis.start()
        await asyncio.sleep(0.3)  # past retry_seconds
        async with limiter.slot(4):
            pass
        assert not limiter.health.down
        assert await client.exists("brygada:tg:outage:chat:4")
    finally:
        await client.aclose()
