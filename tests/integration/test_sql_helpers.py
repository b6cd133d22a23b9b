"""The repositories' statement helpers (storage/repositories/_sql.py) give what the
session itself gives: on SQLite they run statements on the driver directly, so every
conversion SQLAlchemy would make (time zones, JSON, booleans, constants in the
statement, IN lists) and its exceptions are checked against the session's own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from brygada.bootstrap import App
from storage.models import CompanyRow, OutboxRow
from storage.repositories._sql import fetch, insert_ignore, run, scalar, table_of
from tests.factories import make_team

OUTBOX = table_of(OutboxRow)
INSERT_OUTBOX = insert(OUTBOX).returning(OUTBOX.c.id)
PENDING_OF = select(OUTBOX).where(
    OUTBOX.c.member_id.in_(bindparam("members", expanding=True)),
    OUTBOX.c.status == "pending",  # a constant inside the statement
    OUTBOX.c.attempts < bindparam("attempts"),
)
AT = datetime(2026, 11, 27, 9, 15, 30, 123456, tzinfo=UTC)


def _row(member_id: int, key: str) -> dict[str, object]:
    return {
        "member_id": member_id,
        "kind": "plan.morning",
        "data": {"date": "2026-11-27", "tasks": [1, 2], "late": True, "note": "Zażółć ёжик"},
        "dedup_key": key,
        "created_at": AT,
        "not_before": AT,
        "status": "pending",
        "attempts": 0,
    }


async def _member(app: App) -> int:
    team = await make_team(app)
    return int(team["anna"].id or 0)


async def test_reads_and_writes_match_the_session(app: App) -> None:
    member_id = await _member(app)
    async with app.uow() as uow:
        s = uow.session
        first = await scalar(s, INSERT_OUTBOX, _row(member_id, "a"))
        assert isinstance(first, int)
        await run(s, insert(OUTBOX), [_row(member_id, "b")])
        assert await insert_ignore(s, OUTBOX, [_row(member_id, "c"), _row(member_id, "a")]) == 1
        params = {"members": [member_id, member_id + 1000], "attempts": 3}
        ours = await fetch(s, PENDING_OF, params)
        theirs = (await s.execute(PENDING_OF, params)).all()
        assert [r._asdict() for r in ours] == [r._asdict() for r in theirs]
        assert ours[0].created_at == AT and ours[0].created_at.tzinfo is not None
        assert ours[0].data["note"] == "Zażółć ёжик" and ours[0].data["late"] is True
        assert {r.dedup_key for r in ours} == {"a", "b", "c"}
        await uow.commit()


async def test_each_unit_of_work_sees_its_own_writes_and_nothing_rolled_back(app: App) -> None:
    member_id = await _member(app)
    async with app.uow() as uow:
        await scalar(uow.session, INSERT_OUTBOX, _row(member_id, "kept"))
        await uow.commit()
    async with app.uow() as uow:
        await scalar(uow.session, INSERT_OUTBOX, _row(member_id, "dropped"))
        # Not committed: leaving the unit of work rolls back the direct write too.
    async with app.uow() as uow:
        rows = await fetch(uow.session, PENDING_OF, {"members": [member_id], "attempts": 1})
    assert [r.dedup_key for r in rows] == ["kept"]


async def test_constraint_errors_are_sqlalchemys(app: App) -> None:
    member_id = await _member(app)
    async with app.uow() as uow:
        assert await insert_ignore(uow.session, OUTBOX, [_row(member_id, "x")]) == 1
        assert await insert_ignore(uow.session, OUTBOX, [_row(member_id, "x")]) == 0
        with pytest.raises(IntegrityError):
            await run(uow.session, insert(OUTBOX), _row(member_id, "x"))


async def test_an_orm_change_is_flushed_before_a_direct_read(app: App) -> None:
    async with app.uow() as uow:
        uow.session.add(CompanyRow(name="Flushed", timezone="UTC", language="en"))
        rows = await fetch(uow.session, select(table_of(CompanyRow)))
        assert "Flushed" in {r.name for r in rows}
