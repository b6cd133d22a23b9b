"""The bot's command menu (setMyCommands) in English (default), Polish and Russian.

These are Telegram menu strings, kept here rather than in the templates because
they are a platform setting, not a conversation reply.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, MenuButtonWebApp, WebAppInfo

log = logging.getLogger(__name__)

MENU: dict[str | None, dict[str, str]] = {
    None: {
        "task": "New task",
        "tasks": "My tasks",
        "today": "Due today",
        "overdue": "Overdue tasks",
        "awaiting": "Waiting for my acceptance",
        "created": "Tasks I created",
        "search": "Search tasks",
        "board": "The board",
        "lang": "Language",
        "tz": "Time zone",
        "help": "Help",
    },
    "pl": {
        "task": "Nowe zadanie",
        "tasks": "Moje zadania",
        "today": "Na dziś",
        "overdue": "Zaległe zadania",
        "awaiting": "Czekają na moją akceptację",
        "created": "Zadania, które utworzyłem",
        "search": "Szukaj zadań",
        "board": "Tablica",
        "lang": "Język",
        "tz": "Strefa czasowa",
        "help": "Pomoc",
    },
    "ru": {
        "task": "Новая задача",
        "tasks": "Мои задачи",
        "today": "На сегодня",
        "overdue": "Просроченные",
        "awaiting": "Ждут моей приёмки",
        "created": "Поставленные мной",
        "search": "Поиск задач",
        "board": "Доска",
        "lang": "Язык",
        "tz": "Часовой пояс",
        "help": "Помощь",
    },
}


def bot_commands(language: str | None) -> list[BotCommand]:
    return [BotCommand(command=c, description=d) for c, d in MENU[language].items()]


async def set_commands(bot: Bot) -> None:
    for language in MENU:
        await bot.set_my_commands(bot_commands(language), language_code=language)


async def set_board_menu_button(bot: Bot, board_url: str | None) -> None:
    """The bot's menu button opens the board as a Mini App (Telegram wants https). A
    refusal is logged, not fatal: /board still answers with its button and link."""
    if not board_url or not board_url.startswith("https://"):
        return
    button = MenuButtonWebApp(text="🗂 Board", web_app=WebAppInfo(url=f"{board_url}/tg"))
    try:
        await bot.set_chat_menu_button(menu_button=button)
    except TelegramAPIError as error:
        log.warning("the board's menu button was not set: %s", error)
