"""The Telegram adapter (aiogram 3): see ``bots.telegram.adapter``."""

from bots.telegram.adapter import (
    TelegramAdapter,
    build_bot,
    build_telegram,
    setup_webhook_routes,
    webhook_secret,
)
from bots.telegram.notifier import TelegramNotifier

__all__ = [
    "TelegramAdapter",
    "TelegramNotifier",
    "build_bot",
    "build_telegram",
    "setup_webhook_routes",
    "webhook_secret",
]
