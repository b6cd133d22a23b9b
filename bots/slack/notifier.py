"""SlackNotifier: the outbox dispatcher's way to reach a member on Slack (a DM), and to
deliver the stored replies of Slack requests (``handlers.delivery.ReplyCourier``).

With one bot token every message goes through that token. With OAuth (several
workspaces) the token is the one installed in the identity's workspace, looked up per
message, so a reinstall or an uninstall is seen at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.clients import TokenLookup, WorkspaceClients
from bots.slack.errors import delivery_error
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
        self._replies = replies or SlackReplies(Renderer(SLACK_MRKDWN))
        self.clients = WorkspaceClients(client, bot_token)
        self._cards = SlotCards(self._replies)  # the pinned timer card of the DM
        self._home = home  # refreshed after a card changed: it shows the timer too

    async def send(self, identity: ChatIdentity, reply: Reply) -> None:
        try:
            client = await self.clients(identity.workspace)
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

    async def deliver(
        self, workspace: str, chat_id: str, payload: Sequence[Mapping[str, Any]], start: int
    ) -> None:
        """The stored operations of a request's replies, from ``start`` on (a modal's
        question is posted: its trigger has expired)."""
        try:
            client = await self.clients(workspace)
        except DeliveryError as error:
            raise DeliveryError(error.reason, permanent=error.permanent, done=start) from error
        await self._replies.carry_out(client, payload, start)


def _delivery_error(error: SlackApiError) -> DeliveryError:
    # A proxy's page (http_502) or an unknown answer is temporary: the dispatcher retries.
    return delivery_error(error, permanent=PERMANENT_ERRORS)
