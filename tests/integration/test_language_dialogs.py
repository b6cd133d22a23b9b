"""Replies read naturally in Polish and Russian: schedules in words, notification kinds
by name, time in the member's timezone, counted words in their CLDR plural form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from brygada.bootstrap import App
from tests.conftest import FakeClock
from tests.dialog import Dialog, verify_dialog
from tests.factories import make_team

WORDS = {
    "en": {
        "repeat": "every working day at 9:00",
        "weekly": "every Friday at 16:30",
        "muted": "Morning plan (plan.morning)",
        "kind": "• Weekly backlog review — backlog.weekly",
        "created": "created",
        "moved": "🕓 deadline moved 1 time\n",
    },
    "pl": {
        "repeat": "w dni robocze o 9:00",
        "weekly": "w każdy piątek o 16:30",
        "muted": "Poranny plan (plan.morning)",
        "kind": "• Tygodniowy przegląd backlogu — backlog.weekly",
        "created": "utworzono",
        "moved": "🕓 termin przesunięto 1 raz\n",
    },
    "ru": {
        "repeat": "по будням в 9:00",
        "weekly": "по пятницам в 16:30",
        "muted": "Утренний план (plan.morning)",
        "kind": "• Еженедельный разбор бэклога — backlog.weekly",
        "created": "создана",
        "moved": "🕓 срок переносился 1 раз\n",
    },
}


@pytest.mark.parametrize("lang", ["en", "pl", "ru"])
async def test_schedules_kinds_and_times_in_the_members_words(
    app: App, clock: FakeClock, lang: str
) -> None:
    clock.set(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))  # Monday, 16:00 in Warsaw
    dialog = Dialog(app, await make_team(app))
    w = WORDS[lang]
    await dialog.send("boss", f"/lang {lang}")
    await dialog.send("anna", f"/lang {lang}")
    await verify_dialog(
        dialog,
        [
            ("boss", "/repeat weekdays 9:00 ; Sales: Call back list @anna", [w["repeat"]]),
            ("boss", "/repeat weekly fri 16:30 ; Sales: Weekly call @anna", [w["weekly"]]),
            ("boss", "/repeat", [w["repeat"], w["weekly"], "!mon-fri"]),
            ("anna", "/mute plan.morning", [w["muted"], w["kind"]]),
            ("boss", "Sales: Call Ivan @anna", ["#1"]),
            # 9:00-10:30 Warsaw is 8:00-9:30 UTC: the history shows the member's clock
            ("anna", "/time 1 9:00-10:30 call with the client", ["[1]"]),
            ("anna", "/time log 1", [w["created"], "09:00–10:30", "!UTC", "!08:00"]),
            ("boss", "/deadline 1 tomorrow 12:00", []),
            ("boss", "/deadline 1 friday 12:00", []),
            ("boss", "/show 1", [w["moved"]]),
        ],
    )
