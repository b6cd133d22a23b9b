"""Keeping the query planner informed.

SQLite plans from the statistics ANALYZE leaves in sqlite_stat1; without them it
may scan every open task for "my tasks today" (40 ms at 100,000 tasks instead of 3).
``analysis_limit`` keeps each ANALYZE to a sample, so it takes milliseconds and can
run hourly. PostgreSQL's autovacuum does the same job by itself.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


async def refresh_statistics(engine: AsyncEngine) -> None:
    if engine.dialect.name != "sqlite":
        return
    async with engine.begin() as connection:
        await connection.execute(text("PRAGMA analysis_limit=1000"))
        await connection.execute(text("ANALYZE"))
