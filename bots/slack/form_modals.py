"""Conversation forms (handlers.questionnaires) as Slack modals: opening one and sending a
submitted one back to the conversation.

A submission is handled before the ack, since its answer goes in the ack: the filled
form is first *checked* (no update key, nothing written), so a refused answer is shown
on its block with ``response_action: errors`` and the user's other input stays; a
form that leads to another (the request type picked) replaces the modal
(``response_action: update``); a valid one closes it and is sent again to be acted on,
under an update key made of the view and the answers, and its replies go to the DM.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.deps import SlackDeps
from bots.slack.errors import error_code
from bots.slack.inbound import from_interaction
from bots.slack.modals import FormContext, filled_form, form_errors, form_modal
from bots.slack.outbound import Where, try_open_dm
from handlers.questionnaires import FilledForm, Form, form_of
from handlers.rendering import PLAIN, Renderer
from handlers.types import Inbound, Reply

log = logging.getLogger(__name__)

# Modal errors are plain text: rendered without Slack's escaping.
_PLAIN = Renderer(PLAIN)


def first_form(replies: Iterable[Reply]) -> tuple[Reply, Form] | None:
    for reply in replies:
        form = form_of(reply)
        if form is not None:
            return reply, form
    return None


async def open_form(client: AsyncWebClient, reply: Reply, form: Form, trigger_id: str) -> bool:
    """``views.open`` with the form; False when Slack refuses it (e.g. an expired trigger)."""
    try:
        await client.views_open(trigger_id=trigger_id, view=form_modal(form, reply.lang))
    except SlackApiError as error:
        log.info("form modal not opened: %s", error_code(error))
        return False
    return True


def form_inbound(
    body: dict[str, Any],
    command: str,
    filled: FilledForm,
    *,
    chat_id: str,
    update_key: str | None,
) -> Inbound:
    return from_interaction(
        body,
        chat_id,
        command=command,
        args=filled.dump(),
        update_key=update_key,
    )


async def submit_form(
    deps: SlackDeps,
    ack: Callable[..., Awaitable[Any]],
    body: dict[str, Any],
    client: AsyncWebClient,
) -> None:
    view = body.get("view") or {}
    context = FormContext.load(view.get("private_metadata"))
    filled = filled_form(view, context)
    user_id = str((body.get("user") or {}).get("id") or "")
    check = replace(filled, check=True)
    checking = form_inbound(body, context.command, check, chat_id="", update_key=None)
    replies = await deps.conversation.handle(checking)
    found = first_form(replies)
    if found is not None:
        reply, form = found
        if form.has_errors:
            errors = form_errors(form, lambda r: _PLAIN.render(r).text)
            await ack(response_action="errors", errors=errors)
            return
        if not form.valid:  # the next step's form
            await ack(response_action="update", view=form_modal(form, reply.lang))
            return
    await ack()
    dm = await try_open_dm(client, user_id)
    if found is None:  # refused (nothing was written): said once in the DM
        await deps.replies.deliver(client, replies, user_id=user_id, channel=dm)
        await deps.home.after_turn(client, checking, replies)
        return
    digest = hashlib.sha256(filled.dump().encode()).hexdigest()[:16]
    key = f"form:{view.get('id')}:{digest}"
    inbound = form_inbound(body, context.command, filled, chat_id=dm or "", update_key=key)
    replies = await deps.durable.answer(client, inbound, Where(user_id, dm))
    await deps.home.after_turn(client, inbound, replies)
