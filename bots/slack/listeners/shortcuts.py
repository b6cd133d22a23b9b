"""Message shortcut "Create task from message": a modal with the message's text to edit;
its submission (``brygada_new_task``, in ``listeners.views``) creates the task."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.blocks import CREATE_TASK_SHORTCUT
from bots.slack.deps import SlackDeps
from bots.slack.inbound import unescape
from bots.slack.modals import ModalContext, language_of, new_task_modal

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


async def _language(client: AsyncWebClient, user_id: str) -> str:
    """The language of the modal's own words, from the user's Slack locale."""
    try:
        response = await client.users_info(user=user_id, include_locale=True)
    except SlackApiError as error:
        log.info("users.info %s: %s", user_id, error.response.get("error"))
        return language_of(None)
    return language_of((response.get("user") or {}).get("locale"))
