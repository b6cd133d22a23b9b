"""SlackNotifier: the outbox dispatcher's way to reach a member on Slack (a DM).

With one bot token every message goes through that token. With OAuth (several
workspaces) the token is the one installed in the identity's workspace, looked up per
message, so a reinstall or an uninstall is seen at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.errors import error_code, http_status, retry_after
from bots.slack.home import AppHome
from bots.slack.outbound import SlackReplies, open_dm
from bots.slack.timer_card import SlotCards
from domain.company import ChatIdentity
from handlers.delivery import DeliveryError
from handlers.rendering import SLACK_MRKDWN, Renderer
from handlers.types import Reply

# The user can never be reached again through this identity: stop retrying.
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "account_inactive",
        "user_disabled",
        "cannot_dm_bot",
        "user_not_visible",
        "team_access_not_granted",
        "invalid_auth",
        "not_authed",
        "token_revoked",
    }
)


# Workspace (team id) -> the bot token installed there, None when it is not installed.
TokenLookup = Callable[[str], Awaitable[str | None]]


class SlackNotifier:
    platform = "slack"

    def __init__(
        self,
        client: AsyncWebClient,
        replies: SlackReplies | None = None,
        *,
        bot_token: TokenLookup | None = None,
        home: AppHome | None = None,
    ) -> None:
        self._client = client
        self._replies = replies or SlackReplies(Renderer(SLACK_MRKDWN))
        self._bot_token = bot_token
        self._cards = SlotCards(self._replies)  # the pinned timer card of the DM
        self._home = home  # refreshed after a card changed: it shows the timer too

    async def _client_for(self, workspace: str) -> AsyncWebClient:
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

    async def send(self, identity: ChatIdentity, reply: Reply) -> None:
        try:
            client = await self._client_for(identity.workspace)
            channel = await open_dm(client, identity.user_id)
            if reply.slot is not None:
                await self._cards.deliver(client, channel, reply)
            else:
                await self._replies.post(client, channel, reply)
        except SlackApiError as error:
            raise _delivery_error(error) from error
        except (TimeoutError, aiohttp.ClientError) as error:
            raise DeliveryError(f"network: {error!r}") from error
        if reply.slot is not None and self._home is not None:
            # The card went; a failed refresh is logged by publish, and the next fixes it.
            await self._home.publish(client, identity.workspace, identity.user_id)


def _delivery_error(error: SlackApiError) -> DeliveryError:
    code = error_code(error)
    if code == "ratelimited" or http_status(error) == 429:
        wait = retry_after(error)
        return DeliveryError("ratelimited", retry_after=1.0 if wait is None else wait)
    # A proxy's page (http_502) or an unknown answer is temporary: the dispatcher retries.
    return DeliveryError(code, permanent=code in PERMANENT_ERRORS)
