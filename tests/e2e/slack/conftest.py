"""The real Bolt AsyncApp served over aiohttp on 127.0.0.1, talking to FakeSlackAPI.

Requests are signed with tests.fakes.slack_requests. Bolt acks first and runs the
listener after the HTTP response, so tests wait on the fake's call log, on
``SlackHarness.handled`` (a conversation wrapper counting finished turns) or on
``SlackHarness.settle()`` (every listener started so far has finished).

The App Home is built from read-only list commands without an update key; the
wrapper keeps those turns apart (``handled.home_turns``) so that ``handled.turns``
holds only what users did.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy import text

from bots.slack import SlackAdapter
from brygada.bootstrap import App
from brygada.slack import build_slack
from domain.company import Role
from domain.services import members
from handlers.conversation import Conversation
from handlers.types import Inbound, Reply
from tests.factories import Team, make_team
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import signed_headers, slash_command

SIGNING_SECRET = "test-signing-secret"
TEAM_ID = "T0001"
ANNA = "U0ANNA"


class RecordingConversation:
    """Wraps the real Conversation; remembers each turn and lets a test wait for it."""

    def __init__(self, inner: Conversation) -> None:
        self._inner = inner
        self.turns: list[tuple[Inbound, list[Reply]]] = []
        self.home_turns: list[tuple[Inbound, list[Reply]]] = []
        self._changed = asyncio.Condition()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def handle(self, inbound: Inbound, **options: Any) -> list[Reply]:
        replies: list[Reply] = []
        try:
            replies = await self._inner.handle(inbound, **options)
            return replies
        finally:
            async with self._changed:
                kept = self.home_turns if inbound.update_key is None else self.turns
                kept.append((inbound, replies))
                self._changed.notify_all()

    async def wait(self, count: int, timeout: float = 5.0) -> list[tuple[Inbound, list[Reply]]]:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.turns) >= count), timeout
            )
        return self.turns


@dataclasses.dataclass
class SlackHarness:
    app: App
    api: FakeSlackAPI
    adapter: SlackAdapter
    http: TestClient
    handled: RecordingConversation

    async def post(
        self,
        payload: tuple[bytes, str],
        *,
        secret: str | None = SIGNING_SECRET,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        body, content_type = payload
        sent = (
            signed_headers(body, content_type, secret, timestamp)
            if secret is not None
            else {"Content-Type": content_type}
        )
        return await self.http.post("/slack/events", data=body, headers={**sent, **(headers or {})})

    async def command(self, command: str, args: str, *, user_id: str = ANNA) -> None:
        """Send a slash command and wait until its turn is handled and answered."""
        before = len(self.handled.turns)
        posts = len(self.api.calls_to("chat.postMessage"))
        response = await self.post(slash_command(command, args, user_id=user_id))
        assert response.status == 200, await response.text()
        turns = await self.handled.wait(before + 1)
        replies = turns[before][1]
        if replies:
            await self.api.wait_for("chat.postMessage", posts + len(replies))
        await self.settle()

    async def settle(self, timeout: float = 5.0) -> None:
        """Wait until the Bolt listeners still running after their ack have finished."""
        await _listeners_done(timeout)

    async def count(self, table: str) -> int:
        async with self.app.engine.connect() as conn:
            return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())

    async def invite(self, team: Team, role: Role = Role.EMPLOYEE) -> str:
        async with self.app.uow() as uow:
            invite = await members.create_invite(uow, team.company.id, role, self.app.clock.now())
            await uow.commit()
        return invite.code


async def _listeners_done(timeout: float) -> None:
    """Bolt runs each listener as a task after its ack (``run_ack_function_asynchronously``)."""
    for _ in range(3):  # a finished listener may not be the last one started
        await asyncio.sleep(0)
        running = [
            task
            for task in asyncio.all_tasks()
            if task is not asyncio.current_task()
            and not task.done()
            and "run_ack_function" in getattr(task.get_coro(), "__qualname__", "")
        ]
        if not running:
            return
        await asyncio.wait(running, timeout=timeout)


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI(team_id=TEAM_ID) as api:
        api.add_user(ANNA, name="anna.k", real_name="Anna Kowalska", locale="en-US")
        yield api


def build_adapter(app: App, slack_api: FakeSlackAPI, conversation: Any) -> SlackAdapter:
    """The Slack adapter of the app, on the fake (a test's "restarted process" too)."""
    settings = app.settings.model_copy(
        update={
            "slack_bot_token": SecretStr("xoxb-test"),
            "slack_signing_secret": SecretStr(SIGNING_SECRET),
            "slack_api_url": f"{slack_api.base_url}/api/",
            # The pacing is measured in its own test; here it would only add waiting.
            "slack_messages_per_channel_per_second": 1000.0,
        }
    )
    configured = dataclasses.replace(app, settings=settings)
    return build_slack(configured, conversation=conversation)


@pytest.fixture
async def slack(app: App, slack_api: FakeSlackAPI) -> AsyncIterator[SlackHarness]:
    recording = RecordingConversation(app.conversation)
    adapter = build_adapter(app, slack_api, recording)
    web_app = web.Application()
    adapter.setup_slack_routes(web_app)
    async with TestClient(TestServer(web_app, host="127.0.0.1")) as http:
        yield SlackHarness(app, slack_api, adapter, http, recording)
        # Let listeners still running after their ack finish before the DB closes.
        await _listeners_done(5.0)
    await adapter.close()


@pytest.fixture
async def team(app: App) -> Team:
    return await make_team(app, platform="slack", workspace=TEAM_ID)


@pytest.fixture
async def joined(slack: SlackHarness, team: Team) -> SlackHarness:
    """Anna (Slack user U0ANNA) has joined the company through /join."""
    await slack.command("/join", await slack.invite(team))
    slack.api.clear_calls()
    slack.handled.turns.clear()
    return slack
