"""The board's fixtures: settings with a public address and a Telegram bot token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from brygada.bootstrap import App
from brygada.server import build_web_app
from brygada.settings import Settings
from tests.e2e.board.helpers import BOT_TOKEN, PUBLIC_URL


@pytest.fixture
def settings(database_url: str, approvals_config: Path | None) -> Settings:
    return Settings(
        database_url=database_url,
        secret="test-secret-0123456789abcdef",
        approvals_config=approvals_config,
        public_url=PUBLIC_URL,
        telegram_bot_token=SecretStr(BOT_TOKEN),
        _env_file=None,
    )  # type: ignore[call-arg]


@pytest.fixture
async def client(app: App) -> AsyncIterator[TestClient]:
    """The server's own aiohttp application (brygada.server.build_web_app)."""
    async with TestClient(TestServer(build_web_app(app))) as test_client:
        yield test_client


# The Telegram harness (the real aiogram Bot and the loopback fake Bot API) for modules
# here that drive the board from Telegram.
from tests.e2e.telegram.conftest import adapter, api, limiter, reply_budget, tg  # noqa: E402

__all__ = ["adapter", "api", "client", "limiter", "reply_budget", "settings", "tg"]
