"""Buttons: every Brygada button has action_id ``brygada:<n>`` and a signed token as value;
the App Home's Refresh button is ``brygada_home_refresh``."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.blocks import ACTION_PATTERN, HOME_REFRESH
from bots.slack.deps import SlackDeps
from bots.slack.inbound import from_action, team_of
from bots.slack.outbound import open_dm


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.action(ACTION_PATTERN)
    async def on_button(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        user_id = str(body["user"]["id"])
        container = body.get("container") or {}
        message_ts: str | None
        if container.get("type") == "message":
            channel = str(container.get("channel_id") or (body.get("channel") or {})["id"])
            message_ts = container.get("message_ts")
        else:  # App Home or a modal: answers go to the DM as new messages
            channel, message_ts = await open_dm(client, user_id), None
        inbound = from_action(body, action, channel, message_ts)
        replies = await deps.conversation.handle(inbound)
        await deps.replies.deliver(
            client,
            replies,
            user_id=user_id,
            channel=channel,
            message_ts=message_ts,
            trigger_id=body.get("trigger_id"),
        )
        await deps.home.after_turn(client, inbound, replies)

    @app.action(HOME_REFRESH)
    async def on_home_refresh(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await deps.home.publish(client, team_of(body), str(body["user"]["id"]))
