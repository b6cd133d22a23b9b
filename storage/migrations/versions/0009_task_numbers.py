"""task numbers are never reused: SQLite AUTOINCREMENT on tasks

Revision ID: 0009_task_numbers
Revises: 0006_slack_oauth

"#11" in yesterday's chat must not become another task after #11 was undone. Without
AUTOINCREMENT, SQLite gives a new row the largest id + 1, so deleting the newest task
frees its number. The table is rebuilt with AUTOINCREMENT, rows kept with their ids
(SQLite's sequence starts at the largest of them). PostgreSQL needs nothing: the id is a
sequence, which never goes back.

The table is rebuilt from its own CREATE statement (so columns added by other revisions
are kept), with foreign keys deferred: PRAGMA foreign_keys cannot change inside the
migration's transaction. The rows wait in a plain copy while the old table is dropped;
the rows of other tables that point at tasks are dangling until the new table, under
the old name, gets the same rows back, which SQLite counts as resolving them.
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009_task_numbers'
down_revision: str | None = '0008_questions'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_PLAIN_ID = re.compile(r"\bid INTEGER NOT NULL(?: PRIMARY KEY)?,")
_TABLE_KEY = re.compile(r"\s*PRIMARY KEY \(id\),")
_KEYED_ID = "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,"


def _rebuild(autoincrement: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    ddl = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'tasks'")
    ).scalar_one()
    indexes = bind.execute(
        sa.text(
            "SELECT sql FROM sqlite_master"
            " WHERE type = 'index' AND tbl_name = 'tasks' AND sql IS NOT NULL"
        )
    ).scalars().all()
    if autoincrement:
        new = _TABLE_KEY.sub("", _PLAIN_ID.sub(_KEYED_ID, ddl, count=1), count=1)
    else:
        # A column PRIMARY KEY without AUTOINCREMENT: the rowid alias it was before.
        new = ddl.replace(_KEYED_ID, "id INTEGER NOT NULL PRIMARY KEY,", 1)
    assert new != ddl, "the tasks table is not in the expected form"
    new = re.sub(r"^CREATE TABLE \"?tasks\"?", "CREATE TABLE _tasks_new", new, count=1)
    for statement in (
        "PRAGMA defer_foreign_keys = ON",
        "CREATE TABLE _tasks_copy AS SELECT * FROM tasks",
        new,
        "DROP TABLE tasks",
        "ALTER TABLE _tasks_new RENAME TO tasks",
        "INSERT INTO tasks SELECT * FROM _tasks_copy ORDER BY id",
        "DROP TABLE _tasks_copy",
        *indexes,
    ):
        op.execute(statement)


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
