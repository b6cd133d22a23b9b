"""The console chat: the same conversation in a terminal, buttons as numbered choices.

It is the third adapter and proves the core is shared: it only turns lines into
Inbound objects and Replies into text. ``/as NAME`` switches the local persona,
so one person can play director and employee in the demo.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, TextIO

from domain.company import ChatIdentity, Member
from domain.ports import UnitOfWork
from handlers.conversation import Conversation
from handlers.delivery import Notifier
from handlers.rendering import PLAIN, Rendered, Renderer
from handlers.turn import pick_language
from handlers.types import Inbound, Reply

PLATFORM, WORKSPACE = "console", "local"


def parse_line(line: str) -> tuple[str | None, str, str | None]:
    """A typed line -> (command, args, text)."""
    line = line.strip()
    if line.startswith("/") and len(line) > 1:
        head, _, args = line[1:].partition(" ")
        return head.split("@", 1)[0].lower(), args.strip(), None
    return None, "", line


@dataclass
class ConsoleScreen:
    """What the console shows, and the buttons of the last message with buttons.

    A bare number presses a button of the latest message with buttons, and only while
    that message is current: a later message without buttons (a question, a list, a
    notice) makes its numbers stale, so "3" never acts on an earlier card unseen.
    Charts and files a reply carries are saved under ``files`` and their paths printed.
    """

    out: TextIO = field(default_factory=lambda: sys.stdout)
    buttons: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    renderer: Renderer = field(default_factory=lambda: Renderer(PLAIN))
    files: Path = field(default_factory=lambda: Path("data") / "files")
    # The numbered buttons belong to the latest message; the latest message is a question.
    current: bool = False
    asking: bool = False

    def show(self, reply: Reply, *, prefix: str = "", own: bool = True) -> None:
        """``own``: the message is for the persona at the keyboard (their buttons)."""
        rendered: Rendered = self.renderer.render(reply)
        text = rendered.text
        if prefix:
            text = f"{prefix}\n{text}"
        self.out.write(f"\n{text}\n")
        rows = [row for row in rendered.buttons if row]
        if rendered.cancel is not None:
            rows.append([rendered.cancel])
        if rows and own:
            self.buttons, self.labels = [], []
            for row in rows:
                cells = []
                for button in row:
                    self.buttons.append(button.data)
                    self.labels.append(button.label)
                    cells.append(f"[{len(self.buttons)}] {button.label}")
                self.out.write("   " + "   ".join(cells) + "\n")
            self.current = True
        elif own and not reply.alert:
            # A toast leaves the card as it was; any other message is the latest now.
            self.current = False
        if own:
            self.asking = reply.ask
        if reply.ask:
            self.out.write("   " + self._note(reply.lang, "asks") + "\n")
        for path in self._save(reply):
            self.out.write(self._note(reply.lang, "saved", path=str(path)) + "\n")
        self.out.flush()

    def press(self, line: str) -> str | Literal[False] | None:
        """A typed bare number: the token of the button it presses, None when it is an
        answer to the open question (not a press), False when it presses nothing."""
        number = int(line)
        if self.current and 0 < number <= len(self.buttons):
            return self.buttons[number - 1]
        return None if self.asking else False

    def explain(self, line: str, lang: str) -> None:
        """Why a typed number pressed nothing, instead of making it a task titled "3"."""
        number = int(line)
        stale = self.labels[number - 1] if 0 < number <= len(self.labels) else None
        self.out.write("\n" + self._note(lang, "number", number=number, stale=stale) + "\n")
        self.out.flush()

    def _note(self, lang: str, what: str, **context: object) -> str:
        return self.renderer.text("console_note", lang, {"what": what, **context})

    def _save(self, reply: Reply) -> list[Path]:
        saved = []
        for name, data in (
            ("chart.png", reply.image),
            *([reply.file] if reply.file is not None else []),
        ):
            if data is None:
                continue
            self.files.mkdir(parents=True, exist_ok=True)
            path = _unique(self.files / Path(name).name)
            path.write_bytes(data)
            saved.append(path)
        return saved


def _unique(path: Path) -> Path:
    """``path``, or ``name-2.ext``, ``name-3.ext``… when it is taken: nothing is overwritten."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


class ConsoleNotifier:
    """Delivers notifications to console personas by printing them."""

    platform = PLATFORM

    def __init__(self, screen: ConsoleScreen, current: Callable[[], str]) -> None:
        self._screen = screen
        self._current = current

    async def send(self, identity: ChatIdentity, reply: Reply) -> None:
        if reply.slot is not None:
            return  # a status card lives pinned in a chat; the console has /timer instead
        mine = identity.user_id == self._current()
        prefix = f"🔔 (to @{identity.user_id})" if not mine else "🔔"
        if mine:
            self._screen.show(reply, prefix=prefix)
        else:
            self._screen.show(replace(reply, buttons=(), cancel=None), prefix=prefix, own=False)


class ConsoleChat:
    def __init__(
        self,
        conversation: Conversation,
        uow: Callable[[], UnitOfWork],
        persona: Member,
        screen: ConsoleScreen | None = None,
    ) -> None:
        self._conversation = conversation
        self._uow = uow
        self.persona = persona
        self.screen = screen or ConsoleScreen()
        self._ids = itertools.count(1)

    def notifier(self) -> Notifier:
        return ConsoleNotifier(self.screen, lambda: self.persona.handle)

    def inbound_for(self, line: str) -> Inbound | None:
        """The Inbound a typed line is; None for a bare number that presses nothing."""
        line = line.strip()
        if line.isdigit():
            token = self.screen.press(line)
            if token is False:
                return None
            if token is not None:
                return self._inbound(action=token)
        command, args, text = parse_line(line)
        return self._inbound(command=command, args=args, text=text)

    def _inbound(self, **what: str | None) -> Inbound:
        return Inbound(
            platform=PLATFORM,
            workspace=WORKSPACE,
            user_id=self.persona.handle,
            chat_id=self.persona.handle,
            user_name=self.persona.name,
            username=self.persona.handle,
            update_key=f"{self.persona.handle}:{next(self._ids)}:{id(self)}",
            **{k: v for k, v in what.items() if v is not None},  # type: ignore[arg-type]
        )

    async def say(self, line: str) -> list[Reply]:
        """Handle one typed line and show the answer."""
        if line.strip().startswith("/as "):
            await self.switch(line.strip()[4:])
            return []
        inbound = self.inbound_for(line)
        if inbound is None:
            self.screen.explain(line.strip(), pick_language(self.persona, None, None))
            return []
        replies = await self._conversation.handle(inbound)
        for reply in replies:
            self.screen.show(reply)
        return replies

    async def switch(self, who: str) -> None:
        member = await ensure_console_identity(self._uow, who, self.persona.company_id)
        if member is None:
            self.screen.out.write(f"\nNo member called {who!r}.\n")
            return
        self.persona = member
        self.screen.buttons, self.screen.labels = [], []
        self.screen.current = self.screen.asking = False
        self.screen.out.write(f"\n— you are now {member.name} (@{member.handle}) —\n")

    async def run(self, lines: TextIO | None = None) -> None:
        source = lines or sys.stdin
        loop = asyncio.get_running_loop()
        while True:
            self.screen.out.write(f"\n{self.persona.name}> ")
            self.screen.out.flush()
            line = await loop.run_in_executor(None, source.readline)
            if not line or line.strip() in {"/quit", "/exit"}:
                return
            if line.strip():
                await self.say(line)


async def ensure_console_identity(
    uow_factory: Callable[[], UnitOfWork], who: str, company_id: int | None = None
) -> Member | None:
    """Find a member by @handle or name and give them a console identity (the terminal's
    owner runs the install, so they may speak as any member locally)."""
    who = who.strip().lstrip("@")
    async with uow_factory() as uow:
        found = None
        company = await uow.companies.get(company_id) if company_id else await uow.companies.first()
        if company is None:
            return None
        for member in await uow.members.list(company.id):
            if who.lower() in {member.handle.lower(), member.name.lower()}:
                found = member
                break
        if found is None:
            return None
        if await uow.members.by_identity(PLATFORM, WORKSPACE, found.handle) is None:
            await uow.members.add_identity(
                ChatIdentity(PLATFORM, WORKSPACE, found.handle, found.id, chat_id=found.handle)
            )
            await uow.commit()
        return found
