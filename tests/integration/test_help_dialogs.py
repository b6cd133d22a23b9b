"""/help: five things to start with and topic buttons; /help TOPIC in the member's
language with the company's own project in the examples; every command in some topic."""

from __future__ import annotations

import pytest

from brygada.bootstrap import App
from handlers.help import NOT_TYPED, TOPICS, commands_in_topics
from handlers.intents import default_intents
from tests.dialog import Dialog, verify_dialog
from tests.factories import make_team


def test_every_command_is_in_a_help_topic() -> None:
    """A command added to the conversation's table must be placed in a topic of
    handlers/help.py (``/cancel`` is answered by the conversation itself)."""
    commands = set(default_intents().commands) - NOT_TYPED | {"cancel"}
    assert commands - commands_in_topics() == set(), "add these to handlers.help.TOPICS"
    assert commands_in_topics() - commands == set(), "help shows commands that do not exist"


def test_the_topics_are_the_buttons() -> None:
    assert list(TOPICS) == ["tasks", "time", "reports", "crm", "requests", "settings", "company"]


async def test_help_starts_short_and_opens_topics(app: App) -> None:
    dialog = Dialog(app, await make_team(app, projects=("Warehouse", "Sales")))
    await verify_dialog(
        dialog,
        [
            (
                "anna",
                "/help",
                [
                    "Five things to start with",
                    "Warehouse: Call the client tomorrow 10:00 @boss !high",
                    "/cancel",
                    "[1] Tasks",
                    "[2] Time",
                    "[6] Settings",
                    "!/time del",
                ],
            ),
            (
                "anna",
                "press:Time",
                ["Time", "/time del 5 why — delete time entry 5", "/timer 12", "[1] Tasks"],
            ),
            ("anna", "/help settings", ["/mute Morning plan — turn a notification off"]),
            ("anna", "/help mute", ["/unmute Morning plan"]),
            ("anna", "/help TASKS", ["/cancel — drop the open question", "/project Warehouse"]),
            ("anna", "/help weather", ["no help topic “weather”", "[3] Reports"]),
        ],
    )


WORDS = {
    "pl": {
        "topic": "/help czas",
        "time": ["Czas", "/time del 5 dlaczego — usuń wpis czasu 5"],
        "start": ["Pięć rzeczy na początek", "Warehouse: Zadzwonić do klienta", "[2] Czas"],
        "other": "/help время",
        "tasks": "/help zadania",
    },
    "ru": {
        "topic": "/help Время",
        "time": ["Время", "/time del 5 почему — удалить запись времени 5"],
        "start": ["Пять вещей для начала", "Warehouse: Позвонить клиенту", "[2] Время"],
        "other": "/help czas",
        "tasks": "/help задачи",
    },
}


@pytest.mark.parametrize("lang", ["pl", "ru"])
async def test_help_topics_by_their_names_in_the_members_language(app: App, lang: str) -> None:
    dialog = Dialog(app, await make_team(app, projects=("Warehouse",)))
    w = WORDS[lang]
    await dialog.send("anna", f"/lang {lang}")
    await verify_dialog(
        dialog,
        [
            ("anna", "/help", w["start"]),
            ("anna", w["topic"], w["time"]),
            # a topic's name in another of our languages works too
            ("anna", w["other"], w["time"]),
            ("anna", w["tasks"], ["/project Warehouse", "/cancel"]),
        ],
    )
