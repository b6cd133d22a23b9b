"""Events API: direct messages create tasks (like a Telegram private chat); App Home."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.deps import SlackDeps
from bots.slack.inbound import from_direct_message, is_direct_message
from bots.slack.inbox import no_ack
from bots.slack.outbound import Where
from bots.slack.profile import verified_email


def _direct_message(body: dict[str, Any]) -> bool:
    event = body.get("event")
    return isinstance(event, dict) and is_direct_message(event)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    # Bolt acks an event before its listener runs: the inbox row is written by the
    # listener's middleware, which runs before that ack.
    @app.event("message", middleware=[deps.inbox.keeping("message", only=_direct_message)])
    async def on_message(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await deps.inbox.handle(context, message_turn(deps, client, body, ack))

    async def replay(client: AsyncWebClient, body: dict[str, Any]) -> None:
        await message_turn(deps, client, body, no_ack)

    deps.inbox.route("message", replay)

    @app.event("app_home_opened")
    async def on_home_opened(
        ack: AsyncAck, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        if event.get("tab", "home") != "home":
            return
        await deps.home.publish(client, str(body.get("team_id") or ""), str(event["user"]))


async def message_turn(
    deps: SlackDeps,
    client: AsyncWebClient,
    body: dict[str, Any],
    ack: Callable[..., Awaitable[Any]],
) -> None:
    await ack()
    if not _direct_message(body):
        return
    # A retried delivery (X-Slack-Retry-Num) has the same event_id: the
    # conversation records it as the update key and ignores the repeat.
    inbound = from_direct_message(body, body["event"])
    replies = await deps.durable.answer(
        client,
        inbound,
        Where(inbound.user_id, inbound.chat_id),
        email=verified_email(client, inbound.user_id),
    )
    await deps.home.after_turn(client, inbound, replies)
