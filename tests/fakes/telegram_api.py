"""A loopback fake of the Telegram Bot API for the real aiogram ``Bot``.

aiogram 3 sends every method as ``POST {base}/bot{token}/{method}`` with an
``application/x-www-form-urlencoded`` body, or ``multipart/form-data`` when a file is
uploaded.  Strings are sent verbatim, numbers and booleans as JSON scalars (``42``,
``true``), objects and arrays (``reply_markup``, ``allowed_updates``, ``commands``) as
JSON text inside the form field, uploads as ``attach://<key>`` plus a file part named
``<key>``, and ``None``/empty values are omitted.  The fake decodes all of that (it also
accepts JSON bodies and query strings, as Telegram does), validates like Telegram and
answers ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": ...,
"description": ...}``, which aiogram turns into its ``Telegram*Error`` exceptions.

Usage::

    async with FakeTelegramAPI() as api:
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))
        api.push_update(api.message_update(chat_id=42, user_id=42, text="/start"))
        ...
        await api.wait_for("sendMessage")
        assert api.sent_texts(42) == ["Hello!"]
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import math
import mimetypes
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from tests.fakes import Call, FakeAPIServer, InjectedFailure, UploadedFile

__all__ = [
    "DEFAULT_EXCLUDED_UPDATES",
    "SEND_METHODS",
    "FakeTelegramAPI",
    "HTMLParseError",
    "StoredFile",
    "TelegramLimits",
    "WebhookDelivery",
    "parse_html",
]

JSON = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_INLINE_BUTTONS = 100

SEND_METHODS: frozenset[str] = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
"""Methods counted by the rate-limit enforcer (``enforce_limits``) by default."""

DEFAULT_EXCLUDED_UPDATES: frozenset[str] = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
"""Update types NOT delivered while ``allowed_updates`` is unset (or set to ``[]``)."""

_MESSAGE_UPDATE_KEYS = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_message",
    "edited_business_message",
)
_INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_PARSE_MODES = frozenset({"html", "markdown", "markdownv2"})
# Parameters whose form value is always a plain string (never JSON-decoded).
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "callback_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "parse_mode",
        "action",
        "language_code",
        "ip_address",
        "description",
        "short_description",
        "name",
        "title",
        "emoji",
        "business_connection_id",
        "message_effect_id",
        "file_id",
        "photo",
        "document",
        "audio",
        "video",
        "voice",
        "animation",
        "sticker",
        "thumbnail",
        "certificate",
        "custom_title",
        "query",
    }
)
_INT_RE = re.compile(r"-?\d+")
_TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]+")
_BOT_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_SUPERGROUP_ID_BOUND = -1_000_000_000_000

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


# ---------------------------------------------------------------------------- HTML parsing

_SUPPORTED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)
_TAG_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HTMLParseError(ValueError):
    """Raised by :func:`parse_html` with Telegram's "can't parse entities" reason."""


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the HTML entity at ``text[pos]`` (``&``) into (character, end) or None."""
    match = _HTML_ENTITY_RE.match(text, pos)
    if match is None:
        return None
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED_ENTITIES[named], match.end()
    codepoint = int(decimal) if decimal else int(hexadecimal, 16)
    if codepoint <= 0 or codepoint > 0x10FFFF or 0xD800 <= codepoint <= 0xDFFF:
        return None
    return chr(codepoint), match.end()


def parse_html(text: str, *, strict_ampersand: bool = True) -> tuple[str, list[JSON]]:
    """Parse Telegram-flavoured HTML into (visible text, entities) like Telegram does.

    Mirrors TDLib's parser: only the documented tags are allowed (``span`` needs
    ``class="tg-spoiler"``, ``tg-emoji`` needs ``emoji-id``), tags must nest properly,
    ``</>`` closes the innermost tag, a ``<`` that does not start a tag is an error, only
    ``&lt; &gt; &amp; &quot;`` and numeric entities are decoded.  Real Telegram keeps a
    stray ``&`` literally even though the Bot API documentation requires escaping it;
    with ``strict_ampersand`` (the default) the fake enforces the documented rule.
    Entity offsets/lengths are in UTF-16 code units.  Raises :class:`HTMLParseError`.
    """
    out: list[str] = []
    out_len = 0
    stack: list[tuple[str, int, dict[str, str]]] = []
    entities: list[JSON] = []
    size = len(text)

    def byte_offset(pos: int) -> int:
        return len(text[:pos].encode("utf-8"))

    def emit(chunk: str) -> None:
        nonlocal out_len
        out.append(chunk)
        out_len += _utf16_len(chunk)

    i = 0
    while i < size:
        char = text[i]
        if char == "&":
            decoded = _decode_entity(text, i)
            if decoded is not None:
                emit(decoded[0])
                i = decoded[1]
                continue
            if strict_ampersand:
                raise HTMLParseError(
                    f"Unescaped '&' at byte offset {byte_offset(i)} (the Bot API requires "
                    "'&' that is not part of an entity to be written as &amp;)"
                )
            emit(char)
            i += 1
            continue
        if char != "<":
            emit(char)
            i += 1
            continue

        begin = i
        i += 1
        if i < size and text[i] == "/":
            # End tag.
            i += 1
            name_start = i
            while i < size and not text[i].isspace() and text[i] != ">":
                i += 1
            end_name = text[name_start:i].lower()
            while i < size and text[i].isspace():
                i += 1
            if i >= size or text[i] != ">":
                raise HTMLParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
            i += 1
            if not stack:
                raise HTMLParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
            open_name, open_offset, attrs = stack[-1]
            if end_name and end_name != open_name:
                raise HTMLParseError(
                    f"Unmatched end tag at byte offset {byte_offset(begin)}, expected "
                    f'"</{open_name}>", found "</{end_name}>"'
                )
            stack.pop()
            length = out_len - open_offset
            if length > 0:
                entity: JSON = {
                    "type": _TAG_ENTITY_TYPES[open_name],
                    "offset": open_offset,
                    "length": length,
                }
                if open_name == "a":
                    if not attrs.get("href"):
                        continue
                    entity["url"] = attrs["href"]
                elif open_name == "tg-emoji":
                    entity["custom_emoji_id"] = attrs["emoji-id"]
                elif open_name == "pre" and attrs.get("language"):
                    entity["language"] = attrs["language"]
                elif open_name == "code" and attrs.get("class", "").startswith("language-"):
                    entity["language"] = attrs["class"][len("language-") :]
                elif open_name == "blockquote" and "expandable" in attrs:
                    entity["type"] = "expandable_blockquote"
                entities.append(entity)
            continue

        # Start tag.
        name_start = i
        while i < size and not text[i].isspace() and text[i] != ">":
            i += 1
        if i >= size:
            raise HTMLParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
        tag = text[name_start:i].lower()
        if tag not in _SUPPORTED_TAGS:
            raise HTMLParseError(
                f'Unsupported start tag "{tag}" at byte offset {byte_offset(begin)}'
            )
        attrs = {}
        while True:
            while i < size and text[i].isspace():
                i += 1
            if i >= size:
                raise HTMLParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if text[i] == ">":
                i += 1
                break
            attr_start = i
            while i < size and not text[i].isspace() and text[i] not in "=>":
                i += 1
            attr_name = text[attr_start:i].lower()
            if not attr_name:
                raise HTMLParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{byte_offset(attr_start)}"
                )
            while i < size and text[i].isspace():
                i += 1
            if i >= size or text[i] != "=":
                if tag == "blockquote" and attr_name == "expandable":
                    attrs[attr_name] = ""
                    continue
                raise HTMLParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {byte_offset(i)}"
                )
            i += 1
            while i < size and text[i].isspace():
                i += 1
            if i >= size:
                raise HTMLParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if text[i] in "\"'":
                quote = text[i]
                end = text.find(quote, i + 1)
                if end == -1:
                    raise HTMLParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                raw_value = text[i + 1 : end]
                i = end + 1
            else:
                value_start = i
                while i < size and (text[i].isalnum() or text[i] in ".-"):
                    i += 1
                raw_value = text[value_start:i]
                if not raw_value:
                    raise HTMLParseError(
                        f'Expected attribute value of the tag "{tag}" at byte offset '
                        f"{byte_offset(i)}"
                    )
            attrs[attr_name] = _unescape_attribute(raw_value)
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise HTMLParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
            )
        if tag == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise HTMLParseError(
                f'Tag "tg-emoji" must have a numeric "emoji-id" attribute at byte offset '
                f"{byte_offset(begin)}"
            )
        stack.append((tag, out_len, attrs))

    if stack:
        raise HTMLParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), entities


def _unescape_attribute(value: str) -> str:
    result: list[str] = []
    i = 0
    while i < len(value):
        if value[i] == "&":
            decoded = _decode_entity(value, i)
            if decoded is not None:
                result.append(decoded[0])
                i = decoded[1]
                continue
        result.append(value[i])
        i += 1
    return "".join(result)


# ---------------------------------------------------------------------------- data types


class _ApiError(Exception):
    """An error answer: HTTP status == error_code, description and optional parameters."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(reason: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {reason}")


@dataclass
class StoredFile:
    """A file known to the fake (uploaded by the bot or attached to an injected update)."""

    file_id: str
    file_unique_id: str
    kind: str
    file_path: str
    data: bytes | None = None
    url: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None

    @property
    def file_size(self) -> int:
        """Size in bytes (0 for files only known by URL)."""
        return len(self.data) if self.data is not None else 0


@dataclass
class TelegramLimits:
    """Rate limits enforced by :meth:`FakeTelegramAPI.enforce_limits` (``None``: off)."""

    per_chat_per_second: int | None = 1
    global_per_second: int | None = 30
    group_per_minute: int | None = 20
    methods: frozenset[str] = SEND_METHODS


@dataclass
class WebhookDelivery:
    """Outcome of :meth:`FakeTelegramAPI.post_webhook`.

    ``call`` is the API call executed from a method returned in the webhook response body
    (aiogram answers with ``multipart/form-data`` carrying ``method`` and its parameters
    when the handler returns a ``TelegramMethod`` and ``handle_in_background`` is off).
    """

    status: int
    content_type: str
    body: bytes
    call: Call | None = None


@dataclass
class _Ctx:
    token: str
    bot_id: int
    params: JSON
    arrived: float = field(default=0.0)


Handler = Callable[[_Ctx], Awaitable[Any]]


# ---------------------------------------------------------------------------- the fake


class FakeTelegramAPI(FakeAPIServer):
    """Fake Telegram Bot API server (see the module docstring).

    State the tests can inspect:

    * ``calls`` / ``calls_to()`` / ``wait_for()`` / ``rejected_429`` — the call log;
    * ``messages[(chat_id, message_id)]`` — bot-sent messages, current state (edits apply);
    * ``inbound_messages[(chat_id, message_id)]`` — messages delivered in pushed updates;
    * ``updates[update_id]`` — every pushed update; ``chats[chat_id]`` — known chats;
    * ``files[file_id]``, ``commands``, ``webhook``, ``reply_keyboards``, ``pinned``,
      ``callback_answers``, ``deleted_messages``, ``blocked_chats``.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_first_name: str = "Brygada Test",
        bot_username: str = "brygada_test_bot",
        strict_ampersand: bool = True,
        callback_query_ttl: float = 15.0,
        host: str = "127.0.0.1",
    ) -> None:
        """Create the fake.

        :param token: accept only this bot token (401 otherwise); any well-formed token
            is accepted when ``None``.
        :param strict_ampersand: reject a bare ``&`` in HTML (see :func:`parse_html`).
        :param callback_query_ttl: seconds after which a callback query can no longer be
            answered (Telegram: about 15 s).
        """
        super().__init__(host=host)
        self.token = token
        self.bot_first_name = bot_first_name
        self.bot_username = bot_username
        self.strict_ampersand = strict_ampersand
        self.callback_query_ttl = callback_query_ttl
        # Requests being answered right now (a killed client's last ones included).
        self.in_flight = 0

        self.updates: dict[int, JSON] = {}
        self.messages: dict[tuple[int, int], JSON] = {}
        self.inbound_messages: dict[tuple[int, int], JSON] = {}
        self.chats: dict[int, JSON] = {}
        self.blocked_chats: set[int] = set()
        self.files: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.webhook: JSON | None = None
        self.reply_keyboards: dict[int, JSON] = {}
        self.pinned: dict[int, list[int]] = {}
        self.menu_button: dict[str, Any] | None = None  # setChatMenuButton
        self.callback_answers: dict[str, JSON] = {}
        self.deleted_messages: list[tuple[int, int]] = []

        self._queue: list[JSON] = []
        self._forced: set[int] = set()
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._poll_wakeup = asyncio.Event()
        self._next_update_id = 100_000_001
        self._next_message_id: dict[int, int] = {}
        self._callbacks: dict[str, float] = {}
        self._answered: set[str] = set()
        self._callback_counter = 0
        self._file_counter = 0
        self._entities: dict[tuple[int, int], list[JSON]] = {}
        self._photo_sizes: dict[str, list[JSON]] = {}
        self._webhook_token: str | None = None
        self._last_token: str | None = None
        self._limits: TelegramLimits | None = None
        self._sent_global: deque[float] = deque()
        self._sent_chat: dict[int, deque[float]] = {}
        self._sent_group: dict[int, deque[float]] = {}

        self._methods: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "getFile": self._get_file,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "deleteMyCommands": self._delete_my_commands,
            "deleteMessage": self._delete_message,
            "pinChatMessage": self._pin_chat_message,
            "unpinChatMessage": self._unpin_chat_message,
            "sendChatAction": self._send_chat_action,
            "getChat": self._get_chat,
            "close": self._close,
            "logOut": self._log_out,
        }
        self._lower_names = {name.lower(): name for name in self._methods}

    # ------------------------------------------------------------------ configuration

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int = 1,
        times: int = 1,
        description: str | None = None,
        hold: float = 0.0,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (``"*"``: any) with an error.

        429 -> ``Too Many Requests: retry after N`` with ``parameters.retry_after``
        (aiogram: ``TelegramRetryAfter``); 5xx -> ``TelegramServerError``; any other
        status uses ``description`` (default: the HTTP reason phrase).

        ``hold``: the failing call is answered only after this many seconds, and is never
        carried out: a request lost on its way (the client times out, or dies waiting).
        Each held call takes its failure on arrival, so calls arriving meanwhile do not.
        """
        failure: InjectedFailure = (
            _HeldFailure(status, retry_after, description, hold)
            if hold
            else InjectedFailure(status, retry_after, description)
        )
        self._queue_failure(method, failure, times)

    def clear_failures(self) -> None:
        """Forget every failure queued by :meth:`fail_next` (the platform is back)."""
        self._failures.clear()

    def enforce_limits(
        self,
        per_chat_per_second: int | None = 1,
        global_per_second: int | None = 30,
        group_per_minute: int | None = 20,
        *,
        methods: Iterable[str] = SEND_METHODS,
    ) -> None:
        """Answer 429 (``retry_after`` = seconds until the window frees) when the bot sends
        faster than Telegram allows: per chat per second, overall per second and per group
        (negative chat id) per minute, counted over sliding windows of sent messages."""
        self._limits = TelegramLimits(
            per_chat_per_second=per_chat_per_second,
            global_per_second=global_per_second,
            group_per_minute=group_per_minute,
            methods=frozenset(self._canonical(name) for name in methods),
        )

    def disable_limits(self) -> None:
        """Stop enforcing rate limits."""
        self._limits = None

    def block_chat(self, chat_id: int) -> None:
        """Make sends to ``chat_id`` fail with 403 (user blocked the bot / bot was kicked)."""
        self.blocked_chats.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        """Undo :meth:`block_chat`."""
        self.blocked_chats.discard(chat_id)

    def add_chat(
        self,
        chat_id: int,
        *,
        chat_type: str | None = None,
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
    ) -> JSON:
        """Register (or replace) a chat; returns the Chat object the fake will use."""
        kind = chat_type or self._default_chat_type(chat_id)
        chat: JSON = {"id": chat_id, "type": kind}
        if kind == "private":
            chat["first_name"] = first_name or f"User {chat_id}"
        else:
            chat["title"] = title or f"Test {kind} {chat_id}"
        if username:
            chat["username"] = username
        self.chats[chat_id] = chat
        return chat

    # ------------------------------------------------------------------ inspection

    def sent_texts(self, chat_id: int | None = None, *, visible: bool = False) -> list[str]:
        """Texts of successful ``sendMessage`` calls, optionally for one chat.

        By default the ``text`` parameter as sent (HTML markup included); with
        ``visible=True`` the text Telegram would show (markup parsed away).
        """
        texts: list[str] = []
        for call in self.calls_to("sendMessage"):
            if not call.ok:
                continue
            result = call.response["result"]
            if chat_id is not None and result["chat"]["id"] != chat_id:
                continue
            texts.append(result["text"] if visible else str(call.params.get("text", "")))
        return texts

    def sent_messages(self, chat_id: int | None = None) -> list[JSON]:
        """Message objects returned by successful sendMessage/sendPhoto/sendDocument."""
        found: list[JSON] = []
        for call in self.calls:
            if call.method in SEND_METHODS and call.ok:
                result = call.response["result"]
                if chat_id is None or result["chat"]["id"] == chat_id:
                    found.append(result)
        return found

    def last_message(self, chat_id: int) -> JSON | None:
        """The newest bot message still present in ``chat_id`` (current state) or None."""
        ids = [mid for (cid, mid) in self.messages if cid == chat_id]
        return self.messages[(chat_id, max(ids))] if ids else None

    def busiest_second(self, methods: Iterable[str] = SEND_METHODS) -> int:
        """The most messages accepted (answered ok) within any one second of arrival: what
        Telegram's overall limit counts, whichever process or bot session sent them."""
        wanted = {self._canonical(m) for m in methods}
        times = sorted(c.at for c in self.calls if c.method in wanted and c.ok)
        most, first = 0, 0
        for last, at in enumerate(times):
            while times[first] <= at - 1.0:
                first += 1
            most = max(most, last - first + 1)
        return most

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates queued and not yet confirmed by a getUpdates offset."""
        return list(self._queue)

    # ------------------------------------------------------------------ driving the bot

    def push_update(self, update: JSON) -> int:
        """Queue ``update`` for getUpdates (assigning ``update_id`` if missing); return it.

        Messages and callback queries inside are registered (so replies, edits, deletes
        and answerCallbackQuery work against them).  In webhook mode deliver updates with
        :meth:`post_webhook` instead.
        """
        update = copy.deepcopy(update)
        update_id = update.get("update_id")
        if update_id is None:
            update_id = self._next_update_id
            update["update_id"] = update_id
        self._next_update_id = max(self._next_update_id, update_id + 1)
        self.updates[update_id] = update
        self._register_inbound(update)
        self._queue.append(update)
        self._poll_wakeup.set()
        return update_id

    def redeliver(self, update_id: int) -> int:
        """Deliver an already pushed update again with the same ``update_id``.

        Simulates Telegram re-sending an update (e.g. after a crash before the offset was
        confirmed); it is delivered even if the bot's offset has moved past it.
        """
        if update_id not in self.updates:
            raise KeyError(f"update {update_id} was never pushed")
        self._queue = [u for u in self._queue if u["update_id"] != update_id]
        self._queue.append(copy.deepcopy(self.updates[update_id]))
        self._forced.add(update_id)
        self._poll_wakeup.set()
        return update_id

    def user(
        self,
        user_id: int,
        *,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> JSON:
        """A real-shaped ``User`` object for a human user."""
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return user

    def message_update(
        self,
        chat_id: int,
        user_id: int,
        text: str | None = None,
        *,
        chat_type: str = "private",
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        chat_title: str | None = None,
        reply_to: JSON | None = None,
        forward_origin: JSON | None = None,
        photo: bool | bytes = False,
        document: str | JSON | None = None,
        caption: str | None = None,
        message_thread_id: int | None = None,
    ) -> JSON:
        """Build a ``{"message": ...}`` update as Telegram sends it (not pushed yet).

        ``text`` starting with ``/`` gets a ``bot_command`` entity.  ``photo`` (True or
        the image bytes) / ``document`` (a file name, or a full Document dict) attach a
        file registered in :attr:`files` (downloadable through getFile).  ``reply_to``
        is the message replied to; ``forward_origin`` a MessageOrigin dict.
        """
        sender = self.user(
            user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        if chat_type == "private":
            chat: JSON = {"id": chat_id, "type": "private", "first_name": first_name}
            if last_name:
                chat["last_name"] = last_name
            if username:
                chat["username"] = username
        else:
            chat = {"id": chat_id, "type": chat_type, "title": chat_title or "Test group"}
        self.chats[chat_id] = chat
        message: JSON = {
            "message_id": self._allocate_message_id(chat_id),
            "from": sender,
            "chat": dict(chat),
            "date": int(time.time()),
        }
        if message_thread_id is not None:
            message["message_thread_id"] = message_thread_id
        if forward_origin is not None:
            message["forward_origin"] = forward_origin
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if photo:
            data = photo if isinstance(photo, bytes) else _PLACEHOLDER_IMAGE
            message["photo"] = self._register_photo(data)
        if document is not None:
            if isinstance(document, dict):
                message["document"] = document
            else:
                stored = self._register_file(
                    "document",
                    data=f"content of {document}".encode(),
                    file_name=document,
                    mime_type=mimetypes.guess_type(document)[0] or "application/octet-stream",
                )
                message["document"] = self._document_json(stored)
        if photo or document is not None:
            if caption is not None or text is not None:
                message["caption"] = caption if caption is not None else text
        elif text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split(maxsplit=1)[0]
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
                ]
        return {"message": message}

    def callback_update(
        self,
        chat_id: int,
        user_id: int,
        data: str,
        *,
        message_id: int,
        language_code: str | None = "en",
        first_name: str = "Test",
        username: str | None = None,
    ) -> JSON:
        """Build a ``{"callback_query": ...}`` update for a button press (not pushed yet).

        The query id is registered as answerable.  ``message`` is the current state of
        the bot message ``(chat_id, message_id)``; if the fake does not know it, an
        ``InaccessibleMessage`` (``date`` 0) is used, as Telegram does for old messages.
        """
        self._callback_counter += 1
        query_id = str(4_200_000_000_000_000_000 + self._callback_counter)
        self._callbacks[query_id] = self._now()
        stored = self.messages.get((chat_id, message_id))
        if stored is not None:
            message = copy.deepcopy(stored)
        else:
            chat = self.chats.get(chat_id) or self._chat(chat_id)
            message = {"chat": dict(chat), "message_id": message_id, "date": 0}
        query: JSON = {
            "id": query_id,
            "from": self.user(
                user_id,
                first_name=first_name,
                username=username,
                language_code=language_code,
            ),
            "message": message,
            "chat_instance": str(abs(hash(("chat_instance", chat_id))) % 10**19),
            "data": data,
        }
        return {"callback_query": query}

    async def post_webhook(
        self,
        url: str,
        update: JSON | int,
        secret_token: str | None = None,
        *,
        timeout: float = 10.0,
    ) -> WebhookDelivery:
        """POST ``update`` (a dict or a pushed update_id) to the bot's webhook like Telegram.

        Sends ``X-Telegram-Bot-Api-Secret-Token`` (``secret_token``, or the one given to
        setWebhook).  If the bot answers with a method in the response body (aiogram's
        non-background webhook handler does), the fake executes it as Telegram would and
        returns the resulting :class:`~tests.fakes.Call` in ``call``.
        """
        if isinstance(update, int):
            payload = copy.deepcopy(self.updates[update])
        else:
            payload = copy.deepcopy(update)
            if "update_id" not in payload:
                payload["update_id"] = self._next_update_id
            self._next_update_id = max(self._next_update_id, payload["update_id"] + 1)
            self.updates[payload["update_id"]] = payload
            self._register_inbound(payload)
        secret = secret_token
        if secret is None and self.webhook is not None:
            secret = self.webhook.get("secret_token")
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        client_timeout = aiohttp.ClientTimeout(total=timeout)
        async with (
            aiohttp.ClientSession(timeout=client_timeout) as session,
            session.post(url, json=payload, headers=headers) as response,
        ):
            status = response.status
            content_type = response.content_type
            if status == 200 and content_type == "multipart/form-data":
                params, uploads = await _read_multipart(
                    aiohttp.MultipartReader(response.headers, response.content)
                )
                body = b""
            else:
                params, uploads = {}, {}
                body = await response.read()
        call: Call | None = None
        method = params.pop("method", None)
        if isinstance(method, str):
            token = self._webhook_token or self._last_token or self.token
            if token is None:
                raise AssertionError("the webhook answered with a method but no bot token is known")
            decoded = _decode_params(params, uploads)
            call = await self._dispatch(token, method, decoded, self._now())
        return WebhookDelivery(status=status, content_type=content_type, body=body, call=call)

    # ------------------------------------------------------------------ server plumbing

    def _build_app(self) -> web.Application:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_not_found)
        return app

    def _canonical(self, method: str) -> str:
        return self._lower_names.get(method.lower(), method)

    def _on_closing(self) -> None:
        super()._on_closing()
        self._poll_wakeup.set()

    async def _handle_not_found(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    async def _handle_file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        for stored in self.files.values():
            if stored.file_path == path and stored.data is not None:
                return web.Response(
                    body=stored.data,
                    content_type=stored.mime_type or "application/octet-stream",
                )
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    async def _handle_api(self, request: web.Request) -> web.Response:
        self.in_flight += 1
        try:
            return await self._answer_api(request)
        finally:
            self.in_flight -= 1

    async def _answer_api(self, request: web.Request) -> web.Response:
        arrived = self._now()
        token = request.match_info["token"]
        try:
            params = await _read_request_params(request)
        except (ValueError, aiohttp.ClientError) as exc:
            error = _bad_request(f"can't parse request: {exc}")
            call = self._record(
                self._canonical(request.match_info["method"]),
                {},
                error.body(),
                status=400,
                arrived=arrived,
            )
            return web.json_response(call.response, status=400)
        call = await self._dispatch(token, request.match_info["method"], params, arrived)
        return web.json_response(call.response, status=call.status)

    async def _dispatch(self, token: str, raw_method: str, params: JSON, arrived: float) -> Call:
        method = self._canonical(raw_method)
        try:
            result = await self._execute(token, method, params, arrived)
            status, body = 200, {"ok": True, "result": result}
        except _ApiError as error:
            status, body = error.status, error.body()
        return self._record(method, params, body, status=status, arrived=arrived)

    async def _execute(self, token: str, method: str, params: JSON, arrived: float) -> Any:
        if not _TOKEN_RE.fullmatch(token):
            raise _ApiError(404, "Not Found")
        if self.token is not None and token != self.token:
            raise _ApiError(401, "Unauthorized")
        handler = self._methods.get(method)
        if handler is None:
            raise _ApiError(404, "Not Found: method not found")
        self._last_token = token
        if self._held_failure_next(method):
            held = self._take_failure(method)
            assert isinstance(held, _HeldFailure)
            await self._sleep(held.hold)
            raise _failure_error(held)
        await self._apply_delay(method)
        failure = self._take_failure(method)
        if failure is not None:
            raise _failure_error(failure)
        limited_chat: int | None = None
        if self._limits is not None and method in self._limits.methods:
            limited_chat = self._peek_chat_id(params)
            if limited_chat is not None:
                retry_after = self._limit_retry_after(limited_chat, self._now())
                if retry_after is not None:
                    raise _retry_after_error(retry_after)
        ctx = _Ctx(token=token, bot_id=int(token.split(":", 1)[0]), params=params, arrived=arrived)
        result = await handler(ctx)
        if limited_chat is not None:
            self._note_sent(limited_chat, self._now())
        return result

    def failures_queued(self, method: str) -> int:
        """How many injected failures of ``method`` have not been used yet."""
        return len(self._failures.get(self._canonical(method), ()))

    def _held_failure_next(self, method: str) -> bool:
        for key in (method, "*"):
            queue = self._failures.get(key)
            if queue:
                return isinstance(queue[0], _HeldFailure)
        return False

    # ------------------------------------------------------------------ rate limits

    def _limit_retry_after(self, chat_id: int, now: float) -> int | None:
        limits = self._limits
        if limits is None:
            return None
        waits: list[float] = []

        def check(window: deque[float], limit: int | None, seconds: float) -> None:
            while window and window[0] <= now - seconds:
                window.popleft()
            if limit is not None and len(window) >= limit:
                waits.append(window[0] + seconds - now)

        check(self._sent_global, limits.global_per_second, 1.0)
        check(self._sent_chat.setdefault(chat_id, deque()), limits.per_chat_per_second, 1.0)
        if chat_id < 0:
            check(self._sent_group.setdefault(chat_id, deque()), limits.group_per_minute, 60.0)
        if not waits:
            return None
        return max(1, math.ceil(max(waits)))

    def _note_sent(self, chat_id: int, now: float) -> None:
        self._sent_global.append(now)
        self._sent_chat.setdefault(chat_id, deque()).append(now)
        if chat_id < 0:
            self._sent_group.setdefault(chat_id, deque()).append(now)

    # ------------------------------------------------------------------ helpers

    def _bot_user(self, bot_id: int) -> JSON:
        return {
            "id": bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    @staticmethod
    def _default_chat_type(chat_id: int) -> str:
        if chat_id > 0:
            return "private"
        return "supergroup" if chat_id <= _SUPERGROUP_ID_BOUND else "group"

    def _chat(self, chat_id: int) -> JSON:
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = self.add_chat(chat_id)
        return chat

    def _peek_chat_id(self, params: JSON) -> int | None:
        raw = params.get("chat_id")
        if isinstance(raw, bool):
            return None
        if isinstance(raw, int):
            return raw
        if isinstance(raw, str):
            for chat_id, chat in self.chats.items():
                if raw.startswith("@") and chat.get("username") == raw[1:]:
                    return chat_id
        return None

    def _chat_id(self, params: JSON) -> int:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise _bad_request("chat_id is empty")
        chat_id = self._peek_chat_id(params)
        if chat_id is None:
            raise _bad_request("chat not found")
        self._chat(chat_id)
        return chat_id

    def _check_blocked(self, chat_id: int) -> None:
        if chat_id in self.blocked_chats:
            if self._chat(chat_id)["type"] == "private":
                raise _ApiError(403, "Forbidden: bot was blocked by the user")
            raise _ApiError(403, "Forbidden: bot was kicked from the group chat")

    def _allocate_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _register_inbound(self, update: JSON) -> None:
        for key in _MESSAGE_UPDATE_KEYS:
            message = update.get(key)
            if isinstance(message, dict) and "chat" in message and "message_id" in message:
                chat = message["chat"]
                self.chats.setdefault(chat["id"], dict(chat))
                mid = int(message["message_id"])
                self.inbound_messages[(chat["id"], mid)] = message
                self._next_message_id[chat["id"]] = max(
                    self._next_message_id.get(chat["id"], 1), mid + 1
                )
        query = update.get("callback_query")
        if isinstance(query, dict) and "id" in query:
            self._callbacks.setdefault(str(query["id"]), self._now())

    def _find_message(self, chat_id: int, message_id: int) -> JSON | None:
        return self.messages.get((chat_id, message_id)) or self.inbound_messages.get(
            (chat_id, message_id)
        )

    def _parse_text(
        self, raw: Any, parse_mode: Any, *, limit: int, too_long: str
    ) -> tuple[str, list[JSON]]:
        text = "" if raw is None else str(raw)
        mode = str(parse_mode).lower() if parse_mode else ""
        if mode and mode not in _PARSE_MODES:
            raise _bad_request("unsupported parse_mode")
        entities: list[JSON] = []
        if mode == "html":
            try:
                text, entities = parse_html(text, strict_ampersand=self.strict_ampersand)
            except HTMLParseError as exc:
                raise _bad_request(f"can't parse entities: {exc}") from None
        stripped = text.strip()
        if stripped and stripped != text:
            lead = _utf16_len(text[: len(text) - len(text.lstrip())])
            total = _utf16_len(stripped)
            shifted: list[JSON] = []
            for entity in entities:
                start = max(0, entity["offset"] - lead)
                end = min(total, entity["offset"] + entity["length"] - lead)
                if end > start:
                    shifted.append({**entity, "offset": start, "length": end - start})
            entities = shifted
        if len(stripped) > limit:
            raise _bad_request(too_long)
        return stripped, entities

    def _message_text(self, params: JSON, *, edit: bool = False) -> tuple[str, list[JSON]]:
        text, entities = self._parse_text(
            params.get("text"),
            params.get("parse_mode"),
            limit=MAX_TEXT_LENGTH,
            too_long="MESSAGE_TOO_LONG" if edit else "message is too long",
        )
        if not text:
            raise _bad_request("message text is empty")
        return text, entities

    def _caption(self, params: JSON) -> str | None:
        if params.get("caption") is None:
            return None
        caption, _ = self._parse_text(
            params["caption"],
            params.get("parse_mode"),
            limit=MAX_CAPTION_LENGTH,
            too_long="message caption is too long",
        )
        return caption or None

    def _reply_markup(self, params: JSON, chat_id: int | None) -> JSON | None:
        """Validate ``reply_markup``; return the inline keyboard to echo (else None)."""
        raw = params.get("reply_markup")
        if raw is None:
            return None
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raise _bad_request("can't parse reply keyboard markup JSON object") from None
        if not isinstance(raw, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in raw:
            _validate_inline_keyboard(raw["inline_keyboard"])
            return raw
        if "keyboard" in raw:
            rows = raw["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad_request(
                    'field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays'
                )
            if chat_id is not None:
                self.reply_keyboards[chat_id] = raw
            return None
        if raw.get("remove_keyboard"):
            if chat_id is not None:
                self.reply_keyboards.pop(chat_id, None)
            return None
        if raw.get("force_reply"):
            return None
        raise _bad_request("can't parse reply keyboard markup JSON object")

    def _reply_to(self, chat_id: int, params: JSON) -> JSON | None:
        reply_parameters = params.get("reply_parameters")
        if isinstance(reply_parameters, str):
            try:
                reply_parameters = json.loads(reply_parameters)
            except ValueError:
                raise _bad_request("can't parse reply parameters JSON object") from None
        if isinstance(reply_parameters, dict):
            target_id = reply_parameters.get("message_id")
            target_chat = reply_parameters.get("chat_id", chat_id)
            allow_missing = bool(reply_parameters.get("allow_sending_without_reply"))
        else:
            target_id = params.get("reply_to_message_id")
            target_chat = chat_id
            allow_missing = bool(params.get("allow_sending_without_reply"))
        if target_id is None:
            return None
        target = (
            self._find_message(target_chat, int(target_id))
            if isinstance(target_chat, int)
            else None
        )
        if target is None:
            if allow_missing:
                return None
            raise _bad_request("message to be replied not found")
        reply = copy.deepcopy(target)
        reply.pop("reply_to_message", None)
        return reply

    def _new_message(self, ctx: _Ctx, chat_id: int, content: JSON) -> JSON:
        message: JSON = {
            "message_id": self._allocate_message_id(chat_id),
            "from": self._bot_user(ctx.bot_id),
            "chat": dict(self._chat(chat_id)),
            "date": int(time.time()),
        }
        message.update({key: value for key, value in content.items() if value is not None})
        self.messages[(chat_id, message["message_id"])] = message
        return copy.deepcopy(message)

    def _register_file(
        self,
        kind: str,
        *,
        data: bytes | None = None,
        url: str | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
        width: int | None = None,
        height: int | None = None,
    ) -> StoredFile:
        self._file_counter += 1
        number = self._file_counter
        prefix = {"photo": "AgACAgIAAxkBAAI", "document": "BQACAgIAAxkBAAI"}.get(kind, "CAACAgI")
        extension = ".jpg" if kind == "photo" else mimetypes.guess_extension(mime_type or "") or ""
        if kind != "photo" and file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        folder = "photos" if kind == "photo" else "documents"
        stored = StoredFile(
            file_id=f"{prefix}{number:08d}fake",
            file_unique_id=f"AQAD{number:08d}",
            kind=kind,
            file_path=f"{folder}/file_{number}{extension}",
            data=data,
            url=url,
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self.files[stored.file_id] = stored
        return stored

    def _register_photo(self, data: bytes | None, url: str | None = None) -> list[JSON]:
        thumb = self._register_file("photo", data=data, url=url, width=90, height=68)
        full = self._register_file("photo", data=data, url=url, width=1280, height=960)
        sizes = [self._photo_size_json(thumb), self._photo_size_json(full)]
        self._photo_sizes[thumb.file_id] = sizes
        self._photo_sizes[full.file_id] = sizes
        return copy.deepcopy(sizes)

    @staticmethod
    def _photo_size_json(stored: StoredFile) -> JSON:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": stored.width or 0,
            "height": stored.height or 0,
            "file_size": stored.file_size,
        }

    @staticmethod
    def _document_json(stored: StoredFile) -> JSON:
        document: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
        }
        if stored.file_name:
            document["file_name"] = stored.file_name
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        return document

    def _input_file(self, params: JSON, name: str) -> UploadedFile | str:
        value = params.get(name)
        if value is None or value == "":
            raise _bad_request(f"there is no {name} in the request")
        if isinstance(value, UploadedFile):
            if not value.data:
                raise _bad_request("file must be non-empty")
            return value
        if isinstance(value, str):
            if value.startswith(("http://", "https://")) or value in self.files:
                return value
            raise _bad_request("wrong file identifier/HTTP URL specified")
        raise _bad_request(f"there is no {name} in the request")

    # ------------------------------------------------------------------ methods

    async def _get_me(self, ctx: _Ctx) -> JSON:
        return {
            **self._bot_user(ctx.bot_id),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, ctx: _Ctx) -> list[JSON]:
        if self.webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        params = ctx.params
        offset = _int_param(params, "offset", 0)
        limit = min(max(_int_param(params, "limit", 100), 1), 100)
        timeout = max(float(_int_param(params, "timeout", 0)), 0.0)
        if "allowed_updates" in params:
            self._allowed_updates = _allowed_updates(params["allowed_updates"])
        self._poll_generation += 1
        generation = self._poll_generation
        self._poll_wakeup.set()  # terminates a concurrent getUpdates (409), like Telegram
        self._confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only "
                    "one bot instance is running",
                )
            batch = self._take_batch(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._closing.is_set():
                return batch
            self._poll_wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poll_wakeup.wait(), remaining)

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._queue = [
                u for u in self._queue if u["update_id"] >= offset or u["update_id"] in self._forced
            ]
        elif offset < 0:
            self._queue.sort(key=lambda u: u["update_id"])
            self._queue = self._queue[offset:]

    def _take_batch(self, limit: int) -> list[JSON]:
        allowed = set(self._allowed_updates or ())
        self._queue.sort(key=lambda u: u["update_id"])
        self._queue = [
            u
            for u in self._queue
            if (_update_type(u) in allowed)
            or (not allowed and _update_type(u) not in DEFAULT_EXCLUDED_UPDATES)
        ]
        batch = self._queue[:limit]
        for update in batch:
            self._forced.discard(update["update_id"])
        return copy.deepcopy(batch)

    async def _set_webhook(self, ctx: _Ctx) -> bool:
        params = ctx.params
        url = str(params.get("url") or "")
        if params.get("drop_pending_updates"):
            self._queue.clear()
        if "allowed_updates" in params:
            self._allowed_updates = _allowed_updates(params["allowed_updates"])
        if not url:
            self.webhook = None
            return True
        if urlsplit(url).scheme not in {"http", "https"}:
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN_RE.fullmatch(str(secret)):
            raise _bad_request("secret token contains unallowed characters")
        self.webhook = {
            "url": url,
            "secret_token": str(secret) if secret is not None else None,
            "max_connections": _int_param(params, "max_connections", 40),
            "allowed_updates": self._allowed_updates,
            "ip_address": params.get("ip_address"),
        }
        self._webhook_token = ctx.token
        return True

    async def _delete_webhook(self, ctx: _Ctx) -> bool:
        if ctx.params.get("drop_pending_updates"):
            self._queue.clear()
        self.webhook = None
        return True

    async def _get_webhook_info(self, ctx: _Ctx) -> JSON:
        info: JSON = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if self.webhook:
            info["max_connections"] = self.webhook["max_connections"]
            if self.webhook.get("allowed_updates"):
                info["allowed_updates"] = self.webhook["allowed_updates"]
            if self.webhook.get("ip_address"):
                info["ip_address"] = self.webhook["ip_address"]
        return info

    async def _send_message(self, ctx: _Ctx) -> JSON:
        params = ctx.params
        chat_id = self._chat_id(params)
        self._check_blocked(chat_id)
        text, entities = self._message_text(params)
        markup = self._reply_markup(params, chat_id)
        reply = self._reply_to(chat_id, params)
        message = self._new_message(
            ctx, chat_id, {"reply_to_message": reply, "text": text, "reply_markup": markup}
        )
        self._entities[(chat_id, message["message_id"])] = entities
        return message

    def _editable(self, params: JSON) -> tuple[int, int, JSON] | None:
        """Resolve the message an edit method targets (None for inline messages)."""
        if params.get("inline_message_id"):
            return None
        chat_id = self._chat_id(params)
        message_id = params.get("message_id")
        if message_id is None or isinstance(message_id, bool):
            raise _bad_request("message identifier is not specified")
        message_id = int(message_id)
        message = self.messages.get((chat_id, message_id))
        if message is None:
            if (chat_id, message_id) in self.inbound_messages:
                raise _bad_request("message can't be edited")
            raise _bad_request("message to edit not found")
        return chat_id, message_id, message

    async def _edit_message_text(self, ctx: _Ctx) -> JSON | bool:
        params = ctx.params
        target = self._editable(params)
        text, entities = self._message_text(params, edit=True)
        markup = self._reply_markup(params, None)
        if target is None:
            return True
        chat_id, message_id, message = target
        self._check_blocked(chat_id)
        if "text" not in message:
            raise _bad_request("there is no text in the message to edit")
        same_entities = _entity_key(entities) == _entity_key(
            self._entities.get((chat_id, message_id), [])
        )
        if message["text"] == text and same_entities and message.get("reply_markup") == markup:
            raise _bad_request(_NOT_MODIFIED)
        message["text"] = text
        self._entities[(chat_id, message_id)] = entities
        _set_markup(message, markup)
        message["edit_date"] = int(time.time())
        return copy.deepcopy(message)

    async def _edit_message_reply_markup(self, ctx: _Ctx) -> JSON | bool:
        params = ctx.params
        target = self._editable(params)
        markup = self._reply_markup(params, None)
        if target is None:
            return True
        chat_id, _, message = target
        self._check_blocked(chat_id)
        if message.get("reply_markup") == markup:
            raise _bad_request(_NOT_MODIFIED)
        _set_markup(message, markup)
        message["edit_date"] = int(time.time())
        return copy.deepcopy(message)

    async def _answer_callback_query(self, ctx: _Ctx) -> bool:
        params = ctx.params
        query_id = str(params.get("callback_query_id") or "")
        created = self._callbacks.get(query_id)
        if (
            created is None
            or query_id in self._answered
            or self._now() - created > self.callback_query_ttl
        ):
            raise _bad_request(_QUERY_TOO_OLD)
        if len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad_request("MESSAGE_TOO_LONG")
        self._answered.add(query_id)
        self.callback_answers[query_id] = dict(params)
        return True

    async def _send_photo(self, ctx: _Ctx) -> JSON:
        params = ctx.params
        chat_id = self._chat_id(params)
        self._check_blocked(chat_id)
        source = self._input_file(params, "photo")
        caption = self._caption(params)
        markup = self._reply_markup(params, chat_id)
        reply = self._reply_to(chat_id, params)
        if isinstance(source, UploadedFile):
            sizes = self._register_photo(source.data)
        elif source in self._photo_sizes:
            sizes = copy.deepcopy(self._photo_sizes[source])
        elif source in self.files:
            raise _bad_request("wrong file identifier/HTTP URL specified")
        else:
            sizes = self._register_photo(None, url=source)
        return self._new_message(
            ctx,
            chat_id,
            {
                "reply_to_message": reply,
                "photo": sizes,
                "caption": caption,
                "reply_markup": markup,
            },
        )

    async def _send_document(self, ctx: _Ctx) -> JSON:
        params = ctx.params
        chat_id = self._chat_id(params)
        self._check_blocked(chat_id)
        source = self._input_file(params, "document")
        caption = self._caption(params)
        markup = self._reply_markup(params, chat_id)
        reply = self._reply_to(chat_id, params)
        if isinstance(source, UploadedFile):
            mime = (
                source.content_type
                if source.content_type not in {"", "application/octet-stream"}
                else mimetypes.guess_type(source.filename)[0]
            ) or "application/octet-stream"
            stored = self._register_file(
                "document", data=source.data, file_name=source.filename, mime_type=mime
            )
        elif source in self.files:
            stored = self.files[source]
        else:
            name = urlsplit(source).path.rsplit("/", 1)[-1] or "file"
            stored = self._register_file(
                "document",
                url=source,
                file_name=name,
                mime_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
            )
        return self._new_message(
            ctx,
            chat_id,
            {
                "reply_to_message": reply,
                "document": self._document_json(stored),
                "caption": caption,
                "reply_markup": markup,
            },
        )

    async def _get_file(self, ctx: _Ctx) -> JSON:
        stored = self.files.get(str(ctx.params.get("file_id") or ""))
        if stored is None:
            raise _bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "file_path": stored.file_path,
        }

    @staticmethod
    def _commands_key(params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    async def _set_chat_menu_button(self, ctx: _Ctx) -> bool:
        button = ctx.params.get("menu_button")
        if isinstance(button, str):
            button = json.loads(button)
        if not isinstance(button, dict) or button.get("type") not in (
            "web_app",
            "commands",
            "default",
        ):
            raise _bad_request("can't parse menu button")
        self.menu_button = button
        return True

    async def _set_my_commands(self, ctx: _Ctx) -> bool:
        commands = ctx.params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict) or not _BOT_COMMAND_RE.fullmatch(
                str(command.get("command", ""))
            ):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(ctx.params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _get_my_commands(self, ctx: _Ctx) -> list[JSON]:
        return copy.deepcopy(self.commands.get(self._commands_key(ctx.params), []))

    async def _delete_my_commands(self, ctx: _Ctx) -> bool:
        self.commands.pop(self._commands_key(ctx.params), None)
        return True

    async def _delete_message(self, ctx: _Ctx) -> bool:
        chat_id = self._chat_id(ctx.params)
        key = (chat_id, _int_param(ctx.params, "message_id", 0))
        if self.messages.pop(key, None) is None and self.inbound_messages.pop(key, None) is None:
            raise _bad_request("message to delete not found")
        self._entities.pop(key, None)
        self.deleted_messages.append(key)
        return True

    async def _pin_chat_message(self, ctx: _Ctx) -> bool:
        chat_id = self._chat_id(ctx.params)
        message_id = _int_param(ctx.params, "message_id", 0)
        if self._find_message(chat_id, message_id) is None:
            raise _bad_request("message to pin not found")
        pinned = self.pinned.setdefault(chat_id, [])
        if message_id in pinned:
            pinned.remove(message_id)
        pinned.append(message_id)
        return True

    async def _unpin_chat_message(self, ctx: _Ctx) -> bool:
        chat_id = self._chat_id(ctx.params)
        pinned = self.pinned.get(chat_id, [])
        if "message_id" in ctx.params:
            message_id = _int_param(ctx.params, "message_id", 0)
            if message_id not in pinned:
                raise _bad_request("message to unpin not found")
            pinned.remove(message_id)
        elif pinned:
            pinned.pop()
        return True

    async def _send_chat_action(self, ctx: _Ctx) -> bool:
        chat_id = self._chat_id(ctx.params)
        self._check_blocked(chat_id)
        if ctx.params.get("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    async def _get_chat(self, ctx: _Ctx) -> JSON:
        chat = dict(self._chat(self._chat_id(ctx.params)))
        chat.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        if pinned := self.pinned.get(chat["id"]):
            message = self._find_message(chat["id"], pinned[-1])
            if message is not None:
                chat["pinned_message"] = copy.deepcopy(message)
        return chat

    async def _close(self, ctx: _Ctx) -> bool:
        return True

    async def _log_out(self, ctx: _Ctx) -> bool:
        return True


# ---------------------------------------------------------------------------- module helpers

# A 1x1 PNG, used as the content of photos in injected updates.
_PLACEHOLDER_IMAGE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@dataclass(frozen=True)
class _HeldFailure(InjectedFailure):
    hold: float = 0.0


def _failure_error(failure: InjectedFailure) -> _ApiError:
    if failure.status == 429:
        return _retry_after_error(failure.retry_after)
    description = failure.message or HTTPStatus(failure.status).phrase
    return _ApiError(failure.status, description)


def _retry_after_error(retry_after: int) -> _ApiError:
    return _ApiError(
        429,
        f"Too Many Requests: retry after {retry_after}",
        {"retry_after": retry_after},
    )


def _update_type(update: JSON) -> str:
    for key in update:
        if key != "update_id":
            return key
    return ""


def _allowed_updates(value: Any) -> list[str] | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise _bad_request("can't parse allowed_updates JSON array") from None
    if not isinstance(value, list):
        raise _bad_request("can't parse allowed_updates JSON array")
    return [str(item) for item in value] or None


def _int_param(params: JSON, name: str, default: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise _bad_request(f"wrong parameter {name} in request")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _bad_request(f"wrong parameter {name} in request") from None


def _entity_key(entities: list[JSON]) -> list[tuple[Any, ...]]:
    return sorted(
        (e["offset"], e["length"], e["type"], e.get("url"), e.get("language")) for e in entities
    )


def _set_markup(message: JSON, markup: JSON | None) -> None:
    if markup is None:
        message.pop("reply_markup", None)
    else:
        message["reply_markup"] = markup


def _validate_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
        )
    count = 0
    for row in rows:
        for button in row:
            count += 1
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise _bad_request(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            if not any(key in button for key in _INLINE_BUTTON_ACTIONS):
                raise _bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                if (
                    not isinstance(data, str)
                    or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
                ):
                    raise _bad_request("BUTTON_DATA_INVALID")
            if "url" in button:
                parts = urlsplit(str(button["url"]))
                if parts.scheme not in {"http", "https", "tg"} or (
                    parts.scheme != "tg" and not parts.netloc
                ):
                    raise _bad_request("BUTTON_URL_INVALID")
    if count > MAX_INLINE_BUTTONS:
        raise _bad_request("reply markup is too long")


def _decode_value(key: str, value: str) -> Any:
    """Decode one form/query value the way Telegram types it for parameter ``key``."""
    if key in _STRING_PARAMS:
        return value
    if key in {"chat_id", "from_chat_id"}:
        return int(value) if _INT_RE.fullmatch(value) else value
    if value in {"true", "false"}:
        return value == "true"
    if _INT_RE.fullmatch(value):
        return int(value)
    if value.startswith(("{", "[")):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _decode_params(raw: dict[str, str], uploads: dict[str, UploadedFile]) -> JSON:
    """Decode string parameters and resolve ``attach://`` references to uploads."""
    params: JSON = {key: _decode_value(key, value) for key, value in raw.items()}
    remaining = dict(uploads)
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            name = value[len("attach://") :]
            if name in remaining:
                params[key] = remaining.pop(name)
    for name, upload in remaining.items():
        params.setdefault(name, upload)
    return params


async def _read_multipart(
    reader: aiohttp.MultipartReader,
) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    fields: dict[str, str] = {}
    uploads: dict[str, UploadedFile] = {}
    while True:
        part = await reader.next()
        if part is None:
            break
        if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
            continue
        data = await part.read()
        if part.filename is not None:
            uploads[part.name] = UploadedFile(
                filename=part.filename,
                content_type=part.headers.get("Content-Type", "application/octet-stream"),
                data=bytes(data),
            )
        else:
            fields[part.name] = bytes(data).decode(part.get_charset("utf-8"))
    return fields, uploads


async def _read_request_params(request: web.Request) -> JSON:
    """Merge query string, form/multipart and JSON bodies into decoded parameters."""
    raw: dict[str, str] = dict(request.query)
    uploads: dict[str, UploadedFile] = {}
    typed: JSON = {}
    if request.body_exists:
        content_type = request.content_type
        if content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("JSON body must be an object")
            typed = body
        elif content_type == "multipart/form-data":
            fields, uploads = await _read_multipart(await request.multipart())
            raw.update(fields)
        else:
            form = await request.post()
            raw.update({key: str(value) for key, value in form.items()})
    params = _decode_params(raw, uploads)
    params.update(typed)
    return params
