"""An update's replies on Telegram: stored with its change, then sent within a budget.

``journal`` gives the conversation the adapter's renderer (``ReplySender.plan``) so the
replies are kept, as Telegram operations, in the update's own unit of work. After the
commit ``deliver`` sends them; what does not go out within the update's budget (429
beyond it, 5xx, the network) stays in the reply outbox, which the outbox dispatcher
delivers later, in order per chat. A chat that is gone (blocked the bot) is given up.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from aiogram import Bot
from aiogram.types import InaccessibleMessage, Message

from bots.telegram.notifier import SEND_ERRORS, carry_out
from bots.telegram.sender import ReplySender
from domain.ports import ChatRef
from handlers.conversation import Conversation
from handlers.journal import Render, ReplyJournal
from handlers.types import Inbound, Reply

log = logging.getLogger(__name__)

REPLY_BUDGET_S = 10.0
# The live send stops this much before the budget ends, when the outbox may take over.
_LIVE_SHARE = 0.8


class DurableReplies:
    def __init__(
        self, conversation: Conversation, sender: ReplySender, *, budget: float = REPLY_BUDGET_S
    ) -> None:
        self.conversation = conversation
        self.sender = sender
        self.budget = budget

    def journal(self, inbound: Inbound, render: Render) -> ReplyJournal:
        chat = ChatRef(inbound.platform, inbound.workspace, inbound.chat_id)
        return self.conversation.journal(chat, render, budget=timedelta(seconds=self.budget))

    async def deliver(self, bot: Bot, journal: ReplyJournal) -> None:
        """Send the stored replies now, if they are this update's to send."""
        await journal.send(
            lambda stored: carry_out(
                self.sender, bot, stored.payload, stored.done, within=self.budget * _LIVE_SHARE
            )
        )

    async def best_effort(
        self,
        bot: Bot,
        chat_id: int,
        replies: Sequence[Reply],
        *,
        edit_message: Message | InaccessibleMessage | None = None,
        reply_to: int | None = None,
    ) -> None:
        """Replies of an update that changed nothing (a refusal, an error notice, a toast
        that could not be shown): sent once, not kept."""
        if not replies:
            return
        try:
            await self.sender.send(
                bot, chat_id, replies, edit_message=edit_message, reply_to=reply_to
            )
        except SEND_ERRORS as error:
            log.warning("reply to %s not sent: %r", chat_id, error)
