"""Reply -> what Telegram is sent: HTML text parts, an inline keyboard or ForceReply.

``handlers.rendering`` already produced Telegram HTML with every user string escaped;
this module only cuts it to Telegram's limits and builds the markup objects.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from aiogram.types import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from handlers.rendering import Rendered, RenderedButton

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_ALERT = 200

Markup = InlineKeyboardMarkup | ForceReply

_TAG = re.compile(r"<[^>]*>")
_OPEN_OR_CLOSE = re.compile(r"<(/?)([a-zA-Z-]+)[^>]*>")


@dataclass(frozen=True)
class OutMessage:
    """One Telegram message to send or edit: HTML parts (markup goes on the last one)."""

    parts: list[str]
    markup: Markup | None


def keyboard(
    rows: list[list[RenderedButton]], *, private: bool = False
) -> InlineKeyboardMarkup | None:
    cleaned = [[_button(b, private) for b in row] for row in rows if row]
    return InlineKeyboardMarkup(inline_keyboard=cleaned) if cleaned else None


def _button(b: RenderedButton, private: bool) -> InlineKeyboardButton:
    """An action (callback data), a link, or a Mini App: Telegram opens ``web_app``
    buttons only in private chats; in a group the same address is an ordinary link."""
    if b.url is not None and b.web_app and private:
        return InlineKeyboardButton(text=b.label, web_app=WebAppInfo(url=b.url))
    if b.url is not None:
        return InlineKeyboardButton(text=b.label, url=b.url)
    return InlineKeyboardButton(text=b.label, callback_data=b.data)


def out_message(
    rendered: Rendered, *, allow_force_reply: bool = True, private: bool = False
) -> OutMessage:
    """Inline buttons win over ForceReply (Telegram cannot combine them): with both, the
    keyboard is sent and the text itself asks the question. A question's Cancel button
    joins its keyboard. A question with no other buttons in a ``private`` chat gets just
    the Cancel button: every message there reaches the bot and the member's open
    question takes the next one. In a group it keeps ForceReply: with privacy mode on
    (the default) a group message reaches the bot only as a reply to it, and ForceReply
    makes the member's client reply; the Cancel button then follows as its own message
    (``ReplySender``)."""
    markup: Markup | None = keyboard(rendered.buttons, private=private)
    if rendered.cancel is not None and (markup is not None or (private and rendered.reply.ask)):
        markup = keyboard([*rendered.buttons, [rendered.cancel]], private=private)
    if markup is None and rendered.reply.ask and allow_force_reply:
        markup = ForceReply(force_reply=True, selective=True)
    return OutMessage(split_html(rendered.text or "…"), markup)


def plain_text(text: str, limit: int = MAX_ALERT) -> str:
    """HTML -> the plain text of a callback alert (no markup, at most ``limit`` chars)."""
    plain = html.unescape(_TAG.sub("", text)).strip()
    if len(plain) > limit:
        plain = plain[: limit - 1].rstrip() + "…"
    return plain


def split_html(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split on line boundaries into parts of at most ``limit`` characters.

    Tags that are open at a cut are closed at the end of the part and reopened at the
    start of the next, so every part is valid HTML on its own. A single line longer
    than the limit is cut between characters, never inside a tag or an ``&entity;``.
    """
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    for line in text.split("\n"):
        pieces.extend(_hard_cut(line, limit // 2) if len(line) > limit // 2 else [line])
    parts: list[str] = []
    current = ""
    open_tags: list[tuple[str, str]] = []  # (name, full opening tag)
    for piece in pieces:
        candidate = f"{current}\n{piece}" if current else piece
        closing = "".join(f"</{name}>" for name, _ in reversed(_open_after(piece, open_tags)))
        if current and len(candidate) + len(closing) > limit:
            parts.append(current + "".join(f"</{n}>" for n, _ in reversed(open_tags)))
            reopened = "".join(tag for _, tag in open_tags)
            current = reopened + piece
        else:
            current = candidate
        open_tags = _open_after(piece, open_tags)
    if current:
        parts.append(current)
    return [p for p in parts if _TAG.sub("", p).strip()] or [text[:limit]]


def _open_after(fragment: str, open_tags: list[tuple[str, str]]) -> list[tuple[str, str]]:
    stack = list(open_tags)
    for match in _OPEN_OR_CLOSE.finditer(fragment):
        closing, name = match.group(1), match.group(2).lower()
        if closing:
            if stack:
                stack.pop()
        else:
            stack.append((name, match.group(0)))
    return stack


def _hard_cut(line: str, size: int) -> list[str]:
    chunks: list[str] = []
    while len(line) > size:
        cut = size
        lt, amp = line.rfind("<", 0, cut), line.rfind("&", 0, cut)
        if lt > line.rfind(">", 0, cut):
            cut = lt
        if amp > line.rfind(";", 0, cut) and cut - amp < 10:
            cut = min(cut, amp)
        if cut <= 0:
            cut = size
        chunks.append(line[:cut])
        line = line[cut:]
    chunks.append(line)
    return chunks
