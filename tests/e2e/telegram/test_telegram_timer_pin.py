"""The timer card on Telegram: a pinned message kept current by the outbox (getChat ->
editMessageText, or sendMessage + pinChatMessage), whose buttons work."""

from __future__ import annotations

from typing import Any

from brygada.bootstrap import App
from domain.company import Role
from tests.conftest import FakeClock
from tests.e2e.telegram.conftest import BOT_ID, Harness, button
from tests.fakes.telegram_api import FakeTelegramAPI

BOSS, ANNA = 1001, 1002


async def setup(tg: Harness) -> int:
    await tg.join(BOSS, "Boss", Role.ADMIN)
    await tg.join(ANNA, "Anna")
    await tg.add_project()
    sent = await tg.say(BOSS, "Sales: Call Ivan tomorrow 10:00 @anna")
    task_id = int(button(sent[0], "op").split(":")[1])
    await deliver(tg)  # the assignment, before any timer
    return task_id


async def deliver(tg: Harness) -> int:
    mark = len(tg.api.calls)
    await tg.app.dispatcher({"telegram": tg.adapter.notifier}).run_once()
    return mark


def to_anna(tg: Harness, mark: int, method: str) -> list[Any]:
    return [c for c in tg.sent_since(mark, method) if c.params["chat_id"] == ANNA]


def pinned(api: FakeTelegramAPI) -> dict[str, Any]:
    return api.messages[(ANNA, api.pinned[ANNA][-1])]


async def test_the_timer_card_is_pinned_and_kept_current(
    tg: Harness, api: FakeTelegramAPI, app: App, clock: FakeClock
) -> None:
    task_id = await setup(tg)
    await tg.say(ANNA, f"/timer {task_id}")
    clock.advance(minutes=5)

    # the outbox sends the card silently and pins it
    mark = await deliver(tg)
    assert [c.params["chat_id"] for c in tg.sent_since(mark, "getChat")] == [ANNA]
    [sent] = to_anna(tg, mark, "sendMessage")
    assert sent.params.get("disable_notification") is True
    card = sent.response["result"]
    assert card["from"]["id"] == int(BOT_ID)
    assert card["text"].startswith("⏱ #") and "Call Ivan" in card["text"]
    assert "5m" in card["text"]
    [pin] = to_anna(tg, mark, "pinChatMessage")
    assert pin.params["message_id"] == card["message_id"]
    assert pin.params.get("disable_notification") is True
    assert api.pinned[ANNA] == [card["message_id"]]
    button(card, "tmp"), button(card, "tmx")

    # /timer pause: the same card is edited, no new message
    clock.advance(minutes=5)
    await tg.say(ANNA, "/timer pause")
    mark = await deliver(tg)
    [edit] = to_anna(tg, mark, "editMessageText")
    assert edit.params["message_id"] == card["message_id"]
    assert to_anna(tg, mark, "sendMessage") == [] and to_anna(tg, mark, "pinChatMessage") == []
    assert "Paused" in pinned(api)["text"] and "Today: 10m" in pinned(api)["text"]

    # Resume on the pinned card: edited in place by the press; the outbox's edit is a no-op
    _, mark = await tg.press(ANNA, pinned(api), button(pinned(api), "tmr"))
    [edit] = tg.sent_since(mark, "editMessageText")
    assert edit.params["message_id"] == card["message_id"]
    assert "Running since" in pinned(api)["text"]
    mark = await deliver(tg)
    assert to_anna(tg, mark, "sendMessage") == []
    assert all(not c.ok for c in to_anna(tg, mark, "editMessageText"))  # "not modified"

    # Pause on the pinned card works: the timer pauses, the card says so
    clock.advance(minutes=3)
    _, mark = await tg.press(ANNA, pinned(api), button(pinned(api), "tmp"))
    assert tg.sent_since(mark) == []
    async with app.uow() as uow:
        found = await uow.members.by_identity("telegram", BOT_ID, str(ANNA))
        assert found is not None
        timer = await uow.time.timer(found[0].id)
    assert timer is not None and not timer.running
    assert "Paused" in pinned(api)["text"]
    await deliver(tg)

    # Stop: the card stays pinned with today's total and a Start button on the last task
    _, mark = await tg.press(ANNA, pinned(api), button(pinned(api), "tmx"))
    assert "No timer running" in pinned(api)["text"] and "13m" in pinned(api)["text"]
    assert button(pinned(api), "tmg").split(":")[1] == str(task_id)
    await deliver(tg)
    assert api.pinned[ANNA] == [card["message_id"]]


async def test_a_missing_card_is_sent_and_pinned_again(
    tg: Harness, api: FakeTelegramAPI, clock: FakeClock
) -> None:
    task_id = await setup(tg)
    await tg.say(ANNA, f"/timer {task_id}")
    await deliver(tg)
    first = api.pinned[ANNA][-1]

    # the member unpinned it: getChat names no pinned message -> a new card, pinned
    api.pinned[ANNA].clear()
    clock.advance(minutes=1)
    await tg.say(ANNA, "/timer pause")
    mark = await deliver(tg)
    [sent] = to_anna(tg, mark, "sendMessage")
    second = sent.response["result"]["message_id"]
    assert second != first and api.pinned[ANNA] == [second]
    assert to_anna(tg, mark, "editMessageText") == []

    # the pinned card cannot be found any more ("message to edit not found")
    api.fail_next(
        "editMessageText", status=400, description="Bad Request: message to edit not found"
    )
    clock.advance(minutes=1)
    await tg.say(ANNA, "/timer resume")
    mark = await deliver(tg)
    [sent] = to_anna(tg, mark, "sendMessage")
    third = sent.response["result"]["message_id"]
    assert api.pinned[ANNA][-1] == third and third != second

    # a pinned message of the member's own is left alone
    inbound = api.message_update(ANNA, ANNA, "⏱ my own note")
    await tg.push(inbound)
    api.pinned[ANNA].append(inbound["message"]["message_id"])
    clock.advance(minutes=1)
    await tg.say(ANNA, "/timer stop")
    mark = await deliver(tg)
    assert to_anna(tg, mark, "editMessageText") == []
    [sent] = to_anna(tg, mark, "sendMessage")
    assert api.pinned[ANNA][-1] == sent.response["result"]["message_id"]
    assert sent.response["result"]["text"].startswith("⏱ No timer running")
