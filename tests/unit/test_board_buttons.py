"""Link buttons (the board's): Telegram opens a Mini App only in private chats, Slack
gets a url button whose press the app only acknowledges."""

from __future__ import annotations

from bots.slack.blocks import ACTION_PATTERN, LINK_ACTION_PATTERN, button
from bots.telegram.render import keyboard
from handlers.rendering import RenderedButton

MINI_APP = RenderedButton("🗂 Board", "", "https://b.example/app/tg", web_app=True)
LINK = RenderedButton("🗂 Board", "", "https://b.example/app/login?t=x")


def test_telegram_opens_a_mini_app_in_private_chats_only() -> None:
    private = keyboard([[MINI_APP]], private=True)
    group = keyboard([[MINI_APP]], private=False)
    assert private is not None and group is not None
    [[in_private]], [[in_group]] = private.inline_keyboard, group.inline_keyboard
    assert in_private.web_app is not None and in_private.web_app.url == MINI_APP.url
    assert in_group.web_app is None and in_group.url == MINI_APP.url
    [[link]] = (keyboard([[LINK]], private=True) or group).inline_keyboard
    assert link.url == LINK.url and link.callback_data is None


def test_slack_gets_a_url_button_apart_from_the_action_buttons() -> None:
    block = button(LINK, 3)
    assert block is not None and block["url"] == LINK.url and "value" not in block
    assert LINK_ACTION_PATTERN.match(block["action_id"])
    assert not ACTION_PATTERN.match(block["action_id"])
