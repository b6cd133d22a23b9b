"""Fixtures that run the fakes on ephemeral loopback ports with the real clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.telegram_api import FakeTelegramAPI

TELEGRAM_TOKEN = "123456789:AAFakeTokenForBrygadaTests_0123456789"
SLACK_TOKEN = "xoxb-0001-fake-token"


class LoopbackSession(AiohttpSession):
    """aiogram's real AiohttpSession, minus the 250 ms pause in ``close()``.

    aiogram sleeps after closing to let *SSL* connections shut down; plain loopback HTTP
    does not need it, and it would add a quarter second to every test.
    """

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def _make_bot(api: FakeTelegramAPI, *, token: str = TELEGRAM_TOKEN, timeout: float = 60.0) -> Bot:
    """A real aiogram Bot whose session talks to ``api``."""
    session = LoopbackSession(api=TelegramAPIServer.from_base(api.base_url), timeout=timeout)
    return Bot(token, session=session)


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegramAPI]:
    """A running FakeTelegramAPI."""
    async with FakeTelegramAPI() as api:
        yield api


@pytest.fixture
async def bot(fake_telegram: FakeTelegramAPI) -> AsyncIterator[Bot]:
    """A real aiogram Bot connected to ``fake_telegram``."""
    instance = _make_bot(fake_telegram)
    yield instance
    await instance.session.close()


@pytest.fixture
async def make_telegram_bot(
    fake_telegram: FakeTelegramAPI,
) -> AsyncIterator[Callable[..., Bot]]:
    """Factory of extra Bots (``token=``, ``timeout=``) for ``fake_telegram``; closed after."""
    created: list[Bot] = []

    def factory(*, token: str = TELEGRAM_TOKEN, timeout: float = 60.0) -> Bot:
        instance = _make_bot(fake_telegram, token=token, timeout=timeout)
        created.append(instance)
        return instance

    yield factory
    for instance in created:
        await instance.session.close()


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlackAPI]:
    """A running FakeSlackAPI."""
    async with FakeSlackAPI() as api:
        yield api


@pytest.fixture
def slack_client(fake_slack: FakeSlackAPI) -> AsyncWebClient:
    """A real slack-sdk AsyncWebClient connected to ``fake_slack``."""
    return AsyncWebClient(token=SLACK_TOKEN, base_url=f"{fake_slack.base_url}/api/")
