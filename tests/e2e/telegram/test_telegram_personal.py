"""Nobody sees what is not theirs: what shows a member's own tasks, time or settings,
typed in a group, is answered in their private chat (every message of it), with one
short line in the group; without a private chat the group says how to open one."""

from __future__ import annotations

from typing import Any

import pytest

from bots.telegram.middlewares import RateLimiter
from brygada.bootstrap import App
from domain.company import Role
from tests.conftest import FakeClock
from tests.e2e.telegram.conftest import Harness, button, fast_limiter
from tests.fakes.telegram_api import FakeTelegramAPI

ANNA, BOSS = 5101, 5102
GROUP = -100_5100
SENDS = ("sendMessage", "sendPhoto", "sendDocument")


@pytest.fixture
def limiter() -> RateLimiter:
    return fast_limiter()


async def drain(tg: Harness) -> None:
    outbox = tg.app.dispatcher({"telegram": tg.adapter.notifier})
    while await outbox.run_once():
        pass


def sent(tg: Harness, mark: int, chat_id: int) -> list[Any]:
    """The bot's messages (text, photo, document) to ``chat_id`` since ``mark``."""
    return [
        c
        for c in tg.api.calls[mark:]
        if c.method in SENDS and c.ok and c.response["result"]["chat"]["id"] == chat_id
    ]


def text(call: Any) -> str:
    return str(call.params.get("text") or call.params.get("caption") or "")


async def in_group(tg: Harness, user: int, command: str) -> tuple[list[Any], list[Any]]:
    """``command`` typed in the group: (what the group got, what the private chat got)."""
    await drain(tg)
    mark = len(tg.api.calls)
    await tg.say(user, command, chat_id=GROUP, chat_type="supergroup")
    group = sent(tg, mark, GROUP)
    await drain(tg)
    return group, sent(tg, mark, user)


async def team(tg: Harness) -> None:
    await tg.join(ANNA, "Anna", Role.ADMIN)
    await tg.join(BOSS, "Boss", Role.ADMIN)
    await tg.say(BOSS, "Salary review for Anna tomorrow @anna")
    await tg.say(ANNA, "/time 1 45m read the contracts")
    await drain(tg)


PERSONAL = (
    "/attendance",
    "/plan",
    "/report",
    "/day",
    "/me",
    "/notifications",
    "/tz",
    "/deputy",
    "/repeat",
    "/approval",
    "/funnel",
    "/time",
    "/time log 1",
    "/timesheet week",
    "/show 1",
)


async def test_a_personal_answer_typed_in_a_group_goes_privately(tg: Harness) -> None:
    await team(tg)
    for command in PERSONAL:
        group, private = await in_group(tg, ANNA, command)
        assert len(group) == 1, command
        assert "sent the answer to our private chat" in text(group[0]), command
        assert "Salary" not in text(group[0]) and "45" not in text(group[0])
        # The private chat got exactly what the command answers there.
        mark = len(tg.api.calls)
        await tg.say(ANNA, command)
        direct = sent(tg, mark, ANNA)
        assert private and [text(c) for c in private] == [text(c) for c in direct], command


async def test_every_message_of_a_report_goes_privately_once(tg: Harness, clock: FakeClock) -> None:
    await team(tg)
    # The document fails once after the chart went: the rest follows, nothing twice.
    tg.api.fail_next("sendDocument", status=502)
    group, private = await in_group(tg, ANNA, "/timesheet week chart csv xlsx")
    assert len(group) == 1 and "private chat" in text(group[0])
    clock.advance(minutes=5)
    await drain(tg)
    private = sent(tg, 0, ANNA)
    photos = [c for c in private if c.method == "sendPhoto"]
    documents = [c.params["document"].filename for c in private if c.method == "sendDocument"]
    assert len(photos) == 1 and "Timesheet" in text(photos[0])
    assert documents == ["timesheet.csv", "timesheet.xlsx"]
    assert [c for c in sent(tg, 0, GROUP) if c.method != "sendMessage"] == []


async def test_a_change_is_made_in_the_group_and_shown_privately(tg: Harness, app: App) -> None:
    await team(tg)
    group, private = await in_group(tg, ANNA, "/day start")
    assert len(group) == 1 and "private chat" in text(group[0])
    mark = len(tg.api.calls)
    await tg.say(ANNA, "/day")
    assert [text(c) for c in private] == [text(c) for c in sent(tg, mark, ANNA)]
    # The timer card is pinned in the private chat, not in the group.
    group, private = await in_group(tg, ANNA, "/timer start 1")
    assert len(group) == 1 and "Salary" not in text(group[0])
    assert any("Salary review" in text(c) for c in private)
    assert [c.params["chat_id"] for c in tg.api.calls if c.method == "pinChatMessage"] == [ANNA]
    # Settings: the change here, the settings privately.
    group, private = await in_group(tg, ANNA, "/mute task.overdue")
    assert len(group) == 1 and private
    async with app.uow() as uow:
        anna = await uow.members.by_identity("telegram", tg.adapter.workspace, str(ANNA))
        assert anna is not None
        prefs = await uow.scheduler.preferences([anna[0].id])
    assert "task.overdue" in prefs[anna[0].id].muted


async def test_a_task_of_a_project_is_shown_in_the_group(tg: Harness) -> None:
    await team(tg)
    await tg.add_project("Sales")
    [card] = await tg.say(BOSS, "Sales: Call the client tomorrow @anna")
    task_id = int(button(card, "op").split(":")[1])
    group, _ = await in_group(tg, ANNA, f"/show {task_id}")
    assert len(group) == 1 and "Call the client" in text(group[0])
    # Asking about a task one may not see is refused where it was asked.
    group, private = await in_group(tg, ANNA, "/show 99")
    assert len(group) == 1 and "#99 does not exist" in text(group[0]) and private == []


async def test_a_member_who_blocked_the_bot_is_told_in_the_group_how_to_reach_it(
    tg: Harness, api: FakeTelegramAPI
) -> None:
    await team(tg)
    api.block_chat(ANNA)
    # The bot learns it only on sending: the group is told then.
    group, _ = await in_group(tg, ANNA, "/tasks")
    assert "sent the answer to our private chat" in text(group[0])
    notice = sent(tg, 0, GROUP)[-1]
    assert "Open a private chat with me" in text(notice)
    # Next time the group is told at once (writing in a group does not unblock the bot).
    group, _ = await in_group(tg, ANNA, "/tasks")
    assert len(group) == 1 and "Open a private chat with me" in text(group[0])
    group, _ = await in_group(tg, ANNA, "/day start")
    assert len(group) == 1 and "Open a private chat with me" in text(group[0])
    # They unblock the bot and write to it: answers go privately again.
    api.unblock_chat(ANNA)
    await tg.say(ANNA, "/start")
    group, private = await in_group(tg, ANNA, "/tasks")
    assert "sent the answer" in text(group[0]) and any("Salary" in text(c) for c in private)
