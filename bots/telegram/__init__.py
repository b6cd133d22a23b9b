"""The Telegram adapter (aiogram 3): see ``bots.telegram.adapter``."""

from bots.telegram.adapter import (
    TelegramAdapter,
    TelegramConfig,
    build_bot,
    setup_webhook_routes,
    webhook_secret,
)
from bots.telegram.notifier import TelegramNotifier

__all__ = [
    "TelegramAdapter",
    "TelegramConfig",
    "TelegramNotifier",
    "build_bot",
    "setup_webhook_routes",
    "webhook_secret",
]
