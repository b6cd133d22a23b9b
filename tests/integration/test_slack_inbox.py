"""The Slack inbox on a real database (SQLite, and PostgreSQL when configured): a kept
request comes back once its grace has passed, is held while it is being handled, and
handled rows are forgotten after a day."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from brygada.bootstrap import App
from handlers.inbox import Inbox
from storage.models.inbox import SlackInboxRow
from tests.conftest import FakeClock


async def test_kept_requests_come_back_after_the_grace_until_handled(
    app: App, clock: FakeClock
) -> None:
    inbox = Inbox(app.uow, clock, grace=timedelta(seconds=10))
    first = await inbox.keep("message", "T1", {"event": {"text": "one"}})
    second = await inbox.keep("command", "T1", {"text": "two"})
    assert await inbox.due() == []  # still in the hands of whoever kept them
    clock.advance(seconds=11)
    due = await inbox.due()
    assert [(e.id, e.kind, e.team, e.attempts) for e in due] == [
        (first, "message", "T1", 1),
        (second, "command", "T1", 1),
    ]
    assert due[0].body == {"event": {"text": "one"}}
    assert await inbox.due() == []  # claimed: nobody else takes them meanwhile
    await inbox.handled(first)
    clock.advance(minutes=3)  # the claim has run out: the unhandled one comes back
    assert [(e.id, e.attempts) for e in await inbox.due()] == [(second, 2)]
    await inbox.handled(second, error="given up")
    clock.advance(days=1, seconds=1)
    assert await inbox.prune() == 2


def _inbox_table_differences(connection: Connection) -> list[Any]:
    def only_inbox(name: str | None, kind: str, parent: Any) -> bool:
        if kind == "schema":
            return True
        table = name if kind == "table" else parent.get("table_name")
        return table == "slack_inbox"

    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": only_inbox}
    )
    expected = MetaData()
    SlackInboxRow.__table__.to_metadata(expected)
    return list(compare_metadata(context, expected))


async def test_the_inbox_table_matches_its_model(app: App) -> None:
    async with app.engine.connect() as connection:
        assert await connection.run_sync(_inbox_table_differences) == []
