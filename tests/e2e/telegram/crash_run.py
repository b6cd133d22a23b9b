"""A burst of messages to a real ``brygada run`` process, killed with SIGKILL at random
moments and restarted; then every message must have exactly one task and one card.

The process talks to a loopback FakeTelegramAPI served here, on a temporary SQLite file.
Shared by tests/e2e/telegram/test_telegram_kill9.py (a small burst) and
bench/bench_kill9.py (600 messages, three kills).

Exactly one card, with one exception no platform lets a bot avoid: a card Telegram
accepted in the instant before the kill, whose "sent" mark never reached the database,
is sent again after the restart (at least once beats never). Those cards are counted
here, precisely: after each kill, the rows still unsent in the database whose card the
fake had already accepted ("in doubt"); only they may arrive again, once for each kill
that found them in doubt (the kill is timed by cards arriving, so the card just resent
after one restart can be in doubt at the next kill too).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from brygada.bootstrap import bootstrap
from brygada.settings import Settings
from domain.company import Role
from domain.services import members
from storage.engine import create_engine, session_factory
from storage.models import TaskRow
from storage.models.replies import ReplyOutboxRow
from tests.fakes.telegram_api import FakeTelegramAPI

TOKEN = "123456:KILL9"
BOT_ID = "123456"
FIRST_USER = 7_000_001
SECRET = "kill9-secret-0123456789abcdef"


def marker(n: int) -> str:
    return f"Prepare offer {n:04d}"


@dataclass
class CrashReport:
    messages: int
    kills: int = 0
    cards: Counter[int] = field(default_factory=Counter)
    tasks: Counter[int] = field(default_factory=Counter)
    # How many kills found each card in doubt: sent, its row not marked sent.
    in_doubt: Counter[int] = field(default_factory=Counter)
    cards_at_kill: list[int] = field(default_factory=list)
    seconds: float = 0.0
    # For a duplicate nobody can explain: when each copy reached the fake (seconds from
    # the start; kills too) and the stored reply rows naming it, so a failure says why.
    evidence: dict[int, dict[str, object]] = field(default_factory=dict)

    @property
    def missing_cards(self) -> list[int]:
        return [n for n in range(self.messages) if self.cards[n] == 0]

    @property
    def wrong_tasks(self) -> list[int]:
        return [n for n in range(self.messages) if self.tasks[n] != 1]

    @property
    def duplicated(self) -> list[int]:
        return [n for n in range(self.messages) if self.cards[n] > 1]

    @property
    def unexplained_duplicates(self) -> list[int]:
        # Each kill that found a card in doubt may have it sent once more (at least once).
        return [n for n in self.duplicated if self.cards[n] > 1 + self.in_doubt[n]]

    def summary(self) -> str:
        return json.dumps(
            {
                "messages": self.messages,
                "kills": self.kills,
                "cards_at_each_kill": self.cards_at_kill,
                "missing_cards": len(self.missing_cards),
                "messages_without_exactly_one_task": len(self.wrong_tasks),
                "cards_in_doubt_at_a_kill": len(self.in_doubt),
                "cards_sent_twice": len(self.duplicated),
                "duplicates_not_in_doubt": len(self.unexplained_duplicates),
                "seconds": round(self.seconds, 1),
                "evidence": {str(n): self.evidence.get(n) for n in self.unexplained_duplicates},
            }
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _company(url: str, chats: int) -> None:
    settings = Settings(database_url=url, secret=SECRET, _env_file=None)  # type: ignore[call-arg]
    app = await bootstrap(settings)
    try:
        async with app.uow() as uow:
            company = await members.create_company(uow, "Acme", timezone="Europe/Warsaw")
            for index in range(chats):
                invite = await members.create_invite(
                    uow, company.id, Role.EMPLOYEE, app.clock.now()
                )
                user = str(FIRST_USER + index)
                await members.join(
                    uow,
                    code=invite.code,
                    platform="telegram",
                    workspace=BOT_ID,
                    user_id=user,
                    chat_id=user,
                    name=f"User {index}",
                    username=None,
                    language="en",
                    now=app.clock.now(),
                )
            await uow.commit()
    finally:
        await app.close()


class _Run:
    def __init__(self, api: FakeTelegramAPI, workdir: Path, url: str, messages: int) -> None:
        self.api, self.workdir, self.url, self.messages = api, workdir, url, messages
        self.port = _free_port()

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BRYGADA_", "SLACK_"))}
        env.update(
            {
                "BRYGADA_DATABASE_URL": self.url,
                "BRYGADA_SECRET": SECRET,
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_URL": self.api.base_url,
                "BRYGADA_HTTP_HOST": "127.0.0.1",
                "BRYGADA_HTTP_PORT": str(self.port),
                "BRYGADA_OUTBOX_INTERVAL_SECONDS": "0.5",
                "BRYGADA_LOG_LEVEL": "WARNING",
            }
        )
        env.pop("TELEGRAM_WEBHOOK_URL", None)
        return env

    async def start(self) -> asyncio.subprocess.Process:
        log = (self.workdir / "brygada.log").open("ab")
        try:
            return await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                "import sys; from brygada.cli import main; sys.exit(main(['run']))",
                cwd=self.workdir,
                env=self.env(),
                stdout=log,
                stderr=log,
            )
        finally:
            log.close()

    def card_numbers(self) -> Counter[int]:
        found: Counter[int] = Counter()
        for text in self.api.sent_texts():
            for n in self._numbers(text):
                found[n] += 1
        return found

    def _numbers(self, text: str) -> list[int]:
        # A card names its task; "Prepare offer 0042" -> 42.
        head = "Prepare offer "
        found = []
        start = text.find(head)
        while start != -1:
            digits = text[start + len(head) : start + len(head) + 4]
            if digits.isdigit():
                found.append(int(digits))
            start = text.find(head, start + 1)
        return found

    async def unsent_rows(self) -> list[int]:
        """Message numbers whose stored card is not marked sent."""
        engine = create_engine(self.url)
        try:
            async with session_factory(engine)() as session:
                rows = await session.scalars(
                    select(ReplyOutboxRow.payload).where(ReplyOutboxRow.status != "sent")
                )
                return [n for payload in rows for op in payload for n in self._numbers(op["text"])]
        finally:
            await engine.dispose()

    def card_times(self, n: int, began: float) -> list[float]:
        """When each card of message ``n`` reached the fake, in seconds from ``began``."""
        return [
            round(call.at - began, 3)
            for call in self.api.calls_to("sendMessage")
            if call.ok and n in self._numbers(str(call.params.get("text", "")))
        ]

    async def reply_rows(self, n: int) -> list[str]:
        """The stored reply rows that name message ``n``: id, update, status, attempts."""
        engine = create_engine(self.url)
        try:
            async with session_factory(engine)() as session:
                rows = await session.scalars(select(ReplyOutboxRow).order_by(ReplyOutboxRow.id))
                return [
                    f"#{row.id} {row.update_key} {row.status} attempts={row.attempts} "
                    f"done={row.done}"
                    for row in rows
                    if any(n in self._numbers(op["text"]) for op in row.payload if "text" in op)
                ]
        finally:
            await engine.dispose()

    async def task_numbers(self) -> Counter[int]:
        engine = create_engine(self.url)
        try:
            async with session_factory(engine)() as session:
                titles = await session.scalars(select(TaskRow.title))
                found: Counter[int] = Counter()
                for title in titles:
                    for n in self._numbers(title):
                        found[n] += 1
                return found
        finally:
            await engine.dispose()

    async def unsent_count(self) -> int:
        engine = create_engine(self.url)
        try:
            async with session_factory(engine)() as session:
                return int(
                    await session.scalar(
                        select(func.count())
                        .select_from(ReplyOutboxRow)
                        .where(ReplyOutboxRow.status.in_(("pending", "sending")))
                    )
                    or 0
                )
        finally:
            await engine.dispose()


async def _quiet(api: FakeTelegramAPI, settle: float = 0.3, at_most: float = 10.0) -> None:
    """Until the fake has answered every request of the killed process: nothing in hand
    and no new call for ``settle`` seconds (under load an answer can take longer)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + at_most
    seen = -1
    while loop.time() < deadline:
        if api.in_flight == 0 and len(api.calls) == seen:
            return
        seen = len(api.calls)
        await asyncio.sleep(settle)


async def burst_and_kill(
    workdir: Path,
    *,
    chats: int,
    per_chat: int,
    kills: int,
    seed: int | None = None,
    finish_timeout: float = 60.0,
    round_timeout: float = 60.0,
) -> CrashReport:
    """Push ``chats * per_chat`` messages at once, SIGKILL the process ``kills`` times at
    random moments while it works through them (each once a random number of cards has
    gone out), restart it, and let the last run finish."""
    rng = random.Random(seed)
    loop = asyncio.get_running_loop()
    began = loop.time()
    url = f"sqlite+aiosqlite:///{workdir / 'brygada.db'}"
    await _company(url, chats)
    report = CrashReport(messages=chats * per_chat)
    kill_times: list[float] = []
    async with FakeTelegramAPI() as api:
        run = _Run(api, workdir, url, report.messages)
        for n in range(report.messages):
            user = FIRST_USER + n % chats
            api.push_update(api.message_update(user, user, f"{marker(n)} today"))
        # Kill at random points of the burst: when so many cards have gone out.
        targets = sorted(rng.sample(range(1, report.messages), kills))
        for target in targets:
            process = await run.start()
            async with asyncio.timeout(round_timeout):
                while sum(run.card_numbers().values()) < target:
                    await asyncio.sleep(0.02)
            process.send_signal(signal.SIGKILL)
            await process.wait()
            kill_times.append(round(loop.time() - began, 3))
            report.kills += 1
            await _quiet(api)  # requests that reached the fake are answered
            cards = run.card_numbers()
            report.cards_at_kill.append(sum(cards.values()))
            report.in_doubt.update({n for n in await run.unsent_rows() if cards[n]})
        process = await run.start()
        try:
            async with asyncio.timeout(finish_timeout):
                while True:
                    await asyncio.sleep(0.5)
                    cards = run.card_numbers()
                    if (
                        all(cards[n] for n in range(report.messages))
                        and not api.pending_updates
                        and await run.unsent_count() == 0
                    ):
                        break
            await asyncio.sleep(1.0)  # anything sent twice would show by now
        finally:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            async with asyncio.timeout(20):
                await process.wait()
        report.cards = run.card_numbers()
        report.tasks = await run.task_numbers()
        for n in report.unexplained_duplicates:
            report.evidence[n] = {
                "kills_at": kill_times,
                "cards_at": run.card_times(n, began),
                "rows": await run.reply_rows(n),
            }
    report.seconds = loop.time() - began
    return report
