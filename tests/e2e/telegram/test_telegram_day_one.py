"""Issue 16 on Telegram, through the real aiogram Bot and the fake Bot API: the card's
Start/Pause follow one rule with /timer (a timer is a person's; a task is in progress
while its responsible works on it)."""

from __future__ import annotations

from typing import Any

from domain.company import Role
from tests.e2e.telegram.conftest import Harness, button, buttons

BOSS, ANNA, IVAN = 3001, 3002, 3003


def actions(message: dict[str, Any]) -> set[str]:
    return {d.split(":", 1)[0] for d in buttons(message)}


async def card(tg: Harness, user_id: int, task_id: int) -> dict[str, Any]:
    [shown] = await tg.say(user_id, f"/show {task_id}")
    return shown


async def test_card_and_timer_agree_on_the_task_state(tg: Harness) -> None:
    await tg.join(BOSS, "Boss", Role.ADMIN)
    await tg.join(ANNA, "Anna")
    await tg.join(IVAN, "Ivan")
    await tg.add_project()
    [created] = await tg.say(BOSS, "Sales: Call the client today 17:00 @anna")
    task_id = int(button(created, "op").split(":")[1])
    await tg.say(BOSS, f"/coexec {task_id} @ivan")

    # Ivan's timer is his: Anna's card still says New and offers her Start.
    await tg.say(IVAN, f"/timer {task_id}")
    shown = await card(tg, ANNA, task_id)
    assert "New ·" in shown["text"] and "Timer running now: Ivan" in shown["text"]
    assert "ts" in actions(shown) and "tp" not in actions(shown)

    # Anna pauses in /timer: her card offers Start, and the task is Pending.
    await tg.say(ANNA, f"/timer {task_id}")
    await tg.say(ANNA, "/timer pause")
    shown = await card(tg, ANNA, task_id)
    assert "Pending ·" in shown["text"] and "tp" not in actions(shown)

    # Start on the card: in progress with her timer; Pause on the card: pending again.
    _, mark = await tg.press(ANNA, shown, button(shown, "ts"))
    [edit] = tg.sent_since(mark, "editMessageText")
    assert "In progress ·" in edit.params["text"]
    started = edit.response["result"]
    _, mark = await tg.press(ANNA, started, button(started, "tp"))
    [edit] = tg.sent_since(mark, "editMessageText")
    assert "Pending ·" in edit.params["text"] and "ts" in actions(edit.response["result"])
    [timer] = await tg.say(ANNA, "/timer")
    assert "No timer is running" in timer["text"]

    # Ivan's Pause on the card stops his timer; the state stays Anna's.
    shown = await card(tg, IVAN, task_id)
    assert "tp" in actions(shown)
    _, mark = await tg.press(IVAN, shown, button(shown, "tp"))
    [edit] = tg.sent_since(mark, "editMessageText")
    assert "Pending ·" in edit.params["text"] and "Timer running now" not in edit.params["text"]


async def test_request_leave_without_approvals_toml(tg: Harness) -> None:
    """No approvals.toml (the default test settings): leave is a ready-made type; its
    dates in words; without a manager the admin gets the card and approves it."""
    await tg.join(BOSS, "Boss", Role.ADMIN)
    await tg.join(ANNA, "Anna")
    [types] = await tg.say(ANNA, "/request")
    assert "Leave / absence" in types["text"] and "Business trip" in types["text"]

    [first] = await tg.say(ANNA, "/request leave")
    assert "1/3" in first["text"] and "What kind of absence?" in first["text"]
    _, mark = await tg.press(ANNA, first, button(first, "ac"))  # Vacation
    [dates] = tg.sent_since(mark)
    assert "2/3" in dates.params["text"]
    [again] = await tg.say(ANNA, "Dec 23-21")
    assert "The end is before the start." in again["text"] and "Dec 23-21" in again["text"]
    assert "✓ What kind of absence?: Vacation" in again["text"]
    [note] = await tg.say(ANNA, "Dec 21-23")
    assert "3/3" in note["text"]
    [sent] = await tg.say(ANNA, "-")
    assert "Request sent." in sent["text"] and "21.12.2026 – 23.12.2026" in sent["text"]

    mark = len(tg.api.calls)
    while await tg.app.dispatcher({"telegram": tg.adapter.notifier}).run_once():
        pass
    cards = [
        c.response["result"]
        for c in tg.sent_since(mark)
        if c.params["chat_id"] == BOSS and "ad" in actions(c.response["result"])
    ]
    assert len(cards) == 1 and "21.12.2026 – 23.12.2026" in cards[0]["text"]
    approve = next(d for d in buttons(cards[0]) if d.startswith("ad:") and d.split(":")[2] == "a")
    _, mark = await tg.press(BOSS, cards[0], approve)
    [edit] = tg.sent_since(mark, "editMessageText")
    assert "✅ Approved" in edit.params["text"]


async def test_deal_amount_button_on_the_card(tg: Harness) -> None:
    """The deal card's 💰 Amount asks (a ForceReply-free question with Cancel); a bad
    answer is asked again with the text; a good one edits nothing else and shows it."""
    await tg.join(BOSS, "Boss", Role.ADMIN)
    [lead] = await tg.say(BOSS, "/lead Jan Kowalski, ACME sp. z o.o., +48 600 100 200")
    _, mark = await tg.press(BOSS, lead, button(lead, "kv"))
    [deal] = [c.response["result"] for c in tg.sent_since(mark)]
    assert "💰 —" in deal["text"] and "kA" in actions(deal)

    _, mark = await tg.press(BOSS, deal, button(deal, "kA"))
    [ask] = [c.response["result"] for c in tg.sent_since(mark)]
    assert "The amount of deal #1" in ask["text"]
    [again] = await tg.say(BOSS, "a lot")
    assert '"a lot" is not an amount' in again["text"] and "You wrote: a lot" in again["text"]
    [saved] = await tg.say(BOSS, "$12,000")
    assert "Amount saved." in saved["text"] and "💰 $12,000.00" in saved["text"]

    # Won with an amount: no question, the funnel counts it.
    _, mark = await tg.press(BOSS, saved, button(saved, "kw"))
    [edit] = tg.sent_since(mark, "editMessageText")
    assert "Won! 🏆" in edit.params["text"]
    mark = len(tg.api.calls)
    await tg.say(BOSS, "/funnel all")
    sent = [str(c.params) for c in tg.api.calls[mark:] if c.method.startswith("send") and c.ok]
    assert any("$12,000.00" in params for params in sent), sent
