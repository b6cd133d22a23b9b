"""Replies are never lost: what Telegram refuses (429s beyond the update's budget, 5xx)
or what a crash interrupts between the commit and the send is delivered later, once,
and in order with what follows for that chat."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from bots.telegram import TelegramAdapter
from bots.telegram.middlewares import RateLimiter
from brygada.bootstrap import App
from brygada.telegram import telegram_config
from domain.ports import ChatRef
from scheduler.dispatcher import OutboxDispatcher
from storage.models import TaskRow
from tests.conftest import FakeClock
from tests.e2e.telegram.conftest import TOKEN, Harness, Tracker
from tests.fakes.telegram_api import FakeTelegramAPI

ANNA = 4101


def cards(api: FakeTelegramAPI, chat_id: int, title: str) -> list[str]:
    return [t for t in api.sent_texts(chat_id) if title in t]


def adapter_for(app: App, api: FakeTelegramAPI, **kw: object) -> TelegramAdapter:
    settings = app.settings.model_copy(
        update={"telegram_bot_token": SecretStr(TOKEN), "telegram_api_url": api.base_url}
    )
    adapter = TelegramAdapter(telegram_config(settings), app.conversation, **kw)  # type: ignore[arg-type]
    adapter.tracker = Tracker()  # type: ignore[attr-defined]
    adapter.dispatcher.update.outer_middleware(adapter.tracker)  # type: ignore[attr-defined]
    return adapter


async def outbox_round(dispatcher: OutboxDispatcher, clock: FakeClock) -> None:
    clock.advance(seconds=90)  # past any backoff or retry_after
    await dispatcher.run_once()


async def test_429s_502s_and_a_crash_between_commit_and_send_lose_no_card(
    app: App, api: FakeTelegramAPI, tg: Harness, clock: FakeClock
) -> None:
    await tg.join(ANNA, "Anna")
    outbox = app.dispatcher({"telegram": tg.adapter.notifier})

    # 5 x 429: the update's own send gives up after three (RetryAfterMiddleware); the
    # card waits in the outbox, whose next round meets the other two and gets through.
    api.fail_next("sendMessage", status=429, retry_after=1, times=5)
    await tg.push(api.message_update(ANNA, ANNA, "Email Anna about the offer tomorrow"))
    assert cards(api, ANNA, "Email Anna about the offer") == []
    await outbox_round(outbox, clock)
    assert len(cards(api, ANNA, "Email Anna about the offer")) == 1

    # 3 x 502; meanwhile the next message's card waits behind the first (order).
    api.fail_next("sendMessage", status=502, times=3)
    await tg.push(api.message_update(ANNA, ANNA, "Call the bank about the loan tomorrow"))
    await tg.push(api.message_update(ANNA, ANNA, "Book the hall for Friday"))
    assert cards(api, ANNA, "the bank") == cards(api, ANNA, "Book the hall") == []
    for _ in range(3):
        await outbox_round(outbox, clock)
    texts = api.sent_texts(ANNA)
    bank = [i for i, t in enumerate(texts) if "the bank" in t]
    hall = [i for i, t in enumerate(texts) if "Book the hall" in t]
    assert len(bank) == len(hall) == 1 and bank[0] < hall[0]
    await outbox_round(outbox, clock)  # nothing is sent twice
    assert len(cards(api, ANNA, "Email Anna about the offer")) == 1
    assert len(cards(api, ANNA, "the bank")) == len(cards(api, ANNA, "Book the hall")) == 1


async def test_a_crash_between_commit_and_send_resends_the_card_on_redelivery(
    app: App, api: FakeTelegramAPI, tg: Harness
) -> None:
    await tg.join(ANNA, "Anna")
    # The card's request is lost on its way while the process dies.
    api.fail_next("sendMessage", status=504, hold=3.0)
    update_id = api.push_update(api.message_update(ANNA, ANNA, "Send the invoice to Olek today"))
    async with asyncio.timeout(5):
        while api.failures_queued("sendMessage"):
            await asyncio.sleep(0.02)
    assert tg.adapter.polling is not None
    tg.adapter.polling.crash()
    # Committed (the card is stored), but Telegram was not told the update was handled.
    chat = ChatRef("telegram", tg.adapter.workspace, str(ANNA))
    async with app.uow() as uow:
        assert await uow.replies.backlog(chat)
    assert update_id in {u["update_id"] for u in api.pending_updates}
    # The restart: a new process polls the same bot and the same database.
    restarted = adapter_for(app, api)
    await restarted.start()
    stop = asyncio.Event()
    polling = asyncio.create_task(restarted.run_polling(stop))
    try:
        await restarted.tracker.wait(update_id)  # type: ignore[attr-defined]
        await asyncio.sleep(3.2)  # the lost request is answered (504) meanwhile
        assert len(cards(api, ANNA, "Send the invoice to Olek")) == 1
        async with app.uow() as uow:
            assert not await uow.replies.backlog(chat)
            tasks = await uow.session.scalar(
                select(func.count()).select_from(TaskRow).where(TaskRow.title.contains("invoice"))
            )
        assert tasks == 1
    finally:
        stop.set()
        await asyncio.wait_for(polling, timeout=10)
        await restarted.close()


@pytest.mark.parametrize("reply_budget", [0.5])
async def test_a_slow_answer_past_the_budget_is_not_sent_again(
    app: App, api: FakeTelegramAPI, tg: Harness, clock: FakeClock
) -> None:
    """The update's budget ends the waits for Telegram's limits, never a request that
    has left: Telegram may have carried it out, and the outbox would send it twice."""
    await tg.join(ANNA, "Anna")
    api.delay_next("sendMessage", 1.0)  # answered (and carried out) after the budget
    await tg.push(api.message_update(ANNA, ANNA, "Order toner for Monday"))
    assert len(cards(api, ANNA, "Order toner")) == 1
    chat = ChatRef("telegram", tg.adapter.workspace, str(ANNA))
    async with app.uow() as uow:
        assert not await uow.replies.backlog(chat)  # marked sent, not handed over
    await outbox_round(app.dispatcher({"telegram": tg.adapter.notifier}), clock)
    assert len(cards(api, ANNA, "Order toner")) == 1


async def test_the_limits_wait_ends_at_the_budget_and_the_outbox_sends_once(
    app: App, api: FakeTelegramAPI, clock: FakeClock
) -> None:
    """A card whose turn under Telegram's limits comes after the budget is not sent by
    the update at all: the outbox sends it, once."""
    limiter = RateLimiter(private_per_second=1.0, private_burst=1)
    adapter = adapter_for(app, api, limiter=limiter, reply_budget=0.5)
    harness = Harness(app, api, adapter)
    await adapter.start()
    stop = asyncio.Event()
    polling = asyncio.create_task(adapter.run_polling(stop))
    try:
        await harness.join(ANNA, "Anna")  # the welcome takes the chat's one token
        await harness.push(api.message_update(ANNA, ANNA, "Renew the domain today"))
        assert cards(api, ANNA, "Renew the domain") == []  # its turn: in a second
        await outbox_round(app.dispatcher({"telegram": adapter.notifier}), clock)
        assert len(cards(api, ANNA, "Renew the domain")) == 1
    finally:
        stop.set()
        await asyncio.wait_for(polling, timeout=10)
        await adapter.close()


@pytest.mark.parametrize("reply_budget", [0.5])
async def test_the_outbox_leaves_a_card_alone_while_it_is_being_sent(
    app: App, api: FakeTelegramAPI, tg: Harness, clock: FakeClock
) -> None:
    """Due for the outbox (the budget is over) but still being sent by its update, with
    its "sent" mark not committed yet: the outbox's round does not send it again."""
    await tg.join(ANNA, "Anna")
    api.delay_next("sendMessage", 1.5)
    update_id = api.push_update(api.message_update(ANNA, ANNA, "Pay the rent today"))
    async with asyncio.timeout(5):
        while not app.conversation.live_replies:
            await asyncio.sleep(0.01)
    outbox = app.dispatcher({"telegram": tg.adapter.notifier})
    await outbox_round(outbox, clock)  # while the live send waits for its answer
    await tg.tracker.wait(update_id)
    await outbox_round(outbox, clock)
    assert len(cards(api, ANNA, "Pay the rent")) == 1
