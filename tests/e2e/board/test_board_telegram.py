"""/board in Telegram: the Mini App button and menu button (the real aiogram Bot, the
loopback fake Bot API); in a group the link goes to the private chat only."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from brygada.settings import Settings
from domain.company import Role
from tests.e2e.board.helpers import BOT_TOKEN
from tests.e2e.telegram.conftest import Harness
from tests.fakes.telegram_api import FakeTelegramAPI

BOSS, ANNA, GROUP = 1001, 1002, -500


@pytest.fixture
def settings(database_url: str, approvals_config: Path | None) -> Settings:
    return Settings(
        database_url=database_url,
        secret="test-secret-0123456789abcdef",
        public_url="https://board.example/",
        telegram_bot_token=SecretStr(BOT_TOKEN),
        _env_file=None,
    )  # type: ignore[call-arg]


async def test_board_opens_as_a_mini_app_from_telegram(tg: Harness, api: FakeTelegramAPI) -> None:
    assert api.menu_button == {
        "type": "web_app",
        "text": "🗂 Board",
        "web_app": {"url": "https://board.example/app/tg"},
    }
    await tg.join(BOSS, "Boss", Role.ADMIN)
    [sent] = await tg.say(BOSS, "/board")
    [[button]] = sent["reply_markup"]["inline_keyboard"]
    assert button == {"text": "🗂 Board", "web_app": {"url": "https://board.example/app/tg"}}
    assert "https://board.example/app/login?t=bl:" in sent["text"]
    assert "within 10 minutes" in sent["text"]


async def test_board_asked_in_a_group_is_answered_privately(
    tg: Harness, api: FakeTelegramAPI
) -> None:
    await tg.join(BOSS, "Boss", Role.ADMIN)
    [sent] = await tg.say(BOSS, "/board", chat_id=GROUP, chat_type="group")
    assert "login?t=" not in sent["text"] and "private chat" in sent["text"]
    await tg.app.dispatcher({"telegram": tg.adapter.notifier}).run_once()
    [private] = [
        c.response["result"]
        for c in api.calls
        if c.method == "sendMessage" and c.ok and c.params["chat_id"] == BOSS
    ][-1:]
    assert "https://board.example/app/login?t=bl:" in private["text"]
