"""The reply outbox does not grow for ever: the scheduler's housekeeping deletes sent rows
after ``reply_retention_sent_days`` and rows given up on after
``reply_retention_failed_days``; a reply still owed is never deleted."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from brygada.bootstrap import App
from scheduler.housekeeping import Housekeeping, Retention
from scheduler.jobs import start_scheduler
from storage.models.replies import ReplyOutboxRow
from tests.conftest import FakeClock
from tests.e2e.telegram.conftest import Harness
from tests.fakes.telegram_api import FakeTelegramAPI

ANNA, BORYS, CELINA = 4201, 4202, 4203


async def rows(app: App) -> dict[str, list[str]]:
    """Each chat's reply-outbox rows by status."""
    async with app.uow() as uow:
        found = (
            await uow.session.scalars(select(ReplyOutboxRow).order_by(ReplyOutboxRow.id))
        ).all()
    by_chat: dict[str, list[str]] = {}
    for row in found:
        by_chat.setdefault(row.chat_id, []).append(row.status)
    return by_chat


async def test_old_sent_and_failed_replies_are_pruned_but_owed_ones_stay(
    app: App, api: FakeTelegramAPI, tg: Harness, clock: FakeClock
) -> None:
    for user, name in ((ANNA, "Anna"), (BORYS, "Borys"), (CELINA, "Celina")):
        await tg.join(user, name)
    outbox = app.dispatcher({"telegram": tg.adapter.notifier})
    # Anna's cards go out at once (sent rows).
    await tg.say(ANNA, "Call the bank tomorrow")
    await tg.say(ANNA, "Book the hall for Friday")
    # Borys blocked the bot: his card is given up on (a failed row).
    api.block_chat(BORYS)
    await tg.push(api.message_update(BORYS, BORYS, "Order toner"))
    # Telegram is down for Celina's card: it stays owed (a pending row).
    api.fail_next("sendMessage", status=502, times=1000)
    await tg.push(api.message_update(CELINA, CELINA, "Send the invoice to Olek"))
    before = await rows(app)
    assert before[str(ANNA)].count("sent") == 3  # the welcome and two cards
    assert before[str(BORYS)][-1] == "failed" and before[str(CELINA)][-1] == "pending"

    # Housekeeping as the scheduler runs it (small batches: it loops until done).
    housekeeping = Housekeeping(
        app.uow,
        clock,
        Retention(app.settings.reply_retention_sent_days, app.settings.reply_retention_failed_days),
        batch=2,
    )
    assert app.settings.reply_retention_sent_days == 7
    assert app.settings.reply_retention_failed_days == 30
    clock.advance(days=6)
    assert await housekeeping.run_once() == 0
    clock.advance(days=2)  # eight days: sent rows go, the failed one and the owed one stay
    pruned = await housekeeping.run_once()
    after = await rows(app)
    assert str(ANNA) not in after and "sent" not in after.get(str(BORYS), [])
    assert after[str(BORYS)] == ["failed"] and after[str(CELINA)] == ["pending"]
    assert pruned == 5  # Anna's three, Borys' and Celina's welcomes
    clock.advance(days=30)
    await housekeeping.run_once()  # (the processed updates' keys go now too)
    assert await rows(app) == {str(CELINA): ["pending"]}

    # The owed card still arrives, once, when Telegram is back.
    api.clear_failures()
    clock.advance(minutes=5)
    await outbox.run_once()
    assert [t for t in api.sent_texts(CELINA) if "invoice to Olek" in t] != []
    assert await rows(app) == {str(CELINA): ["sent"]}


async def test_the_running_scheduler_prunes_with_the_settings(
    app: App, api: FakeTelegramAPI, tg: Harness, clock: FakeClock
) -> None:
    await tg.join(ANNA, "Anna")
    await tg.say(ANNA, "Call the bank tomorrow")
    assert (await rows(app))[str(ANNA)] == ["sent", "sent"]
    clock.advance(days=app.settings.reply_retention_sent_days + 1)
    background = start_scheduler(
        app.sweeper(),
        app.dispatcher({"telegram": tg.adapter.notifier}),
        sweep_seconds=3600,
        outbox_seconds=1,
        housekeeping=app.housekeeping(),
    )
    try:
        async with asyncio.timeout(5):
            while await rows(app):
                await asyncio.sleep(0.05)
    finally:
        await background.shutdown()
