"""TelegramNotifier: the outbox dispatcher's way to reach a member on Telegram."""

from __future__ import annotations

import logging

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

from bots.telegram.sender import ReplySender
from domain.company import ChatIdentity
from handlers.delivery import DeliveryError
from handlers.types import Reply

log = logging.getLogger(__name__)

_GONE = ("chat not found", "user not found", "user is deactivated", "peer_id_invalid")


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
        except TelegramRetryAfter as error:
            raise DeliveryError(
                "telegram: too many requests", retry_after=error.retry_after
            ) from error
        except TelegramForbiddenError as error:
            raise DeliveryError(f"telegram: {error.message}", permanent=True) from error
        except TelegramBadRequest as error:
            gone = any(s in error.message.lower() for s in _GONE)
            raise DeliveryError(f"telegram: {error.message}", permanent=gone) from error
        except TelegramNotFound as error:
            raise DeliveryError(f"telegram: {error.message}", permanent=True) from error
        except (TelegramServerError, TelegramNetworkError, TimeoutError) as error:
            raise DeliveryError(f"telegram: {error}") from error
        except TelegramUnauthorizedError as error:  # bad token: our problem, retry later
            raise DeliveryError(f"telegram: {error.message}") from error
        except ClientDecodeError as error:
            # Not the Bot API's JSON: a proxy's error page (HTML 502) in front of it. Temporary.
            raise DeliveryError("telegram: not a Bot API answer") from error
