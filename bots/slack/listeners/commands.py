"""Slash commands: /task /tasks /today /timer /search /join. Answers go to the user's DM;
a question asked here is a DM message too (a modal is only for button presses)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.deps import SlackDeps
from bots.slack.inbound import COMMANDS, from_command
from bots.slack.outbound import open_dm

log = logging.getLogger(__name__)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def on_command(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        user_id = str(body["user_id"])
        dm = await open_dm(client, user_id)
        name = locale = None
        if COMMANDS.get(str(body.get("command"))) == "join":
            name, locale = await _profile(client, user_id)
        inbound = from_command(body, dm, user_name=name, locale=locale)
        replies = await deps.conversation.handle(inbound)
        await deps.replies.deliver(client, replies, user_id=user_id, channel=dm)
        await deps.home.after_turn(client, inbound, replies)

    for command in COMMANDS:
        app.command(command)(on_command)


async def _profile(client: AsyncWebClient, user_id: str) -> tuple[str | None, str | None]:
    """Real name and locale for a member who joins (one users.info call, only on /join)."""
    try:
        response = await client.users_info(user=user_id, include_locale=True)
    except SlackApiError as error:
        log.info("users.info %s: %s", user_id, error.response.get("error"))
        return None, None
    user = response.get("user") or {}
    profile = user.get("profile") or {}
    name = user.get("real_name") or profile.get("real_name") or None
    return name, user.get("locale")
