"""SlackNotifier: the outbox dispatcher's way to reach a member on Slack (a DM)."""

from __future__ import annotations

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.outbound import SlackReplies, open_dm
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

    def __init__(self, client: AsyncWebClient, replies: SlackReplies | None = None) -> None:
        self._client = client
        self._replies = replies or SlackReplies(Renderer(SLACK_MRKDWN))

    async def send(self, identity: ChatIdentity, reply: Reply) -> None:
        try:
            channel = await open_dm(self._client, identity.user_id)
            await self._replies.post(self._client, channel, reply)
        except SlackApiError as error:
            raise _delivery_error(error) from error
        except (TimeoutError, aiohttp.ClientError) as error:
            raise DeliveryError(f"network: {error!r}") from error


def _delivery_error(error: SlackApiError) -> DeliveryError:
    code = str(error.response.get("error") or "unknown")
    if code == "ratelimited" or error.response.status_code == 429:
        header = error.response.headers.get("Retry-After") or error.response.headers.get(
            "retry-after"
        )
        if isinstance(header, list):
            header = header[0] if header else None
        try:
            retry_after = float(header) if header is not None else 1.0
        except ValueError:
            retry_after = 1.0
        return DeliveryError("ratelimited", retry_after=retry_after)
    return DeliveryError(code, permanent=code in PERMANENT_ERRORS)
