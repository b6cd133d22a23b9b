"""TelegramNotifier: the outbox dispatcher's way to reach a member on Telegram, and to
deliver the stored replies of updates (``handlers.delivery.ReplyCourier``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)

from bots.telegram.middlewares import send_deadline
from bots.telegram.sender import ReplySender
from domain.company import ChatIdentity
from handlers.delivery import DeliveryError, NotSentInTime
from handlers.types import Reply

log = logging.getLogger(__name__)

_GONE = ("chat not found", "user not found", "user is deactivated", "peer_id_invalid")
# What a failed send may raise; anything else is a bug.
SEND_ERRORS = (
    TelegramRetryAfter,
    TelegramForbiddenError,
    TelegramBadRequest,
    TelegramNotFound,
    TelegramServerError,
    TelegramNetworkError,
    TimeoutError,
    TelegramUnauthorizedError,
    # Not the Bot API's JSON: a proxy's error page (HTML 502) in front of it. Temporary.
    ClientDecodeError,
)


def delivery_error(error: BaseException, *, done: int = 0) -> DeliveryError:
    """A failed Telegram call as a DeliveryError: permanent when the chat is gone."""
    if isinstance(error, TelegramRetryAfter):
        return DeliveryError(
            "telegram: too many requests", retry_after=error.retry_after, done=done
        )
    if isinstance(error, TelegramForbiddenError | TelegramNotFound):
        return DeliveryError(f"telegram: {error.message}", permanent=True, done=done)
    if isinstance(error, TelegramBadRequest):
        gone = any(s in error.message.lower() for s in _GONE)
        return DeliveryError(f"telegram: {error.message}", permanent=gone, done=done)
    if isinstance(error, ClientDecodeError):
        return DeliveryError("telegram: not a Bot API answer", done=done)
    # 5xx, the network, a timeout, a bad token (our problem): try again later.
    return DeliveryError(f"telegram: {error or type(error).__name__}", done=done)


class TelegramNotifier:
    platform = "telegram"

    def __init__(self, bot: Bot, sender: ReplySender | None = None) -> None:
        self._bot = bot
        self._sender = sender or ReplySender()

    async def send(self, identity: ChatIdentity, reply: Reply) -> None:
        chat = identity.chat_id or identity.user_id
        try:
            chat_id = int(chat)
        except ValueError:
            raise DeliveryError(f"telegram: bad chat id {chat!r}", permanent=True) from None
        try:
            await self._sender.send_one(self._bot, chat_id, reply)
        except SEND_ERRORS as error:
            raise delivery_error(error) from error

    async def deliver(
        self, workspace: str, chat_id: str, payload: Sequence[Mapping[str, Any]], start: int
    ) -> None:
        """The stored operations of an update's replies, from ``start`` on."""
        if workspace != str(self._bot.id):
            raise DeliveryError(f"telegram: replies of another bot ({workspace})", permanent=True)
        await carry_out(self._sender, self._bot, payload, start)


async def carry_out(
    sender: ReplySender,
    bot: Bot,
    payload: Sequence[Mapping[str, Any]],
    start: int,
    *,
    within: float | None = None,
) -> None:
    """Stored reply operations in order (all ``within`` seconds, if given), or
    DeliveryError saying how many are done.

    An operation Telegram refuses as malformed would be refused forever: it is logged
    and skipped, so it does not hold up the chat's later replies.
    """
    done = start
    deadline = send_deadline.set(None if within is None else time.monotonic() + within)
    try:
        for op in payload[start:]:
            try:
                await sender.execute(bot, op)
            except TelegramBadRequest as error:
                if any(s in error.message.lower() for s in _GONE):
                    raise
                log.error("telegram refused a reply (%s); skipped: %s", error.message, op)
            done += 1
    except NotSentInTime as error:
        raise DeliveryError("telegram: not sent in time", done=done) from error
    except SEND_ERRORS as error:
        raise delivery_error(error, done=done) from error
    finally:
        send_deadline.reset(deadline)
