"""Engine creation: SQLite through aiosqlite (WAL), PostgreSQL through asyncpg.

Both go through SQLAlchemy's public asyncio dialects (``sqlite+aiosqlite``,
``postgresql+asyncpg``). aiosqlite runs every SQLite call on a thread of its own per
connection, so a statement that waits for a lock another process holds (up to
``busy_timeout``), or a WAL checkpoint inside COMMIT, waits there and not on the event
loop (tests/integration/test_sqlite_lock_wait.py).

SQLite transactions begin with ``BEGIN IMMEDIATE``, using the recipe of SQLAlchemy's
SQLite documentation ("Enabling Non-Legacy SQLite Transactional Modes"): the driver's
own BEGIN is switched off (``isolation_level=None``) and a ``begin`` event emits ours.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_DRIVER = "sqlite+aiosqlite"
BUSY_TIMEOUT_S = 10.0


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            # ``sqlite://`` (pysqlite) would block the loop: the async driver it is.
            parsed.set(drivername=SQLITE_DRIVER),
            echo=echo,
            # Passed through aiosqlite to sqlite3.connect: wait up to busy_timeout for
            # another writer, and leave BEGIN to SQLAlchemy (see _begin_immediate).
            connect_args={"timeout": BUSY_TIMEOUT_S, "isolation_level": None},
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=10)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while one writer commits; NORMAL is durable enough with WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB of page cache per connection
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    # A deferred transaction that reads and then writes cannot wait for the lock
    # (SQLite answers "database is locked" at once); taking it up front makes
    # concurrent writers queue on busy_timeout instead.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
