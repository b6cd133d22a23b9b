"""Small helpers shared by the repositories (how to run queries: storage/README.md).

Every statement runs through the unit of work's ``AsyncSession``; these helpers only
cover what differs between SQLite and PostgreSQL or what SQLAlchemy's typing leaves
loose.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Executable,
    Result,
    Table,
    delete,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


def table_of(model: type[DeclarativeBase]) -> Table:
    """The Core table of a mapped class (its columns are named as the class attributes)."""
    return cast(Table, model.__table__)


def rowcount(result: Result[Any]) -> int:
    """Rows matched by an UPDATE or DELETE run with ``session.execute``."""
    assert isinstance(result, CursorResult), "rowcount is known for DML statements only"
    return result.rowcount


async def inserted_id(session: AsyncSession, statement: Executable) -> int:
    """Run an ``INSERT ... RETURNING id`` of one row; the id the database gave it."""
    return int((await session.execute(statement)).scalar_one())


@functools.cache
def _insert_ignore(dialect: str, table: Table) -> Executable:
    if dialect == "postgresql":
        # asyncpg's executemany reports no row count: count the rows RETURNING gives.
        key = next(iter(table.primary_key.columns))
        return postgresql.insert(table).on_conflict_do_nothing().returning(key)
    return sqlite.insert(table).on_conflict_do_nothing()


async def insert_ignore(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL; returns rows inserted."""
    if not rows:
        return 0
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    statement = _insert_ignore(dialect, table)
    if dialect == "postgresql":
        return len((await session.execute(statement, list(rows))).all())
    # One row is a plain execute (its rowcount is exact); a list runs as one executemany.
    params: Any = rows[0] if len(rows) == 1 else list(rows)
    return rowcount(await session.execute(statement, params))


async def delete_some(
    session: AsyncSession, table: Table, where: ColumnElement[bool], limit: int
) -> int:
    """Delete at most ``limit`` rows matching ``where`` (oldest keys first), so that a
    large clean-up runs as short transactions; returns how many went. Neither database
    takes ``DELETE ... LIMIT`` everywhere: the keys come from a limited subquery."""
    key = list(table.primary_key.columns)
    chosen = select(*key).where(where).order_by(*key).limit(limit)
    target = key[0] if len(key) == 1 else tuple_(*key)
    return rowcount(await session.execute(delete(table).where(target.in_(chosen))))
