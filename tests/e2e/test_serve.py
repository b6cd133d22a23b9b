"""`brygada run` for real: one HTTP server, Telegram long polling, Slack over HTTP,
the scheduler and the outbox, all started by brygada.server.serve and stopped cleanly."""

from __future__ import annotations

import asyncio
import json
import socket

import aiohttp
from pydantic import SecretStr

from brygada.bootstrap import App
from brygada.lead_forms import create_form
from brygada.server import serve
from domain.company import Role
from domain.services import members
from tests.factories import make_team
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import sign, slash_command
from tests.fakes.telegram_api import FakeTelegramAPI


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_serve_runs_every_platform_and_stops(app: App) -> None:
    team = await make_team(app)
    async with app.uow() as uow:
        invite = await members.create_invite(uow, team.company.id, Role.EMPLOYEE, app.clock.now())
        await uow.commit()
    token = await create_form(app, "Site")
    port = free_port()
    async with FakeTelegramAPI() as telegram, FakeSlackAPI() as slack:
        app.settings = app.settings.model_copy(
            update={
                "telegram_bot_token": SecretStr("123456:SERVE"),
                "telegram_api_url": telegram.base_url,
                "slack_bot_token": SecretStr("xoxb-serve"),
                "slack_signing_secret": SecretStr("serve-signing-secret"),
                "slack_api_url": f"{slack.base_url}/api/",
                "http_port": port,
                "sweep_interval_seconds": 0.5,
                "outbox_interval_seconds": 0.2,
            }
        )
        stop = asyncio.Event()
        running = asyncio.create_task(serve(app, stop))
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as http:
            for _ in range(100):  # the server is up once /healthz answers
                try:
                    async with http.get(f"{base}/healthz") as response:
                        assert await response.json() == {"ok": True}
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            # Telegram: join through the deep link, by long polling.
            telegram.push_update(
                telegram.message_update(5001, 5001, f"/start {invite.code}", first_name="Olek")
            )
            await telegram.wait_for("sendMessage", timeout=10)
            assert any("Olek" in t for t in telegram.sent_texts(5001))
            # Slack over HTTP, signed.
            body, content_type = slash_command("/tasks", "", user_id="U77")
            headers = {"Content-Type": content_type, **sign(body, "serve-signing-secret")}
            async with http.post(f"{base}/slack/events", data=body, headers=headers) as resp:
                assert resp.status == 200
            # A website lead.
            async with http.post(
                f"{base}/api/leads/{token}",
                data=json.dumps({"name": "Web Client", "email": "w@x.pl"}),
                headers={"Content-Type": "application/json"},
            ) as resp:
                assert resp.status == 201
        stop.set()
        assert await asyncio.wait_for(running, timeout=15) == 0
