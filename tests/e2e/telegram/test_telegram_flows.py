"""End-to-end: the real aiogram Bot long-polling a loopback fake Bot API."""

from __future__ import annotations

from typing import Any

from brygada.bootstrap import App
from domain.company import Role
from domain.tasks import Rating, TaskStatus
from tests.e2e.telegram.conftest import BOT_ID, Harness, button, buttons, cancel_only
from tests.fakes.telegram_api import FakeTelegramAPI

BOSS, ANNA = 1001, 1002


async def task_of(app: App, task_id: int) -> Any:
    async with app.uow() as uow:
        return await uow.tasks.get(task_id)


async def team(tg: Harness) -> None:
    await tg.join(BOSS, "Boss", Role.ADMIN)
    await tg.join(ANNA, "Anna")
    await tg.add_project()


async def create_task(
    tg: Harness, text: str = "Sales: Call Ivan tomorrow 10:00 @anna !high"
) -> int:
    sent = await tg.say(BOSS, text)
    assert len(sent) == 1, sent
    return int(button(sent[0], "op").split(":")[1])


async def anna_card(tg: Harness, task_id: int) -> dict[str, Any]:
    sent = await tg.say(ANNA, f"/start task_{task_id}")
    assert len(sent) == 1
    card: dict[str, Any] = sent[0]
    return card


async def test_join_with_invite_code(tg: Harness, api: FakeTelegramAPI, app: App) -> None:
    sent = await tg.join(BOSS, "Boss", Role.ADMIN)
    assert sent, "no answer to /start <code>"
    assert "Acme" in api.sent_texts(BOSS, visible=True)[0]
    async with app.uow() as uow:
        member = await uow.members.by_identity("telegram", BOT_ID, str(BOSS))
    assert member is not None and member[0].name == "Boss"
    # the command menu was set for the default language, pl and ru
    assert {c.params.get("language_code") for c in api.calls_to("setMyCommands")} == {
        None,
        "pl",
        "ru",
    }


async def test_task_lifecycle_through_buttons(tg: Harness, api: FakeTelegramAPI, app: App) -> None:
    await team(tg)
    task_id = await create_task(tg)
    task = await task_of(app, task_id)
    assert "Call Ivan" in task.title and task.priority.value == "high"

    card = await anna_card(tg, task_id)
    # Start: the card changes in place and the query is answered once, without alert
    query, mark = await tg.press(ANNA, card, button(card, "ts"))
    edits = tg.sent_since(mark, "editMessageText")
    assert len(edits) == 1 and edits[0].params["message_id"] == card["message_id"]
    assert tg.sent_since(mark) == []
    answers = [
        c for c in api.calls_to("answerCallbackQuery") if c.params["callback_query_id"] == query
    ]
    assert len(answers) == 1 and answers[0].ok and not answers[0].params.get("show_alert")
    assert (await task_of(app, task_id)).status is TaskStatus.IN_PROGRESS

    # Done: a ForceReply question, then the answer completes the task
    card = api.messages[(ANNA, card["message_id"])]
    query, mark = await tg.press(ANNA, card, button(card, "td"))
    asked = tg.sent_since(mark)
    assert len(asked) == 1
    assert cancel_only(asked[0].params["reply_markup"])
    assert query in api.callback_answers
    sent = await tg.say(ANNA, "Called, he agreed <b>&</i>")
    assert len(sent) == 1
    assert (await task_of(app, task_id)).status is TaskStatus.AWAITING_ACCEPTANCE

    # the creator is told through the outbox and the TelegramNotifier
    mark = len(api.calls)
    await app.dispatcher({"telegram": tg.adapter.notifier}).run_once()
    notes = [c for c in tg.sent_since(mark) if c.response["result"]["chat"]["id"] == BOSS]
    assert notes, "the creator got no notification"
    note = notes[-1].response["result"]

    # Accept 👎 asks for the reason
    _, mark = await tg.press(BOSS, note, _bad(note))
    asked = tg.sent_since(mark)
    assert len(asked) == 1 and cancel_only(asked[0].params["reply_markup"])
    await tg.say(BOSS, "Too late")
    done = await task_of(app, task_id)
    assert done.status is TaskStatus.COMPLETED
    assert done.rating is Rating.NEGATIVE and done.rating_reason == "Too late"


def _bad(message: dict[str, Any]) -> str:
    found = [d for d in buttons(message) if d.startswith("ta:") and d.split(":")[2] == "n"]
    assert found, buttons(message)
    return found[0]


async def test_return_asks_reason_then_deadline(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    await team(tg)
    task_id = await create_task(tg, "Sales: Send the offer tomorrow 12:00 @anna")
    await tg.say(ANNA, f"/done {task_id} Sent")
    assert (await task_of(app, task_id)).status is TaskStatus.AWAITING_ACCEPTANCE
    card = (await tg.say(BOSS, f"/start task_{task_id}"))[0]
    _, mark = await tg.press(BOSS, card, button(card, "tr"))
    asked = tg.sent_since(mark)
    assert len(asked) == 1 and cancel_only(asked[0].params["reply_markup"])
    sent = await tg.say(BOSS, "The prices are wrong")
    assert len(sent) == 1
    # asking the deadline with quick-pick buttons: an inline keyboard, no ForceReply
    assert buttons(sent[0]) and "force_reply" not in (sent[0].get("reply_markup") or {})
    await tg.say(BOSS, "tomorrow 15:00")
    returned = await task_of(app, task_id)
    assert returned.status not in {TaskStatus.AWAITING_ACCEPTANCE, TaskStatus.COMPLETED}


async def test_forged_button_is_refused_with_an_alert(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    await team(tg)
    task_id = await create_task(tg)
    card = await anna_card(tg, task_id)
    query, mark = await tg.press(ANNA, card, "ts:1:AAAAAAAAAAA")
    answers = [
        c for c in api.calls_to("answerCallbackQuery") if c.params["callback_query_id"] == query
    ]
    assert len(answers) == 1 and answers[0].params.get("show_alert") is True
    assert answers[0].params.get("text")
    assert tg.sent_since(mark) == [] and tg.sent_since(mark, "editMessageText") == []
    assert (await task_of(app, task_id)).status is TaskStatus.NEW


async def test_redelivered_update_creates_no_second_task(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    await team(tg)
    mark = len(api.calls)
    update_id = await tg.push(api.message_update(BOSS, BOSS, "Sales: Call Ivan tomorrow @anna"))
    assert len(tg.sent_since(mark)) == 1
    await tg.redeliver(update_id)
    assert len(tg.sent_since(mark)) == 1
    async with app.uow() as uow:
        assert await uow.tasks.get(2) is None
        assert await uow.tasks.get(1) is not None


async def test_group_task_quotes_the_replied_message(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    await team(tg)
    group = -100_555
    chatter = api.message_update(
        group,
        ANNA,
        "Client wants the invoice again",
        chat_type="supergroup",
        chat_title="Sales team",
    )
    await tg.push(chatter)
    original = chatter["message"]
    sent = await tg.say(
        BOSS,
        "/task Sales: Resend invoice @anna",
        chat_id=group,
        chat_type="supergroup",
        chat_title="Sales team",
        reply_to=original,
    )
    assert len(sent) == 1 and sent[0]["chat"]["id"] == group
    task_id = int(button(sent[0], "op").split(":")[1])
    task = await task_of(app, task_id)
    assert "Client wants the invoice again" in (task.description or "")
    assert f"message {original['message_id']} in Sales team" in (task.description or "")


async def test_user_text_is_escaped(tg: Harness, api: FakeTelegramAPI, app: App) -> None:
    await team(tg)
    sent = await tg.say(BOSS, "Sales: Fix <b>&</i> tags & <script> @anna")
    assert len(sent) == 1
    assert "<b>&</i>" in api.sent_texts(BOSS, visible=True)[-1]


async def test_429_on_send_is_retried_once(tg: Harness, api: FakeTelegramAPI, app: App) -> None:
    await team(tg)
    api.fail_next("sendMessage", status=429, retry_after=1)
    mark = len(api.calls)
    before = len(api.calls_to("sendMessage"))
    await tg.push(api.message_update(BOSS, BOSS, "Sales: Call Ivan tomorrow @anna"))
    assert len(api.calls_to("sendMessage")) == before + 2
    calls = [c for c in api.calls[mark:] if c.method == "sendMessage"]
    assert [c.status for c in calls] == [429, 200]
    async with app.uow() as uow:
        assert await uow.tasks.get(1) is not None and await uow.tasks.get(2) is None
