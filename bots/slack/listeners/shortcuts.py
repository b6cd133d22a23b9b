"""Message shortcut "Create task from message": the message becomes a task's quote."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.blocks import CREATE_TASK_SHORTCUT
from bots.slack.deps import SlackDeps
from bots.slack.inbound import from_message_shortcut
from bots.slack.outbound import open_dm

log = logging.getLogger(__name__)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.message_shortcut(CREATE_TASK_SHORTCUT)
    async def on_create_task(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        user_id = str(body["user"]["id"])
        channel = str((body.get("channel") or {}).get("id") or "")
        message_ts = str(body.get("message_ts") or (body.get("message") or {}).get("ts") or "")
        permalink = await _permalink(client, channel, message_ts)
        dm = await open_dm(client, user_id)
        replies = await deps.conversation.handle(from_message_shortcut(body, dm, permalink))
        await deps.replies.deliver(client, replies, user_id=user_id, channel=dm)


async def _permalink(client: AsyncWebClient, channel: str, message_ts: str) -> str | None:
    if not channel or not message_ts:
        return None
    try:
        response = await client.chat_getPermalink(channel=channel, message_ts=message_ts)
    except SlackApiError as error:
        log.info("no permalink for %s/%s: %s", channel, message_ts, error.response.get("error"))
        return None
    return str(response["permalink"])
