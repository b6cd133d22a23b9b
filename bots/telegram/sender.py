"""Replies -> Telegram API calls (sendMessage / editMessageText / sendPhoto / sendDocument /
answerCallbackQuery). Shared by the conversation handlers and the notifier.

A slot reply (``Reply.slot``, the timer card) is one pinned message per chat, kept
current: ``getChat`` names the pinned message; when the bot sent it and its text begins
with the slot's mark it is edited in place, otherwise (none, unpinned by the user,
deleted, too old to edit) a new card is sent silently and pinned. The card stays pinned
when the timer stops, showing "no timer" and today's total.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InaccessibleMessage,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
)

from bots.telegram.render import MAX_CAPTION, OutMessage, out_message, plain_text
from handlers.rendering import TELEGRAM_HTML, Renderer
from handlers.types import SLOT_MARKS, Reply

log = logging.getLogger(__name__)


def _not_modified(error: TelegramBadRequest) -> bool:
    return "message is not modified" in error.message.lower()


def _is_card(bot: Bot, message: Message, slot: str) -> bool:
    """The bot's own message whose text begins with the slot's mark."""
    mark = SLOT_MARKS.get(slot)
    sender = message.from_user
    return bool(
        mark
        and sender is not None
        and sender.id == bot.id
        and (message.text or "").startswith(mark)
    )


class ReplySender:
    def __init__(self, renderer: Renderer | None = None) -> None:
        self.renderer = renderer or Renderer(TELEGRAM_HTML)
        self._slot_locks: dict[int, asyncio.Lock] = {}

    async def answer_callback(
        self, bot: Bot, callback: CallbackQuery, replies: Sequence[Reply]
    ) -> list[Reply]:
        """Answer the query exactly once (with the first alert, if any); return the replies
        still to send."""
        alert = next((r for r in replies if r.alert), None)
        text = plain_text(self.renderer.render(alert).text) if alert else None
        try:
            await bot.answer_callback_query(callback.id, text=text, show_alert=bool(text))
        except TelegramBadRequest as error:  # too old: the user waited > 15 s
            log.warning("callback %s not answered: %s", callback.id, error.message)
        return [r for r in replies if r is not alert]

    async def send(
        self,
        bot: Bot,
        chat_id: int,
        replies: Sequence[Reply],
        *,
        edit_message: Message | InaccessibleMessage | None = None,
        reply_to: int | None = None,
    ) -> list[Message]:
        sent: list[Message] = []
        for reply in replies:
            sent.extend(
                await self.send_one(
                    bot, chat_id, reply, edit_message=edit_message, reply_to=reply_to
                )
            )
        return sent

    async def send_one(
        self,
        bot: Bot,
        chat_id: int,
        reply: Reply,
        *,
        edit_message: Message | InaccessibleMessage | None = None,
        reply_to: int | None = None,
    ) -> list[Message]:
        rendered = self.renderer.render(reply)
        out = out_message(rendered)
        if reply.image is not None or reply.file is not None:
            return await self._send_media(bot, chat_id, reply, out)
        if reply.slot is not None and (
            out.markup is None or isinstance(out.markup, InlineKeyboardMarkup)
        ):
            if reply.edit and isinstance(edit_message, Message):
                edited = await self._edit(bot, edit_message, OutMessage(out.parts[:1], out.markup))
                if edited is not None:
                    return edited
            return await self.send_slot(bot, chat_id, reply.slot, out)
        if (
            reply.edit
            and isinstance(edit_message, Message)
            and (out.markup is None or isinstance(out.markup, InlineKeyboardMarkup))
        ):
            edited = await self._edit(bot, edit_message, out)
            if edited is not None:
                return edited
        return await self._send_parts(bot, chat_id, out, reply_to=reply_to if reply.ask else None)

    async def _edit(self, bot: Bot, message: Message, out: OutMessage) -> list[Message] | None:
        first, rest = out.parts[0], out.parts[1:]
        markup = out.markup if not rest else None
        assert markup is None or isinstance(markup, InlineKeyboardMarkup)
        try:
            await bot.edit_message_text(
                text=first,
                chat_id=message.chat.id,
                message_id=message.message_id,
                reply_markup=markup,
            )
        except TelegramBadRequest as error:
            if not _not_modified(error):
                log.info("edit failed (%s); sending a new message", error.message)
                return None
        if rest:
            return await self._send_parts(bot, message.chat.id, OutMessage(rest, out.markup))
        return []

    async def send_slot(self, bot: Bot, chat_id: int, slot: str, out: OutMessage) -> list[Message]:
        """The slot's card in this chat: the pinned one edited, or a new one pinned."""
        markup = out.markup if isinstance(out.markup, InlineKeyboardMarkup) else None
        text = out.parts[0]
        async with self._slot_lock(chat_id):
            pinned = (await bot.get_chat(chat_id)).pinned_message
            if pinned is not None and _is_card(bot, pinned, slot):
                try:
                    await bot.edit_message_text(
                        text=text,
                        chat_id=chat_id,
                        message_id=pinned.message_id,
                        reply_markup=markup,
                    )
                    return []
                except TelegramBadRequest as error:
                    if _not_modified(error):
                        return []
                    log.info("%s card not edited (%s); pinning a new one", slot, error.message)
            message = await bot.send_message(
                chat_id, text, reply_markup=markup, disable_notification=True
            )
            try:
                await bot.pin_chat_message(chat_id, message.message_id, disable_notification=True)
            except TelegramBadRequest as error:  # e.g. no right to pin: the card still went
                log.warning("%s card not pinned in %s: %s", slot, chat_id, error.message)
            return [message]

    def _slot_lock(self, chat_id: int) -> asyncio.Lock:
        # One lock per chat that has a card (one per member): the outbox's two workers
        # could otherwise both find no card and pin two.
        return self._slot_locks.setdefault(chat_id, asyncio.Lock())

    async def _send_parts(
        self, bot: Bot, chat_id: int, out: OutMessage, *, reply_to: int | None = None
    ) -> list[Message]:
        sent = []
        for index, part in enumerate(out.parts):
            last = index == len(out.parts) - 1
            sent.append(
                await bot.send_message(
                    chat_id,
                    part,
                    reply_markup=out.markup if last else None,
                    reply_parameters=(
                        ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
                        if last and reply_to
                        else None
                    ),
                )
            )
        return sent

    async def _send_media(
        self, bot: Bot, chat_id: int, reply: Reply, out: OutMessage
    ) -> list[Message]:
        text = "\n".join(out.parts)
        caption_fits = len(out.parts) == 1 and len(text) <= MAX_CAPTION
        caption = text if caption_fits else None
        markup = out.markup if caption_fits else None
        if reply.image is not None:
            media = BufferedInputFile(reply.image, filename="image.png")
            message = await bot.send_photo(chat_id, media, caption=caption, reply_markup=markup)
        else:
            assert reply.file is not None
            name, data = reply.file
            message = await bot.send_document(
                chat_id,
                BufferedInputFile(data, filename=name),
                caption=caption,
                reply_markup=markup,
            )
        sent = [message]
        if not caption_fits:
            sent.extend(await self._send_parts(bot, chat_id, out))
        return sent
