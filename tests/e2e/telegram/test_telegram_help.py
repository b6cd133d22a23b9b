"""/help on Telegram: topic buttons are inline buttons, a press shows the topic in place."""

from __future__ import annotations

from brygada.bootstrap import App
from domain.company import Role
from tests.e2e.telegram.conftest import Harness, button, buttons
from tests.fakes.telegram_api import FakeTelegramAPI

ANNA, IVAN = 2001, 2002


async def test_help_topics_are_buttons_and_open_in_place(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    await tg.join(ANNA, "Anna", Role.ADMIN)
    await tg.join(IVAN, "Ivan")
    await tg.add_project("Magazyn")
    await tg.say(ANNA, "/lang pl")
    [shown] = await tg.say(ANNA, "/help")
    assert "Pięć rzeczy na początek" in shown["text"]
    assert "Magazyn: Zadzwonić do klienta jutro 10:00 @ivan !wysoki" in shown["text"]
    labels = [b["text"] for row in shown["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Zadania", "Czas", "Raporty", "CRM", "Wnioski", "Ustawienia", "Firma"]
    assert [d.split(":")[0] for d in buttons(shown)] == ["hp"] * 7

    time_topic = next(d for d in buttons(shown) if d.split(":")[1] == "time")
    _query, mark = await tg.press(ANNA, shown, time_topic)
    [edit] = tg.sent_since(mark, "editMessageText")
    assert edit.params["message_id"] == shown["message_id"]
    text = edit.params["text"]
    assert "<b>Czas</b>" in text and "<code>/time del 5 dlaczego</code> — usuń wpis czasu 5" in text
    assert tg.sent_since(mark) == []
    assert button({"reply_markup": edit.params["reply_markup"]}, "hp")

    [typed] = await tg.say(ANNA, "/help время")
    assert "/time log 5 — kto i kiedy zmieniał wpis czasu 5" in typed["text"]
