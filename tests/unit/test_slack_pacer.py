"""Slack's ~1 message per second per channel, without holding other channels back."""

from __future__ import annotations

import asyncio
import time

from bots.slack.outbound import ChannelPacer


async def test_one_channel_is_paced_others_are_not() -> None:
    pacer = ChannelPacer(per_second=20)  # 50 ms apart, to keep the test quick
    started = time.monotonic()
    await asyncio.gather(*(pacer.wait("C1") for _ in range(4)))
    paced = time.monotonic() - started
    started = time.monotonic()
    await asyncio.gather(*(pacer.wait(f"C{n}") for n in range(2, 30)))
    parallel = time.monotonic() - started
    assert paced >= 0.14  # 4 messages: 3 gaps of 50 ms
    assert parallel < 0.05
