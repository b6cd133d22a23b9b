"""The Telegram adapter: the aiogram Bot and Dispatcher, polling or webhook.

Routers (one per concern) translate updates into ``Inbound``, call the conversation and
send its replies; nothing here decides anything about tasks or permissions.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Dispatcher, F, Router, methods
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods.base import Response
from aiogram.types import CallbackQuery, Message, Update
from aiohttp import web

from bots.telegram.commands import set_board_menu_button, set_commands
from bots.telegram.middlewares import RateLimitMiddleware, RetryAfterMiddleware, SendLimiter
from bots.telegram.notifier import TelegramNotifier
from bots.telegram.polling import ChatSequencer, DurablePolling, PollingConfig, chat_key
from bots.telegram.replies import REPLY_BUDGET_S, DurableReplies
from bots.telegram.sender import ReplySender
from bots.telegram.translate import from_callback, from_message
from handlers.conversation import Conversation
from handlers.rendering import TELEGRAM_HTML, Renderer

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"


class _Session(AiohttpSession):
    """aiogram's session, holding on to the ``Response[...]`` models it parses answers
    with. aiogram writes ``Response[method.__returning__]`` on every call; pydantic keeps
    parametrised models only weakly, so after each garbage collection the next call built
    the model again (~9 ms with the event loop stopped, dozens of times a minute under
    load). Held here, they are built once, at start-up."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.response_models = tuple(
            Response[returning]  # type: ignore[valid-type]
            for returning in {m.__returning__ for m in _METHODS_USED}
        )


# What the adapter calls (see _Session); getMe too, through ``bot.me()``.
_METHODS_USED = (
    methods.AnswerCallbackQuery, methods.DeleteWebhook, methods.EditMessageText,
    methods.GetChat, methods.GetMe, methods.GetUpdates, methods.PinChatMessage,
    methods.SendDocument, methods.SendMessage, methods.SendPhoto, methods.SetMyCommands,
    methods.SetWebhook,
)  # fmt: skip


@dataclass(frozen=True)
class TelegramConfig:
    """What the adapter needs to know of the install (``brygada.telegram`` reads it from
    the settings): the bot, the Bot API server, and webhook or long polling."""

    bot_token: str
    # The X-Telegram-Bot-Api-Secret-Token a webhook request must carry (``webhook_secret``).
    webhook_secret: str
    api_url: str = "https://api.telegram.org"
    webhook_url: str | None = None  # None: long polling
    bot_username: str | None = None  # learnt from getMe at start when not given
    board_url: str | None = None  # the manager's board (an https one is the menu button)
    webhook_max_connections: int = 40  # Telegram's simultaneous webhook requests


def build_bot(config: TelegramConfig, *, limiter: SendLimiter | None = None) -> Bot:
    session = _Session(api=TelegramAPIServer.from_base(config.api_url))
    session.middleware(RetryAfterMiddleware())
    session.middleware(RateLimitMiddleware(limiter))
    return Bot(
        config.bot_token,
        session=session,
        default=DefaultBotProperties(parse_mode="HTML"),
    )


def webhook_secret(seed: str) -> str:
    """The X-Telegram-Bot-Api-Secret-Token derived from a secret of the install (the
    server secret, or the bot token): stable across restarts, never the seed itself."""
    return hashlib.sha256(f"brygada-telegram-webhook:{seed}".encode()).hexdigest()


# -- routers ---------------------------------------------------------------------------


def callbacks_router() -> Router:
    router = Router(name="telegram-callbacks")

    @router.callback_query()
    async def on_callback(
        callback: CallbackQuery,
        bot: Bot,
        event_update: Update,
        conversation: Conversation,
        replies_out: DurableReplies,
    ) -> None:
        inbound = from_callback(callback, workspace=str(bot.id), update_id=event_update.update_id)
        sender = replies_out.sender
        chat_id = int(inbound.chat_id)
        # The toast answers the press; everything else is stored with the change.
        journal = replies_out.journal(
            inbound,
            lambda replies: sender.plan(
                chat_id,
                [r for r in replies if r is not sender.first_alert(replies)],
                edit_message=callback.message,
            ),
        )
        replies: list[Any] = []
        unshown: list[Any] = []
        answered = False
        try:
            replies = await conversation.handle(inbound, journal=journal)
            unshown = await sender.answer_callback(bot, callback, replies)
            answered = True
        finally:
            if not answered:
                with contextlib.suppress(Exception):
                    await bot.answer_callback_query(callback.id)
        if journal.recorded:
            # An alert that could not be shown as a toast goes to the chat instead.
            late = [r for r in unshown if r is sender.first_alert(replies)]
            await replies_out.best_effort(bot, chat_id, late)
            await replies_out.deliver(bot, journal)
        else:  # a refusal or an error: nothing was changed, nothing stored
            await replies_out.best_effort(bot, chat_id, unshown, edit_message=callback.message)

    return router


async def on_message(
    message: Message,
    bot: Bot,
    event_update: Update,
    conversation: Conversation,
    replies_out: DurableReplies,
    bot_username: str | None = None,
) -> None:
    inbound = from_message(
        message,
        workspace=str(bot.id),
        update_id=event_update.update_id,
        bot_username=bot_username,
    )
    if inbound is None:
        return
    reply_to = message.message_id if inbound.chat_type == "group" else None
    sender, chat_id = replies_out.sender, message.chat.id
    journal = replies_out.journal(
        inbound, lambda replies: sender.plan(chat_id, replies, reply_to=reply_to)
    )
    replies = await conversation.handle(inbound, journal=journal)
    if journal.recorded:
        await replies_out.deliver(bot, journal)
    else:
        await replies_out.best_effort(bot, chat_id, replies, reply_to=reply_to)


def commands_router() -> Router:
    router = Router(name="telegram-commands")
    router.message.register(on_message, F.text.startswith("/"))
    return router


def messages_router() -> Router:
    """Plain text, captions of photos and documents, forwarded messages."""
    router = Router(name="telegram-messages")
    router.message.register(on_message, F.text | F.caption | F.photo | F.document | F.contact)
    return router


# -- the adapter ----------------------------------------------------------------------


class TelegramAdapter:
    def __init__(
        self,
        config: TelegramConfig,
        conversation: Conversation,
        *,
        renderer: Renderer | None = None,
        bot: Bot | None = None,
        limiter: SendLimiter | None = None,
        polling: PollingConfig | None = None,
        reply_budget: float = REPLY_BUDGET_S,
    ) -> None:
        self.config = config
        self.bot = bot or build_bot(config, limiter=limiter)
        self.sender = ReplySender(renderer or Renderer(TELEGRAM_HTML))
        self.replies = DurableReplies(conversation, self.sender, budget=reply_budget)
        self.notifier = TelegramNotifier(self.bot, self.sender)
        self.webhook_secret = config.webhook_secret
        self.bot_username = config.bot_username
        self.polling_config = polling or PollingConfig()
        # Webhook updates, like polled ones, are handled in order per chat.
        self.sequencer = ChatSequencer(self.polling_config.concurrency)
        self.polling: DurablePolling | None = None
        self.dispatcher = Dispatcher(
            conversation=conversation, replies_out=self.replies, bot_username=self.bot_username
        )
        self.dispatcher.include_routers(
            callbacks_router(),
            commands_router(),
            messages_router(),
        )

    @property
    def workspace(self) -> str:
        return str(self.bot.id)

    @property
    def allowed_updates(self) -> list[str]:
        return self.dispatcher.resolve_used_update_types()

    async def start(self, *, configure: bool = True) -> None:
        """getMe; with ``configure`` also the bot's settings at Telegram (``configure``).
        Among replicas only one configures (``brygada.server``)."""
        me = await self.bot.me()
        if me.username and self.bot_username != me.username:
            self.bot_username = me.username
            self.dispatcher.workflow_data["bot_username"] = me.username
        if configure:
            await self.configure()

    async def configure(self) -> None:
        """The command menus, and the webhook (or its removal for polling). Updates
        Telegram holds are never dropped: they are handled once the webhook is in place."""
        await set_commands(self.bot)
        await set_board_menu_button(self.bot, self.config.board_url)
        if self.config.webhook_url:
            await self.bot.set_webhook(
                self.config.webhook_url,
                secret_token=self.webhook_secret,
                max_connections=self.config.webhook_max_connections,
                allowed_updates=self.allowed_updates,
                drop_pending_updates=False,
            )
        else:
            await self.bot.delete_webhook(drop_pending_updates=False)

    async def run_polling(self, stop: asyncio.Event) -> None:
        """Long polling until ``stop`` is set (see ``bots.telegram.polling``); an update is
        confirmed to Telegram only once it is handled."""
        self.polling = DurablePolling(
            self.bot,
            self.dispatcher,
            allowed_updates=self.allowed_updates,
            config=self.polling_config,
        )
        await self.polling.run(stop)

    async def handle_webhook(self, request: web.Request) -> web.Response:
        """One webhook update, answered 200 only once it is handled: a crash before
        that makes Telegram send it again."""
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(secret, self.webhook_secret):
            return web.Response(status=401, text="Unauthorized")
        try:
            update = Update.model_validate(await request.json(), context={"bot": self.bot})
        except ValueError:
            return web.Response(status=400, text="Bad update")
        try:
            await self.sequencer.submit(
                chat_key(update), lambda: self.dispatcher.feed_update(self.bot, update)
            )
        except Exception:
            log.exception("webhook update %s failed; Telegram will send it again", update.update_id)
            return web.Response(status=500, text="Not handled")
        return web.json_response({})

    async def close(self) -> None:
        await self.bot.session.close()


def setup_webhook_routes(
    web_app: web.Application, adapter: TelegramAdapter, *, path: str = WEBHOOK_PATH
) -> None:
    """Mount the webhook endpoint on the shared aiohttp application.

    Requests without the right X-Telegram-Bot-Api-Secret-Token are refused with 401.
    """
    web_app.router.add_post(path, adapter.handle_webhook)
