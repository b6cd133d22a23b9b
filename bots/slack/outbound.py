"""Replies -> Slack Web API calls. The one place that decides where a reply goes.

Rule (predictable, documented in the README of the adapter): every answer goes to
the user's direct-message channel with the app (``conversations.open``), whatever
channel the slash command was typed in. A pressed button's ``edit`` reply updates
that message in place (``chat.update``); an ``alert`` is an ephemeral notice in the
channel of the pressed message.

An ``ask`` after a button press opens a modal (``views.open`` with the press's
``trigger_id``) whose text is the question and whose one input is the answer; the
modal remembers the pressed card, and the answer's replies are delivered as the
press's would be: the first card-like reply updates the pressed card. A question
that offers buttons (quick deadlines, people to pick) stays a message, since a
one-field modal cannot offer them; so does any question without a ``trigger_id``
(typed text, a modal's own answer) or whose modal could not be opened: the user's
next DM message answers it (the conversation keeps the pending question).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from dataclasses import replace

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.blocks import fallback_text, message_blocks
from bots.slack.errors import error_code
from bots.slack.modals import ModalContext, answer_modal
from handlers.rendering import Renderer
from handlers.types import Reply

log = logging.getLogger(__name__)

# Templates of the conversation's refusals (a rule said no, or an unexpected error).
REFUSAL_TEMPLATES = frozenset({"error", "error_unexpected"})


def is_refusal(reply: Reply) -> bool:
    return reply.template in REFUSAL_TEMPLATES


def as_press_replies(replies: Iterable[Reply]) -> list[Reply]:
    """Replies to a modal's answer, placed as the press that opened the modal would have
    them: the first reply that is neither a question, a notice nor a refusal replaces
    the pressed card. (The conversation marks ``edit`` only for button presses.)"""
    placed: list[Reply] = []
    edited = False
    for reply in replies:
        card_like = not (
            reply.ask or reply.alert or is_refusal(reply) or reply.to_member is not None
        )
        if card_like and not edited:
            reply, edited = replace(reply, edit=True), True
        placed.append(reply)
    return placed


async def open_dm(client: AsyncWebClient, user_id: str) -> str:
    response = await client.conversations_open(users=user_id)
    return str(response["channel"]["id"])


class ChannelPacer:
    """About one chat.postMessage per second per channel, as Slack asks: each channel
    has its next free departure; different channels never wait for each other."""

    def __init__(self, per_second: float = 1.0) -> None:
        self._interval = 1.0 / per_second
        self._next: dict[str, float] = {}

    async def wait(self, channel: str) -> None:
        now = time.monotonic()
        departure = max(now, self._next.get(channel, 0.0))
        self._next[channel] = departure + self._interval
        if len(self._next) > 10_000:  # forget channels that have been quiet
            self._next = {c: t for c, t in self._next.items() if t > now}
        if departure > now:
            await asyncio.sleep(departure - now)


class SlackReplies:
    def __init__(self, renderer: Renderer, pacer: ChannelPacer | None = None) -> None:
        self.renderer = renderer
        self.pacer = pacer or ChannelPacer()

    async def post(self, client: AsyncWebClient, channel: str, reply: Reply) -> str:
        rendered = self.renderer.render(reply)
        await self.pacer.wait(channel)
        response = await client.chat_postMessage(
            channel=channel,
            text=fallback_text(rendered),
            blocks=message_blocks(rendered),
            unfurl_links=False,
        )
        await self._attachments(client, channel, reply)
        return str(response["ts"])

    async def deliver(
        self,
        client: AsyncWebClient,
        replies: Iterable[Reply],
        *,
        user_id: str,
        channel: str,
        message_ts: str | None = None,
        trigger_id: str | None = None,
    ) -> None:
        """Send the conversation's replies for one inbound; ``message_ts`` is the message
        whose button was pressed (None for commands and typed text), ``trigger_id`` the
        press's trigger (a question may then open a modal; a trigger opens one only)."""
        for reply in replies:
            if reply.to_member is not None:
                # Other members are reached through the outbox and SlackNotifier.
                log.warning(
                    "reply %s for member %s not sent inline", reply.template, reply.to_member
                )
                continue
            try:
                if trigger_id and reply.ask and not reply.buttons:
                    opened = await self._open_question(
                        client, reply, trigger_id, channel, message_ts
                    )
                    trigger_id = None  # single use
                    if opened:
                        continue
                await self._deliver_one(client, reply, user_id, channel, message_ts)
            except SlackApiError as error:
                log.error(
                    "slack %s failed for %s: %s",
                    reply.template,
                    user_id,
                    error_code(error),
                )

    async def _open_question(
        self,
        client: AsyncWebClient,
        reply: Reply,
        trigger_id: str,
        channel: str,
        message_ts: str | None,
    ) -> bool:
        """The question as a modal; False (post it instead) when Slack refuses it."""
        context = ModalContext(channel=channel, message_ts=message_ts, lang=reply.lang)
        view = answer_modal(self.renderer.render(reply), context)
        try:
            await client.views_open(trigger_id=trigger_id, view=view)
        except SlackApiError as error:
            log.info("question modal not opened: %s", error_code(error))
            return False
        return True

    async def _deliver_one(
        self,
        client: AsyncWebClient,
        reply: Reply,
        user_id: str,
        channel: str,
        message_ts: str | None,
    ) -> None:
        rendered = self.renderer.render(reply)
        text, blocks = fallback_text(rendered), message_blocks(rendered)
        if reply.alert and message_ts:
            await client.chat_postEphemeral(channel=channel, user=user_id, text=text, blocks=blocks)
            return
        if reply.edit and message_ts:
            try:
                await client.chat_update(channel=channel, ts=message_ts, text=text, blocks=blocks)
                return
            except SlackApiError as error:
                if error_code(error) not in {"message_not_found", "cant_update_message"}:
                    raise
                log.info("message %s in %s gone; posting a new one", message_ts, channel)
        await self.pacer.wait(channel)
        await client.chat_postMessage(channel=channel, text=text, blocks=blocks, unfurl_links=False)
        await self._attachments(client, channel, reply)

    @staticmethod
    async def _attachments(client: AsyncWebClient, channel: str, reply: Reply) -> None:
        if reply.image is not None:
            await client.files_upload_v2(channel=channel, file=reply.image, filename="image.png")
        if reply.file is not None:
            name, data = reply.file
            await client.files_upload_v2(channel=channel, file=data, filename=name)
