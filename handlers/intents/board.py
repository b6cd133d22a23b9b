"""/board: the manager's board (``bots.web``) opened from the chat.

Telegram gets a [🗂 Board] Mini App button (Telegram signs who opens it); every platform
gets a one-time link, valid for minutes, that signs the member in once in any browser.
The command only reads (a link is spent when used, ``handlers.board.use_link``), so in a
group its answer goes to the member's private chat: a link there would sign in whoever
clicks it first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.board import link_token
from handlers.personal import personal
from handlers.questions import PromptHandler
from handlers.turn import Turn
from handlers.types import Button, Reply


async def board_command(turn: Turn) -> list[Reply]:
    base = turn.config.board_url
    if base is None:
        return [turn.reply("board_off")]
    ttl = turn.config.board_link_ttl
    token = link_token(turn.signer, turn.me.id, turn.now, ttl)
    address = f"{base}/login?t={token}"
    if turn.inbound.platform == "telegram":
        # Telegram opens Mini Apps from https addresses only.
        button = (
            Button("btn.board", "", url=f"{base}/tg", web_app=True)
            if base.startswith("https://")
            else None
        )
    else:
        button = Button("btn.board", "", url=address)
    return [
        turn.reply(
            "board_link",
            ((button,),) if button is not None else (),
            address=address,
            minutes=int(ttl.total_seconds() // 60),
            mini_app=button is not None and button.web_app,
        )
    ]


COMMANDS = {"board": personal("board", board_command)}
ACTIONS: dict[str, Callable[[Turn, list[str]], Awaitable[list[Reply]]]] = {}
PROMPTS: dict[str, PromptHandler] = {}
