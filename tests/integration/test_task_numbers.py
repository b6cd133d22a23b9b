"""Task numbers are never reused, and an undone task people heard of is withdrawn for them."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from brygada.bootstrap import App, bootstrap
from brygada.settings import Settings
from storage.engine import create_engine
from storage.migrate import alembic_config
from tests.conftest import PG_URL, FakeClock
from tests.dialog import Dialog, verify_dialog
from tests.factories import make_team


@pytest.fixture
async def dialog(app: App) -> Dialog:
    return Dialog(app, await make_team(app))


async def test_an_undone_number_is_not_given_again(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", "Call the bank", ["Task #1 created"]),
            ("boss", "Call the bank again", ["Task #2 created"]),
            ("boss", "press:Undo", ["Undone: task"]),
            ("boss", "Send the offer", ["Task #3 created", "!Task #2 created"]),
            ("boss", "/show 2", ["does not exist"]),
        ],
    )


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", 'Boss withdrew task #1 "Call the bank": it was created by mistake'),
        ("pl", "Boss: zadanie #1 „Call the bank” zostało wycofane"),
        ("ru", "Boss: задача #1 «Call the bank» отменена"),
    ],
)
async def test_whoever_heard_of_an_undone_task_is_told(
    dialog: Dialog, lang: str, said: str
) -> None:
    await dialog.send("anna", f"/lang {lang}")
    await dialog.send("ivan", f"/lang {lang}")
    await verify_dialog(dialog, [("boss", "Call the bank @anna", ["Task #1 created"])])
    assert len(dialog.notices("anna")) == 1  # delivered: "gave you a task"
    await verify_dialog(dialog, [("boss", "press:Undo", ["Undone: task"])])
    assert said in dialog.notices("anna")[-1]
    assert not dialog.notices("ivan") and not dialog.notices("boss")


async def test_nobody_is_told_about_a_task_they_never_heard_of(app: App, dialog: Dialog) -> None:
    chat = dialog.chat("boss")
    await chat.say("Call the bank @anna")  # undone before the outbox sent anything
    await chat.say(str(chat.screen.labels.index("✖ Undo") + 1))
    await dialog.deliver()
    assert dialog.notices("anna") == []


# Columns added after 0009 to tables that today's code uses while it makes the old data.
_LATER_COLUMNS = (
    ("companies", "country VARCHAR(8)"),  # 0014_dates
    ("members", "joined_at DATETIME"),  # 0014_dates
    ("member_preferences", "enabled JSON"),  # 0014_dates
    ("projects", "archived BOOLEAN NOT NULL DEFAULT 0"),  # 0013_structure
    ("invites", "member_id INTEGER"),  # 0013_structure
)


@pytest.mark.skipif(bool(PG_URL), reason="the SQLite table rebuild (sequences never reuse)")
async def test_the_migration_keeps_the_tasks(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    config = alembic_config()

    def _to(revision: str):  # type: ignore[no-untyped-def]
        def run(connection):  # type: ignore[no-untyped-def]
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

        return run

    async with engine.begin() as connection:
        await connection.run_sync(_to("0008_questions"))
        # Today's code writes and reads columns that later revisions add to tables this
        # upgrade does not touch: they are lent to the old schema while the old data is
        # made, and taken back before the upgrade adds them for real.
        for table, column in _LATER_COLUMNS:
            await connection.execute(text(f"ALTER TABLE {table} ADD COLUMN {column}"))
    await engine.dispose()
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{path}",
        secret="test-secret-0123456789abcdef",
        _env_file=None,
    )  # type: ignore[call-arg]
    old = await bootstrap(settings, clock=clock, migrate=False)
    dialog = Dialog(old, await make_team(old))
    await verify_dialog(
        dialog,
        [
            ("boss", "Call the bank @anna", ["Task #1 created"]),
            ("boss", "/subtask 1 Find the number", ["Task #2 created"]),
            ("boss", "/comment 2 it is on the website", ["Comment added."]),
            ("boss", "Call the bank again", ["Task #3 created"]),
            ("boss", "press:Undo", ["Undone: task"]),
        ],
    )
    await old.close()
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    async with engine.begin() as connection:
        for table, column in _LATER_COLUMNS:
            name = column.split()[0]
            await connection.execute(text(f"ALTER TABLE {table} DROP COLUMN {name}"))
    await engine.dispose()

    app = await bootstrap(settings, clock=clock)  # migrates to the head
    try:
        async with app.uow() as uow:
            sub = await uow.tasks.get(2)
            assert sub is not None and sub.parent_id == 1 and sub.title == "Find the number"
            assert [c.text for c in await uow.tasks.comments(2)] == ["it is on the website"]
            problems = (await uow.session.execute(text("PRAGMA foreign_key_check"))).all()
            assert problems == []
            ddl = await uow.session.scalar(
                text("SELECT sql FROM sqlite_master WHERE name = 'tasks'")
            )
            assert "AUTOINCREMENT" in str(ddl)
        dialog = Dialog(app, dialog.team)
        await verify_dialog(
            dialog,
            [
                # #3 was undone before the upgrade: its number was free then, not any more.
                ("boss", "Call the bank again", ["Task #3 created"]),
                ("boss", "press:Undo", ["Undone: task"]),
                ("boss", "Call the bank once more", ["Task #4 created"]),
            ],
        )
    finally:
        await app.close()
