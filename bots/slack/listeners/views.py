"""Modal submissions.

``brygada_answer``: the answer to the question a button press asked; sent to the
conversation as typed text (the pending question takes it), its replies placed as the
press's would be (the card from the modal's metadata is updated). Closing it ends the
question. ``brygada_new_task``: the shortcut's edited text becomes ``/task <text>``
with the message's permalink as origin; the confirmation goes to the user's DM.
An empty input is answered inside the modal (``response_action: errors``).
``brygada_form``: a conversation form (``/request leave``), see ``bots.slack.form_modals``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.deps import SlackDeps
from bots.slack.errors import error_code
from bots.slack.form_modals import submit_form
from bots.slack.inbound import from_new_task_submission, from_view_submission, team_of
from bots.slack.inbox import no_ack
from bots.slack.modals import (
    ANSWER_BLOCK,
    ANSWER_INPUT,
    ANSWER_VIEW,
    FORM_VIEW,
    NEW_TASK_VIEW,
    TASK_BLOCK,
    TASK_INPUT,
    ModalContext,
    empty_input_errors,
    input_value,
)
from bots.slack.outbound import Where, try_open_dm

log = logging.getLogger(__name__)

Ack = Callable[..., Awaitable[Any]]


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.view(ANSWER_VIEW, middleware=[deps.inbox.keeping("view_answer")])
    async def on_answer(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await deps.inbox.handle(context, answer_turn(deps, client, body, ack))

    @app.view_closed(ANSWER_VIEW)
    async def on_answer_closed(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await deps.home.question_dropped(client, team_of(body), str(body["user"]["id"]))

    @app.view(NEW_TASK_VIEW, middleware=[deps.inbox.keeping("view_new_task")])
    async def on_new_task(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await deps.inbox.handle(context, new_task_turn(deps, client, body, ack))

    @app.view(FORM_VIEW, middleware=[deps.inbox.keeping("view_form")])
    async def on_form(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await deps.inbox.handle(context, submit_form(deps, ack, body, client))

    async def replay_answer(client: AsyncWebClient, body: dict[str, Any]) -> None:
        await answer_turn(deps, client, body, no_ack)

    async def replay_new_task(client: AsyncWebClient, body: dict[str, Any]) -> None:
        await new_task_turn(deps, client, body, no_ack)

    async def replay_form(client: AsyncWebClient, body: dict[str, Any]) -> None:
        await submit_form(deps, no_ack, body, client)

    deps.inbox.route("view_answer", replay_answer)
    deps.inbox.route("view_new_task", replay_new_task)
    deps.inbox.route("view_form", replay_form)


async def answer_turn(
    deps: SlackDeps, client: AsyncWebClient, body: dict[str, Any], ack: Ack
) -> None:
    view = body.get("view") or {}
    context = ModalContext.load(view.get("private_metadata"))
    text = input_value(view, ANSWER_BLOCK, ANSWER_INPUT)
    if not text:
        await ack(response_action="errors", errors=empty_input_errors(ANSWER_BLOCK, context.lang))
        return
    await ack()
    user_id = str(body["user"]["id"])
    channel = context.channel or await try_open_dm(client, user_id)
    inbound = from_view_submission(body, text, channel or "", context.message_ts)
    replies = await deps.durable.answer(
        client,
        inbound,
        Where(user_id, channel, context.message_ts),
        press=bool(context.message_ts),
    )
    await deps.home.after_turn(client, inbound, replies)


async def new_task_turn(
    deps: SlackDeps, client: AsyncWebClient, body: dict[str, Any], ack: Ack
) -> None:
    """The message shortcut's modal, submitted: ``/task <edited text>``."""
    view = body.get("view") or {}
    context = ModalContext.load(view.get("private_metadata"))
    text = input_value(view, TASK_BLOCK, TASK_INPUT)
    if not text:
        await ack(response_action="errors", errors=empty_input_errors(TASK_BLOCK, context.lang))
        return
    await ack()
    user_id = str(body["user"]["id"])
    dm = await try_open_dm(client, user_id)
    permalink = await _permalink(client, context.channel, context.message_ts)
    inbound = from_new_task_submission(body, text, dm or "", permalink)
    replies = await deps.durable.answer(client, inbound, Where(user_id, dm))
    await deps.home.after_turn(client, inbound, replies)


async def _permalink(client: AsyncWebClient, channel: str | None, ts: str | None) -> str | None:
    if not channel or not ts:
        return None
    try:
        response = await client.chat_getPermalink(channel=channel, message_ts=ts)
    except SlackApiError as error:
        log.info("no permalink for %s/%s: %s", channel, ts, error_code(error))
        return None
    except (TimeoutError, aiohttp.ClientError) as error:  # the task goes on without it
        log.info("no permalink for %s/%s: %r", channel, ts, error)
        return None
    return str(response["permalink"])
