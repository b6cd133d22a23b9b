"""Helpers of the board's tests: tasks made through the services, /board links asked
for through the conversation (as a member would), Telegram initData signed like Telegram."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import datetime, timedelta
from urllib.parse import urlencode

from brygada.bootstrap import App
from domain.company import Member
from domain.services import tasks as task_service
from domain.tasks import Task
from handlers.rendering import PLAIN, Renderer
from handlers.types import Inbound

PUBLIC_URL = "http://127.0.0.1:8080"
BOT_TOKEN = "123456:TEST"
_LINK = re.compile(r"(https?://\S+/app/login\?t=\S+)")


async def add_task(
    app: App,
    creator: Member,
    title: str,
    responsible: Member | None = None,
    *,
    deadline: datetime | None = None,
    tags: tuple[str, ...] = (),
) -> Task:
    async with app.uow() as uow:
        task = await task_service.create_task(
            uow,
            creator,
            task_service.CreateTask(
                title=title,
                responsible_id=(responsible or creator).id,
                deadline=deadline,
                tags=tags,
            ),
            app.clock.now(),
        )
        await uow.commit()
    return task


async def board_link(app: App, handle: str, workspace: str = "local") -> str:
    """What ``/board`` answers ``handle`` in the console: the sign-in link."""
    inbound = Inbound(
        platform="console", workspace=workspace, user_id=handle, chat_id=handle, command="board"
    )
    [reply] = await app.conversation.handle(inbound)
    text = Renderer(PLAIN).render(reply).text
    found = _LINK.search(text)
    assert found, text
    return found.group(1).rstrip(")")


def path_of(link: str) -> str:
    return link.split("8080", 1)[1] if "8080" in link else link


def init_data(user_id: int, auth_date: datetime, token: str = BOT_TOKEN, **extra: str) -> str:
    """initData as Telegram signs it: HMAC-SHA256 with key HMAC("WebAppData", bot token)."""
    fields = {
        "auth_date": str(int(auth_date.timestamp())),
        "query_id": "AAF-test",
        "user": json.dumps({"id": user_id, "first_name": "T"}, separators=(",", ":")),
        **extra,
    }
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields)


def later(moment: datetime, **delta: float) -> datetime:
    return moment + timedelta(**delta)
