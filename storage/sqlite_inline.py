"""SQLite for SQLAlchemy's asyncio layer without a thread or an adapter in between.

SQLAlchemy's aiosqlite dialect runs every statement on aiosqlite's helper thread (a
hand-off of ~0.2 ms, ten times the statement itself), and even with the thread taken
out every cursor call still crosses from SQLAlchemy's greenlet back to the event loop
and in again. SQLite is an in-process library whose statements take microseconds, so
this dialect is plain pysqlite declared usable from asyncio: ``AsyncEngine`` runs its
synchronous calls inside the greenlet it already spawns for each statement, on the
loop thread. A statement that waits for a lock held by *another process* blocks the
loop for at most ``busy_timeout``; within one process the unit of work holds an
asyncio lock, so two coroutines never wait on each other inside SQLite.

``AsyncConnection.execute`` insists that a statement awaited something (a guard
against sync drivers blocking the loop); each statement therefore awaits one
already-finished coroutine: a single greenlet switch, where the aiosqlite adapter
made four or more.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.util.concurrency import await_

DRIVER = "brygada_inline"


async def _done() -> None:
    """Completes at once; awaited so that the asyncio layer sees the statement await."""


class InlineCursor(sqlite3.Cursor):
    async def _async_soft_close(self) -> None:
        """Called by the asyncio layer before a result leaves the greenlet. A driver
        that needs the loop to fetch buffers the rows here; a SQLite cursor can be
        read from anywhere, so the rows stay where they are."""


class InlineConnection(sqlite3.Connection):
    def cursor(self, factory: Any = InlineCursor) -> Any:
        return super().cursor(factory)


class InlineSQLiteDialect(SQLiteDialect_pysqlite):
    driver = DRIVER
    supports_statement_cache = True
    is_async = True  # safe here: no call ever waits on the network or a thread

    def do_execute(self, cursor: Any, statement: Any, parameters: Any, context: Any = None) -> None:
        await_(_done())
        cursor.execute(statement, parameters)

    def do_execute_no_params(self, cursor: Any, statement: Any, context: Any = None) -> None:
        await_(_done())
        cursor.execute(statement)

    def do_executemany(
        self, cursor: Any, statement: Any, parameters: Any, context: Any = None
    ) -> None:
        await_(_done())
        cursor.executemany(statement, parameters)

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        # The asyncio-aware queue: a coroutine waiting for a connection yields the loop.
        if cls._is_url_file_db(url):
            return pool.AsyncAdaptedQueuePool
        return pool.StaticPool


def inline_url(url: URL) -> URL:
    """``url`` (any ``sqlite+driver://``) pointed at this dialect."""
    registry.register(f"sqlite.{DRIVER}", __name__, InlineSQLiteDialect.__name__)
    return url.set(drivername=f"sqlite+{DRIVER}")
