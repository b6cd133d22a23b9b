"""Installs in several workspaces: Slack OAuth on slack-sdk's SQLAlchemy stores.

The installation store (``slack_installations``, ``slack_bots``) and the state store
(``slack_oauth_states``) live in the application's own database; migration 0006 creates
their tables (never ``create_all``). Bolt serves ``GET /slack/install`` (a redirect to
Slack's authorize page with a one-time state) and ``GET /slack/oauth_redirect`` (the
code is exchanged with ``oauth.v2.access`` and the installation saved); every later
request is authorized with the bot token saved for its workspace.

Every Web API client involved is the adapter's own (``SLACK_API_URL``, retry on 429).

On SQLite the stores take their turn like units of work do: each of their transactions
runs while a unit of work (which holds the process's SQLite turn) is open, so they wait
for the units of work before them in arrival order instead of polling in SQLite's busy
handler (see ``storage.uow.UnitOfWorkFactory``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any, cast

from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600

Turn = Callable[[], AbstractAsyncContextManager[Any]]


class _TurnTakingEngine:
    """The two ``AsyncEngine`` methods slack-sdk's stores use, each inside ``turn()``."""

    def __init__(self, engine: AsyncEngine, turn: Turn) -> None:
        self._engine = engine
        self._turn = turn

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        async with self._turn(), self._engine.begin() as connection:
            yield connection

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        async with self._turn(), self._engine.connect() as connection:
            yield connection


def store_engine(engine: AsyncEngine, turn: Turn | None) -> AsyncEngine:
    """The engine the stores get: the app's own, taking turns on SQLite."""
    if turn is None or engine.dialect.name != "sqlite":
        return engine
    # Duck-typed: the stores call only begin() and connect().
    return cast(AsyncEngine, _TurnTakingEngine(engine, turn))


@dataclass(frozen=True)
class SlackOAuth:
    settings: AsyncOAuthSettings
    installations: AsyncSQLAlchemyInstallationStore

    async def bot_token(self, team_id: str) -> str | None:
        """The newest bot token installed in the workspace (None: not installed)."""
        bot = await self.installations.async_find_bot(enterprise_id=None, team_id=team_id)
        return bot.bot_token if bot is not None else None


def build_oauth(
    *,
    client_id: str,
    client_secret: str,
    scopes: Sequence[str],
    redirect_uri: str | None,
    engine: AsyncEngine,
    client: AsyncWebClient,
    turn: Turn | None = None,
) -> SlackOAuth:
    """OAuth settings for Bolt's ``AsyncApp(oauth_settings=...)``, stores on ``engine``."""
    engine = store_engine(engine, turn)
    installations = AsyncSQLAlchemyInstallationStore(client_id=client_id, engine=engine)
    states = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine)
    settings = AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(scopes),
        user_scopes=[],
        redirect_uri=redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        # Straight to Slack's authorize page (302), no intermediate "Add to Slack" page.
        install_page_rendering_enabled=False,
        installation_store=installations,
        state_store=states,
        state_expiration_seconds=STATE_SECONDS,
    )
    # Bolt's default authorizer would rotate tokens through a client of its own (on
    # slack.com, without our retry handler); this one uses ours.
    settings.authorize = AsyncInstallationStoreAuthorize(
        logger=log,
        installation_store=installations,
        client_id=client_id,
        client_secret=client_secret,
        token_rotation_expiration_minutes=settings.token_rotation_expiration_minutes,
        client=client,
        user_token_resolution=settings.user_token_resolution,
    )
    return SlackOAuth(settings=settings, installations=installations)
