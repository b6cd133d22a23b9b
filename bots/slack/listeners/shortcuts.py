"""Message shortcut "Create task from message": a modal with the message's text to edit;
its submission (``brygada_new_task``, in ``listeners.views``) creates the task.

Global shortcut "New request": the request form as a modal (first the type to pick,
unless there is only one); see ``bots.slack.form_modals``."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.blocks import CREATE_TASK_SHORTCUT
from bots.slack.deps import SlackDeps
from bots.slack.errors import error_code
from bots.slack.form_modals import first_form, form_inbound, open_form
from bots.slack.inbound import unescape
from bots.slack.modals import ModalContext, language_of, new_task_modal
from bots.slack.outbound import open_dm
from handlers.intents.approvals import FORM_COMMAND
from handlers.questionnaires import FilledForm

NEW_REQUEST_SHORTCUT = "brygada_new_request"

log = logging.getLogger(__name__)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.message_shortcut(CREATE_TASK_SHORTCUT)
    async def on_create_task(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        message = body.get("message") or {}
        context = ModalContext(
            channel=str((body.get("channel") or {}).get("id") or "") or None,
            message_ts=str(body.get("message_ts") or message.get("ts") or "") or None,
            lang=await _language(client, str(body["user"]["id"])),
        )
        view = new_task_modal(unescape(message.get("text")), context)
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.global_shortcut(NEW_REQUEST_SHORTCUT)
    async def on_new_request(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        trigger_id = str(body["trigger_id"])
        pick = FilledForm({"pick": True})  # nothing picked yet: the form to pick a type
        inbound = form_inbound(body, FORM_COMMAND, pick, chat_id="", update_key=trigger_id)
        replies = await deps.conversation.handle(inbound)
        found = first_form(replies)
        if found is not None and await open_form(client, *found, trigger_id):
            return
        dm = await open_dm(client, inbound.user_id)
        if found is not None:  # no modal: the list of types in the DM
            inbound = replace(inbound, command="request", args="", update_key=f"{trigger_id}:dm")
            replies = await deps.conversation.handle(replace(inbound, chat_id=dm))
        await deps.replies.deliver(client, replies, user_id=inbound.user_id, channel=dm)
        await deps.home.after_turn(client, inbound, replies)


async def _language(client: AsyncWebClient, user_id: str) -> str:
    """The language of the modal's own words, from the user's Slack locale."""
    try:
        response = await client.users_info(user=user_id, include_locale=True)
    except SlackApiError as error:
        log.info("users.info %s: %s", user_id, error_code(error))
        return language_of(None)
    return language_of((response.get("user") or {}).get("locale"))
