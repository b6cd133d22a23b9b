"""/mute and /unmute take a notification kind by its name in any of our languages, in any
case, as well as by its key; an unknown kind is answered with the list of kinds."""

from __future__ import annotations

import pytest

from brygada.bootstrap import App
from tests.dialog import Dialog, verify_dialog
from tests.factories import make_team

CASES = {
    "en": ("/mute morning PLAN", "Muted: Morning plan (plan.morning)", "/unmute Morning plan"),
    "pl": ("/mute Poranny plan", "Wyciszone: Poranny plan (plan.morning)", "/unmute poranny  plan"),
    "ru": (
        "/mute утренний план",
        "Отключены: Утренний план (plan.morning)",
        "/unmute Утренний План",
    ),
}
UNKNOWN = {
    "en": "I don't know the notification “evening news”",
    "pl": "Nie znam powiadomienia „evening news”",
    "ru": "Не знаю уведомления «evening news»",
}
KIND = {
    "en": "• Overdue tasks — task.overdue",
    "pl": "• Zadania po terminie — task.overdue",
    "ru": "• Просроченные задачи — task.overdue",
}


@pytest.mark.parametrize("lang", ["en", "pl", "ru"])
async def test_mute_by_localized_name(app: App, lang: str) -> None:
    dialog = Dialog(app, await make_team(app))
    await dialog.send("anna", f"/lang {lang}")
    mute, muted, unmute = CASES[lang]
    await verify_dialog(
        dialog,
        [
            ("anna", mute, [muted]),
            ("anna", unmute, [f"!{muted}"]),
            # the key still works, and a name in another of our languages too
            ("anna", "/mute PLAN.MORNING", [muted]),
            ("anna", "/unmute poranny plan", [f"!{muted}"]),
            ("anna", "/mute утренний план", [muted]),
            ("anna", "/mute evening news", [UNKNOWN[lang], KIND[lang], muted]),
        ],
    )
