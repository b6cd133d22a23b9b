"""`brygada run` started twice on one SQLite file, as real processes: the second refuses,
naming the first; once the first is killed (SIGKILL) and its lease goes stale, a new one
starts; a clean stop gives the lease back."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.e2e.test_serve import free_port
from tests.fakes.slack_api import FakeSlackAPI

BRYGADA = str(Path(sys.executable).with_name("brygada"))
STALE_SECONDS = 3.0


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI() as api:
        yield api


def _env(database: Path, port: int, slack_api: FakeSlackAPI) -> dict[str, str]:
    keep = {
        k: v for k, v in os.environ.items() if not k.startswith(("BRYGADA_", "SLACK_", "TELEGRAM_"))
    }
    return {
        **keep,
        "BRYGADA_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "BRYGADA_SECRET": "lease-test-secret-0123456789",
        "BRYGADA_HTTP_PORT": str(port),
        "BRYGADA_LEASE_HEARTBEAT_SECONDS": "0.3",
        "BRYGADA_LEASE_STALE_SECONDS": str(STALE_SECONDS),
        "SLACK_BOT_TOKEN": "xoxb-lease",
        "SLACK_SIGNING_SECRET": "lease-signing-secret",
        "SLACK_API_URL": f"{slack_api.base_url}/api/",
    }


async def _start(cwd: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        BRYGADA,
        "run",
        cwd=cwd,  # no .env of the worktree
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _healthy(port: int, process: asyncio.subprocess.Process, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            assert process.returncode is None, await _output(process)
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("brygada run did not come up")


async def _output(process: asyncio.subprocess.Process) -> str:
    assert process.stderr is not None and process.stdout is not None
    return (await process.stdout.read() + await process.stderr.read()).decode()


async def _leases(database: Path) -> list[tuple[str, int]]:
    engine = create_async_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT name, pid FROM instance_leases"))
            return [(str(name), int(pid)) for name, pid in rows]
    finally:
        await engine.dispose()


async def test_second_run_refuses_then_takes_over_a_killed_ones_stale_lease(
    tmp_path: Path, slack_api: FakeSlackAPI
) -> None:
    database = tmp_path / "brygada.db"
    first_port, second_port, third_port = free_port(), free_port(), free_port()
    first = await _start(tmp_path, _env(database, first_port, slack_api))
    third: asyncio.subprocess.Process | None = None
    try:
        await _healthy(first_port, first)
        assert await _leases(database) == [("all-in-one", first.pid)]

        second = await _start(tmp_path, _env(database, second_port, slack_api))
        assert await asyncio.wait_for(second.wait(), 60) != 0
        said = await _output(second)
        assert "Another Brygada is already running on this database" in said
        assert f"pid {first.pid} on host" in said

        first.send_signal(signal.SIGKILL)
        await first.wait()
        await asyncio.sleep(STALE_SECONDS + 0.5)  # the killed one's heartbeat goes stale

        third = await _start(tmp_path, _env(database, third_port, slack_api))
        await _healthy(third_port, third)
        assert await _leases(database) == [("all-in-one", third.pid)]
        third.send_signal(signal.SIGTERM)  # a clean stop gives the lease back
        assert await asyncio.wait_for(third.wait(), 30) == 0
        assert await _leases(database) == []
    finally:
        for process in (first, third):
            if process is not None and process.returncode is None:
                process.kill()
                await process.wait()
