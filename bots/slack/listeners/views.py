"""Modal submissions.

``brygada_answer``: the answer to the question a button press asked; sent to the
conversation as typed text (the pending question takes it), its replies placed as the
press's would be (the card from the modal's metadata is updated). Closing it ends the
question. ``brygada_new_task``: the shortcut's edited text becomes ``/task <text>``
with the message's permalink as origin; the confirmation goes to the user's DM.
An empty input is answered inside the modal (``response_action: errors``).
``brygada_form``: a conversation form (``/request leave``), see ``bots.slack.forms``.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.deps import SlackDeps
from bots.slack.errors import error_code
from bots.slack.forms import submit_form
from bots.slack.inbound import from_new_task_submission, from_view_submission, team_of
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
from bots.slack.outbound import as_press_replies, open_dm

log = logging.getLogger(__name__)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.view(ANSWER_VIEW)
    async def on_answer(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        context = ModalContext.load(view.get("private_metadata"))
        text = input_value(view, ANSWER_BLOCK, ANSWER_INPUT)
        if not text:
            await ack(
                response_action="errors", errors=empty_input_errors(ANSWER_BLOCK, context.lang)
            )
            return
        await ack()
        user_id = str(body["user"]["id"])
        channel = context.channel or await open_dm(client, user_id)
        inbound = from_view_submission(body, text, channel, context.message_ts)
        replies = await deps.conversation.handle(inbound)
        await deps.replies.deliver(
            client,
            as_press_replies(replies) if context.message_ts else replies,
            user_id=user_id,
            channel=channel,
            message_ts=context.message_ts,
        )
        await deps.home.after_turn(client, inbound, replies)

    @app.view_closed(ANSWER_VIEW)
    async def on_answer_closed(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await deps.home.question_dropped(client, team_of(body), str(body["user"]["id"]))

    @app.view(NEW_TASK_VIEW)
    async def on_new_task(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        context = ModalContext.load(view.get("private_metadata"))
        text = input_value(view, TASK_BLOCK, TASK_INPUT)
        if not text:
            await ack(response_action="errors", errors=empty_input_errors(TASK_BLOCK, context.lang))
            return
        await ack()
        user_id = str(body["user"]["id"])
        dm = await open_dm(client, user_id)
        permalink = await _permalink(client, context.channel, context.message_ts)
        inbound = from_new_task_submission(body, text, dm, permalink)
        replies = await deps.conversation.handle(inbound)
        await deps.replies.deliver(client, replies, user_id=user_id, channel=dm)
        await deps.home.after_turn(client, inbound, replies)

    @app.view(FORM_VIEW)
    async def on_form(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await submit_form(deps, ack, body, view, client)


async def _permalink(client: AsyncWebClient, channel: str | None, ts: str | None) -> str | None:
    if not channel or not ts:
        return None
    try:
        response = await client.chat_getPermalink(channel=channel, message_ts=ts)
    except SlackApiError as error:
        log.info("no permalink for %s/%s: %s", channel, ts, error_code(error))
        return None
    return str(response["permalink"])
