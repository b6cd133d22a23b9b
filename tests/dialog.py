"""Conversation tests as tables: (who, what they send, what the answer must contain).

The dialog drives the real console adapter over the real conversation, storage and
outbox dispatcher. ``press:LABEL`` presses the button whose label contains LABEL on
the last message that had buttons for that member; every step also delivers the
outbox, so notifications show up in the recipient's transcript.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bots.console.chat import ConsoleChat, ConsoleNotifier, ConsoleScreen
from brygada.bootstrap import App
from domain.company import ChatIdentity
from handlers.types import Reply
from tests.factories import Team


class Dialog:
    def __init__(self, app: App, team: Team, files: Path | None = None) -> None:
        self.app = app
        self.team = team
        # Where the console saves charts and files (never the working directory's data/).
        self.files = files or Path(tempfile.mkdtemp(prefix="brygada-files-"))
        self.chats: dict[str, ConsoleChat] = {}
        self.inbox: dict[str, list[str]] = {}
        self._notifier = _InboxNotifier(self)

    def chat(self, handle: str) -> ConsoleChat:
        if handle not in self.chats:
            screen = ConsoleScreen(out=io.StringIO(), files=self.files)
            self.chats[handle] = ConsoleChat(
                self.app.conversation, self.app.uow, self.team[handle], screen
            )
        return self.chats[handle]

    async def send(self, handle: str, line: str) -> str:
        chat = self.chat(handle)
        out = chat.screen.out
        assert isinstance(out, io.StringIO)
        out.seek(0)
        out.truncate()
        if line.startswith("press:"):
            wanted = line.removeprefix("press:")
            matches = [i for i, label in enumerate(chat.screen.labels) if wanted in label]
            assert matches, f"no button {wanted!r} among {chat.screen.labels}"
            line = str(matches[0] + 1)
        await chat.say(line)
        await self.deliver()
        return out.getvalue()

    async def deliver(self) -> None:
        while await self.app.dispatcher({"console": self._notifier}).run_once():
            pass

    def notices(self, handle: str) -> list[str]:
        return self.inbox.get(handle, [])


class _InboxNotifier:
    """Shows a notification in the recipient's own console, buttons included."""

    platform = "console"

    def __init__(self, dialog: Dialog) -> None:
        self._dialog = dialog

    async def send(self, identity: ChatIdentity, reply: Reply) -> None:
        chat = self._dialog.chat(identity.user_id)
        before = len(chat.screen.out.getvalue())  # type: ignore[attr-defined]
        await ConsoleNotifier(chat.screen, lambda: identity.user_id).send(identity, reply)
        text = chat.screen.out.getvalue()[before:]  # type: ignore[attr-defined]
        self._dialog.inbox.setdefault(identity.user_id, []).append(text)


Step = tuple[str, str, Sequence[str]]


async def verify_dialog(dialog: Dialog, steps: Sequence[Step]) -> None:
    for number, (who, says, expected) in enumerate(steps, 1):
        answer = await dialog.send(who, says)
        for fragment in expected:
            if fragment.startswith("!"):
                assert fragment[1:] not in answer, (
                    f"step {number}: {who} said {says!r}; did not expect {fragment[1:]!r} in:\n"
                    f"{answer}"
                )
            else:
                assert fragment in answer, (
                    f"step {number}: {who} said {says!r}; expected {fragment!r} in:\n{answer}"
                )
