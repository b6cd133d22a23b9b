"""Helpers for scheduler tests: a recording notifier and a simulated clock loop."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from brygada.bootstrap import App
from domain.company import ChatIdentity
from handlers.types import Reply
from tests.conftest import FakeClock


@dataclass(frozen=True)
class Sent:
    handle: str
    kind: str
    at: datetime
    reply: Reply

    def local(self, tz: str) -> datetime:
        return self.at.astimezone(ZoneInfo(tz))


class Recorder:
    """A notifier that records what each member received, and when."""

    platform = "console"

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.sent: list[Sent] = []

    async def send(self, identity: ChatIdentity, reply: Reply) -> None:
        kind = str(reply.context.get("kind") or reply.template)
        self.sent.append(Sent(identity.user_id, kind, self.clock.now(), reply))

    def of(self, handle: str, kind: str) -> list[Sent]:
        return [s for s in self.sent if s.handle == handle and s.kind == kind]

    def local_dates(self, handle: str, kind: str, tz: str) -> list[date]:
        return [s.local(tz).date() for s in self.of(handle, kind)]

    def duplicates(self) -> list[tuple[str, str, str]]:
        counts = Counter(
            (s.handle, s.kind, s.reply.context.get("day") or s.at.isoformat()) for s in self.sent
        )
        return [key for key, n in counts.items() if n > 1]


async def run_until(
    app: App,
    clock: FakeClock,
    recorder: Recorder,
    until: datetime,
    step: timedelta = timedelta(minutes=15),
) -> None:
    """Advance the clock step by step; sweep and deliver after each step."""
    sweeper = app.sweeper()
    dispatcher = app.dispatcher({"console": recorder})
    while clock.now() < until:
        clock.set(min(clock.now() + step, until))
        await sweeper.run_once()
        while await dispatcher.run_once():
            pass
