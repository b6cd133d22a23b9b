"""Slash commands: /task /tasks /today /timer /search /join. Answers go to the user's DM;
a question asked here is a DM message too (a modal is only for button presses).

``/request <type>`` is the exception: its form opens as one modal (``bots.slack.form_modals``);
if Slack refuses the modal, the form is asked in the DM field by field as elsewhere."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.deps import SlackDeps
from bots.slack.errors import error_code
from bots.slack.form_modals import first_form, open_form
from bots.slack.inbound import COMMANDS, from_command
from bots.slack.inbox import no_ack
from bots.slack.outbound import Where, try_open_dm
from bots.slack.profile import verified_email
from handlers.intents.approvals import FORM_COMMAND
from handlers.types import Inbound

log = logging.getLogger(__name__)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def on_command(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await deps.inbox.handle(context, command_turn(deps, client, body, ack, live=True))

    async def replay(client: AsyncWebClient, body: dict[str, Any]) -> None:
        await command_turn(deps, client, body, no_ack, live=False)

    keep = deps.inbox.keeping("command")
    for command in COMMANDS:
        app.command(command, middleware=[keep])(on_command)
    deps.inbox.route("command", replay)


async def command_turn(
    deps: SlackDeps,
    client: AsyncWebClient,
    body: dict[str, Any],
    ack: Callable[..., Awaitable[Any]],
    *,
    live: bool,
) -> None:
    """One slash command (kept in the inbox before this acks); ``live`` False: handled
    again after a crash, when its trigger has long expired."""
    await ack()
    user_id = str(body["user_id"])
    dm = await try_open_dm(client, user_id)  # None: the replies name the user
    name = locale = None
    if COMMANDS.get(str(body.get("command"))) == "join":
        name, locale = await _profile(client, user_id)
    inbound = from_command(body, dm or "", user_name=name, locale=locale)
    trigger_id = body.get("trigger_id")
    if inbound.command == "request" and inbound.args and trigger_id:
        if live and await _request_form(deps, client, inbound, str(trigger_id), dm):
            return
        # No modal: the same form field by field in the DM (a new update key, since
        # the form's turn has recorded the trigger).
        inbound = replace(inbound, update_key=f"{trigger_id}:dm")
    replies = await deps.durable.answer(
        client, inbound, Where(user_id, dm), email=verified_email(client, user_id)
    )
    await deps.home.after_turn(client, inbound, replies)


async def _request_form(
    deps: SlackDeps, client: AsyncWebClient, inbound: Inbound, trigger_id: str, dm: str | None
) -> bool:
    """``/request <type>`` as one modal; False when it could not be opened."""
    replies = await deps.conversation.handle(replace(inbound, command=FORM_COMMAND))
    found = first_form(replies)
    if found is None:  # an unknown type (the list of types) or a refusal: said in the DM
        await deps.replies.deliver(client, replies, user_id=inbound.user_id, channel=dm)
        await deps.home.after_turn(client, inbound, replies)
        return True
    return await open_form(client, *found, trigger_id)


async def _profile(client: AsyncWebClient, user_id: str) -> tuple[str | None, str | None]:
    """Real name and locale for a member who joins (one users.info call, only on /join)."""
    try:
        response = await client.users_info(user=user_id, include_locale=True)
    except SlackApiError as error:
        log.info("users.info %s: %s", user_id, error_code(error))
        return None, None
    except (TimeoutError, aiohttp.ClientError) as error:  # the join goes on without it
        log.info("users.info %s: %r", user_id, error)
        return None, None
    user = response.get("user") or {}
    profile = user.get("profile") or {}
    name = user.get("real_name") or profile.get("real_name") or None
    return name, user.get("locale")
