"""Updates are durable before they are acknowledged: the polling offset never passes an
update that is not handled, the webhook answers 200 only once it is, updates of one
chat are handled in order, and a second poller (409 Conflict) is met with a slow retry."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import logging

import pytest
from aiohttp import web
from pydantic import SecretStr

from bots.telegram import TelegramAdapter, setup_webhook_routes
from bots.telegram.polling import PollingConfig
from brygada.bootstrap import App
from brygada.telegram import telegram_config
from tests.e2e.telegram.conftest import TOKEN, Harness
from tests.e2e.telegram.test_telegram_durable_replies import adapter_for
from tests.fakes.telegram_api import FakeTelegramAPI

ANNA, IVAN = 4201, 4202


async def test_the_offset_never_passes_an_update_still_being_handled(
    api: FakeTelegramAPI, tg: Harness
) -> None:
    await tg.join(ANNA, "Anna")
    await tg.join(IVAN, "Ivan")
    mark = len(api.calls)
    api.delay_next("sendMessage", 1.5)  # Anna's card is slow to go out
    slow = api.push_update(api.message_update(ANNA, ANNA, "Prepare the contract today"))
    await asyncio.sleep(0.2)
    quick = api.push_update(api.message_update(IVAN, IVAN, "Order paper today"))
    await tg.tracker.wait(quick)
    # Ivan's update was handled meanwhile (other chats do not wait), yet every
    # getUpdates while Anna's was in flight left hers unconfirmed.
    assert tg.tracker.done.get(slow, 0) == 0
    assert {slow, quick} <= set(api.updates)
    offsets = [c.params.get("offset") for c in api.calls[mark:] if c.method == "getUpdates"]
    assert all(o is None or o <= slow for o in offsets), offsets
    assert slow in {u["update_id"] for u in api.pending_updates}
    await tg.tracker.wait(slow)
    await tg.settle()
    assert api.pending_updates == []  # confirmed once handled


async def test_updates_of_one_chat_are_handled_in_order(api: FakeTelegramAPI, tg: Harness) -> None:
    await tg.join(ANNA, "Anna")
    api.delay_next("sendMessage", 1.0)  # the first card is slow; the second must wait
    first = api.push_update(api.message_update(ANNA, ANNA, "Draft the Alpha contract today"))
    second = api.push_update(api.message_update(ANNA, ANNA, "Draft the Beta contract today"))
    await tg.tracker.wait(second)
    await tg.tracker.wait(first)
    texts = api.sent_texts(ANNA)
    alpha = [i for i, t in enumerate(texts) if "Alpha contract" in t]
    beta = [i for i, t in enumerate(texts) if "Beta contract" in t]
    assert len(alpha) == len(beta) == 1 and alpha[0] < beta[0]


async def test_409_conflict_is_logged_and_retried_slowly(
    app: App, api: FakeTelegramAPI, caplog: pytest.LogCaptureFixture
) -> None:
    conflict = "Conflict: terminated by other getUpdates request"
    adapter = adapter_for(app, api, polling=PollingConfig(conflict_backoff=(0.3, 0.6)))
    await adapter.start()
    api.fail_next("getUpdates", status=409, times=4, description=conflict)
    stop = asyncio.Event()
    caplog.set_level(logging.ERROR, logger="bots.telegram.polling")
    polling = asyncio.create_task(adapter.run_polling(stop))
    try:
        update_id = api.push_update(api.message_update(ANNA, ANNA, "/help"))
        await adapter.tracker.wait(update_id, timeout=10)  # type: ignore[attr-defined]
    finally:
        stop.set()
        await asyncio.wait_for(polling, timeout=10)
        await adapter.close()
    polls = [c.at for c in api.calls_to("getUpdates")]
    gaps = [b - a for a, b in itertools.pairwise(polls[:5])]
    assert len(gaps) == 4
    # 0.3, 0.6, 0.6, 0.6 s apart (doubling, capped): never a hot loop.
    assert all(
        gap >= expected - 0.05 for gap, expected in zip(gaps, (0.3, 0.6, 0.6, 0.6), strict=True)
    )
    assert "another process is polling with this bot token" in caplog.text


async def test_webhook_answers_200_only_once_the_update_is_handled(
    app: App, api: FakeTelegramAPI
) -> None:
    web_app = web.Application()
    runner = web.AppRunner(web_app)
    settings = app.settings.model_copy(
        update={"telegram_bot_token": SecretStr(TOKEN), "telegram_api_url": api.base_url}
    )
    adapter = TelegramAdapter(telegram_config(settings), app.conversation)
    setup_webhook_routes(web_app, adapter)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/telegram/webhook"
    adapter.config = dataclasses.replace(adapter.config, webhook_url=url)
    try:
        await adapter.start()
        api.delay_next("sendMessage", 1.0)
        delivered = await api.post_webhook(url, api.message_update(7, 7, "/start"))
        assert delivered.status == 200
        # The answer came after the reply went out, not before.
        assert len(api.sent_texts(7)) == 1
    finally:
        await adapter.close()
        await runner.cleanup()
