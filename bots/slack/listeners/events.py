"""Events API: direct messages create tasks (like a Telegram private chat); App Home."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.deps import SlackDeps
from bots.slack.inbound import from_direct_message, is_direct_message
from bots.slack.profile import verified_email


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.event("message")
    async def on_message(
        ack: AsyncAck, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        if not is_direct_message(event):
            return
        # A retried delivery (X-Slack-Retry-Num) has the same event_id: the
        # conversation records it as the update key and ignores the repeat.
        inbound = from_direct_message(body, event)
        replies = await deps.conversation.handle(
            inbound, email=verified_email(client, inbound.user_id)
        )
        await deps.replies.deliver(
            client, replies, user_id=inbound.user_id, channel=inbound.chat_id
        )
        await deps.home.after_turn(client, inbound, replies)

    @app.event("app_home_opened")
    async def on_home_opened(
        ack: AsyncAck, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        if event.get("tab", "home") != "home":
            return
        await deps.home.publish(client, str(body.get("team_id") or ""), str(event["user"]))
