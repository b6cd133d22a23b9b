"""The timer card on Slack: one pinned message in the member's DM with the app, kept
current (a ``Reply`` with ``slot``; the timer card is the one slot there is).

Nothing is stored on our side: ``pins.list`` of the DM finds the card — a bot message
(only our app posts bot messages in its DM) whose text begins with the slot's mark —
and ``chat.update`` rewrites it. With no card (never sent, unpinned by the member,
deleted) a new one is posted and pinned (``pins.add``). The card stays pinned when the
timer stops, showing "no timer" and today's total. The scopes ``pins:read`` and
``pins:write`` are needed; without them every change posts a new card (logged).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.blocks import fallback_text, message_blocks
from bots.slack.errors import error_code, http_status
from bots.slack.outbound import SlackReplies
from handlers.types import SLOT_MARKS, Reply

log = logging.getLogger(__name__)

# chat.update errors after which the card is posted anew.
_GONE = frozenset({"message_not_found", "cant_update_message", "edit_window_closed"})


def _card_ts(items: Any, mark: str) -> str | None:
    """The newest pinned bot message of the DM whose text begins with ``mark``."""
    found: list[str] = []
    for item in items or []:
        message = item.get("message") if isinstance(item, dict) else None
        if (
            isinstance(message, dict)
            and message.get("bot_id")
            and str(message.get("text") or "").startswith(mark)
            and message.get("ts")
        ):
            found.append(str(message["ts"]))
    return max(found, key=float) if found else None


class SlotCards:
    """Posts slot replies as pinned cards kept up to date (see the module docstring)."""

    def __init__(self, replies: SlackReplies) -> None:
        self._replies = replies
        # One lock per DM with a card: two outbox workers must not both pin a new card.
        self._locks: dict[str, asyncio.Lock] = {}

    async def deliver(self, client: AsyncWebClient, channel: str, reply: Reply) -> str:
        """Update the card of ``reply.slot`` in ``channel`` or post and pin it; its ts."""
        assert reply.slot is not None
        mark = SLOT_MARKS.get(reply.slot, "")
        rendered = self._replies.renderer.render(reply)
        text, blocks = fallback_text(rendered), message_blocks(rendered)
        async with self._locks.setdefault(channel, asyncio.Lock()):
            ts = await self._find(client, channel, mark) if mark else None
            if ts is not None:
                try:
                    await client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
                    return ts
                except SlackApiError as error:
                    if error_code(error) not in _GONE:
                        raise
                    log.info("%s card %s in %s gone; posting a new one", reply.slot, ts, channel)
            await self._replies.pacer.wait(channel)
            response = await client.chat_postMessage(
                channel=channel, text=text, blocks=blocks, unfurl_links=False
            )
            ts = str(response["ts"])
            try:
                await client.pins_add(channel=channel, timestamp=ts)
            except SlackApiError as error:  # missing scope, too many pins: the card went
                log.warning("%s card not pinned in %s: %s", reply.slot, channel, error_code(error))
            return ts

    @staticmethod
    async def _find(client: AsyncWebClient, channel: str, mark: str) -> str | None:
        try:
            response = await client.pins_list(channel=channel)
        except SlackApiError as error:
            if http_status(error) == 429 or error_code(error) == "ratelimited":
                raise
            log.warning("pins.list in %s: %s; posting a new card", channel, error_code(error))
            return None
        return _card_ts(response.get("items"), mark)
