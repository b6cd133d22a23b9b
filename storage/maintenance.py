"""Keeping the query planner informed.

SQLite plans from the statistics ANALYZE leaves in sqlite_stat1; without them it
may scan every open task for "my tasks today" (40 ms at 100,000 tasks instead of 3).
``analysis_limit`` keeps each ANALYZE to a sample, so it takes milliseconds and can
run hourly. PostgreSQL's autovacuum does the same job by itself.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text

from storage.uow import SqlUnitOfWork


async def refresh_statistics(units_of_work: Callable[[], SqlUnitOfWork]) -> None:
    """ANALYZE as a unit of work: on SQLite it takes its turn like every other one
    instead of polling SQLite's busy handler for the write lock (see UnitOfWorkFactory)."""
    async with units_of_work() as uow:
        bind = uow.session.bind
        if bind is None or bind.dialect.name != "sqlite":
            return
        await uow.session.execute(text("PRAGMA analysis_limit=1000"))
        await uow.session.execute(text("ANALYZE"))
        await uow.commit()
