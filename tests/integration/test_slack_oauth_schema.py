"""Migration 0006 builds exactly the tables slack-sdk's SQLAlchemy stores define."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from brygada.bootstrap import App

SLACK_TABLES = {"slack_installations", "slack_bots", "slack_oauth_states"}


def _expected() -> MetaData:
    metadata = MetaData()
    AsyncSQLAlchemyInstallationStore.build_installations_table(metadata, "slack_installations")
    AsyncSQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots")
    AsyncSQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, "slack_oauth_states")
    return metadata


def _only_slack(name: str | None, kind: str, parent: Any) -> bool:
    if kind == "schema":
        return True
    if kind == "table":
        return name in SLACK_TABLES
    return parent.get("table_name") in SLACK_TABLES


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": _only_slack}
    )
    return list(compare_metadata(context, _expected()))


async def test_the_slack_tables_match_slack_sdk(app: App) -> None:
    async with app.engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == []
