"""Replicas on one database: the sweep leader's lease (failover and fencing), sweeps of
two replicas enqueueing each notification once, and chats taking turns (PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from brygada.bootstrap import App, bootstrap
from brygada.lease import SWEEP, Leadership
from brygada.settings import Settings
from domain.company import Role
from storage.models import OutboxRow
from tests.conftest import PG_URL, FakeClock
from tests.factories import make_team

HEARTBEAT, STALE = 0.05, 0.4


def _leader(app: App, heartbeat: float = HEARTBEAT) -> Leadership:
    return Leadership(app.uow, app.clock, SWEEP, heartbeat_seconds=heartbeat, stale_seconds=STALE)


async def _until(condition: object, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.02)


async def test_one_leader_a_silent_one_is_replaced_and_fenced_off(
    app: App, settings: Settings, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 11, 4, 5, 0, tzinfo=UTC))
    other = await bootstrap(settings, clock=clock, migrate=False)
    # The first renews only every 100 s: it stands for a leader frozen (or killed) right
    # after it took the lease.
    first, second = _leader(app, heartbeat=100), _leader(other)
    stop_first, stop_second = asyncio.Event(), asyncio.Event()
    running_first = asyncio.create_task(first.run(stop_first))
    try:
        await _until(lambda: first.leading)
        running_second = asyncio.create_task(second.run(stop_second))
        clock.advance(seconds=STALE / 2)
        await asyncio.sleep(HEARTBEAT * 4)  # the second campaigns: the lease is fresh
        assert first.leading and not second.leading
        assert await app.sweeper().run_if_leading(first) is not None
        assert await other.sweeper().run_if_leading(second) is None

        # Once the first's lease is stale (by the clock the replicas share) the second
        # takes over, while the first still believes it leads.
        clock.advance(seconds=STALE * 2)
        await _until(lambda: second.leading)
        # The old leader's sweep is fenced off: its renewal fails in the sweep's own
        # transaction, and it steps down.
        assert await app.sweeper().run_if_leading(first) is None
        assert not first.leading
        assert await other.sweeper().run_if_leading(second) is not None

        stop_first.set()
        await running_first
        assert second.leading  # the deposed leader's stop gave back nothing of the second's
        stop_second.set()
        await running_second
        assert not second.leading  # a clean stop gives the lease back
        third = _leader(app)
        await third._beat()
        assert third.leading  # at once, not after the stale time
    finally:
        stop_first.set()
        stop_second.set()
        await other.close()


async def test_two_replicas_sweeping_at_once_enqueue_each_notification_once(
    app: App, settings: Settings, clock: FakeClock
) -> None:
    """Only the leader sweeps; should two ever overlap (a leader frozen past its lease),
    the outbox's dedup keys still let each notification in once."""
    clock.set(datetime(2026, 11, 4, 5, 0, tzinfo=UTC))  # Wednesday, before the morning
    await make_team(app, [("boss", Role.ADMIN)] + [(f"m{i}", Role.EMPLOYEE) for i in range(12)])
    replicas = [app, await bootstrap(settings, clock=clock, migrate=False)]
    try:
        await asyncio.gather(*(r.sweeper().run_once() for r in replicas))
        clock.set(datetime(2026, 11, 4, 8, 30, tzinfo=UTC))  # 9:30 in Warsaw
        await asyncio.gather(*(r.sweeper().run_once() for r in replicas))
        async with app.uow() as uow:
            keys = list(await uow.session.scalars(select(OutboxRow.dedup_key)))  # type: ignore[attr-defined]
    finally:
        await replicas[1].close()
    assert len(keys) >= 13  # a morning prompt each
    assert [k for k, n in Counter(keys).items() if n > 1] == []


@pytest.mark.skipif(
    not (PG_URL or "").startswith("postgresql"),
    reason="the per-chat lock is PostgreSQL's (SQLite runs one writer at a time)",
)
async def test_units_of_work_of_one_chat_take_turns_other_chats_do_not_wait(
    app: App, settings: Settings, clock: FakeClock
) -> None:
    other = await bootstrap(settings, clock=clock, migrate=False)
    order: list[str] = []
    holding = asyncio.Event()
    release = asyncio.Event()

    async def first() -> None:
        async with app.uow() as uow:
            await uow.serialize_chat("telegram", "42")
            holding.set()
            await release.wait()
            order.append("first done")
            await uow.commit()

    async def same_chat() -> None:
        await holding.wait()
        async with other.uow() as uow:
            await uow.serialize_chat("telegram", "42")
            order.append("same chat in")
            await uow.commit()

    async def other_chat() -> None:
        await holding.wait()
        async with other.uow() as uow:
            await uow.serialize_chat("telegram", "43")
            order.append("other chat in")
            await uow.commit()

    try:
        tasks = [asyncio.create_task(f()) for f in (first, same_chat, other_chat)]
        await holding.wait()
        await _until(lambda: "other chat in" in order)
        await asyncio.sleep(0.3)
        assert order == ["other chat in"]  # chat 42 waits for the first unit of work
        release.set()
        await asyncio.gather(*tasks)
        assert order == ["other chat in", "first done", "same chat in"]
    finally:
        release.set()
        await other.close()
