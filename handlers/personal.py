"""Personal lists typed in a group are answered in the member's private chat.

"/tasks" in a group would otherwise post the member's own list, private titles
included, for everybody to read. A command marked ``personal`` answers in a group
with one short line, and its real answer goes to the member through the outbox
(kind ``private.answer``): rendered at send time in their private chat, like every
notification (``handlers.notifications``). Only commands that merely read are marked:
the answer is produced later, by the outbox dispatcher, and must change nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from domain.notifications import Notification
from handlers.turn import Turn
from handlers.types import Inbound, Reply

PRIVATE_ANSWER = "private.answer"

Command = Callable[[Turn], Awaitable[list[Reply]]]
# The command handlers whose answer may be sent privately, by key (kept in the outbox row).
_ANSWERS: dict[str, Command] = {}


def always(turn: Turn) -> bool:
    return True


def with_args(turn: Turn) -> bool:
    """Without arguments such a command asks a question, which belongs where it was asked."""
    return bool(turn.inbound.args.strip())


def without_args(turn: Turn) -> bool:
    return not turn.inbound.args.strip()


def personal(key: str, handler: Command, when: Callable[[Turn], bool] = always) -> Command:
    """``handler`` answering privately when typed in a group (and ``when`` holds)."""
    _ANSWERS[key] = handler

    async def command(turn: Turn) -> list[Reply]:
        if turn.inbound.chat_type != "group" or not when(turn):
            return await handler(turn)
        return [await _elsewhere(turn, key)]

    command.__name__ = getattr(handler, "__name__", key)
    command.__doc__ = handler.__doc__
    return command


async def _elsewhere(turn: Turn, key: str) -> Reply:
    inbound, me = turn.inbound, turn.me
    found = await turn.uow.members.by_identity(inbound.platform, inbound.workspace, inbound.user_id)
    chat = found[1].chat_id if found is not None else None
    if not chat or chat == inbound.chat_id:
        # The bot has never talked to them privately: it could not write there first.
        return turn.reply("personal_elsewhere", private=False, name=me.name)
    assert me.id is not None
    await turn.uow.outbox.add(
        Notification(
            member_id=me.id,
            kind=PRIVATE_ANSWER,
            data={"answer": key, "command": inbound.command or "", "args": inbound.args},
            dedup_key=f"{PRIVATE_ANSWER}:{me.id}:{inbound.update_key or secrets.token_hex(8)}",
        )
    )
    return turn.reply("personal_elsewhere", private=True, name=me.name)


async def private_answer(turn: Turn, data: dict[str, Any], now: datetime) -> Reply | None:
    """The outbox row rendered: the command's answer, as if typed in the private chat."""
    handler = _ANSWERS.get(str(data.get("answer")))
    if handler is None:
        return None
    inbound = Inbound(
        platform="outbox",
        workspace="",
        user_id="",
        chat_id="",
        command=str(data.get("command") or ""),
        args=str(data.get("args") or ""),
    )
    replies = await handler(replace(turn, inbound=inbound, now=now))
    if not replies:
        return None
    return replace(replies[0], edit=False, to_member=turn.me.id)
