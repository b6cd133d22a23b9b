"""Storage on a real database: round trips, optimistic locking, outbox and inbound log."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from brygada.bootstrap import App
from domain.errors import Conflict
from domain.notifications import Notification
from domain.services.tasks import CreateTask, create_task, delegate_task, move_deadline
from domain.tasks import HistorySummary, Priority, TaskKind
from handlers.buttons import StartTask
from storage.maintenance import refresh_statistics
from tests.factories import make_team


async def test_task_round_trip(app: App) -> None:
    team = await make_team(app)
    now = app.clock.now()
    async with app.uow() as uow:
        task = await create_task(
            uow,
            team["boss"],
            CreateTask(
                title="Sales: Call Ivan",
                description="plan",
                responsible_id=team["anna"].id,
                co_executor_ids=(team["ivan"].id,),
                observer_ids=(team["boss"].id,),
                tags=("Client", "#no"),
                priority=Priority.HIGH,
                deadline=now + timedelta(days=1),
                planned_minutes=90,
                kind=TaskKind.CONTROL,
                crm_links=("lead:3",),
            ),
            now,
        )
        await uow.commit()
    async with app.uow() as uow:
        loaded = await uow.tasks.get(task.id)
    assert loaded is not None
    assert (loaded.title, loaded.description, loaded.priority, loaded.kind) == (
        "Sales: Call Ivan",
        "plan",
        Priority.HIGH,
        TaskKind.CONTROL,
    )
    assert loaded.co_executors == {team["ivan"].id} and loaded.observers == {team["boss"].id}
    assert loaded.tags == {"client", "no"} and loaded.crm_links == {"lead:3"}
    assert loaded.deadline == now + timedelta(days=1) and loaded.deadline.tzinfo is not None
    assert loaded.planned_minutes == 90


async def test_concurrent_saves_conflict_instead_of_losing_a_change(app: App) -> None:
    team = await make_team(app)
    now = app.clock.now()
    async with app.uow() as uow:
        task = await create_task(uow, team["boss"], CreateTask(title="t"), now)
        await uow.commit()
    async with app.uow() as uow:
        mine = await uow.tasks.get(task.id)
    async with app.uow() as uow:
        theirs = await uow.tasks.get(task.id)
        assert theirs is not None
        theirs.rename(1, now, "changed by them")
        await uow.tasks.save(theirs)
        await uow.commit()
    assert mine is not None
    mine.rename(1, now, "changed by me")
    async with app.uow() as uow:
        with pytest.raises(Conflict):
            await uow.tasks.save(mine)
    async with app.uow() as uow:
        stored = await uow.tasks.get(task.id)
        assert stored is not None and stored.title == "changed by them"


async def test_outbox_dedup_and_claims(app: App) -> None:
    team = await make_team(app)
    note = Notification(member_id=team["anna"].id, kind="k", data={"x": 1}, dedup_key="k:1")
    async with app.uow() as uow:
        assert await uow.outbox.add(note)
        assert not await uow.outbox.add(note)
        await uow.commit()
    now = app.clock.now()
    async with app.uow() as uow:
        claimed = await uow.outbox.claim_due(now, 10, timedelta(minutes=2))
        await uow.commit()
    assert [m.data for m in claimed] == [{"x": 1}]
    async with app.uow() as uow:
        assert await uow.outbox.claim_due(now, 10, timedelta(minutes=2)) == []
        # A sender that died holding the claim: after the lease the row is due again.
        again = await uow.outbox.claim_due(now + timedelta(minutes=3), 10, timedelta(minutes=2))
        assert [m.attempts for m in again] == [2]


async def test_inbound_log_remembers_keys(app: App) -> None:
    async with app.uow() as uow:
        assert not await uow.inbound.seen("telegram", "1")
        assert await uow.inbound.seen("telegram", "1")
        assert not await uow.inbound.seen("slack", "1")
        await uow.commit()


async def test_secret_is_generated_once_and_shared(settings_without_secret: object) -> None:
    from brygada.bootstrap import bootstrap

    first = await bootstrap(settings_without_secret, migrate=False)  # type: ignore[arg-type]
    second = await bootstrap(settings_without_secret, migrate=False)  # type: ignore[arg-type]
    token = first.signer.sign(StartTask(1))
    assert second.signer.verify(token) == ("ts", ["1"])
    await first.close()
    await second.close()


async def test_a_failed_unit_of_work_leaves_the_next_one_whole(app: App) -> None:
    """On SQLite units of work take turns on one shared connection: what one leaves
    uncommitted must not leak into the next, and the next commits for real."""
    with pytest.raises(RuntimeError):
        async with app.uow() as uow:
            assert not await uow.inbound.seen("telegram", "k1")
            raise RuntimeError("a bug in a handler")
    async with app.uow() as uow:
        assert not await uow.inbound.seen("telegram", "k1")  # rolled back, so new again
        await uow.commit()
    async with app.uow() as uow:
        assert await uow.inbound.seen("telegram", "k1")  # committed


async def test_the_cards_history_counts_are_the_domains(app: App) -> None:
    """The database counts deadline moves and delegations for the card; the rule is
    ``HistorySummary.of`` (the deadline set at creation is not a move)."""
    team = await make_team(app)
    boss, anna, ivan = team["boss"], team["anna"], team["ivan"]
    now = app.clock.now()
    async with app.uow() as uow:
        task = await create_task(
            uow,
            boss,
            CreateTask(title="Report", responsible_id=anna.id, deadline=now + timedelta(days=1)),
            now,
        )
        task_id = task.id
        for days in (2, 3):
            await move_deadline(uow, boss, task_id, now + timedelta(days=days), now)
        await delegate_task(uow, boss, task_id, ivan.id, now)
        await uow.commit()
    async with app.uow() as uow:
        counted = await uow.tasks.history_summary(task_id)
        assert counted == HistorySummary.of(list(await uow.tasks.history(task_id)))
    assert (counted.deadline_moves, counted.delegations) == (2, 1)


async def test_planner_statistics_wait_their_turn(app: App) -> None:
    """The hourly ANALYZE is a unit of work like the others: on SQLite it waits for the
    one holding the write lock instead of blocking the event loop inside SQLite."""
    async with app.uow() as uow:
        await uow.inbound.seen("telegram", "holding-the-lock")
        job = asyncio.create_task(refresh_statistics(app.uow))
        await asyncio.sleep(0.05)
        if app.engine.dialect.name == "sqlite":
            assert not job.done()
        await uow.commit()
    await asyncio.wait_for(job, timeout=5)
