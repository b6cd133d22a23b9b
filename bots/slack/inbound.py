"""Slack payloads -> ``handlers.Inbound``. Pure functions, no I/O.

Slack escapes ``&``, ``<`` and ``>`` in message and command text; they are turned
back into the characters the user typed, so the renderer escapes them exactly once
on the way out. Mentions (``<@U123>``) are kept as Slack wrote them.
"""

from __future__ import annotations

from typing import Any

from handlers.types import Inbound

PLATFORM = "slack"

# Slash command -> conversation command. /timer belongs to time tracking.
COMMANDS: dict[str, str] = {
    "/task": "task",
    "/tasks": "tasks",
    "/today": "today",
    "/timer": "timer",
    "/search": "search",
    "/join": "join",
    "/lead": "lead",
    "/leads": "leads",
    "/deals": "deals",
    "/client": "client",
    "/funnel": "funnel",
    "/request": "request",
    "/approvals": "approvals",
    "/deputy": "deputy",
    "/show": "show",
    "/overdue": "overdue",
    "/backlog": "backlog",
    "/awaiting": "awaiting",
    "/help": "help",
    "/plan": "plan",
    "/report": "report",
    "/day": "day",
    "/timesheet": "timesheet",
    "/attendance": "attendance",
    "/repeat": "repeat",
    "/notifications": "notifications",
    "/project": "project",
    "/department": "department",
    "/member": "member",
    "/audit": "audit",
    "/rename": "rename",
}

Payload = dict[str, Any]


def unescape(text: str | None) -> str:
    """Slack's three entities back to characters (``&amp;`` last)."""
    if not text:
        return ""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def team_of(body: Payload) -> str:
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        return str(user["team_id"])
    return str(body.get("team_id") or "")


def from_command(
    body: Payload, dm_channel: str, *, user_name: str | None = None, locale: str | None = None
) -> Inbound:
    command = str(body.get("command") or "")
    return Inbound(
        platform=PLATFORM,
        workspace=str(body.get("team_id") or ""),
        user_id=str(body["user_id"]),
        chat_id=dm_channel,
        user_name=user_name or str(body.get("user_name") or ""),
        username=body.get("user_name"),
        locale=locale,
        command=COMMANDS.get(command, command.lstrip("/")),
        args=unescape(body.get("text")).strip(),
        update_key=body.get("trigger_id"),
    )


def from_interaction(body: Payload, chat_id: str, **what: Any) -> Inbound:
    """What a user did in an interactive payload (a button, a modal): its ``user`` and
    team, plus ``what`` (command/args, action, update key...)."""
    user = body.get("user") or {}
    return Inbound(
        platform=PLATFORM,
        workspace=team_of(body),
        user_id=str(user.get("id") or ""),
        chat_id=chat_id,
        user_name=str(user.get("name") or user.get("username") or ""),
        username=user.get("username"),
        **what,
    )


def from_action(body: Payload, action: Payload, chat_id: str, message_ts: str | None) -> Inbound:
    return from_interaction(
        body,
        chat_id,
        action=str(action.get("value") or ""),
        message_ref=message_ts,
        update_key=f"{body.get('trigger_id')}:{action.get('action_ts', '')}",
    )


def from_direct_message(body: Payload, event: Payload) -> Inbound:
    return Inbound(
        platform=PLATFORM,
        workspace=str(body.get("team_id") or event.get("team") or ""),
        user_id=str(event["user"]),
        chat_id=str(event["channel"]),
        text=unescape(event.get("text")),
        message_ref=event.get("ts"),
        update_key=body.get("event_id") or event.get("client_msg_id") or event.get("ts"),
    )


def from_new_task_submission(
    body: Payload, text: str, dm_channel: str, permalink: str | None
) -> Inbound:
    """The "Create task from message" modal, submitted: ``/task <edited text>`` with the
    message's permalink as the task's origin."""
    view = body.get("view") or {}
    return from_interaction(
        body,
        dm_channel,
        command="task",
        args=text,
        origin=permalink,
        update_key=f"view:{view.get('id')}:{view.get('hash')}",
    )


def home_request(workspace: str, user_id: str, command: str) -> Inbound:
    """A read-only list command for the App Home tab. No update key: nothing to dedupe."""
    return Inbound(
        platform=PLATFORM,
        workspace=workspace,
        user_id=user_id,
        chat_id="",
        command=command,
    )


def from_view_submission(
    body: Payload, text: str, channel: str, message_ref: str | None = None
) -> Inbound:
    """A question's modal, submitted: the text answers the pending question, as if typed;
    ``message_ref`` is the card whose button asked it."""
    user = body.get("user") or {}
    view = body.get("view") or {}
    return Inbound(
        platform=PLATFORM,
        workspace=team_of(body),
        user_id=str(user.get("id") or ""),
        chat_id=channel,
        user_name=str(user.get("name") or ""),
        text=text,
        message_ref=message_ref,
        update_key=f"view:{view.get('id')}:{view.get('hash')}",
    )


def is_direct_message(event: Payload) -> bool:
    """A person's own new message in a DM with the app (no edits, joins, bots)."""
    return (
        event.get("channel_type") == "im"
        and not event.get("subtype")
        and not event.get("bot_id")
        and bool(event.get("user"))
        and bool(event.get("channel"))
    )
