"""The real aiogram Bot polling a loopback FakeTelegramAPI, wired to the `app` fixture."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr

from bots.telegram import TelegramAdapter
from bots.telegram.middlewares import RateLimiter
from bots.telegram.replies import REPLY_BUDGET_S
from brygada.bootstrap import App
from brygada.telegram import telegram_config
from domain.company import NewProject, Role
from domain.services import members
from tests.fakes.telegram_api import FakeTelegramAPI

TOKEN = "123456:TEST"
BOT_ID = "123456"


class Tracker:
    """An outer update middleware counting finished updates (so tests wait precisely,
    even when the rate limiter or a retry_after delays the replies)."""

    def __init__(self) -> None:
        self.done: dict[int, int] = {}
        self.changed = asyncio.Event()

    async def __call__(self, handler: Any, event: Any, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        finally:
            self.done[event.update_id] = self.done.get(event.update_id, 0) + 1
            self.changed.set()

    async def wait(self, update_id: int, times: int = 1, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            while self.done.get(update_id, 0) < times:
                self.changed.clear()
                await self.changed.wait()


class Harness:
    """Drives one bot: push an update, wait until the adapter has finished with it."""

    def __init__(self, app: App, api: FakeTelegramAPI, adapter: TelegramAdapter) -> None:
        self.app, self.api, self.adapter = app, api, adapter
        self.company_id: int | None = None
        self.tracker: Tracker = adapter.tracker  # type: ignore[attr-defined]

    async def settle(self, quiet: float = 0.15, timeout: float = 8.0) -> None:
        """Wait until every pushed update was fetched and no API call came for ``quiet`` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        seen = -1
        while loop.time() < deadline:
            count = len(self.api.calls)
            if count == seen and not self.api.pending_updates:
                return
            seen = count
            await asyncio.sleep(quiet)
        raise AssertionError("the bot did not settle")

    async def push(self, update: dict[str, Any]) -> int:
        update_id = self.api.push_update(update)
        await self.tracker.wait(update_id)
        return update_id

    async def redeliver(self, update_id: int) -> None:
        times = self.tracker.done.get(update_id, 0) + 1
        self.api.redeliver(update_id)
        await self.tracker.wait(update_id, times)

    def sent_since(self, mark: int, method: str = "sendMessage") -> list[Any]:
        return [c for c in self.api.calls[mark:] if c.method == method and c.ok]

    async def say(self, user_id: int, text: str, **kw: Any) -> list[Any]:
        """A private message (or ``chat_id=...`` group message); returns the messages sent."""
        chat_id = kw.pop("chat_id", user_id)
        mark = len(self.api.calls)
        await self.push(self.api.message_update(chat_id, user_id, text, **kw))
        return [c.response["result"] for c in self.sent_since(mark)]

    async def press(self, user_id: int, message: dict[str, Any], data: str) -> tuple[str, int]:
        """Press a button of ``message``; returns (callback query id, api.calls mark)."""
        chat_id = message["chat"]["id"]
        update = self.api.callback_update(chat_id, user_id, data, message_id=message["message_id"])
        mark = len(self.api.calls)
        await self.push(update)
        return update["callback_query"]["id"], mark

    async def company(self) -> int:
        if self.company_id is None:
            async with self.app.uow() as uow:
                company = await members.create_company(uow, "Acme", timezone="Europe/Warsaw")
                await uow.commit()
            self.company_id = company.id
        assert self.company_id is not None
        return self.company_id

    async def invite(self, role: Role = Role.EMPLOYEE) -> str:
        company_id = await self.company()
        async with self.app.uow() as uow:
            invite = await members.create_invite(uow, company_id, role, self.app.clock.now())
            await uow.commit()
        return invite.code

    async def join(self, user_id: int, name: str, role: Role = Role.EMPLOYEE) -> list[Any]:
        code = await self.invite(role)
        return await self.say(user_id, f"/start {code}", first_name=name, username=name.lower())

    async def add_project(self, name: str = "Sales") -> None:
        company_id = await self.company()
        async with self.app.uow() as uow:
            people = await uow.members.list(company_id)
            await uow.projects.add(NewProject(company_id, name, frozenset(m.id for m in people)))
            await uow.commit()


def buttons(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


def cancel_only(markup: dict[str, Any] | str) -> bool:
    """A question asked in a private chat: its Cancel button, no ForceReply."""
    if isinstance(markup, str):  # as sent in a multipart request (with a file)
        markup = json.loads(markup)
        assert isinstance(markup, dict)
    actions = [d.split(":")[0] for d in buttons({"reply_markup": markup})]
    return "force_reply" not in markup and actions == ["qx"]


def button(message: dict[str, Any], action: str) -> str:
    found = [d for d in buttons(message) if d.split(":", 1)[0] == action]
    assert found, f"no {action!r} button in {buttons(message)}"
    return found[0]


@pytest.fixture
async def api() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as fake:
        yield fake


@pytest.fixture
def limiter() -> RateLimiter | None:
    """The adapter's pace (None: Telegram's). Modules that send dozens of messages to one
    group override it with ``fast_limiter()``: the pace has tests of its own."""
    return None


@pytest.fixture
def reply_budget() -> float:
    """How long an update's own send of its replies may take before the outbox takes
    them over (tests of that hand-over parametrize it smaller)."""
    return REPLY_BUDGET_S


def fast_limiter() -> RateLimiter:
    return RateLimiter(group_per_minute=6000, group_burst=100, private_burst=100)


@pytest.fixture
async def adapter(
    app: App, api: FakeTelegramAPI, limiter: RateLimiter | None, reply_budget: float
) -> AsyncIterator[TelegramAdapter]:
    settings = app.settings.model_copy(
        update={"telegram_bot_token": SecretStr(TOKEN), "telegram_api_url": api.base_url}
    )
    adapter = TelegramAdapter(
        telegram_config(settings), app.conversation, limiter=limiter, reply_budget=reply_budget
    )
    adapter.tracker = Tracker()  # type: ignore[attr-defined]
    adapter.dispatcher.update.outer_middleware(adapter.tracker)  # type: ignore[attr-defined]
    await adapter.start()
    stop = asyncio.Event()
    polling = asyncio.create_task(adapter.run_polling(stop))
    try:
        yield adapter
    finally:
        stop.set()
        await asyncio.wait_for(polling, timeout=10)
        await adapter.close()


@pytest.fixture
async def tg(app: App, api: FakeTelegramAPI, adapter: TelegramAdapter) -> Harness:
    return Harness(app, api, adapter)
