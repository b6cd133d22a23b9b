"""Buttons: every Brygada button has action_id ``brygada:<n>`` and a signed token as value;
the App Home's Refresh button is ``brygada_home_refresh``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.blocks import ACTION_PATTERN, HOME_REFRESH, LINK_ACTION_PATTERN
from bots.slack.deps import SlackDeps
from bots.slack.inbound import from_action, team_of
from bots.slack.inbox import no_ack
from bots.slack.outbound import Where, try_open_dm


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.action(LINK_ACTION_PATTERN)
    async def on_link(ack: AsyncAck) -> None:
        await ack()  # the browser opened the link; nothing to do here

    @app.action(ACTION_PATTERN, middleware=[deps.inbox.keeping("action")])
    async def on_button(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await deps.inbox.handle(context, button_turn(deps, client, body, ack, live=True))

    async def replay(client: AsyncWebClient, body: dict[str, Any]) -> None:
        await button_turn(deps, client, body, no_ack, live=False)

    deps.inbox.route("action", replay)

    @app.action(HOME_REFRESH)
    async def on_home_refresh(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await deps.home.publish(client, team_of(body), str(body["user"]["id"]))


async def button_turn(
    deps: SlackDeps,
    client: AsyncWebClient,
    body: dict[str, Any],
    ack: Callable[..., Awaitable[Any]],
    *,
    live: bool,
) -> None:
    """A pressed Brygada button; ``live`` False: handled again, its trigger expired."""
    await ack()
    action = (body.get("actions") or [{}])[0]
    user_id = str(body["user"]["id"])
    container = body.get("container") or {}
    message_ts: str | None
    channel: str | None
    if container.get("type") == "message":
        channel = str(container.get("channel_id") or (body.get("channel") or {})["id"])
        message_ts = container.get("message_ts")
    else:  # App Home or a modal: answers go to the DM as new messages
        channel, message_ts = await try_open_dm(client, user_id), None
    inbound = from_action(body, action, channel or "", message_ts)
    trigger_id = body.get("trigger_id") if live else None
    replies = await deps.durable.answer(
        client, inbound, Where(user_id, channel, message_ts, trigger_id)
    )
    await deps.home.after_turn(client, inbound, replies)
