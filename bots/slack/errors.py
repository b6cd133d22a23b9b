"""What a ``SlackApiError`` says, whatever shape the answer had.

slack-sdk puts different things in ``SlackApiError.response``:

* Slack's own JSON answer: an ``AsyncSlackResponse`` whose ``data`` is a dict with
  ``"error"`` (``channel_not_found``, ``ratelimited``, ...);
* a proxy's or load balancer's page in front of Slack (nginx "502 Bad Gateway" as
  text/html): ``data`` is ``{}``; as text/plain (aiohttp's "405: Method Not Allowed")
  ``data`` is that *string*, and ``response.get(...)`` raises ``AttributeError``;
* a body labelled JSON that does not parse: the raw ``aiohttp.ClientResponse``, which
  has ``status`` instead of ``status_code`` and no ``get`` at all.

Every ``except SlackApiError`` reads the error through these functions, so a broken
answer becomes an error code (``http_502``) instead of a second exception that loses
the user's turn.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from slack_sdk.errors import SlackApiError

from handlers.delivery import DeliveryError

# A stored reply can never reach this chat: the outbox gives it up.
CHAT_GONE = frozenset(
    {
        "channel_not_found",
        "account_inactive",
        "not_in_channel",
        "is_archived",
        "user_not_found",
        "user_disabled",
        "cannot_dm_bot",
    }
)
# Slack refuses the operation itself (it would refuse it every time): skipped, logged.
MALFORMED = frozenset(
    {
        "invalid_arguments",
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "no_text",
        "too_many_attachments",
        "invalid_attachments",
    }
)


def http_status(error: SlackApiError) -> int | None:
    """The HTTP status of the answer, None when unknown."""
    response: Any = error.response
    for attribute in ("status_code", "status"):
        value = getattr(response, attribute, None)
        if isinstance(value, int):
            return value
    return None


def error_code(error: SlackApiError) -> str:
    """Slack's ``error`` field; ``http_<status>`` for an answer that is not Slack's JSON."""
    data: Any = getattr(error.response, "data", None)
    if isinstance(data, Mapping):
        code = data.get("error")
        if isinstance(code, str) and code:
            return code
    status = http_status(error)
    if status is not None and status != 200:
        return f"http_{status}"
    return "unknown"


def retry_after(error: SlackApiError) -> float | None:
    """Seconds from a ``Retry-After`` header, None when there is none (or it is unreadable)."""
    headers: Any = getattr(error.response, "headers", None)
    if not isinstance(headers, Mapping):
        return None
    value = headers.get("Retry-After") or headers.get("retry-after")
    if isinstance(value, list):  # slack-sdk keeps header values as lists
        value = value[0] if value else None
    try:
        seconds = float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
    return seconds if seconds is not None and seconds >= 0 else None


def delivery_error(
    error: SlackApiError, *, permanent: Collection[str], done: int = 0
) -> DeliveryError:
    """A failed call as a DeliveryError: 429 with Slack's ``Retry-After``, an error code
    in ``permanent`` ends the retries, anything else (a proxy's page, 5xx) is temporary."""
    code = error_code(error)
    if code == "ratelimited" or http_status(error) == 429:
        wait = retry_after(error)
        return DeliveryError("ratelimited", retry_after=1.0 if wait is None else wait, done=done)
    return DeliveryError(code, permanent=code in permanent, done=done)
