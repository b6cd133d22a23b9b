"""Small dialect helpers shared by the repositories.

Hot paths (every inbound message reads the sender, the company, the open question and
the roster, then writes a task) use *prebuilt Core statements* on the mapped tables:
built once per process with ``bindparam`` placeholders and run through the session.
Building a statement (``select(...).where(...)``) and the ORM's per-statement work
each cost about as much as running it on SQLite; see docs/benchmarks.md.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Executable, Row, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


def table_of(model: type[DeclarativeBase]) -> Table:
    """The Core table of a mapped class (its columns are named as the class attributes)."""
    return cast(Table, model.__table__)


async def fetch(
    session: AsyncSession, stmt: Executable, params: Mapping[str, Any] | None = None
) -> Sequence[Row[Any]]:
    """Rows of a Core statement. Core statements do not autoflush: anything the session
    still holds is flushed first, so a read always sees this unit of work's writes."""
    if session.new or session.dirty or session.deleted:
        await session.flush()
    return (await session.execute(stmt, params)).all()


@functools.cache
def _insert_ignore(dialect: str, table: Table) -> Executable:
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


async def insert_ignore(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL; returns rows inserted."""
    if not rows:
        return 0
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    # One row is a plain execute; a list of one would take the slower executemany path.
    params: Any = rows[0] if len(rows) == 1 else list(rows)
    result = await session.execute(_insert_ignore(dialect, table), params)
    return int(getattr(result, "rowcount", 0) or 0)
