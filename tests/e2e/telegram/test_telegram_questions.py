"""End-to-end over the real aiogram Bot: an open question never swallows a message."""

from __future__ import annotations

from typing import Any

import pytest

from bots.telegram.middlewares import RateLimiter
from brygada.bootstrap import App
from domain.company import Role
from tests.e2e.telegram.conftest import Harness, button, buttons, cancel_only, fast_limiter
from tests.fakes.telegram_api import FakeTelegramAPI

BOSS, ANNA = 1001, 1002


@pytest.fixture
def limiter() -> RateLimiter:
    return fast_limiter()


async def task_of(app: App, task_id: int) -> Any:
    async with app.uow() as uow:
        return await uow.tasks.get(task_id)


def text_of(message: dict[str, Any]) -> str:
    return str(message.get("text") or "")


async def test_a_new_task_typed_after_deadline_is_held_and_becomes_a_task(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    await tg.join(BOSS, "Boss", Role.ADMIN)
    await tg.join(ANNA, "Anna")
    [created] = await tg.say(BOSS, "Call Ivan Petrov @anna")
    _, mark = await tg.press(BOSS, created, button(created, "dl"))
    [asked] = tg.sent_since(mark)
    # The quick picks and the question's Cancel in one keyboard.
    assert [d.split(":")[0] for d in buttons(asked.response["result"])][-1] == "qx"

    [choice] = await tg.say(BOSS, "Buy printer paper tomorrow")
    assert "Buy printer paper tomorrow" in text_of(choice)
    assert [d.split(":")[0] for d in buttons(choice)] == ["qa", "qn", "qc"]
    assert (await task_of(app, 1)).deadline is None
    assert await task_of(app, 2) is None

    _, mark = await tg.press(BOSS, choice, button(choice, "qn"))
    edited = tg.sent_since(mark, "editMessageText")
    assert edited and "Buy printer paper" in edited[0].params["text"]
    new = await task_of(app, 2)
    assert new is not None and new.title == "Buy printer paper" and new.deadline is not None
    # The same choice pressed again does nothing twice.
    _, mark = await tg.press(BOSS, choice, button(choice, "qn"))
    assert await task_of(app, 3) is None
    assert (await task_of(app, 1)).deadline is None


async def test_an_old_cancel_button_does_not_close_a_newer_question(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    await tg.join(BOSS, "Boss", Role.ADMIN)
    [created] = await tg.say(BOSS, "Call Ivan Petrov")
    _, mark = await tg.press(BOSS, created, button(created, "dl"))
    deadline_question = tg.sent_since(mark)[0].response["result"]

    # A command closes the open question, and says so in one short line.
    mark = len(api.calls)
    said = await tg.say(BOSS, "/comment 1")
    assert "The question about the deadline of #1 is closed." in text_of(said[0])
    assert "Your comment on #1" in text_of(said[-1])
    # A question with no other buttons has its Cancel button in a private chat.
    assert cancel_only(tg.sent_since(mark)[-1].params["reply_markup"])

    _, mark = await tg.press(BOSS, deadline_question, button(deadline_question, "qx"))
    gone = tg.sent_since(mark, "editMessageText")
    assert gone and "no longer open" in gone[0].params["text"]
    # The comment question is still open: the next message answers it.
    await tg.say(BOSS, "Tomorrow I call him about the prices")
    async with app.uow() as uow:
        comments = await uow.tasks.comments(1)
    assert [c.text for c in comments] == ["Tomorrow I call him about the prices"]
    assert await task_of(app, 2) is None


async def test_cancel_in_russian_leaves_the_question(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    await tg.join(BOSS, "Boss", Role.ADMIN)
    await tg.say(BOSS, "Call Ivan Petrov")
    await tg.say(BOSS, "/comment 1")
    [cancelled] = await tg.say(BOSS, "отмена")
    assert "Cancelled: the question about a comment on #1" in text_of(cancelled)
    [created] = await tg.say(BOSS, "Order toner")
    assert "#2" in text_of(created)
    async with app.uow() as uow:
        assert list(await uow.tasks.comments(1)) == []


async def test_a_question_without_buttons_can_be_cancelled_with_its_button(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    await tg.join(BOSS, "Boss", Role.ADMIN)
    await tg.say(BOSS, "Call Ivan Petrov")
    [question] = await tg.say(BOSS, "/comment 1")
    _, mark = await tg.press(BOSS, question, button(question, "qx"))
    [cancelled] = tg.sent_since(mark, "editMessageText")
    assert "Cancelled: the question about a comment on #1" in cancelled.params["text"]
    # The next message is an ordinary message again: a new task, not a comment.
    [created] = await tg.say(BOSS, "Order toner")
    assert "#2" in text_of(created)
    async with app.uow() as uow:
        assert list(await uow.tasks.comments(1)) == []


async def test_a_question_in_a_group_keeps_force_reply_and_offers_cancel(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    group = -100_4242
    await tg.join(BOSS, "Boss", Role.ADMIN)
    await tg.add_project()
    await tg.say(BOSS, "/task Sales: Call Ivan Petrov", chat_id=group, chat_type="supergroup")
    mark = len(api.calls)
    await tg.say(BOSS, "/comment 1", chat_id=group, chat_type="supergroup")
    question, hint = tg.sent_since(mark)
    # With privacy mode on, only a reply reaches the bot: ForceReply makes the client reply.
    assert question.params["reply_markup"]["force_reply"] is True
    assert "Your comment on #1" in question.params["text"]
    # ... and the Cancel button follows at once.
    assert "Reply to the question above" in hint.params["text"]
    assert [d.split(":")[0] for d in buttons(hint.response["result"])] == ["qx"]
    _, mark = await tg.press(BOSS, hint.response["result"], button(hint.response["result"], "qx"))
    [cancelled] = tg.sent_since(mark, "editMessageText")
    assert "Cancelled: the question about a comment on #1" in cancelled.params["text"]

    # Asked again, the answer comes as a reply to the question, and is taken.
    mark = len(api.calls)
    await tg.say(BOSS, "/comment 1", chat_id=group, chat_type="supergroup")
    question = tg.sent_since(mark)[0].response["result"]
    await tg.say(
        BOSS,
        "He agreed to the prices",
        chat_id=group,
        chat_type="supergroup",
        reply_to=question,
    )
    async with app.uow() as uow:
        comments = await uow.tasks.comments(1)
    assert [c.text for c in comments] == ["He agreed to the prices"]
