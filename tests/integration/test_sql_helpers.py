"""The repositories' way of running statements (storage/README.md) gives the same rows
on SQLite and PostgreSQL: prebuilt Core statements with ``bindparam`` through the
session, ``insert_ignore`` and ``rowcount`` from storage/repositories/_sql.py. Checked
here: time zones, JSON, booleans, constants in the statement, IN lists, row counts,
rollback and SQLAlchemy's own exceptions. The suite runs once per database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from brygada.bootstrap import App
from storage.models import CompanyRow, OutboxRow
from storage.repositories._sql import insert_ignore, rowcount, table_of
from tests.factories import make_team

OUTBOX = table_of(OutboxRow)
INSERT_OUTBOX = insert(OUTBOX).returning(OUTBOX.c.id)
PENDING_OF = (
    select(OUTBOX)
    .where(
        OUTBOX.c.member_id.in_(bindparam("members", expanding=True)),
        OUTBOX.c.status == "pending",  # a constant inside the statement
        OUTBOX.c.attempts < bindparam("attempts"),
    )
    .order_by(OUTBOX.c.dedup_key)
)
RETRY = (
    update(OUTBOX)
    .where(OUTBOX.c.dedup_key.in_(bindparam("keys", expanding=True)))
    .values(attempts=OUTBOX.c.attempts + 1)
)
AT = datetime(2026, 11, 27, 9, 15, 30, 123456, tzinfo=UTC)
DATA = {"date": "2026-11-27", "tasks": [1, 2], "late": True, "none": None, "note": "Zażółć ёжик"}


def _row(member_id: int, key: str) -> dict[str, object]:
    return {
        "member_id": member_id,
        "kind": "plan.morning",
        "data": DATA,
        "dedup_key": key,
        "created_at": AT,
        "not_before": AT,
        "status": "pending",
        "attempts": 0,
    }


async def _member(app: App) -> int:
    team = await make_team(app)
    return int(team["anna"].id)


async def test_rows_come_back_as_written(app: App) -> None:
    member_id = await _member(app)
    async with app.uow() as uow:
        s = uow.session
        first = await s.scalar(INSERT_OUTBOX, _row(member_id, "a"))
        assert isinstance(first, int)
        await s.execute(insert(OUTBOX), [_row(member_id, "b"), _row(member_id, "d")])
        assert await insert_ignore(s, OUTBOX, [_row(member_id, "c"), _row(member_id, "a")]) == 1
        assert rowcount(await s.execute(RETRY, {"keys": ["d", "missing"]})) == 1
        await uow.commit()
    async with app.uow() as uow:
        params = {"members": [member_id, member_id + 1000], "attempts": 1}
        rows = (await uow.session.execute(PENDING_OF, params)).all()
    assert [r.dedup_key for r in rows] == ["a", "b", "c"]  # "d" was retried once
    assert rows[0].id == first
    assert {r.created_at for r in rows} == {AT}  # microseconds and the time zone kept
    assert all(r.created_at.tzinfo is not None for r in rows)
    assert all(r.data == DATA for r in rows)
    assert rows[0].data["late"] is True and rows[0].data["none"] is None


async def test_each_unit_of_work_sees_its_own_writes_and_nothing_rolled_back(app: App) -> None:
    member_id = await _member(app)
    async with app.uow() as uow:
        await uow.session.scalar(INSERT_OUTBOX, _row(member_id, "kept"))
        await uow.commit()
    async with app.uow() as uow:
        await uow.session.scalar(INSERT_OUTBOX, _row(member_id, "dropped"))
        seen = await uow.session.execute(PENDING_OF, {"members": [member_id], "attempts": 1})
        assert {r.dedup_key for r in seen} == {"kept", "dropped"}
        # Not committed: leaving the unit of work rolls the write back.
    async with app.uow() as uow:
        params = {"members": [member_id], "attempts": 1}
        rows = (await uow.session.execute(PENDING_OF, params)).all()
    assert [r.dedup_key for r in rows] == ["kept"]


async def test_constraint_errors_are_sqlalchemys(app: App) -> None:
    member_id = await _member(app)
    async with app.uow() as uow:
        assert await insert_ignore(uow.session, OUTBOX, [_row(member_id, "x")]) == 1
        assert await insert_ignore(uow.session, OUTBOX, [_row(member_id, "x")]) == 0
        with pytest.raises(IntegrityError):
            await uow.session.execute(insert(OUTBOX), _row(member_id, "x"))


async def test_an_orm_change_is_flushed_before_a_core_read(app: App) -> None:
    async with app.uow() as uow:
        uow.session.add(CompanyRow(name="Flushed", timezone="UTC", language="en"))
        rows = (await uow.session.execute(select(table_of(CompanyRow)))).all()
        assert "Flushed" in {r.name for r in rows}
