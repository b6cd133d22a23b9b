"""Small dialect helpers shared by the repositories.

Hot paths (every inbound message reads the sender, the company, the open question and
the roster, then writes a task) use *prebuilt Core statements* on the mapped tables:
built once per process with ``bindparam`` placeholders and run with :func:`fetch`,
:func:`scalar` and :func:`run`. Building a statement (``select(...).where(...)``) and
the ORM's per-statement work each cost about as much as running it on SQLite; see
docs/benchmarks.md.

On the in-loop SQLite driver (``storage.sqlite_inline``) these helpers go one step
further: each statement is compiled once by SQLAlchemy, with SQLAlchemy's own bind
and result processors, and then run on the session's DBAPI connection directly,
inside the session's transaction. SQLAlchemy's per-execution machinery (execution
context, events, result metadata: ~60 µs a statement) is five times the statement.
Any other database (PostgreSQL) runs the very same statements through the session.
"""

from __future__ import annotations

import functools
import sqlite3
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Executable, Table, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

from storage.sqlite_inline import InlineSQLiteDialect

Params = Mapping[str, Any]
_Processor = Callable[[Any], Any] | None
_EXPANDING = "__[POSTCOMPILE_{}]"
_DRIVER_KEY = "brygada.driver_connection"


def table_of(model: type[DeclarativeBase]) -> Table:
    """The Core table of a mapped class (its columns are named as the class attributes)."""
    return cast(Table, model.__table__)


# -- the direct path on the in-loop SQLite driver -------------------------------------------
@dataclass(frozen=True, slots=True)
class _Direct:
    """A statement compiled once for direct execution."""

    sql: str
    dialect: Dialect
    # In positional order: the parameter's key and its converter, or for a value that
    # is part of the statement (``x == 5``) None and the value already converted.
    binds: tuple[tuple[str | None, _Processor, Any], ...]
    expanding: frozenset[str]  # ``IN`` lists, one ``?`` per element at run time
    row: Callable[[Iterable[Any]], Any] | None  # a namedtuple's ``_make``
    results: tuple[_Processor, ...]

    def values(self, params: Params) -> list[Any]:
        """The positional values, for a statement without ``IN`` lists."""
        return [
            constant if key is None else process(params[key]) if process else params[key]
            for key, process, constant in self.binds
        ]

    def statement(self, params: Params) -> tuple[str, list[Any]]:
        if not self.expanding:
            return self.sql, self.values(params)
        sql, out = self.sql, list[Any]()
        for key, process, constant in self.binds:
            if key is None:
                out.append(constant)
                continue
            value = params[key]
            if key in self.expanding:
                sql = sql.replace(_EXPANDING.format(key), ", ".join("?" * len(value)), 1)
                out.extend(process(v) if process else v for v in value)
            else:
                out.append(process(value) if process else value)
        return sql, out

    def rows(self, raw: list[Any]) -> list[Any]:
        assert self.row is not None
        make, processors = self.row, self.results
        if not any(processors):
            return [make(r) for r in raw]
        return [make([p(v) if p else v for p, v in zip(processors, r, strict=True)]) for r in raw]


# Keyed by the statement object: meant for the module-level prebuilt statements; bounded
# so that a statement built per call could not grow it without end.
@functools.lru_cache(maxsize=1024)
def _direct(dialect: Dialect, stmt: Executable, keys: tuple[str, ...]) -> _Direct | None:
    """``stmt`` compiled for direct execution with parameters named ``keys``, or None
    when it needs SQLAlchemy (defaults computed in Python, escaped or missing parameter
    names, result columns that make no attribute names)."""
    compiled = cast(ClauseElement, stmt).compile(dialect=dialect, column_keys=list(keys))
    if (
        not isinstance(compiled, SQLCompiler)
        or compiled.positiontup is None
        or compiled.insert_prefetch
        or compiled.update_prefetch
        or compiled.escaped_bind_names
    ):
        return None
    processors = cast(dict[str, _Processor], compiled._bind_processors)
    by_name = {name: param for param, name in compiled.bind_names.items()}
    binds: list[tuple[str | None, _Processor, Any]] = []
    for name in compiled.positiontup:
        param, process = by_name[name], processors.get(name)
        if param.key in keys:
            binds.append((param.key, process, None))
        elif param.required or param.callable or param.expanding:
            return None
        else:
            binds.append((None, None, process(param.value) if process else param.value))
    expanding = frozenset(param.key for param in by_name.values() if param.expanding)
    row: Callable[[Iterable[Any]], Any] | None = None
    results: tuple[_Processor, ...] = ()
    if compiled._result_columns:
        names = [column.keyname for column in compiled._result_columns]
        if len(set(names)) != len(names) or not all(n.isidentifier() for n in names):
            return None
        row = namedtuple("Row", names)._make  # type: ignore[attr-defined]
        results = tuple(
            column.type._cached_result_processor(dialect, None)
            for column in compiled._result_columns
        )
    return _Direct(compiled.string, dialect, tuple(binds), expanding, row, results)


def _direct_for(
    session: AsyncSession, stmt: Executable, params: Params | Sequence[Params] | None
) -> _Direct | None:
    bind = session.bind
    if bind is None or not isinstance(bind.dialect, InlineSQLiteDialect):
        return None
    first = params if isinstance(params, Mapping) or params is None else params[0]
    return _direct(bind.dialect, stmt, tuple(first or ()))


async def _driver(session: AsyncSession) -> sqlite3.Connection:
    """The DBAPI connection of the session's current transaction (begun if need be)."""
    transaction = session.sync_session.get_transaction()
    cached = session.info.get(_DRIVER_KEY)
    if cached is not None and transaction is not None and cached[0] is transaction:
        return cast(sqlite3.Connection, cached[1])
    connection = await session.connection()  # begins the session's transaction
    # Checked out and in a transaction by now: its DBAPI connection is at hand, without
    # the greenlet ``get_raw_connection()`` spawns to read it.
    driver = connection.sync_connection.connection.driver_connection  # type: ignore[union-attr]
    session.info[_DRIVER_KEY] = (session.sync_session.get_transaction(), driver)
    return cast(sqlite3.Connection, driver)


async def _flushed(session: AsyncSession) -> None:
    # Core statements do not autoflush: whatever the session still holds goes first,
    # so a read sees this unit of work's writes and a write keeps their order.
    # (``_is_clean`` is the test ``flush()`` itself starts with; the public ``new`` /
    # ``dirty`` / ``deleted`` build three collections for it on every statement.)
    if not session.sync_session._is_clean():
        await session.flush()


def _translate(error: sqlite3.Error, sql: str, params: Any, dialect: Dialect) -> exc.StatementError:
    """The SQLAlchemy exception the session would have raised (IntegrityError, ...)."""
    return exc.DBAPIError.instance(sql, params, error, sqlite3.Error, dialect=dialect)


async def _execute(
    session: AsyncSession, direct: _Direct, params: Params | Sequence[Params]
) -> sqlite3.Cursor:
    driver = await _driver(session)
    try:
        if isinstance(params, Mapping):
            sql, values = direct.statement(params)
            return driver.execute(sql, values)
        if not direct.expanding:
            return driver.executemany(direct.sql, [direct.values(p) for p in params])
        statements = [direct.statement(p) for p in params]
        return driver.executemany(statements[0][0], [values for _, values in statements])
    except sqlite3.Error as error:
        raise _translate(error, direct.sql, params, direct.dialect) from error


# -- the helpers ---------------------------------------------------------------------------
async def fetch(
    session: AsyncSession, stmt: Executable, params: Params | None = None
) -> Sequence[Any]:
    """Rows of a Core statement (read by attribute, by index or with ``_asdict()``)."""
    await _flushed(session)
    direct = _direct_for(session, stmt, params)
    if direct is None or direct.row is None:
        return (await session.execute(stmt, params)).all()
    return cast(
        Sequence[Any], direct.rows((await _execute(session, direct, params or {})).fetchall())
    )


async def scalar(session: AsyncSession, stmt: Executable, params: Params | None = None) -> Any:
    """The first column of the first row (e.g. ``INSERT … RETURNING id``), or None."""
    rows = await fetch(session, stmt, params)
    return rows[0][0] if rows else None


async def run(
    session: AsyncSession, stmt: Executable, params: Params | Sequence[Params] | None = None
) -> int:
    """A write; a list of parameter sets runs as one executemany. Returns the rows
    affected (-1 for an executemany on asyncpg, which does not count them)."""
    await _flushed(session)
    if params is not None and not isinstance(params, Mapping) and not params:
        return 0
    direct = _direct_for(session, stmt, params)
    if direct is None:
        result = await session.execute(stmt, params)
        return int(getattr(result, "rowcount", 0) or 0)
    return (await _execute(session, direct, params or {})).rowcount


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
    # One row is a plain execute; a list of one would take the slower executemany path.
    params: Any = rows[0] if len(rows) == 1 else list(rows)
    return await run(session, statement, params)
