"""Housekeeping keeps the notification outbox and the processed-updates log to what is
of use: old finished rows go, in batches; nothing still owed does, however old."""

from __future__ import annotations

from sqlalchemy import select

from brygada.bootstrap import App
from domain.notifications import Notification
from scheduler.housekeeping import Housekeeping, Retention
from storage.models import InboundUpdateRow, OutboxRow
from tests.conftest import FakeClock
from tests.factories import make_team


async def _notify(app: App, member_id: int, key: str) -> int:
    async with app.uow() as uow:
        await uow.outbox.add(Notification(member_id, "task.assigned", {"task_id": 1}, key))
        row_id = await uow.session.scalar(select(OutboxRow.id).where(OutboxRow.dedup_key == key))
        await uow.commit()
    assert row_id is not None
    return row_id


async def _finish(app: App, row_id: int, how: str, clock: FakeClock) -> None:
    async with app.uow() as uow:
        if how == "sent":
            await uow.outbox.mark_sent(row_id, clock.now())
        elif how == "failed":
            await uow.outbox.mark_failed(row_id, "chat gone")
        else:
            await uow.outbox.mark_skipped(row_id, "muted")
        await uow.commit()


async def test_old_notifications_and_update_keys_go_owed_ones_stay(
    app: App, clock: FakeClock
) -> None:
    team = await make_team(app)
    anna = team["anna"].id
    assert anna is not None
    old = {how: await _notify(app, anna, f"old-{how}") for how in ("sent", "failed", "skipped")}
    for how, row_id in old.items():
        await _finish(app, row_id, how, clock)
    owed = await _notify(app, anna, "old-pending")  # never delivered: owed for ever
    async with app.uow() as uow:
        for n in range(5):
            assert not await uow.inbound.seen("telegram", f"bot:{n}")
        await uow.commit()

    clock.advance(days=60)
    recent = await _notify(app, anna, "recent-sent")
    await _finish(app, recent, "sent", clock)
    async with app.uow() as uow:
        assert not await uow.inbound.seen("telegram", "bot:recent")
        await uow.commit()

    clock.advance(days=31)  # old: 91 days ago; recent: 31 days ago
    s = app.settings
    assert (s.notification_retention_days, s.processed_update_retention_days) == (90, 30)
    retention = Retention(
        notifications_days=s.notification_retention_days,
        processed_updates_days=s.processed_update_retention_days,
    )
    housekeeping = Housekeeping(app.uow, clock, retention, batch=2)  # several batches
    deleted = await housekeeping.run_once()

    async with app.uow() as uow:
        left = set((await uow.session.scalars(select(OutboxRow.id))).all())
        keys = set((await uow.session.scalars(select(InboundUpdateRow.key))).all())
    assert owed in left and recent in left
    assert not left & set(old.values())
    # The update keys of 91 days ago went; the one of 31 days ago too (30 days kept).
    assert keys == set()
    assert deleted >= 3 + 6
    # A key recorded since is kept, and still stops a redelivery.
    async with app.uow() as uow:
        assert not await uow.inbound.seen("telegram", "bot:new")
        await uow.commit()
    clock.advance(days=29)
    await housekeeping.run_once()
    async with app.uow() as uow:
        assert await uow.inbound.seen("telegram", "bot:new")
