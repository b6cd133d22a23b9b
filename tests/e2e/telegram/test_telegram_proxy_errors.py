"""A proxy's HTML 502 page in front of the Bot API: the real aiogram Bot raises
ClientDecodeError (not a TelegramAPIError); the notification is retried, not lost."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr
from sqlalchemy import select

from bots.telegram.adapter import build_bot
from bots.telegram.notifier import TelegramNotifier
from brygada.bootstrap import App
from brygada.telegram import telegram_config
from domain.company import ChatIdentity, Role
from domain.notifications import Notification
from storage.models import OutboxRow
from tests.conftest import FakeClock
from tests.factories import make_team
from tests.fakes.telegram_api import FakeTelegramAPI

BAD_GATEWAY = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


class FlakyProxy:
    """Answers the first ``failures`` requests with nginx's HTML 502, then forwards."""

    def __init__(self, upstream: str, failures: int) -> None:
        self.upstream = upstream
        self.failures = failures

    async def handle(self, request: web.Request) -> web.Response:
        if self.failures > 0:
            self.failures -= 1
            return web.Response(status=502, text=BAD_GATEWAY, content_type="text/html")
        body = await request.read()
        headers = {"Content-Type": request.headers.get("Content-Type", "")}
        async with (
            aiohttp.ClientSession() as http,
            http.post(self.upstream + request.path_qs, data=body, headers=headers) as answer,
        ):
            return web.Response(
                status=answer.status, body=await answer.read(), content_type="application/json"
            )


@pytest.fixture
async def proxied() -> AsyncIterator[tuple[FakeTelegramAPI, FlakyProxy, str]]:
    async with FakeTelegramAPI() as api:
        proxy = FlakyProxy(api.base_url, failures=1)
        web_app = web.Application()
        web_app.router.add_route("*", "/{tail:.*}", proxy.handle)
        server = TestServer(web_app, host="127.0.0.1")
        await server.start_server()
        try:
            yield api, proxy, str(server.make_url("")).rstrip("/")
        finally:
            await server.close()


async def test_an_html_502_while_notifying_is_retried_later(
    app: App, clock: FakeClock, proxied: tuple[FakeTelegramAPI, FlakyProxy, str]
) -> None:
    api, proxy, url = proxied
    team = await make_team(app, [("boss", Role.ADMIN), ("ola", Role.EMPLOYEE)])
    ola = team["ola"].id
    async with app.uow() as uow:
        await uow.members.add_identity(ChatIdentity("telegram", "bot", "4242", ola, "4242"))
        await uow.outbox.add(Notification(ola, "test.ping", {}, "ping:502"))
        await uow.commit()
    settings = app.settings.model_copy(
        update={"telegram_bot_token": SecretStr("123456:PROXY"), "telegram_api_url": url}
    )
    bot = build_bot(telegram_config(settings))
    try:
        dispatcher = app.dispatcher({"telegram": TelegramNotifier(bot)})
        await dispatcher.run_once()
        row = await _row(app)
        assert (row.status, row.last_error) == ("pending", "telegram: not a Bot API answer")
        clock.advance(minutes=5)
        await dispatcher.run_once()
    finally:
        await bot.session.close()
    assert (await _row(app)).status == "sent"
    assert proxy.failures == 0 and len([c for c in api.calls_to("sendMessage") if c.ok]) == 1


async def _row(app: App) -> OutboxRow:
    async with app.uow() as uow:
        return (
            await uow.session.scalars(select(OutboxRow).where(OutboxRow.dedup_key == "ping:502"))
        ).one()
