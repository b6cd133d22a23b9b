"""Refusals through the real aiogram Bot: answered once, and naming the real problem."""

from __future__ import annotations

import pytest

from brygada.bootstrap import App
from domain.company import Role
from tests.e2e.telegram.conftest import Harness
from tests.fakes.telegram_api import FakeTelegramAPI

BOSS, ANNA = 3001, 3002


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("task", "/show 999"),
        ("approval", "/approval 999"),
        ("crm", "/funnel decade"),
        ("time", "/time 1 abc"),
    ],
)
async def test_a_redelivered_refusal_is_answered_once(
    tg: Harness, api: FakeTelegramAPI, kind: str, text: str
) -> None:
    await tg.join(BOSS, "Boss", Role.ADMIN)
    mark = len(api.calls)
    update_id = await tg.push(api.message_update(BOSS, BOSS, text))
    assert len(tg.sent_since(mark)) == 1, kind
    await tg.redeliver(update_id)
    assert len(tg.sent_since(mark)) == 1, f"a redelivered {kind} refusal was answered again"


async def test_error_texts_name_the_real_problem(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    await tg.join(BOSS, "Boss", Role.ADMIN)
    await tg.join(ANNA, "Anna")
    await tg.say(BOSS, "Prepare the offer @anna")

    async def answer(text: str) -> str:
        [sent] = await tg.say(BOSS, text)
        return str(sent["text"])

    duration = await answer("/time 1 abc")
    assert "Give the time as" in duration and "comment is required" not in duration
    rating = await answer("/accept 1 maybe")
    assert "Rate the work with + or -" in rating and "out of date" not in rating
    typed = await answer("/accept 1 +")
    assert "Task #1 is New" in typed and "button" not in typed
    missing = await answer("/show 99999")
    assert "#99999 does not exist" in missing and "nothing is lost" not in missing
    # What the user wrote as prose is kept; a bare argument is not echoed back.
    kept = await answer("/comment 99999 we called the client, he agreed")
    assert "nothing is lost: we called the client, he agreed" in kept
    async with app.uow() as uow:
        task = await uow.tasks.get(1)
    assert task is not None and task.rating is None


async def test_a_personal_list_typed_in_a_group_goes_to_the_private_chat(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    group = -100_777
    await tg.join(BOSS, "Boss", Role.ADMIN)
    await tg.join(ANNA, "Anna")
    await tg.say(BOSS, "Salary review for Anna @anna")
    while await app.dispatcher({"telegram": tg.adapter.notifier}).run_once():
        pass  # "gave you a task"
    in_group = await tg.say(ANNA, "/tasks", chat_id=group, chat_type="supergroup")
    assert [m["chat"]["id"] for m in in_group] == [group]
    assert "private chat" in in_group[0]["text"] and "Salary" not in in_group[0]["text"]
    mark = len(api.calls)
    await app.dispatcher({"telegram": tg.adapter.notifier}).run_once()
    private = [c.response["result"] for c in tg.sent_since(mark)]
    assert [m["chat"]["id"] for m in private] == [ANNA]
    assert "Salary review for Anna" in private[0]["text"]


async def test_without_a_private_chat_the_group_is_told_how_to_start_one(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    group = -100_778
    code = await tg.invite()
    await tg.say(ANNA, f"/start {code}", chat_id=group, chat_type="supergroup", first_name="Anna")
    [answer] = await tg.say(ANNA, "/today", chat_id=group, chat_type="supergroup")
    assert answer["chat"]["id"] == group
    assert "Open a private chat with me" in answer["text"]
    assert not await app.dispatcher({"telegram": tg.adapter.notifier}).run_once()
