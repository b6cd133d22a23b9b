"""Replica tests need Redis (``BRYGADA_TEST_REDIS_URL``) and, for the processes,
PostgreSQL (``BRYGADA_TEST_DATABASE_URL``); ``.ci/run`` starts both."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

REDIS_URL = os.environ.get("BRYGADA_TEST_REDIS_URL")
PG_URL = os.environ.get("BRYGADA_TEST_DATABASE_URL") or ""

needs_redis = pytest.mark.skipif(
    not REDIS_URL, reason="BRYGADA_TEST_REDIS_URL is not set (Redis for the replica tests)"
)
needs_postgres_and_redis = pytest.mark.skipif(
    not (REDIS_URL and PG_URL.startswith("postgresql")),
    reason="replicas need PostgreSQL (BRYGADA_TEST_DATABASE_URL) and Redis "
    "(BRYGADA_TEST_REDIS_URL)",
)


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    assert REDIS_URL
    client = Redis.from_url(REDIS_URL)
    await client.flushdb()
    try:
        yield client
    finally:
        await client.aclose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """A Redis of the test's own, to stop and start again (an outage mid-run)."""

    def __init__(self, directory: Path) -> None:
        self.port = _free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()
