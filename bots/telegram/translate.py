"""aiogram Message / CallbackQuery -> handlers.Inbound. Translation only, no rules."""

from __future__ import annotations

from aiogram.types import (
    CallbackQuery,
    Chat,
    Message,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    User,
)

from handlers.types import Attachment, ChatType, Inbound, SharedContact

PLATFORM = "telegram"


def _chat_type(chat: Chat) -> ChatType:
    return "private" if chat.type == "private" else "group"


def _who(user: User | None, chat: Chat) -> dict[str, object]:
    if user is None:  # anonymous group admin / channel post: the chat speaks
        return {"user_id": str(chat.id), "user_name": chat.title or "", "username": chat.username}
    return {
        "user_id": str(user.id),
        "user_name": user.full_name,
        "username": user.username,
        "locale": user.language_code,
    }


def parse_command(text: str, bot_username: str | None) -> tuple[str, str] | None:
    """``/name@bot args`` -> (name, args); None when addressed to another bot."""
    pieces = text[1:].split(maxsplit=1)
    head = pieces[0] if pieces else ""
    args = pieces[1] if len(pieces) > 1 else ""
    name, _, target = head.partition("@")
    if target and bot_username and target.lower() != bot_username.lower():
        return None
    return name.lower(), args.strip()


def origin_name(message: Message) -> str | None:
    origin = message.forward_origin
    if isinstance(origin, MessageOriginUser):
        return origin.sender_user.full_name
    if isinstance(origin, MessageOriginHiddenUser):
        return origin.sender_user_name
    if isinstance(origin, MessageOriginChat):
        return origin.sender_chat.title or origin.author_signature
    if isinstance(origin, MessageOriginChannel):
        return origin.chat.title or origin.author_signature
    return None


def message_link(message: Message) -> str:
    chat = message.chat
    if chat.username:
        return f"https://t.me/{chat.username}/{message.message_id}"
    return f"message {message.message_id} in {chat.title or chat.full_name or chat.id}"


def attachments_of(message: Message) -> tuple[Attachment, ...]:
    if message.photo:
        return (Attachment("photo", message.photo[-1].file_id, None),)
    if message.document:
        return (Attachment("document", message.document.file_id, message.document.file_name),)
    return ()


def from_message(
    message: Message, *, workspace: str, update_id: int | None, bot_username: str | None
) -> Inbound | None:
    """None when the message is not for us (a command to another bot, a service message)."""
    body = message.text if message.text is not None else message.caption
    attachments = attachments_of(message)
    base: dict[str, object] = {
        "platform": PLATFORM,
        "workspace": workspace,
        "chat_id": str(message.chat.id),
        "chat_type": _chat_type(message.chat),
        "update_key": str(update_id) if update_id is not None else None,
        "message_ref": str(message.message_id),
        "attachments": attachments,
        **_who(message.from_user, message.chat),
    }
    if message.contact is not None:
        card = message.contact
        full_name = " ".join(p for p in (card.first_name, card.last_name) if p)
        return Inbound(contact=SharedContact(name=full_name, phone=card.phone_number), **base)  # type: ignore[arg-type]
    if body is None and not attachments:
        return None
    body = body or ""
    if body.startswith("/") and len(body) > 1:
        parsed = parse_command(body, bot_username)
        if parsed is None:
            return None
        command, args = parsed
        base.update(command=command, args=args)
        replied = message.reply_to_message
        if replied is not None and not _is_service_reply(message, replied):
            quoted = replied.text if replied.text is not None else replied.caption
            base.update(quoted=quoted or None, origin=message_link(replied))
        return Inbound(**base)  # type: ignore[arg-type]
    if message.forward_origin is not None:
        name = origin_name(message)
        base.update(forwarded_from=name or "")
    return Inbound(text=body, **base)  # type: ignore[arg-type]


def _is_service_reply(message: Message, replied: Message) -> bool:
    """In forum topics every message "replies" to the topic's creation message."""
    return bool(message.is_topic_message and replied.forum_topic_created)


def from_callback(callback: CallbackQuery, *, workspace: str, update_id: int | None) -> Inbound:
    message = callback.message
    chat = message.chat if message is not None else None
    who = (
        _who(callback.from_user, chat)
        if chat is not None
        else {
            "user_id": str(callback.from_user.id),
            "user_name": callback.from_user.full_name,
            "username": callback.from_user.username,
            "locale": callback.from_user.language_code,
        }
    )
    return Inbound(
        platform=PLATFORM,
        workspace=workspace,
        chat_id=str(chat.id if chat is not None else callback.from_user.id),
        chat_type=_chat_type(chat) if chat is not None else "private",
        action=callback.data or "",
        update_key=str(update_id) if update_id is not None else None,
        message_ref=str(message.message_id) if message is not None else None,
        **who,
    )
