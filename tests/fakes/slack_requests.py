"""Signed inbound Slack requests for driving a Bolt app in tests.

Slack calls the app (``/slack/events``) with:

* slash commands — ``application/x-www-form-urlencoded`` fields;
* interactivity (``block_actions``, ``view_submission``, ``message_action``) —
  ``application/x-www-form-urlencoded`` with a single ``payload`` field holding JSON;
* the Events API (``event_callback``, ``url_verification``) — ``application/json``.

Every request carries ``X-Slack-Request-Timestamp`` and ``X-Slack-Signature``
(``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{body}`` keyed with the signing secret).

Builders return ``(body, content_type)``; :func:`signed_headers` adds the signature::

    body, content_type = slash_command("/task", "add Buy milk", user_id="U1")
    await client.post("/slack/events", data=body,
                      headers=signed_headers(body, content_type, SIGNING_SECRET))
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

__all__ = [
    "FORM",
    "JSON_CONTENT",
    "app_home_opened_event",
    "block_action",
    "event",
    "message_action",
    "message_event",
    "sign",
    "signed_headers",
    "slash_command",
    "url_verification",
    "view_submission",
]

FORM = "application/x-www-form-urlencoded"
JSON_CONTENT = "application/json"

DEFAULT_TEAM_ID = "T0001"
DEFAULT_TEAM_DOMAIN = "test"
DEFAULT_APP_ID = "A0001"
DEFAULT_BOT_USER_ID = "UBOT"
DEFAULT_BOT_ID = "B0001"
VERIFICATION_TOKEN = "legacy-verification-token"

_counter = itertools.count(1)


def _unique() -> int:
    return next(_counter)


def _trigger_id() -> str:
    n = _unique()
    return f"{int(time.time())}.{n}.{hashlib.sha1(str(n).encode()).hexdigest()[:32]}"


def _response_url(team_id: str) -> str:
    return f"https://hooks.slack.com/actions/{team_id}/{_unique()}/fakeResponseUrlSecret"


def _action_ts() -> str:
    return f"{time.time():.6f}"


def _interactive(payload: dict[str, Any]) -> tuple[bytes, str]:
    body = urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode()
    return body, FORM


def sign(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """``X-Slack-Request-Timestamp`` and ``X-Slack-Signature`` (v0) headers for ``body``."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    base = f"v0:{ts}:".encode() + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def signed_headers(
    body: bytes, content_type: str, secret: str, timestamp: int | None = None
) -> dict[str, str]:
    """:func:`sign` headers plus ``Content-Type`` — everything a request needs."""
    return {"Content-Type": content_type, **sign(body, secret, timestamp)}


def slash_command(
    command: str,
    text: str,
    *,
    user_id: str,
    team_id: str = DEFAULT_TEAM_ID,
    channel_id: str = "C0001",
    channel_name: str = "general",
    user_name: str | None = None,
    trigger_id: str | None = None,
    response_url: str | None = None,
) -> tuple[bytes, str]:
    """A slash command invocation (form-encoded, as Slack sends it)."""
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": DEFAULT_TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name or user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": DEFAULT_APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url
        or f"https://hooks.slack.com/commands/{team_id}/{_unique()}/fakeResponseUrlSecret",
        "trigger_id": trigger_id or _trigger_id(),
    }
    return urlencode(fields).encode(), FORM


def _user(user_id: str, team_id: str) -> dict[str, Any]:
    return {
        "id": user_id,
        "username": user_id.lower(),
        "name": user_id.lower(),
        "team_id": team_id,
    }


def block_action(
    action_id: str,
    value: str | None,
    *,
    user_id: str,
    channel_id: str,
    message_ts: str,
    team_id: str = DEFAULT_TEAM_ID,
    trigger_id: str | None = None,
    block_id: str = "actions",
    message: dict[str, Any] | None = None,
    action: dict[str, Any] | None = None,
    response_url: str | None = None,
) -> tuple[bytes, str]:
    """A ``block_actions`` payload for a button click on a bot message.

    ``message`` is the message the button is on (e.g. ``FakeSlackAPI.messages[(c, ts)]``);
    a minimal bot message is used otherwise.  ``action`` overrides the default button
    action (use it for selects: ``{"type": "static_select", "selected_option": ...}``).
    """
    the_action: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "block_id": block_id,
        "text": {"type": "plain_text", "text": action_id, "emoji": True},
        "action_ts": _action_ts(),
    }
    if value is not None:
        the_action["value"] = value
    if action:
        the_action.update(action)
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": DEFAULT_APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        },
        "trigger_id": trigger_id or _trigger_id(),
        "team": {"id": team_id, "domain": DEFAULT_TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": channel_id.lower()},
        "message": message
        or {
            "type": "message",
            "user": DEFAULT_BOT_USER_ID,
            "bot_id": DEFAULT_BOT_ID,
            "ts": message_ts,
            "text": "",
            "team": team_id,
            "blocks": [],
        },
        "state": {"values": {}},
        "response_url": response_url or _response_url(team_id),
        "actions": [the_action],
    }
    return _interactive(payload)


def _state_values(values: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Expand ``{block_id: {action_id: "text"}}`` shorthands into Slack's state shape."""
    state: dict[str, dict[str, Any]] = {}
    for block_id, actions in values.items():
        state[block_id] = {}
        for action_id, value in actions.items():
            if isinstance(value, dict):
                state[block_id][action_id] = value
            else:
                state[block_id][action_id] = {"type": "plain_text_input", "value": value}
    return state


def view_submission(
    callback_id: str,
    values: dict[str, dict[str, Any]],
    *,
    user_id: str,
    private_metadata: str = "",
    team_id: str = DEFAULT_TEAM_ID,
    view_id: str | None = None,
    blocks: list[dict[str, Any]] | None = None,
    title: str = "Form",
) -> tuple[bytes, str]:
    """A ``view_submission`` payload.

    ``values`` is ``{block_id: {action_id: state}}`` where a state is the full Slack
    dict (``{"type": "static_select", "selected_option": {...}}``) or a plain string
    (shorthand for a ``plain_text_input`` value).
    """
    vid = view_id or f"V{_unique():010d}"
    payload = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": DEFAULT_TEAM_DOMAIN},
        "user": _user(user_id, team_id),
        "api_app_id": DEFAULT_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": _trigger_id(),
        "view": {
            "id": vid,
            "team_id": team_id,
            "type": "modal",
            "blocks": blocks or [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": _state_values(values)},
            "hash": f"{int(time.time())}.fakehash",
            "title": {"type": "plain_text", "text": title, "emoji": True},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
            "previous_view_id": None,
            "root_view_id": vid,
            "app_id": DEFAULT_APP_ID,
            "external_id": "",
            "app_installed_team_id": team_id,
            "bot_id": DEFAULT_BOT_ID,
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _interactive(payload)


def message_action(
    callback_id: str,
    *,
    user_id: str,
    channel_id: str,
    message_text: str,
    message_ts: str,
    message_user: str,
    team_id: str = DEFAULT_TEAM_ID,
    trigger_id: str | None = None,
    response_url: str | None = None,
) -> tuple[bytes, str]:
    """A ``message_action`` (message shortcut) payload on someone's message."""
    payload = {
        "type": "message_action",
        "token": VERIFICATION_TOKEN,
        "action_ts": _action_ts(),
        "team": {"id": team_id, "domain": DEFAULT_TEAM_DOMAIN},
        "user": _user(user_id, team_id),
        "channel": {"id": channel_id, "name": channel_id.lower()},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id or _trigger_id(),
        "response_url": response_url or _response_url(team_id),
        "message_ts": message_ts,
        "message": {
            "type": "message",
            "user": message_user,
            "ts": message_ts,
            "text": message_text,
            "team": team_id,
        },
    }
    return _interactive(payload)


def event(
    event: dict[str, Any],
    *,
    team_id: str = DEFAULT_TEAM_ID,
    event_id: str | None = None,
) -> tuple[bytes, str]:
    """An Events API ``event_callback`` envelope around ``event`` (JSON)."""
    now = int(time.time())
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": DEFAULT_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{_unique():010d}",
        "event_time": now,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": DEFAULT_BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-fake-{_unique()}",
    }
    return json.dumps(envelope).encode(), JSON_CONTENT


def message_event(
    text: str,
    *,
    user: str,
    channel: str,
    ts: str | None = None,
    channel_type: str = "channel",
    thread_ts: str | None = None,
    team_id: str = DEFAULT_TEAM_ID,
) -> dict[str, Any]:
    """A ``message`` event from a user (wrap it with :func:`event`)."""
    stamp = ts or f"{time.time():.6f}"
    payload: dict[str, Any] = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": stamp,
        "team": team_id,
        "channel": channel,
        "event_ts": stamp,
        "channel_type": channel_type,
    }
    if thread_ts:
        payload["thread_ts"] = thread_ts
    return payload


def app_home_opened_event(user: str, *, tab: str = "home") -> dict[str, Any]:
    """An ``app_home_opened`` event (wrap it with :func:`event`)."""
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": f"D{user}",
        "tab": tab,
        "event_ts": f"{time.time():.6f}",
    }


def url_verification(challenge: str) -> tuple[bytes, str]:
    """The Events API ``url_verification`` handshake (JSON)."""
    body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    return json.dumps(body).encode(), JSON_CONTENT
