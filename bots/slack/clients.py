"""The Web API client for a workspace: the one bot token's, or (OAuth) a client with the
token installed in that workspace, looked up each time so that a reinstall or an
uninstall is seen at once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_sdk.web.async_client import AsyncWebClient

from handlers.delivery import DeliveryError

# Workspace (team id) -> the bot token installed there, None when it is not installed.
TokenLookup = Callable[[str], Awaitable[str | None]]


class WorkspaceClients:
    def __init__(self, client: AsyncWebClient, bot_token: TokenLookup | None = None) -> None:
        self._client = client
        self._bot_token = bot_token

    async def __call__(self, workspace: str) -> AsyncWebClient:
        """The client for ``workspace``; DeliveryError (permanent) when not installed."""
        if self._bot_token is None:
            return self._client
        token = await self._bot_token(workspace)
        if token is None:
            # Uninstalled (or never installed) there: nobody in it can be reached.
            raise DeliveryError("not_installed", permanent=True)
        base = self._client
        return AsyncWebClient(
            token=token,
            base_url=base.base_url,
            timeout=base.timeout,
            retry_handlers=list(base.retry_handlers),
            logger=base.logger,
        )
