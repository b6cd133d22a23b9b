"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when
BRYGADA_TEST_DATABASE_URL is set), a controllable clock, the composed app."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from brygada.bootstrap import App, bootstrap
from brygada.settings import Settings
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.models import Base

PG_URL = os.environ.get("BRYGADA_TEST_DATABASE_URL")
APPROVALS_EXAMPLE = Path(__file__).resolve().parents[1] / "approvals.example.toml"


class FakeClock:
    """A clock the test moves by hand. Starts on Wednesday 2026-11-25 09:30 UTC."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 25, 9, 30, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current

    def set(self, moment: datetime) -> None:
        assert moment.tzinfo is not None
        self.current = moment


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate one SQLite file per session; each test gets a copy (fast and isolated)."""
    path = tmp_path_factory.mktemp("db") / "template.db"

    async def _migrate() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(_migrate())
    return path


@pytest.fixture(scope="session")
def _pg_migrated() -> bool:
    if not PG_URL:
        return False

    async def _migrate() -> None:
        engine = create_engine(PG_URL)
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(_migrate())
    return True


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path, _pg_migrated: bool) -> Iterator[str]:
    if PG_URL:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)

        async def _truncate() -> None:
            engine = create_engine(PG_URL)
            async with engine.begin() as conn:
                await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            await engine.dispose()

        asyncio.run(_truncate())
        yield PG_URL
        return
    path = tmp_path / "test.db"
    shutil.copy(sqlite_template, path)
    yield f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def approvals_config() -> Path | None:
    """The approvals file the app reads; modules about custom request types override
    this fixture with ``APPROVALS_EXAMPLE``."""
    return None


@pytest.fixture
def settings(database_url: str, approvals_config: Path | None) -> Settings:
    return Settings(
        database_url=database_url,
        secret="test-secret-0123456789abcdef",
        approvals_config=approvals_config,
        _env_file=None,
    )  # type: ignore[call-arg]


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[App]:
    application = await bootstrap(settings, clock=clock, migrate=False)
    yield application
    await application.close()


@pytest.fixture
def settings_without_secret(database_url: str) -> Settings:
    return Settings(database_url=database_url, _env_file=None)  # type: ignore[call-arg]
