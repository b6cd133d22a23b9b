"""Webhook mode: setWebhook with a secret token on start, updates POSTed to our route."""

from __future__ import annotations

import asyncio
import dataclasses

from aiohttp import web
from pydantic import SecretStr

from bots.telegram import TelegramAdapter, setup_webhook_routes
from brygada.bootstrap import App
from brygada.telegram import telegram_config
from tests.e2e.telegram.conftest import TOKEN
from tests.fakes.telegram_api import FakeTelegramAPI


async def test_webhook_mode(app: App, api: FakeTelegramAPI) -> None:
    web_app = web.Application()
    runner = web.AppRunner(web_app)
    settings = app.settings.model_copy(
        update={"telegram_bot_token": SecretStr(TOKEN), "telegram_api_url": api.base_url}
    )
    adapter = TelegramAdapter(telegram_config(settings), app.conversation)
    setup_webhook_routes(web_app, adapter)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/telegram/webhook"
    adapter.config = dataclasses.replace(
        adapter.config, webhook_url=url, webhook_max_connections=12
    )
    waiting = api.push_update(api.message_update(7, 7, "/help"))  # before the webhook
    try:
        await adapter.start()
        assert api.webhook is not None and api.webhook["url"] == url
        assert api.webhook["secret_token"] == adapter.webhook_secret
        assert api.webhook["max_connections"] == 12
        (call,) = api.calls_to("setWebhook")
        assert call.params["drop_pending_updates"] is False
        assert [u["update_id"] for u in api.pending_updates] == [waiting]  # not dropped

        refused = await api.post_webhook(url, api.message_update(7, 7, "/help"), "wrong")
        assert refused.status == 401
        delivered = await api.post_webhook(url, api.message_update(7, 7, "/start"))
        assert delivered.status == 200
        await api.wait_for("sendMessage")
        await asyncio.sleep(0.1)
        assert len(api.sent_texts(7)) == 1
    finally:
        await adapter.close()
        await runner.cleanup()
