"""A unit of work that waits for SQLite's write lock must not stall the event loop.

Another process (here a plain ``sqlite3`` connection in a thread) holds the write
lock for a while; the unit of work queues behind it on ``busy_timeout``. That wait
happens in aiosqlite's thread: a ticker task on the loop keeps its schedule meanwhile.
A driver that runs SQLite on the loop thread freezes the ticker for the whole wait.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import pytest
from sqlalchemy.engine import make_url

from brygada.bootstrap import App
from domain.company import NewCompany
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite's file lock")

HOLD_S = 1.5
TICK_S = 0.02
MAX_LAG_S = 0.2


def _hold_write_lock(path: str, locked: threading.Event) -> None:
    other = sqlite3.connect(path, isolation_level=None, timeout=10)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE companies SET name = name")
        locked.set()
        time.sleep(HOLD_S)
        other.execute("COMMIT")
    finally:
        other.close()


async def test_waiting_for_another_writer_leaves_the_loop_free(app: App) -> None:
    path = make_url(app.settings.database_url).database
    assert path
    locked = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(path, locked))
    holder.start()
    try:
        assert await asyncio.to_thread(locked.wait, 5)
        lags: list[float] = []
        stop = asyncio.Event()

        async def tick() -> None:
            while not stop.is_set():
                due = time.perf_counter() + TICK_S
                await asyncio.sleep(TICK_S)
                lags.append(time.perf_counter() - due)

        ticker = asyncio.create_task(tick())
        await asyncio.sleep(TICK_S * 3)  # the ticker is running before the wait begins
        started = time.perf_counter()
        async with app.uow() as uow:
            await uow.companies.add(NewCompany(name="Waited", timezone="UTC"))
            await uow.commit()
        waited = time.perf_counter() - started
        stop.set()
        await ticker
    finally:
        await asyncio.to_thread(holder.join, 10)
    assert waited > HOLD_S / 2, f"the unit of work did not wait for the lock ({waited:.2f} s)"
    assert max(lags) < MAX_LAG_S, f"the loop stalled {max(lags) * 1000:.0f} ms"
    assert len(lags) >= waited / TICK_S / 2  # and it kept ticking all along
    async with app.uow() as uow:
        assert "Waited" in {c.name for c in await uow.companies.all()}
