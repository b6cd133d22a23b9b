"""/search finds names and other proper nouns in another case: "Ивана" finds "Позвонить
Ивану", "Tomasza" finds "Spotkanie z Tomaszem", in each language."""

from __future__ import annotations

import pytest

from brygada.bootstrap import App
from tests.dialog import Dialog, verify_dialog
from tests.factories import make_team

CASES = {
    "en": [
        ("Call Johnson about the offer", "Meet Ivanova", "/search johnson", "/search ivanova"),
    ],
    "pl": [
        ("Zadzwonić do Kowalskiego", "Spotkanie z Tomaszem", "/search Kowalski", "/search Tomasza"),
    ],
    "ru": [
        ("Позвонить Ивану", "Письмо Сергею Петрову", "/search Ивана", "/search Сергей Петров"),
    ],
}


@pytest.mark.parametrize("lang", ["en", "pl", "ru"])
async def test_search_finds_names_in_another_case(app: App, lang: str) -> None:
    dialog = Dialog(app, await make_team(app))
    await dialog.send("boss", f"/lang {lang}")
    [(first, second, find_first, find_second)] = CASES[lang]
    await verify_dialog(
        dialog,
        [
            ("boss", f"{first} @anna", ["#1"]),
            ("boss", f"{second} @anna", ["#2"]),
            ("boss", "Sales: Prepare the report @anna", ["#3"]),
            ("boss", find_first, [f"#1 {first}", "!#2", "!#3"]),
            ("boss", find_second, [f"#2 {second}", "!#1", "!#3"]),
        ],
    )
