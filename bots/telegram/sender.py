"""Replies -> Telegram API calls (sendMessage / editMessageText / sendPhoto / sendDocument /
answerCallbackQuery). Shared by the conversation handlers and the notifier.

Sending is two steps: ``plan`` renders replies into *operations*, plain JSON (one
visible message each: send, edit, slot card, photo or document, with the markup
dumped and media bytes in base64), and ``execute`` carries one out. The conversation
stores an update's operations with its change (the reply outbox), so the very same
operations are sent at once or, after a failure or a crash, later by the outbox.

A slot reply (``Reply.slot``, the timer card) is one pinned message per chat, kept
current: ``getChat`` names the pinned message; when the bot sent it and its text begins
with the slot's mark it is edited in place, otherwise (none, unpinned by the user,
deleted, too old to edit) a new card is sent silently and pinned. The card stays pinned
when the timer stops, showing "no timer" and today's total.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    ForceReply,
    InaccessibleMessage,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
)

from bots.telegram.render import MAX_CAPTION, Markup, out_message, plain_text
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


Op = Mapping[str, Any]


def _dump(markup: Markup | None) -> dict[str, Any] | None:
    return markup.model_dump(exclude_none=True) if markup is not None else None


def _load(data: Mapping[str, Any] | None) -> Markup | None:
    if not data:
        return None
    if "inline_keyboard" in data:
        return InlineKeyboardMarkup.model_validate(data)
    return ForceReply.model_validate(data)


def _inline(data: Mapping[str, Any] | None) -> InlineKeyboardMarkup | None:
    markup = _load(data)
    return markup if isinstance(markup, InlineKeyboardMarkup) else None


class ReplySender:
    def __init__(self, renderer: Renderer | None = None) -> None:
        self.renderer = renderer or Renderer(TELEGRAM_HTML)
        self._slot_locks: dict[int, asyncio.Lock] = {}

    async def answer_callback(
        self, bot: Bot, callback: CallbackQuery, replies: Sequence[Reply]
    ) -> list[Reply]:
        """Answer the query exactly once (with the first alert, if any); return the replies
        still to send. An alert that could not be shown (the query is too old, the user
        waited > 15 s) is returned too: it goes to the chat as a message instead."""
        alert = self.first_alert(replies)
        text = plain_text(self.renderer.render(alert).text) if alert else None
        try:
            await bot.answer_callback_query(callback.id, text=text, show_alert=bool(text))
        except TelegramBadRequest as error:
            log.warning("callback %s not answered: %s", callback.id, error.message)
            return list(replies)
        return [r for r in replies if r is not alert]

    @staticmethod
    def first_alert(replies: Sequence[Reply]) -> Reply | None:
        return next((r for r in replies if r.alert), None)

    # -- plan: replies -> operations (JSON) -------------------------------------------------
    def plan(
        self,
        chat_id: int,
        replies: Sequence[Reply],
        *,
        edit_message: Message | InaccessibleMessage | None = None,
        reply_to: int | None = None,
    ) -> list[dict[str, Any]]:
        ops: list[dict[str, Any]] = []
        for reply in replies:
            ops.extend(self.plan_one(chat_id, reply, edit_message=edit_message, reply_to=reply_to))
        return ops

    def plan_one(
        self,
        chat_id: int,
        reply: Reply,
        *,
        edit_message: Message | InaccessibleMessage | None = None,
        reply_to: int | None = None,
    ) -> list[dict[str, Any]]:
        # Private chats have positive ids; groups, supergroups and channels negative ones.
        out = out_message(self.renderer.render(reply), private=chat_id > 0)
        parts, markup = out.parts, _dump(out.markup)
        inline = out.markup is None or isinstance(out.markup, InlineKeyboardMarkup)
        pressed = edit_message if reply.edit and isinstance(edit_message, Message) else None
        if reply.image is not None or reply.file is not None:
            return self._plan_media(chat_id, reply, parts, markup)
        if reply.slot is not None and inline:
            return [
                {
                    "op": "slot",
                    "chat_id": chat_id,
                    "slot": reply.slot,
                    "text": parts[0],
                    "markup": markup,
                    "edit_id": pressed.message_id if pressed is not None else None,
                }
            ]
        ops: list[dict[str, Any]] = []
        if pressed is not None and inline:
            # The pressed message changes in place (a new message if it cannot).
            ops.append(
                {
                    "op": "edit",
                    "chat_id": pressed.chat.id,
                    "message_id": pressed.message_id,
                    "text": parts[0],
                    "markup": markup if len(parts) == 1 else None,
                }
            )
            chat_id, parts = pressed.chat.id, parts[1:]
        quote = reply_to if reply.ask else None
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            ops.append(
                {
                    "op": "message",
                    "chat_id": chat_id,
                    "text": part,
                    "markup": markup if last else None,
                    "reply_to": quote if last else None,
                }
            )
        if reply.cancel is not None and isinstance(out.markup, ForceReply):
            ops.append(self._cancel_op(chat_id, reply))
        return ops

    def _cancel_op(self, chat_id: int, question: Reply) -> dict[str, Any]:
        """A group question keeps ForceReply, which cannot carry a button: its Cancel
        follows at once, as a short message of its own."""
        assert question.cancel is not None
        hint = Reply(
            template="question_cancel_hint",
            context={},
            lang=question.lang,
            buttons=((question.cancel,),),
        )
        out = out_message(self.renderer.render(hint))
        return {
            "op": "message",
            "chat_id": chat_id,
            "text": out.parts[0],
            "markup": _dump(out.markup),
            "reply_to": None,
        }

    def _plan_media(
        self, chat_id: int, reply: Reply, parts: list[str], markup: dict[str, Any] | None
    ) -> list[dict[str, Any]]:
        text = "\n".join(parts)
        fits = len(parts) == 1 and len(text) <= MAX_CAPTION
        if reply.image is not None:
            kind, name, data = "photo", "image.png", reply.image
        else:
            assert reply.file is not None
            kind, (name, data) = "document", reply.file
        ops: list[dict[str, Any]] = [
            {
                "op": kind,
                "chat_id": chat_id,
                "filename": name,
                "data": base64.b64encode(data).decode("ascii"),
                "caption": text if fits else None,
                "markup": markup if fits else None,
            }
        ]
        if not fits:
            ops.extend(
                {
                    "op": "message",
                    "chat_id": chat_id,
                    "text": part,
                    "markup": markup if i == len(parts) - 1 else None,
                    "reply_to": None,
                }
                for i, part in enumerate(parts)
            )
        return ops

    # -- execute: one operation -> Telegram -------------------------------------------------
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
        for op in self.plan(chat_id, replies, edit_message=edit_message, reply_to=reply_to):
            sent.extend(await self.execute(bot, op))
        return sent

    async def send_one(self, bot: Bot, chat_id: int, reply: Reply) -> list[Message]:
        sent: list[Message] = []
        for op in self.plan_one(chat_id, reply):
            sent.extend(await self.execute(bot, op))
        return sent

    async def execute(self, bot: Bot, op: Op) -> list[Message]:
        """Carry out one planned operation; returns the messages it created."""
        kind, chat_id = op["op"], int(op["chat_id"])
        if kind == "message":
            return [
                await self._message(
                    bot, chat_id, op["text"], _load(op["markup"]), op.get("reply_to")
                )
            ]
        if kind == "edit":
            if await self._edit(bot, chat_id, op["message_id"], op["text"], _inline(op["markup"])):
                return []
            return [await self._message(bot, chat_id, op["text"], _load(op["markup"]))]
        if kind == "slot":
            card = _inline(op["markup"])
            edit_id = op.get("edit_id")
            if edit_id is not None and await self._edit(bot, chat_id, edit_id, op["text"], card):
                return []
            return await self.send_slot(bot, chat_id, op["slot"], op["text"], card)
        if kind in ("photo", "document"):
            media = BufferedInputFile(base64.b64decode(op["data"]), filename=op["filename"])
            markup = _load(op["markup"])
            if kind == "photo":
                return [
                    await bot.send_photo(chat_id, media, caption=op["caption"], reply_markup=markup)
                ]
            return [
                await bot.send_document(chat_id, media, caption=op["caption"], reply_markup=markup)
            ]
        raise ValueError(f"unknown telegram operation {kind!r}")

    async def _message(
        self,
        bot: Bot,
        chat_id: int,
        text: str,
        markup: Markup | None,
        reply_to: int | None = None,
    ) -> Message:
        return await bot.send_message(
            chat_id,
            text,
            reply_markup=markup,
            reply_parameters=(
                ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
                if reply_to
                else None
            ),
        )

    async def _edit(
        self,
        bot: Bot,
        chat_id: int,
        message_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None,
    ) -> bool:
        """True when the message shows ``text`` now (edited, or it already did)."""
        try:
            await bot.edit_message_text(
                text=text, chat_id=chat_id, message_id=message_id, reply_markup=markup
            )
        except TelegramBadRequest as error:
            if not _not_modified(error):
                log.info("edit failed (%s); sending a new message", error.message)
                return False
        return True

    async def send_slot(
        self, bot: Bot, chat_id: int, slot: str, text: str, markup: InlineKeyboardMarkup | None
    ) -> list[Message]:
        """The slot's card in this chat: the pinned one edited, or a new one pinned."""
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
