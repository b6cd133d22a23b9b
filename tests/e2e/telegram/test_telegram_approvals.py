"""Approvals end to end: the real aiogram Bot polling the fake Bot API.

``/request leave`` is answered field by field (a bad date is asked again, keeping the
answers given); the requester's manager gets the card through the outbox and decides
with its buttons; Return and Reject ask for a comment (ForceReply); a second press, a
press by someone who is not the approver and a forged button change nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from brygada.bootstrap import App
from domain.approvals import ApprovalStatus
from domain.company import NewDepartment, Role
from tests.conftest import APPROVALS_EXAMPLE
from tests.e2e.telegram.conftest import BOT_ID, Harness, button, buttons, cancel_only
from tests.fakes.telegram_api import FakeTelegramAPI

BOSS, HEAD, ANNA, IVAN = 2001, 2002, 2003, 2004


@pytest.fixture
def approvals_config() -> Path:
    return APPROVALS_EXAMPLE


async def member_id(app: App, user_id: int) -> int:
    async with app.uow() as uow:
        found = await uow.members.by_identity("telegram", BOT_ID, str(user_id))
    assert found is not None
    return found[0].id


async def company(tg: Harness, app: App) -> None:
    """Boss (admin), Head (manager of Sales), Anna and Ivan (employees in Sales)."""
    await tg.join(BOSS, "Boss", Role.ADMIN)
    await tg.join(HEAD, "Head", Role.MANAGER)
    await tg.join(ANNA, "Anna")
    await tg.join(IVAN, "Ivan")
    head_id, staff = await member_id(app, HEAD), [await member_id(app, u) for u in (ANNA, IVAN)]
    async with app.uow() as uow:
        head = await uow.members.get(head_id)
        assert head is not None
        sales = await uow.departments.add(NewDepartment(head.company_id, "Sales", head_id=head.id))
        for person_id in staff:
            person = await uow.members.get(person_id)
            assert person is not None
            person.department_id = sales.id
            await uow.members.save(person)
        await uow.commit()


async def deliver(tg: Harness) -> None:
    while await tg.app.dispatcher({"telegram": tg.adapter.notifier}).run_once():
        pass


def verdict(message: dict[str, Any], code: str) -> str:
    found = [d for d in buttons(message) if d.startswith("ad:") and d.split(":")[2] == code]
    assert found, buttons(message)
    return found[0]


def text_of(message: dict[str, Any]) -> str:
    return str(message.get("text") or "")


async def request_of(app: App, request_id: int = 1) -> Any:
    async with app.uow() as uow:
        return await uow.approvals.get(request_id)


async def file_leave(tg: Harness, dates: str = "01.12-05.12", note: str = "Family trip") -> None:
    [first] = await tg.say(ANNA, "/request leave")
    await tg.press(ANNA, first, button(first, "ac"))  # Vacation
    await tg.say(ANNA, dates)
    [sent] = await tg.say(ANNA, note)
    assert "Request sent." in text_of(sent)


async def card_for(tg: Harness, api: FakeTelegramAPI, user_id: int) -> dict[str, Any]:
    """The last message to ``user_id`` with decision buttons (delivered by the outbox)."""
    mark = len(api.calls)
    await deliver(tg)
    cards = [
        c.response["result"]
        for c in tg.sent_since(mark)
        if c.response["result"]["chat"]["id"] == user_id
        and any(d.startswith("ad:") for d in buttons(c.response["result"]))
    ]
    assert cards, f"no card for {user_id}"
    return cards[-1]


def answer_to(api: FakeTelegramAPI, query: str) -> dict[str, Any]:
    answers = [
        c for c in api.calls_to("answerCallbackQuery") if c.params["callback_query_id"] == query
    ]
    assert len(answers) == 1 and answers[0].ok, answers
    return dict(answers[0].params)


async def test_leave_field_by_field_then_approved_on_the_card(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    await company(tg, app)
    [first] = await tg.say(ANNA, "/request leave")
    shown = text_of(first)
    assert "Leave / absence" in shown and "1/3" in shown and "What kind of absence?" in shown
    query, mark = await tg.press(ANNA, first, button(first, "ac"))  # Vacation
    assert query in api.callback_answers
    [dates] = tg.sent_since(mark)
    assert "2/3" in dates.params["text"]
    assert "✓ What kind of absence?: Vacation" in dates.params["text"]
    assert cancel_only(dates.params["reply_markup"])

    # A bad date is asked again, with the reason and the answers kept.
    [again] = await tg.say(ANNA, "next week")
    shown = text_of(again)
    assert "couldn't read dates" in shown and "next week" in shown
    assert "2/3" in shown and "✓ What kind of absence?: Vacation" in shown
    [note] = await tg.say(ANNA, "01.12-05.12")
    assert "3/3" in text_of(note) and "⏭ Skip" in str(note["reply_markup"])
    [sent] = await tg.say(ANNA, "Family trip")
    shown = text_of(sent)
    assert "Request sent." in shown and "01.12.2026 – 05.12.2026" in shown and "Head" in shown
    assert await request_of(app) is not None

    # The manager's card comes through the outbox; Approve decides in place.
    card = await card_for(tg, api, HEAD)
    assert "asks for your decision" in text_of(card) and "Family trip" in text_of(card)
    approve = verdict(card, "a")
    query, mark = await tg.press(HEAD, card, approve)
    [edit] = tg.sent_since(mark, "editMessageText")
    assert edit.params["message_id"] == card["message_id"]
    assert "Approved." in edit.params["text"] and "✅ Approved" in edit.params["text"]
    assert not answer_to(api, query).get("show_alert")
    assert tg.sent_since(mark) == []
    request = await request_of(app)
    assert request.status is ApprovalStatus.APPROVED and len(request.decisions) == 1

    mark = len(api.calls)
    await deliver(tg)
    told = [c for c in tg.sent_since(mark) if c.response["result"]["chat"]["id"] == ANNA]
    assert len(told) == 1 and "approved your request" in told[0].params["text"]

    # The same button again: an alert naming who decided and when; nothing changes.
    query, mark = await tg.press(HEAD, card, approve)
    alert = answer_to(api, query)
    assert alert.get("show_alert") is True
    assert "Already decided by Head at Wed 25 Nov, 10:30" in alert["text"]
    assert tg.sent_since(mark) == [] and tg.sent_since(mark, "editMessageText") == []
    assert len((await request_of(app)).decisions) == 1


async def test_a_deputy_pressing_after_the_decision_is_told_who_decided(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    await company(tg, app)
    [set_deputy] = await tg.say(HEAD, "/deputy @ivan 25.11-30.11")
    assert "Ivan decides your approvals" in text_of(set_deputy)
    await file_leave(tg)
    mark = len(api.calls)
    await deliver(tg)
    cards = {
        c.response["result"]["chat"]["id"]: c.response["result"]
        for c in tg.sent_since(mark)
        if any(d.startswith("ad:") for d in buttons(c.response["result"]))
    }
    assert set(cards) == {HEAD, IVAN}

    # Anna herself, and Boss (an admin, but not the approver), may not decide.
    for who in (ANNA, BOSS):
        query, mark = await tg.press(who, cards[HEAD], verdict(cards[HEAD], "a"))
        alert = answer_to(api, query)
        assert alert.get("show_alert") is True and "Only a current approver" in alert["text"]
        assert tg.sent_since(mark, "editMessageText") == []

    await tg.press(HEAD, cards[HEAD], verdict(cards[HEAD], "a"))
    query, mark = await tg.press(IVAN, cards[IVAN], verdict(cards[IVAN], "j"))
    alert = answer_to(api, query)
    assert alert.get("show_alert") is True and "Already decided by Head" in alert["text"]
    assert tg.sent_since(mark) == [] and tg.sent_since(mark, "editMessageText") == []
    request = await request_of(app)
    assert request.status is ApprovalStatus.APPROVED and len(request.decisions) == 1


async def test_forged_decision_button_is_refused(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    await company(tg, app)
    await file_leave(tg)
    card = await card_for(tg, api, HEAD)
    approve = verdict(card, "a")
    forged = approve.rsplit(":", 1)[0] + ":AAAAAAAAAAA"
    query, mark = await tg.press(HEAD, card, forged)
    alert = answer_to(api, query)
    assert alert.get("show_alert") is True and alert.get("text")
    assert tg.sent_since(mark) == [] and tg.sent_since(mark, "editMessageText") == []
    assert (await request_of(app)).status is ApprovalStatus.PENDING


async def test_return_and_reject_ask_for_a_comment(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    await company(tg, app)
    await file_leave(tg)
    card = await card_for(tg, api, HEAD)
    query, mark = await tg.press(HEAD, card, verdict(card, "r"))
    assert not answer_to(api, query).get("show_alert")
    [asked] = tg.sent_since(mark)
    assert cancel_only(asked.params["reply_markup"])
    assert "Why are you returning request #1" in asked.params["text"]
    assert tg.sent_since(mark, "editMessageText") == []
    assert (await request_of(app)).status is ApprovalStatus.PENDING

    [outcome] = await tg.say(HEAD, "Please move it a week later")
    shown = text_of(outcome)
    assert "Returned." in shown and "↩ Returned" in shown and "move it a week later" in shown
    assert (await request_of(app)).status is ApprovalStatus.RETURNED
    mark = len(api.calls)
    await deliver(tg)
    told = [c.params["text"] for c in tg.sent_since(mark) if c.params["chat_id"] == ANNA]
    assert any("returned your request" in t and "move it a week later" in t for t in told)

    await file_leave(tg, "08.12-12.12", "-")
    card = await card_for(tg, api, HEAD)
    assert "#2" in text_of(card)
    _, mark = await tg.press(HEAD, card, verdict(card, "j"))
    [asked] = tg.sent_since(mark)
    assert cancel_only(asked.params["reply_markup"])
    assert "Why are you rejecting request #2" in asked.params["text"]
    [outcome] = await tg.say(HEAD, "Audit week")
    assert "Rejected." in text_of(outcome) and "Audit week" in text_of(outcome)
    rejected = await request_of(app, 2)
    assert rejected.status is ApprovalStatus.REJECTED
    mark = len(api.calls)
    await deliver(tg)
    told = [c.params["text"] for c in tg.sent_since(mark) if c.params["chat_id"] == ANNA]
    assert any("rejected your request" in t for t in told)


async def test_task_acceptance_thumbs_up_runs_on_the_approvals_engine(
    tg: Harness, api: FakeTelegramAPI, app: App
) -> None:
    """Accept 👍 on the director's notification completes the task and decides its
    acceptance request; pressing it again changes nothing."""
    await company(tg, app)
    await tg.add_project()
    [created] = await tg.say(HEAD, "Sales: Send the offer tomorrow 12:00 @anna")
    task_id = int(button(created, "op").split(":")[1])
    await tg.say(ANNA, f"/done {task_id} Sent")
    mark = len(api.calls)
    await deliver(tg)
    notes = [
        c.response["result"]
        for c in tg.sent_since(mark)
        if c.response["result"]["chat"]["id"] == HEAD
        and any(d.startswith("ta:") for d in buttons(c.response["result"]))
    ]
    assert notes, "the director got no acceptance card"
    thumbs_up = next(
        d for d in buttons(notes[-1]) if d.startswith("ta:") and d.split(":")[2] == "p"
    )
    query, mark = await tg.press(HEAD, notes[-1], thumbs_up)
    assert not answer_to(api, query).get("show_alert")
    [edit] = tg.sent_since(mark, "editMessageText")
    assert "Accepted." in edit.params["text"]
    async with app.uow() as uow:
        task = await uow.tasks.get(task_id)
    acceptance = await request_of(app)
    assert task is not None and task.status.value == "completed"
    assert task.rating is not None and task.rating.value == "positive"
    assert acceptance.type_key == "task_acceptance"
    assert acceptance.status is ApprovalStatus.APPROVED and len(acceptance.decisions) == 1

    query, mark = await tg.press(HEAD, notes[-1], thumbs_up)
    assert answer_to(api, query).get("show_alert") is True
    assert tg.sent_since(mark, "editMessageText") == [] and tg.sent_since(mark) == []
    assert len((await request_of(app)).decisions) == 1
