"""The instance lease on a real database (SQLite, and PostgreSQL when configured): one
holder at a time, taken over only when stale, and serve() refusing to start twice."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from brygada.bootstrap import App
from brygada.lease import ALL_IN_ONE, InstanceLease, LeaseHeld
from brygada.server import serve
from domain.ports import LeaseHolder
from storage.models.lease import InstanceLeaseRow
from tests.conftest import FakeClock
from tests.e2e.test_serve import free_port


def _holder(token: str, clock: FakeClock, pid: int = 100) -> LeaseHolder:
    now = clock.now()
    return LeaseHolder(token, f"host-{token}", pid, now, now)


async def test_one_holder_at_a_time_and_a_stale_one_is_taken_over(
    app: App, clock: FakeClock
) -> None:
    stale = timedelta(seconds=60)
    a, b = _holder("a", clock, 1), _holder("b", clock, 2)
    async with app.uow() as uow:
        assert await uow.leases.acquire(ALL_IN_ONE, a, clock.now() - stale) == a
        await uow.commit()
    clock.advance(seconds=30)
    async with app.uow() as uow:
        assert await uow.leases.renew(ALL_IN_ONE, "a", clock.now())
        held = await uow.leases.acquire(ALL_IN_ONE, b, clock.now() - stale)
        await uow.commit()
    assert (held.token, held.host, held.pid, held.heartbeat_at) == ("a", "host-a", 1, clock.now())
    clock.advance(seconds=61)  # a stopped renewing: it was killed
    b = _holder("b", clock, 2)
    async with app.uow() as uow:
        assert await uow.leases.acquire(ALL_IN_ONE, b, clock.now() - stale) == b
        assert not await uow.leases.renew(ALL_IN_ONE, "a", clock.now())  # a learns it lost
        await uow.leases.release(ALL_IN_ONE, "a")  # not a's any more: nothing happens
        await uow.commit()
    async with app.uow() as uow:
        assert (await uow.leases.acquire(ALL_IN_ONE, a, clock.now() - stale)).token == "b"
        assert await uow.leases.acquire("worker-1", a, clock.now() - stale) == a  # other name
        await uow.leases.release(ALL_IN_ONE, "b")
        await uow.commit()
    async with app.uow() as uow:
        assert await uow.leases.acquire(ALL_IN_ONE, a, clock.now() - stale) == a


async def test_a_holder_whose_lease_was_taken_over_stops(app: App, clock: FakeClock) -> None:
    frozen = InstanceLease(app.uow, clock, heartbeat_seconds=0.01, stale_seconds=60)
    await frozen.acquire()
    clock.advance(seconds=61)
    successor = InstanceLease(app.uow, clock, stale_seconds=60)
    await successor.acquire()
    stop = asyncio.Event()
    await asyncio.wait_for(frozen.keep(stop), 5)
    assert stop.is_set() and frozen.lost


async def test_serve_twice_on_one_database_refuses_the_second(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    app.settings = app.settings.model_copy(update={"http_port": free_port()})
    stop = asyncio.Event()
    first = asyncio.create_task(serve(app, stop))
    for _ in range(200):
        async with app.uow() as uow:
            held = await uow.leases.acquire(
                ALL_IN_ONE, _holder("probe", app.clock), app.clock.now() - timedelta(hours=1)
            )
        if held.token != "probe":
            break
        await asyncio.sleep(0.02)
    with caplog.at_level(logging.ERROR, logger="brygada.server"):
        assert await asyncio.wait_for(serve(app, asyncio.Event()), 10) == 1
    assert not first.done()
    assert f"pid {held.pid} on host {held.host}" in caplog.text
    assert "Another Brygada is already running on this database" in caplog.text
    stop.set()
    assert await asyncio.wait_for(first, 15) == 0
    again = InstanceLease(app.uow, app.clock)  # the clean stop gave the lease back
    await again.acquire()
    with pytest.raises(LeaseHeld, match=f"pid {again.me.pid}"):
        await InstanceLease(app.uow, app.clock).acquire()


def _lease_table_differences(connection: Connection) -> list[Any]:
    def only_leases(name: str | None, kind: str, parent: Any) -> bool:
        if kind == "schema":
            return True
        table = name if kind == "table" else parent.get("table_name")
        return table == "instance_leases"

    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": only_leases}
    )
    expected = MetaData()
    InstanceLeaseRow.__table__.to_metadata(expected)
    return list(compare_metadata(context, expected))


async def test_the_lease_table_matches_its_model(app: App) -> None:
    async with app.engine.connect() as connection:
        assert await connection.run_sync(_lease_table_differences) == []
