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

Sending is two steps, as on Telegram: ``plan`` turns replies into *operations*, plain
JSON (``post``, ``update`` — falling back to a new message when the message is gone —,
``ephemeral``, ``file`` with its bytes in base64, ``question``: a modal to open with the
press's trigger, or else the same question as a message), and ``carry_out`` does them in
order. An update's operations are stored with its change (``bots.slack.replies``) and
carried out at once, or later by the outbox through ``SlackNotifier.deliver``. A modal
cannot wait (its trigger expires after 3 s): only the live send opens it; later, the
question is posted. An operation may name the ``user`` instead of a ``channel``: the
user's DM, opened (``conversations.open``) when it is carried out.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.blocks import fallback_text, message_blocks
from bots.slack.errors import CHAT_GONE, MALFORMED, delivery_error, error_code
from bots.slack.modals import ModalContext, answer_modal
from handlers.delivery import DeliveryError, NotSentInTime
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


async def try_open_dm(client: AsyncWebClient, user_id: str) -> str | None:
    """The user's DM channel, None when Slack could not say now (the replies name the
    user instead, and the DM is opened when they are delivered)."""
    try:
        return await open_dm(client, user_id)
    except SlackApiError as error:
        log.warning("conversations.open for %s: %s", user_id, error_code(error))
    except (TimeoutError, aiohttp.ClientError) as error:
        log.warning("conversations.open for %s: %r", user_id, error)
    return None


@dataclass(frozen=True)
class Where:
    """Where the replies to one request go: the pressed message (``message_ts`` in
    ``channel``), else ``channel``; ``channel`` None is the user's DM, not opened yet.
    ``trigger_id``: a press's trigger, still usable (a question may open a modal)."""

    user_id: str
    channel: str | None
    message_ts: str | None = None
    trigger_id: str | None = None

    @property
    def chat(self) -> str:
        """The chat whose replies are kept in order: the user for their DM (whether or not
        it is opened yet; DM ids begin with ``D``), else the channel."""
        if self.channel is None or self.channel.startswith("D"):
            return self.user_id
        return self.channel


Op = Mapping[str, Any]


class Pacer(Protocol):
    """The strategy replies wait on: this process's ``ChannelPacer``, or one shared by all
    replicas (``bots.ratelimit_redis.RedisChannelPacer``)."""

    async def wait(self, channel: str, deadline: float | None = None) -> None:
        """Until the channel's turn; NotSentInTime (no turn taken) after ``deadline``."""
        ...


class ChannelPacer:
    """About one chat.postMessage per second per channel, as Slack asks: each channel
    has its next free departure; different channels never wait for each other."""

    def __init__(self, per_second: float = 1.0) -> None:
        self._interval = 1.0 / per_second
        self._next: dict[str, float] = {}

    async def wait(self, channel: str, deadline: float | None = None) -> None:
        """Until the channel's next free departure; NotSentInTime (and no departure
        taken) when that is after ``deadline`` (``time.monotonic()``)."""
        now = time.monotonic()
        departure = max(now, self._next.get(channel, 0.0))
        if deadline is not None and departure > deadline:
            raise NotSentInTime(f"slack channel {channel}: its turn comes too late")
        self._next[channel] = departure + self._interval
        if len(self._next) > 10_000:  # forget channels that have been quiet
            self._next = {c: t for c, t in self._next.items() if t > now}
        if departure > now:
            await asyncio.sleep(departure - now)


class SlackReplies:
    def __init__(self, renderer: Renderer, pacer: Pacer | None = None) -> None:
        self.renderer = renderer
        self.pacer: Pacer = pacer or ChannelPacer()

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

    # -- plan: replies -> operations (JSON) -------------------------------------------------
    def plan(self, replies: Iterable[Reply], where: Where) -> list[dict[str, Any]]:
        """The operations that answer one request (see the module docstring)."""
        ops: list[dict[str, Any]] = []
        trigger_id = where.trigger_id
        for reply in replies:
            if reply.to_member is not None:
                # Other members are reached through the outbox and SlackNotifier.
                log.warning(
                    "reply %s for member %s not sent inline", reply.template, reply.to_member
                )
                continue
            rendered = self.renderer.render(reply)
            message = {
                "channel": where.channel,
                "user": where.user_id,
                "text": fallback_text(rendered),
                "blocks": message_blocks(rendered),
            }
            if trigger_id and reply.ask and not reply.buttons:
                context = ModalContext(
                    channel=where.channel, message_ts=where.message_ts, lang=reply.lang
                )
                view = answer_modal(rendered, context)
                ops.append({"op": "question", "trigger_id": trigger_id, "view": view, **message})
                trigger_id = None  # single use
                continue
            if reply.alert and where.message_ts:
                ops.append({"op": "ephemeral", **message})
            elif reply.edit and where.message_ts:
                ops.append({"op": "update", "ts": where.message_ts, **message})
            else:
                ops.append({"op": "post", **message})
                ops.extend(self._plan_files(reply, where))
        return ops

    @staticmethod
    def _plan_files(reply: Reply, where: Where) -> list[dict[str, Any]]:
        files: list[tuple[str, bytes]] = []
        if reply.image is not None:
            files.append(("image.png", reply.image))
        if reply.file is not None:
            files.append(reply.file)
        return [
            {
                "op": "file",
                "channel": where.channel,
                "user": where.user_id,
                "filename": name,
                # Bytes as base64: the operation is stored as JSON with the change.
                "data": base64.b64encode(data).decode("ascii"),
            }
            for name, data in files
        ]

    # -- carry out: operations -> Slack ---------------------------------------------------
    async def carry_out(
        self,
        client: AsyncWebClient,
        ops: Sequence[Op],
        start: int = 0,
        *,
        within: float | None = None,
        live: bool = False,
    ) -> None:
        """``ops[start:]`` in order (all ``within`` seconds, if given), or DeliveryError
        saying how many are done (counted from the start of ``ops``). ``live``: this is
        the request's own send, so a question may still open its modal.

        An operation Slack refuses as malformed would be refused forever: it is logged and
        skipped, so it does not hold up the chat's later replies."""
        done = start
        dms: dict[str, str] = {}
        # Only waiting for a channel's turn ends at the deadline: a request that left is
        # never cut short (it may have arrived, and would then arrive twice).
        deadline = None if within is None else time.monotonic() + within
        try:
            for op in ops[start:]:
                try:
                    await self._execute(client, op, dms, live=live, deadline=deadline)
                except SlackApiError as error:
                    if error_code(error) not in MALFORMED:
                        raise
                    log.error("slack refused a reply (%s); skipped", error_code(error))
                done += 1
        except NotSentInTime as error:
            raise DeliveryError("slack: not sent in time", done=done) from error
        except SlackApiError as error:
            raise delivery_error(error, permanent=CHAT_GONE, done=done) from error
        except aiohttp.ClientError as error:
            raise DeliveryError(f"network: {error!r}", done=done) from error

    async def deliver(
        self,
        client: AsyncWebClient,
        replies: Iterable[Reply],
        *,
        user_id: str,
        channel: str | None,
        message_ts: str | None = None,
        trigger_id: str | None = None,
    ) -> None:
        """Replies that are not kept (a refusal, an error notice: the request changed
        nothing), sent once; a failure is logged. ``message_ts`` is the message whose
        button was pressed, ``trigger_id`` the press's trigger."""
        where = Where(user_id, channel, message_ts, trigger_id)
        try:
            await self.carry_out(client, self.plan(replies, where), live=True)
        except DeliveryError as failure:
            log.error("slack reply to %s not sent: %s", user_id, failure.reason)

    async def _execute(
        self,
        client: AsyncWebClient,
        op: Op,
        dms: dict[str, str],
        *,
        live: bool,
        deadline: float | None = None,
    ) -> None:
        kind = op["op"]
        if kind == "question" and live:
            try:
                await client.views_open(trigger_id=op["trigger_id"], view=op["view"])
                return
            except SlackApiError as error:
                log.info("question modal not opened: %s", error_code(error))
        channel = op.get("channel") or await self._dm(client, str(op["user"]), dms)
        text, blocks = op.get("text"), op.get("blocks")
        if kind == "ephemeral":
            await client.chat_postEphemeral(
                channel=channel, user=op["user"], text=text, blocks=blocks
            )
            return
        if kind == "update":
            try:
                await client.chat_update(channel=channel, ts=op["ts"], text=text, blocks=blocks)
                return
            except SlackApiError as error:
                if error_code(error) not in {"message_not_found", "cant_update_message"}:
                    raise
                log.info("message %s in %s gone; posting a new one", op["ts"], channel)
        if kind in ("post", "update", "question"):
            await self.pacer.wait(channel, deadline)
            await client.chat_postMessage(
                channel=channel, text=text, blocks=blocks, unfurl_links=False
            )
        elif kind == "file":
            await client.files_upload_v2(
                channel=channel, file=base64.b64decode(op["data"]), filename=op["filename"]
            )
        else:
            log.error("unknown slack reply operation %r skipped", kind)

    @staticmethod
    async def _dm(client: AsyncWebClient, user_id: str, dms: dict[str, str]) -> str:
        if user_id not in dms:
            dms[user_id] = await open_dm(client, user_id)
        return dms[user_id]

    @staticmethod
    async def _attachments(client: AsyncWebClient, channel: str, reply: Reply) -> None:
        if reply.image is not None:
            await client.files_upload_v2(channel=channel, file=reply.image, filename="image.png")
        if reply.file is not None:
            name, data = reply.file
            await client.files_upload_v2(channel=channel, file=data, filename=name)
