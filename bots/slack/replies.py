"""A Slack request's replies: stored with its change, then sent within a budget.

As on Telegram (``bots.telegram.replies``): ``answer`` hands the conversation a journal
whose renderer is ``SlackReplies.plan``, so the replies are kept, as Slack operations, in
the request's own unit of work. After the commit they are carried out; what does not go
out within the budget (429 beyond it, 5xx, a proxy's page, the network, the DM that
could not be opened) stays in the reply outbox, which the outbox dispatcher delivers
later through ``SlackNotifier.deliver``, in order per chat. A chat that is gone
(channel_not_found, account_inactive, ...) is given up.

Replies of a request that changed nothing (a refusal, an error notice) are not kept:
they are sent once (``SlackReplies.deliver``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.inbound import PLATFORM
from bots.slack.outbound import SlackReplies, Where, as_press_replies
from domain.ports import ChatRef
from handlers.conversation import Conversation, EmailLookup
from handlers.journal import Render, ReplyJournal
from handlers.types import Inbound, Reply

log = logging.getLogger(__name__)

REPLY_BUDGET_S = 10.0
# The live send stops this much before the budget ends, when the outbox may take over.
_LIVE_SHARE = 0.8


class DurableReplies:
    def __init__(
        self, conversation: Conversation, replies: SlackReplies, *, budget: float = REPLY_BUDGET_S
    ) -> None:
        self.conversation = conversation
        self.replies = replies
        self.budget = budget

    async def answer(
        self,
        client: AsyncWebClient,
        inbound: Inbound,
        where: Where,
        *,
        email: EmailLookup | None = None,
        press: bool = False,
    ) -> list[Reply]:
        """Handle ``inbound`` and deliver its replies to ``where``; ``press``: they are
        placed as a button press's would be (``as_press_replies``)."""

        def render(replies: Sequence[Reply]) -> list[dict[str, Any]]:
            return self.replies.plan(as_press_replies(replies) if press else replies, where)

        journal = self.journal(inbound.workspace, where, render)
        replies = await self.conversation.handle(inbound, email=email, journal=journal)
        if journal.recorded:
            await self.deliver(client, journal)
        else:
            await self.replies.deliver(
                client,
                as_press_replies(replies) if press else replies,
                user_id=where.user_id,
                channel=where.channel,
                message_ts=where.message_ts,
                trigger_id=where.trigger_id,
            )
        return replies

    def journal(self, team: str, where: Where, render: Render) -> ReplyJournal:
        chat = ChatRef(PLATFORM, team, where.chat)
        return self.conversation.journal(chat, render, budget=timedelta(seconds=self.budget))

    async def deliver(self, client: AsyncWebClient, journal: ReplyJournal) -> None:
        """Carry out the stored replies now, if they are this request's to send."""
        await journal.send(
            lambda stored: self.replies.carry_out(
                client, stored.payload, stored.done, within=self.budget * _LIVE_SHARE, live=True
            )
        )
