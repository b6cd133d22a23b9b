"""The adapter's client-side limiter against the fake Bot API enforcing Telegram's limits:
many chats at once, also while the event loop stalls, never earn a 429."""

from __future__ import annotations

import asyncio
import time

from pydantic import SecretStr

from bots.telegram.adapter import build_bot
from bots.telegram.middlewares import RateLimiter
from brygada.settings import Settings
from brygada.telegram import telegram_config
from tests.fakes.telegram_api import FakeTelegramAPI

MESSAGES = 70  # spread over this many private chats: only the overall limit binds


def _settings(api: FakeTelegramAPI) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        telegram_bot_token=SecretStr("123456:LIMITS"),
        telegram_api_url=api.base_url,
    )


async def _stall_the_loop(stop: asyncio.Event) -> None:
    """Block the event loop for 20 ms every 60 ms, as rendering a long prompt does."""
    while not stop.is_set():
        time.sleep(0.02)
        await asyncio.sleep(0.04)


async def _send_all(stall: bool) -> tuple[FakeTelegramAPI, float]:
    async with FakeTelegramAPI() as api:
        api.enforce_limits(per_chat_per_second=1, global_per_second=30)
        bot = build_bot(telegram_config(_settings(api)), limiter=RateLimiter())
        stop = asyncio.Event()
        staller = asyncio.create_task(_stall_the_loop(stop)) if stall else None
        started = time.monotonic()
        try:
            await asyncio.gather(
                *(bot.send_message(1_000 + i, f"prompt {i}") for i in range(MESSAGES))
            )
            elapsed = time.monotonic() - started
        finally:
            stop.set()
            if staller is not None:
                await staller
            await bot.session.close()
        return api, elapsed


async def test_many_chats_at_once_get_no_429() -> None:
    api, elapsed = await _send_all(stall=False)
    assert api.rejected_429 == 0
    assert len([c for c in api.calls_to("sendMessage") if c.ok]) == MESSAGES
    # 28 in any second: the 70th message cannot leave before two full seconds.
    assert elapsed >= 2.0


async def test_a_stalling_loop_gets_no_429_either() -> None:
    api, _ = await _send_all(stall=True)
    assert api.rejected_429 == 0
    assert len([c for c in api.calls_to("sendMessage") if c.ok]) == MESSAGES
