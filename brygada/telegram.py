"""The Telegram adapter of a composed app: what it needs of the settings, and itself."""

from __future__ import annotations

from bots.telegram.adapter import TelegramAdapter, TelegramConfig, webhook_secret
from bots.telegram.middlewares import SendLimiter
from brygada.bootstrap import App
from brygada.settings import Settings


def telegram_config(settings: Settings) -> TelegramConfig:
    """The adapter's part of the settings; the bot token must be set."""
    if settings.telegram_bot_token is None:
        raise ValueError("BRYGADA_TELEGRAM_BOT_TOKEN is not set")
    token = settings.telegram_bot_token.get_secret_value()
    # The webhook's secret token is derived from the server secret, else from the bot token.
    seed = settings.secret.get_secret_value() if settings.secret is not None else token
    return TelegramConfig(
        bot_token=token,
        webhook_secret=webhook_secret(seed),
        api_url=settings.telegram_api_url,
        webhook_url=settings.telegram_webhook_url,
        bot_username=settings.telegram_bot_username,
        board_url=settings.board_url,
        webhook_max_connections=settings.telegram_webhook_max_connections,
    )


def build_telegram(app: App, *, limiter: SendLimiter | None = None) -> TelegramAdapter:
    """The adapter for a bootstrapped app (``brygada.bootstrap``); ``limiter``: shared by
    the replicas (``bots.ratelimit_redis``), else this process's own."""
    return TelegramAdapter(telegram_config(app.settings), app.conversation, limiter=limiter)


def bot_id_of(settings: Settings) -> str:
    """The bot's id, the part of its token before the colon (no request needed)."""
    token = settings.telegram_bot_token
    return token.get_secret_value().partition(":")[0] if token is not None else "none"
