"""What Slack says about a user's email: ``users.info`` (needs the ``users:read.email`` scope).

Asked only for someone the app does not know yet (``Conversation.handle(email=...)``);
whether the address may link them to a member is the domain's decision.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.errors import error_code
from domain.company import ChatEmail

log = logging.getLogger(__name__)


def email_of(user: dict[str, Any]) -> ChatEmail | None:
    """``user.profile.email`` and ``user.is_email_confirmed`` of a users.info answer."""
    if user.get("deleted") or user.get("is_bot"):
        return None
    address = (user.get("profile") or {}).get("email")
    if not isinstance(address, str) or not address.strip():
        return None
    return ChatEmail(address=address, confirmed=user.get("is_email_confirmed") is True)


def verified_email(
    client: AsyncWebClient, user_id: str
) -> Callable[[], Awaitable[ChatEmail | None]]:
    async def lookup() -> ChatEmail | None:
        try:
            response = await client.users_info(user=user_id)
        except SlackApiError as error:
            log.info("users.info %s: %s", user_id, error_code(error))
            return None
        except (TimeoutError, aiohttp.ClientError) as error:
            log.info("users.info %s: %r", user_id, error)
            return None
        user = response.get("user")
        return email_of(user) if isinstance(user, dict) else None

    return lookup
