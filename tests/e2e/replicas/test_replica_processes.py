"""Two real ``brygada run --role web,worker`` processes on one PostgreSQL and Redis, the
fake Bot API delivering updates to both webhooks: the webhook set once, one sweep
leader, a button press racing a message of the same chat, one update delivered to both
replicas at once, and the leader killed with SIGKILL replaced within 60 s."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select, text

from storage.engine import create_engine, session_factory
from storage.models import TaskRow
from tests.e2e.replicas.conftest import REDIS_URL, needs_postgres_and_redis
from tests.e2e.telegram.crash_run import FIRST_USER, SECRET, TOKEN, _company, _free_port
from tests.fakes.telegram_api import FakeTelegramAPI

pytestmark = needs_postgres_and_redis

STALE = 3.0


class Replica:
    def __init__(self, workdir: Path, url: str, api: FakeTelegramAPI, webhook: str) -> None:
        self.port = _free_port()
        self.workdir, self.url, self.api, self.webhook = workdir, url, api, webhook
        self.process: asyncio.subprocess.Process | None = None

    @property
    def hook(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram/webhook"

    async def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BRYGADA_", "SLACK_"))}
        env.update(
            {
                "BRYGADA_DATABASE_URL": self.url,
                "BRYGADA_REDIS_URL": REDIS_URL or "",
                "BRYGADA_SECRET": SECRET,
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_URL": self.api.base_url,
                "BRYGADA_TELEGRAM_WEBHOOK_URL": self.webhook,
                "BRYGADA_HTTP_PORT": str(self.port),
                "BRYGADA_OUTBOX_INTERVAL_SECONDS": "0.5",
                "BRYGADA_LEADER_HEARTBEAT_SECONDS": "0.3",
                "BRYGADA_LEADER_STALE_SECONDS": str(STALE),
                "BRYGADA_LOG_LEVEL": "WARNING",
            }
        )
        log = (self.workdir / f"replica-{self.port}.log").open("ab")
        try:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                "import sys; from brygada.cli import main; "
                "sys.exit(main(['run', '--role', 'web,worker']))",
                cwd=self.workdir,
                env=env,
                stdout=log,
                stderr=log,
            )
        finally:
            log.close()

    async def healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                assert self.process is not None and self.process.returncode is None, self.log()
                with contextlib.suppress(aiohttp.ClientConnectionError):
                    async with http.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                        if response.status == 200:
                            return
                await asyncio.sleep(0.1)
        raise AssertionError(f"replica did not come up: {self.log()}")

    def log(self) -> str:
        return "".join(p.read_text() for p in self.workdir.glob("replica-*.log"))

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


@pytest.fixture
async def replicas(tmp_path: Path, database_url: str) -> AsyncIterator[list[Replica]]:
    await _company(database_url, chats=2)
    async with FakeTelegramAPI() as api:
        first_port = _free_port()
        webhook = f"http://127.0.0.1:{first_port}/telegram/webhook"
        started = [Replica(tmp_path, database_url, api, webhook) for _ in range(2)]
        started[0].port = first_port
        try:
            for replica in started:
                await replica.start()
            for replica in started:
                await replica.healthy()
            yield started
        finally:
            for replica in started:
                await replica.stop()


async def _query(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return [tuple(row) for row in await conn.execute(text(sql))]
    finally:
        await engine.dispose()


async def _leases(url: str) -> dict[str, int]:
    return {str(n): int(p) for n, p in await _query(url, "SELECT name, pid FROM instance_leases")}


async def _titles(url: str) -> Counter[str]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            return Counter(await session.scalars(select(TaskRow.title)))
    finally:
        await engine.dispose()


async def _until(condition: object, timeout: float) -> float:
    started = time.monotonic()
    while not await condition():  # type: ignore[operator]
        assert time.monotonic() - started < timeout, "timed out"
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def test_two_replicas_share_the_work_and_survive_the_leaders_kill(
    replicas: list[Replica],
) -> None:
    a, b = replicas
    api, url = a.api, a.url
    pids = {r.process.pid for r in replicas if r.process is not None}

    async def both_leaders() -> bool:
        leases = await _leases(url)
        return {"sweep", "telegram-webhook"} <= leases.keys()

    await _until(both_leaders, 30)
    leases = await _leases(url)
    assert leases["sweep"] in pids and leases["telegram-webhook"] in pids
    await asyncio.sleep(1.0)  # both replicas had time to configure, had they tried
    assert len(api.calls_to("setWebhook")) == 1  # by the webhook leader only
    assert api.webhook is not None and api.webhook["url"] == a.hook
    assert api.calls_to("getUpdates") == []  # webhook mode: nobody polls

    user = FIRST_USER
    first = await api.post_webhook(a.hook, api.message_update(user, user, "Prepare offer 0 today"))
    assert first.status == 200
    card = next(m for m in reversed(api.sent_messages(user)) if "Prepare offer 0" in m["text"])
    button = card["reply_markup"]["inline_keyboard"][0][0]["callback_data"]

    # A press of the card's first button on one replica races the chat's next message on
    # the other; and one update reaches both replicas at once (a redelivery).
    press = api.callback_update(user, user, button, message_id=card["message_id"])
    message = api.message_update(user, user, "Prepare offer 1 today")
    twice = api.message_update(user + 1, user + 1, "Prepare offer 2 today")
    twice["update_id"] = 900_000_001
    results = await asyncio.gather(
        api.post_webhook(a.hook, press),
        api.post_webhook(b.hook, message),
        api.post_webhook(a.hook, twice),
        api.post_webhook(b.hook, 900_000_001),
    )
    assert [r.status for r in results] == [200, 200, 200, 200]
    titles = await _titles(url)
    assert sorted(titles.values()) == [1, 1, 1], titles  # one task per message, once
    assert len(api.callback_answers) == 1  # the press answered once
    texts = api.sent_texts()
    assert not [t for t in texts if "went wrong" in t.lower()], texts

    # The sweep leader is killed: the other replica leads within 60 s (here: at once,
    # as it runs on the same host and sees the pid gone; else after STALE seconds).
    leader_pid = leases["sweep"]
    leader = next(r for r in replicas if r.process is not None and r.process.pid == leader_pid)
    survivor = b if leader is a else a
    assert leader.process is not None and survivor.process is not None
    leader.process.send_signal(signal.SIGKILL)
    await leader.process.wait()

    async def survivor_leads() -> bool:
        return (await _leases(url)).get("sweep") == survivor.process.pid  # type: ignore[union-attr]

    took = await _until(survivor_leads, 60)
    assert took < 60
    after = await api.post_webhook(
        survivor.hook, api.message_update(user, user, "Prepare offer 3 today")
    )
    assert after.status == 200
    assert (await _titles(url)).total() == 4
