"""Personal answers typed in a group are given in the member's private chat.

"/tasks" in a group would otherwise post the member's own list, private titles
included, for everybody to read. A command marked ``personal`` answers in a group
with one short line, and its real answer goes to the member through the outbox
(kind ``private.answer``): rendered at send time in their private chat, like every
notification (``handlers.notifications``), every message of it (a report with its
chart and files is several). The answer is produced later, by the outbox dispatcher,
so it must change nothing: only commands (or forms of a command) that merely read are
marked ``personal``. A form that changes something (/day start, /plan fix, /mute
overdue) is wrapped with ``changes_privately``: the change is made in the group's turn,
and the member is shown the read-only view of what changed (/day, /plan,
/notifications) privately.

Without a private chat to write to (never opened, or the bot is blocked there) the
group is told how to open one, and nothing is done; when the bot finds out only on
sending (blocked since), the group is told then (kind ``private.unreachable``).
"""

from __future__ import annotations

import inspect
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from domain.notifications import Notification
from handlers.turn import Turn
from handlers.types import Inbound, Reply

PRIVATE_ANSWER = "private.answer"
# The group is told the private answer could not be delivered, and how to open the chat.
PRIVATE_UNREACHABLE = "private.unreachable"
# In a private answer's data: how many of its messages went out already (a retry skips them).
SKIP = "skip"

Command = Callable[[Turn], Awaitable[list[Reply]]]
# Whether a command, as typed, is answered privately (may look at the database).
When = Callable[[Turn], bool | Awaitable[bool]]
# The command handlers whose answer may be sent privately, by key (kept in the outbox row).
_ANSWERS: dict[str, Command] = {}


def always(turn: Turn) -> bool:
    return True


def with_args(turn: Turn) -> bool:
    """Without arguments such a command asks a question, which belongs where it was asked."""
    return bool(turn.inbound.args.strip())


def without_args(turn: Turn) -> bool:
    return not turn.inbound.args.strip()


def first_word_is(*words: str) -> When:
    """The command's first argument is one of ``words`` (/plan fix, /report submit ...)."""
    wanted = frozenset(words)

    def check(turn: Turn) -> bool:
        return turn.inbound.args.strip().partition(" ")[0].lower() in wanted

    return check


def unless(when: When) -> When:
    async def check(turn: Turn) -> bool:
        return not await _holds(when, turn)

    return check


async def _holds(when: When, turn: Turn) -> bool:
    result = when(turn)
    return await result if inspect.isawaitable(result) else bool(result)


def personal(key: str, handler: Command, when: When = always) -> Command:
    """``handler`` answering privately when typed in a group (and ``when`` holds). It
    only reads: it runs again, later, to render the answer in the private chat."""
    _ANSWERS[key] = handler

    async def command(turn: Turn) -> list[Reply]:
        if turn.inbound.chat_type != "group" or not await _holds(when, turn):
            return await handler(turn)
        return await _elsewhere(turn, key, turn.inbound.args)

    command.__name__ = getattr(handler, "__name__", key)
    command.__doc__ = handler.__doc__
    return command


def changes_privately(shows: str, handler: Command, when: When = always) -> Command:
    """``handler`` changes something (when ``when`` holds): typed in a group, the change
    is made here, and the member gets the ``shows`` view (a ``personal`` key, without
    arguments) in the private chat. A question it asks stays where it was asked."""

    async def command(turn: Turn) -> list[Reply]:
        if turn.inbound.chat_type != "group" or not await _holds(when, turn):
            return await handler(turn)
        return await _elsewhere(turn, shows, "", change=handler)

    command.__name__ = getattr(handler, "__name__", shows)
    command.__doc__ = handler.__doc__
    return command


async def _elsewhere(turn: Turn, key: str, args: str, change: Command | None = None) -> list[Reply]:
    inbound, me = turn.inbound, turn.me
    found = await turn.uow.members.by_identity(inbound.platform, inbound.workspace, inbound.user_id)
    identity = found[1] if found is not None else None
    chat = identity.chat_id if identity is not None else None
    if not chat or chat == inbound.chat_id or (identity is not None and identity.unreachable):
        # The bot has never talked to them privately (or they blocked it): it could not
        # write there first. Nothing is done; they are told how to open the chat.
        return [turn.reply("personal_elsewhere", private=False, name=me.name)]
    if change is not None:
        made = await change(turn)
        if any(r.ask for r in made):
            return made  # not a change but a question: it is answered where it was asked
    await turn.uow.outbox.add(
        Notification(
            member_id=me.id,
            kind=PRIVATE_ANSWER,
            data={
                "answer": key,
                "command": key if change is not None else inbound.command or "",
                "args": args,
                "group": {"platform": inbound.platform, "chat_id": inbound.chat_id},
            },
            dedup_key=f"{PRIVATE_ANSWER}:{me.id}:{inbound.update_key or secrets.token_hex(8)}",
        )
    )
    return [turn.reply("personal_elsewhere", private=True, name=me.name)]


async def private_answer(turn: Turn, data: dict[str, Any], now: datetime) -> list[Reply]:
    """The outbox row rendered: the command's answer, as if typed in the private chat;
    every message of it but the ``SKIP`` first ones (sent by an earlier try)."""
    handler = _ANSWERS.get(str(data.get("answer")))
    if handler is None:
        return []
    replies = await handler(answering(turn, data, now))
    skip = int(data.get(SKIP) or 0)
    return [replace(r, edit=False, to_member=turn.me.id) for r in replies[skip:]]


def answering(turn: Turn, data: dict[str, Any], now: datetime) -> Turn:
    """The turn a private answer is rendered in: the command as it was typed."""
    inbound = Inbound(
        platform="outbox",
        workspace="",
        user_id="",
        chat_id="",
        command=str(data.get("command") or ""),
        args=str(data.get("args") or ""),
    )
    return replace(turn, inbound=inbound, now=now)


def unreachable_notice(turn: Turn) -> Reply:
    """For the group a personal answer was asked in: the private chat could not be
    written to; how to open it."""
    return turn.reply("personal_elsewhere", private=False, name=turn.me.name)
