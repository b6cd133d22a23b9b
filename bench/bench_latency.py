"""What a team feels: reply latency, event-loop stalls and CPU per update, beside an echo bot.

Two OS processes, so that the fake's own work is neither in the bot's latency nor in
its CPU time nor in its event loop:

* this process (the *driver*): the loopback fake Bot API (tests/fakes/telegram_api.py)
  and fake Slack Web API, the arrival schedule, the stopwatch, the report;
* a *bot process* (this script re-run with ``--child``): either Brygada, composed as
  ``brygada run`` composes it (``bootstrap(settings)``, the real ``TelegramAdapter``
  long-polling the fake, the Slack Bolt app on the real aiohttp server), or a bare
  aiogram echo bot answering every update with one ``sendMessage``. It runs a 5 ms
  ticker measuring how late the loop wakes it (lag) and reports lag and
  ``time.process_time()`` per phase on request (a line protocol on stdin/stdout).

Figures, each with the echo bot's beside it (same fake, same arrival schedule):

* **Reply latency**: open-loop arrivals (Poisson by default) from ``--members`` members
  (200) in their private chats: 70 % new tasks (capture texts such as "Sales: Email
  Anna about the offer tomorrow @ivan3 !"), 30 % presses of Start / Pause on each
  member's own task card (created while setting up, one per member, before any
  measuring). Latency runs from the update's push into the fake's queue to the arrival
  at the fake of its reply: for a message the ``sendMessage`` in its chat; for a press
  the ``editMessageText`` (or ``sendMessage``) in its chat, or its
  ``answerCallbackQuery`` when that is an alert. Replies are matched to updates by chat
  and order. Echo gets the same schedule (presses as callback queries too) and answers
  each with one ``sendMessage``.
  (1) limiter off (the fake enforces nothing, the adapter's limiter a no-op): at
  ``--rates`` (25 and 100 updates/s), targets p99 <= 50 ms SQLite / 80 ms PostgreSQL at
  25/s, <= 250 ms at 100/s. (2) the real limiter on and the fake enforcing Telegram's
  limits, at ``--limited-rates`` (10 and 25/s): target Brygada's p99 <= echo's + 50 ms.
* **Event-loop stalls**: the longest lag of the 5 ms ticker in the bot's process in
  every phase, and (SQLite) during a second OS process holding the write lock for
  ``--lock-seconds`` (BEGIN IMMEDIATE; sleep; COMMIT) while Telegram updates keep
  arriving at 25/s and a signed Slack ``/task`` slash command is POSTed to Brygada's
  HTTP server every 100 ms; the slowest Slack HTTP response is reported (targets:
  Slack <= 3 s, lag <= 100 ms).
* **CPU per update**: the bot process's CPU time over a create-only and a press-only
  phase (25/s), per update, as a multiple of echo's (report only; with PostgreSQL the
  server's CPU is not in it).

Not running in the bot process: the scheduler and the outbox dispatcher (their sends
would land in the same chats and could not be told from replies); notifications of
delegated tasks wait in the outbox.

    .venv/bin/python bench/bench_latency.py                    # SQLite temp file, 60 s phases
    .venv/bin/python bench/bench_latency.py --quick            # 3 s phases (smoke run)
    .venv/bin/python bench/bench_latency.py --database-url postgresql+asyncpg://u@host/db
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import io
import json
import logging
import pstats
import random
import sys
import tempfile
import time
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import (
    ROOT,
    SECRET,
    database,
    machine,
    make_team,
    parser,
    percentile,
    redact,
)
from bench_create import capture_texts
from bench_telegram import NoLimit, _button, _has_button, make_members

from tests.fakes import Call
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import signed_headers, slash_command
from tests.fakes.telegram_api import FakeTelegramAPI

log = logging.getLogger("bench_latency")

ECHO_TOKEN = "654321:ECHO"
SIGNING_SECRET = "bench-signing-secret"
SLACK_HANDLES = ["ULBOSS", "ULANNA", "ULIVAN", "ULOLGA", "ULPIOTR"]
TICK_S = 0.005
CREATE_SHARE = 0.7
REPLY_TIMEOUT_S = 60.0
# p99 targets (ms) with the limiter off, by database and rate
TARGET_P99_MS = {"sqlite": {25.0: 50.0, 100.0: 250.0}, "postgresql": {25.0: 80.0, 100.0: 250.0}}
TARGET_LIMITED_EXTRA_MS = 50.0
TARGET_SLACK_S = 3.0
TARGET_LAG_MS = 100.0


# == the bot process =====================================================================


class LagTicker:
    """Wakes every ``TICK_S`` and notes how late the loop let it run (the loop's stalls)."""

    def __init__(self) -> None:
        self.lags: list[float] = []

    def reset(self) -> None:
        self.lags = []

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + TICK_S
            await asyncio.sleep(TICK_S)
            self.lags.append(max(0.0, loop.time() - due))

    def summary(self) -> dict[str, float]:
        lags = self.lags or [0.0]
        return {
            "lag_max_ms": max(lags) * 1000,
            "lag_p99_ms": percentile(lags, 99) * 1000,
            "ticks": len(self.lags),
        }


def _emit(message: dict[str, Any]) -> None:
    """One JSON line to the driver (stdout carries nothing else)."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def _stdin_lines() -> asyncio.StreamReader:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


async def _echo_bot(cfg: dict[str, Any], stop: asyncio.Event) -> tuple[Any, Any]:
    """A bare aiogram bot: one ``sendMessage`` per update (messages and button presses)."""
    from aiogram import Bot, Dispatcher, Router
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import CallbackQuery, Message

    from bots.telegram.middlewares import (
        RateLimiter,
        RateLimitMiddleware,
        RetryAfterMiddleware,
    )

    router = Router(name="echo")

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "ok")

    @router.callback_query()
    async def press(callback: CallbackQuery, bot: Bot) -> None:
        await bot.send_message(callback.from_user.id, callback.data or "ok")

    session = AiohttpSession(api=TelegramAPIServer.from_base(cfg["api_url"]))
    if cfg["limited"]:  # the same middlewares, in the same order, as Brygada's bot
        session.middleware(RetryAfterMiddleware())
        session.middleware(RateLimitMiddleware(RateLimiter()))
    bot = Bot(ECHO_TOKEN, session=session)
    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False)
    )

    async def close() -> None:
        with contextlib.suppress(RuntimeError, TimeoutError):
            await asyncio.wait_for(dispatcher.stop_polling(), 5)
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(polling, 5)
        await bot.session.close()

    return polling, close


async def _brygada_bot(cfg: dict[str, Any], stop: asyncio.Event) -> tuple[Any, Any]:
    """Brygada as ``brygada run`` composes it: bootstrap, the Telegram adapter polling, the
    HTTP server with Slack's endpoint (no scheduler, no outbox dispatcher: see the top)."""
    from aiohttp import web
    from pydantic import SecretStr

    from bots.telegram import TelegramAdapter
    from brygada.bootstrap import bootstrap
    from brygada.server import build_web_app, settle_heap
    from brygada.settings import Settings
    from brygada.slack import build_slack
    from brygada.telegram import telegram_config

    settings = Settings(  # type: ignore[call-arg]
        database_url=cfg["database_url"],
        secret=SecretStr(SECRET),
        telegram_bot_token=SecretStr(cfg["token"]),
        telegram_api_url=cfg["api_url"],
        slack_bot_token=SecretStr("xoxb-bench"),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_api_url=cfg["slack_api_url"],
        _env_file=None,
    )
    app = await bootstrap(settings, migrate=False)
    # The real limiter (as build_telegram makes it) or, limiter off, a no-op one.
    adapter = TelegramAdapter(
        telegram_config(settings), app.conversation, limiter=None if cfg["limited"] else NoLimit()
    )
    await adapter.start()
    slack = build_slack(app)
    web_app = build_web_app(app)
    slack.setup_slack_routes(web_app)
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    cfg["http_port"] = runner.addresses[0][1]
    polling = asyncio.create_task(adapter.run_polling(stop))
    settle_heap()

    async def close() -> None:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(polling, 10)
        await adapter.close()
        await slack.close()
        await runner.cleanup()
        await app.close()

    return polling, close


async def child_main(cfg: dict[str, Any]) -> int:
    """The bot process: start the bot, then obey ``mark`` / ``report`` / ``stop`` lines."""
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    stop = asyncio.Event()
    make = _echo_bot if cfg["mode"] == "echo" else _brygada_bot
    polling, close = await make(cfg, stop)
    ticker = LagTicker()
    ticking = asyncio.create_task(ticker.run())
    reader = await _stdin_lines()
    cpu0 = time.process_time()
    profiler = cProfile.Profile() if cfg.get("profile") else None
    _emit({"ready": True, "http_port": cfg.get("http_port")})
    try:
        while line := (await reader.readline()).decode().strip():
            if polling.done():  # the bot died: say so instead of waiting for replies
                _emit({"error": repr(polling.exception() if not polling.cancelled() else None)})
                return 1
            if line == "mark":
                ticker.reset()
                cpu0 = time.process_time()
                if profiler is not None:  # measured phases only, not the set-up
                    profiler.enable()
                _emit({"marked": True})
            elif line == "report":
                _emit({"cpu_s": time.process_time() - cpu0, **ticker.summary()})
            elif line == "stop":
                break
    finally:
        ticking.cancel()
        await close()
        if profiler is not None:
            profiler.disable()
            _write_profile(profiler, Path(cfg["profile"]))
    return 0


def _write_profile(profiler: cProfile.Profile, path: Path, limit: int = 35) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    for order in ("tottime", "cumulative"):
        out.write(f"\n--- top {limit} by {order} ---\n")
        stats.sort_stats(order).print_stats(limit)
    path.write_text(out.getvalue(), encoding="utf-8")
    profiler.dump_stats(path.with_suffix(".pstats"))  # for pstats' callers / snakeviz


# == the driver: fakes, schedule, matching ================================================


@dataclass
class Pending:
    """One pushed update waiting for its reply."""

    kind: str  # "create" | "press" | "command" (setup)
    chat: int
    pushed: float  # time.monotonic() once the update is in the fake's queue
    query_id: str | None
    echo: bool
    answered: float | None = None  # a press's answerCallbackQuery
    done: float | None = None
    reply: dict[str, Any] | None = None
    alert: bool = False

    @property
    def latency(self) -> float:
        assert self.done is not None
        return self.done - self.pushed


class LatencyFake(FakeTelegramAPI):
    """The fake Bot API, matching every reply to the update it answers as it arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting: dict[int, deque[Pending]] = {}
        self.open = 0
        self.stray = 0
        self.idle = asyncio.Event()
        self.idle.set()

    def push_tracked(self, update: dict[str, Any], kind: str, *, echo: bool) -> Pending:
        query = update.get("callback_query")
        source = query["from"] if query else update["message"]["chat"]
        self.push_update(update)
        item = Pending(kind, int(source["id"]), self._now(), query["id"] if query else None, echo)
        self.waiting.setdefault(item.chat, deque()).append(item)
        self.open += 1
        self.idle.clear()
        return item

    def busy(self, chat: int) -> bool:
        return bool(self.waiting.get(chat))

    def _record(self, method: str, params: dict[str, Any], response: dict[str, Any], *,
                status: int, arrived: float) -> Call:  # fmt: skip
        call = super()._record(method, params, response, status=status, arrived=arrived)
        if call.ok and method in ("sendMessage", "editMessageText", "answerCallbackQuery"):
            self._match(method, params, response["result"], arrived)
        return call

    def _match(self, method: str, params: dict[str, Any], result: Any, arrived: float) -> None:
        if method == "answerCallbackQuery":
            query = str(params.get("callback_query_id"))
            for queue in self.waiting.values():
                for item in queue:
                    if item.query_id == query:
                        item.answered = arrived
                        if params.get("show_alert"):  # the alert is the whole answer
                            item.alert = True
                            self._complete(item, arrived, None)
                        return
            return
        chat = int(result["chat"]["id"]) if isinstance(result, dict) else int(params["chat_id"])
        queue = self.waiting.get(chat) or ()
        if method == "sendMessage":  # answers the chat's oldest update
            item = next(iter(queue), None)
        else:  # an edit answers the chat's oldest press
            item = next((i for i in queue if i.kind == "press" or i.echo), None)
        if item is None:
            self.stray += 1  # e.g. a second message of one reply
            return
        self._complete(item, arrived, result if isinstance(result, dict) else None)

    def _complete(self, item: Pending, arrived: float, reply: dict[str, Any] | None) -> None:
        item.done = arrived
        item.reply = reply
        self.waiting[item.chat].remove(item)
        self.open -= 1
        if self.open == 0:
            self.idle.set()

    async def settle(self, timeout: float) -> int:
        """Wait for every reply; the number still unanswered after ``timeout`` (dropped)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.idle.wait(), timeout)
        missing = self.open
        self.waiting.clear()
        self.open = 0
        self.idle.set()
        return missing

    async def drained(self, timeout: float = 15.0) -> None:
        """Wait until the poller confirmed every update (nothing left for the next bot)."""
        deadline = time.monotonic() + timeout
        while self.pending_updates and time.monotonic() < deadline:
            await asyncio.sleep(0.02)


class BotProcess:
    """A bot process (``--child``) and its line protocol."""

    def __init__(self, proc: asyncio.subprocess.Process, name: str, log_path: Path) -> None:
        self.proc = proc
        self.name = name
        self.log_path = log_path
        self.http_port: int | None = None

    @classmethod
    async def start(cls, name: str, cfg: dict[str, Any], log_dir: Path) -> BotProcess:
        log_path = log_dir / f"{name}.log"
        with log_path.open("ab") as stderr:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(cfg),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=stderr,
                cwd=ROOT,
            )  # fmt: skip
        bot = cls(proc, name, log_path)
        ready = await bot._read(timeout=120)
        bot.http_port = ready.get("http_port")
        return bot

    async def _read(self, timeout: float = 30) -> dict[str, Any]:
        assert self.proc.stdout is not None
        try:
            line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        except TimeoutError:
            line = b""
        if not line:
            raise RuntimeError(f"bot process {self.name} gave no answer:\n{self.tail()}")
        message: dict[str, Any] = json.loads(line)
        if "error" in message:
            raise RuntimeError(f"bot process {self.name}: {message['error']}\n{self.tail()}")
        return message

    async def call(self, command: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{command}\n".encode())
        await self.proc.stdin.drain()
        return await self._read()

    def tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    async def stop(self) -> None:
        if self.proc.returncode is None:
            with contextlib.suppress(ConnectionError, RuntimeError):
                assert self.proc.stdin is not None
                self.proc.stdin.write(b"stop\n")
                await self.proc.stdin.drain()
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


# -- the schedule -------------------------------------------------------------------------


@dataclass(frozen=True)
class Arrival:
    at: float  # seconds after the phase's start
    kind: str  # "create" | "press"
    member: int  # index of the preferred sender


def arrivals(rate: float, seconds: float, create_share: float, members: int, seed: int, *,
             poisson: bool = True) -> list[Arrival]:  # fmt: skip
    """Open-loop arrival times (exponential gaps, or even ones) with kinds and senders."""
    rnd = random.Random(seed)
    out: list[Arrival] = []
    t = 0.0
    while True:
        t += rnd.expovariate(rate) if poisson else 1.0 / rate
        if t >= seconds:
            return out
        kind = "create" if rnd.random() < create_share else "press"
        out.append(Arrival(t, kind, rnd.randrange(members)))


@dataclass
class World:
    """What the driver knows about the team: chats, usernames and Brygada's task cards."""

    api: LatencyFake
    users: list[int]
    usernames: dict[int, str]
    cards: dict[int, int] = field(default_factory=dict)  # chat -> card message id
    fallbacks: int = 0  # presses sent as messages (no card to press)

    def sender(self, preferred: int) -> int:
        """The preferred member, or the next one with nothing in flight (one update at a
        time per chat keeps the matching by chat and order exact while not overloaded)."""
        n = len(self.users)
        for step in range(n):
            uid = self.users[(preferred + step) % n]
            if not self.api.busy(uid):
                return uid
        return self.users[preferred % n]

    def message(self, uid: int, text: str) -> dict[str, Any]:
        name = self.usernames[uid]
        return self.api.message_update(uid, uid, text, first_name=name.title(), username=name)

    def press(self, uid: int) -> dict[str, Any] | None:
        """A press of Start, or Pause when running, on the member's own card."""
        card_id = self.cards.get(uid)
        card = self.api.messages.get((uid, card_id)) if card_id else None
        if card is None:
            return None
        action = "ts" if _has_button(card, "ts") else "tp"
        if not _has_button(card, action):
            return None
        name = self.usernames[uid]
        return self.api.callback_update(uid, uid, _button(card, action), message_id=card_id,
                                        first_name=name.title(), username=name)  # fmt: skip


async def drive(world: World, schedule: Sequence[Arrival], texts: Sequence[str], *,
                echo: bool) -> list[Pending]:  # fmt: skip
    """Push the schedule's updates at their times (open loop: never waits for replies)."""
    loop = asyncio.get_running_loop()
    api = world.api
    start = loop.time() + 0.02
    pushed: list[Pending] = []
    for i, arrival in enumerate(schedule):
        delay = start + arrival.at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        uid = world.sender(arrival.member)
        if arrival.kind == "press":
            update: dict[str, Any] | None = (
                api.callback_update(uid, uid, "press", message_id=1) if echo else world.press(uid)
            )
            if update is not None:
                pushed.append(api.push_tracked(update, "press", echo=echo))
                continue
            world.fallbacks += 1
        update = world.message(uid, texts[i % len(texts)])
        pushed.append(api.push_tracked(update, "create", echo=echo))
    return pushed


# -- phases -------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    rate: float
    seconds: float
    create_share: float = CREATE_SHARE
    seed: int = 1


@dataclass
class Measured:
    bot: str
    phase: str
    rate: float
    offered: int
    latency_ms: dict[str, list[float]]  # kind -> samples
    answer_ms: list[float]  # presses: to the answerCallbackQuery (the spinner stops)
    unanswered: int
    alerts: int
    not_task: int
    cpu_s: float
    lag_max_ms: float
    lag_p99_ms: float
    seconds: float
    rejected_429: int = 0  # sends the fake refused (limits enforced)
    slack_s: list[float] = field(default_factory=list)
    slack_failed: int = 0

    def stats(self, kind: str = "all") -> dict[str, float]:
        if kind == "all":
            samples = [x for xs in self.latency_ms.values() for x in xs]
        else:
            samples = self.latency_ms.get(kind, [])
        return {
            "n": len(samples),
            "p50_ms": percentile(samples, 50),
            "p99_ms": percentile(samples, 99),
            "max_ms": max(samples) if samples else float("nan"),
        }

    def cpu_ms_per_update(self) -> float:
        return self.cpu_s * 1000 / self.offered if self.offered else float("nan")


def _texts(world: World, count: int, seed: int) -> list[str]:
    return capture_texts(sorted(world.usernames.values()), max(1, count), seed=seed)


async def measure(bot: BotProcess, world: World, phase: Phase, *, poisson: bool,
                  during: Any = None) -> Measured:  # fmt: skip
    """One phase: mark, push the schedule, wait for every reply, report.

    ``during`` (a coroutine function) runs alongside the pushing (the lock phase)."""
    echo = bot.name.startswith("echo")
    schedule = arrivals(phase.rate, phase.seconds, phase.create_share, len(world.users),
                        phase.seed, poisson=poisson)  # fmt: skip
    texts = _texts(world, len(schedule), phase.seed)
    await bot.call("mark")
    rejected = world.api.rejected_429
    started = time.monotonic()
    side = asyncio.create_task(during()) if during else None
    pushed = await drive(world, schedule, texts, echo=echo)
    side_result = await side if side else ([], 0)
    unanswered = await world.api.settle(REPLY_TIMEOUT_S)
    elapsed = time.monotonic() - started
    report = await bot.call("report")
    await world.api.drained()
    latency: dict[str, list[float]] = {"create": [], "press": []}
    answers: list[float] = []
    not_task = 0
    for item in pushed:
        if item.done is None:
            continue
        latency[item.kind].append(item.latency * 1000)
        if item.answered is not None:
            answers.append((item.answered - item.pushed) * 1000)
        if item.kind == "create" and not echo and not _has_button(item.reply or {}, "op"):
            not_task += 1
    return Measured(
        bot=bot.name, phase=phase.name, rate=phase.rate, offered=len(pushed),
        latency_ms=latency, answer_ms=answers, unanswered=unanswered,
        alerts=sum(1 for p in pushed if p.alert), not_task=not_task,
        cpu_s=report["cpu_s"], lag_max_ms=report["lag_max_ms"],
        lag_p99_ms=report["lag_p99_ms"], seconds=round(elapsed, 2),
        rejected_429=world.api.rejected_429 - rejected,
        slack_s=side_result[0], slack_failed=side_result[1],
    )  # fmt: skip


async def warm_up(bot: BotProcess, world: World, *, poisson: bool) -> None:
    """A short unmeasured phase: connections, caches, aiogram's handler resolution."""
    await measure(bot, world, Phase("warm-up", 20.0, 1.0, seed=999), poisson=poisson)


async def make_cards(world: World) -> int:
    """Each member's own task and its card (Brygada, before any measuring): the cards the
    presses press. Returns the number of members without a card."""
    api = world.api
    created = [
        api.push_tracked(world.message(uid, f"Bench card {i} tomorrow 10:00"), "command",
                         echo=False)
        for i, uid in enumerate(world.users)
    ]  # fmt: skip
    await api.settle(REPLY_TIMEOUT_S * 2)
    opened = []
    for item in created:
        if item.reply is not None and _has_button(item.reply, "op"):
            task_id = _button(item.reply, "op").split(":")[1]
            opened.append(
                api.push_tracked(world.message(item.chat, f"/start task_{task_id}"), "command",
                                 echo=False)
            )  # fmt: skip
    await api.settle(REPLY_TIMEOUT_S * 2)
    for item in opened:
        if item.reply is not None and _has_button(item.reply, "ts"):
            world.cards[item.chat] = int(item.reply["message_id"])
    await api.drained()
    return len(world.users) - len(world.cards)


def sqlite_path(url: str) -> str | None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.database if parsed.get_backend_name() == "sqlite" else None


_LOCK_HOLDER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("COMMIT")
print("released", flush=True)
"""


async def lock_and_slack(path: str, seconds: float, slack_url: str, team: str,
                         lead_s: float = 1.0) -> tuple[list[float], int]:  # fmt: skip
    """After ``lead_s``, another OS process holds SQLite's write lock for ``seconds``; a
    signed Slack ``/task`` goes to Brygada every 100 ms meanwhile. Returns the seconds to
    each HTTP response and the number of failed requests."""
    import aiohttp

    await asyncio.sleep(lead_s)
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _LOCK_HOLDER, path, str(seconds), stdout=asyncio.subprocess.PIPE
    )
    assert holder.stdout is not None
    if (await holder.stdout.readline()).strip() != b"locked":
        raise RuntimeError("the lock holder did not get the write lock")
    durations: list[float] = []
    failed = 0
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as http:

        async def command(i: int) -> None:
            nonlocal failed
            body, content_type = slash_command(
                "/task", f"Call supplier {i} about the invoice tomorrow",
                user_id=SLACK_HANDLES[i % len(SLACK_HANDLES)], team_id=team,
            )  # fmt: skip
            start = time.monotonic()
            try:
                async with http.post(slack_url, data=body,
                                     headers=signed_headers(body, content_type, SIGNING_SECRET)
                                     ) as response:  # fmt: skip
                    await response.read()
                    if response.status != 200:
                        failed += 1
            except (aiohttp.ClientError, TimeoutError):
                failed += 1
            durations.append(time.monotonic() - start)

        loop = asyncio.get_running_loop()
        begin = loop.time()
        sends = []
        for i in range(max(1, int(seconds / 0.1))):
            await asyncio.sleep(max(0.0, begin + i * 0.1 - loop.time()))
            sends.append(asyncio.create_task(command(i)))
        await asyncio.gather(*sends)
    await holder.wait()
    return durations, failed


# == the run ==============================================================================


@dataclass
class Options:
    database_url: str | None = None
    seconds: float = 60.0
    rates: tuple[float, ...] = (25.0, 100.0)
    limited_rates: tuple[float, ...] = (10.0, 25.0)
    cpu_seconds: float = 20.0
    cpu_rate: float = 25.0
    lock_seconds: float = 5.0  # 0: no lock phase
    lock_rate: float = 25.0
    members: int = 200
    poisson: bool = True
    quick: bool = False
    profile: bool = False  # cProfile the bot processes' measured phases


@dataclass
class Report:
    database: str
    url: str
    machine: str
    options: dict[str, Any]
    results: list[Measured]
    setup: dict[str, Any]

    def find(self, bot: str, phase: str) -> Measured | None:
        return next((r for r in self.results if r.bot == bot and r.phase == phase), None)


async def setup_database(url: str, bot_no: int, users: list[int]) -> tuple[dict[int, str], str]:
    """Migrate; a company of Telegram members (workspace: the bot's id) and a Slack team."""
    from pydantic import SecretStr

    from brygada.bootstrap import bootstrap
    from brygada.settings import Settings

    settings = Settings(database_url=url, secret=SecretStr(SECRET), _env_file=None)  # type: ignore[call-arg]
    app = await bootstrap(settings, migrate=True)
    try:
        _, usernames = await make_members(app, str(bot_no), users)
        team = await make_team(app, SLACK_HANDLES, platform_name="slack")
    finally:
        await app.close()
    return usernames, team.workspace


async def run(opts: Options) -> Report:
    """The whole benchmark (also the smoke test's entry point)."""
    db = database(opts.database_url)
    bot_no = random.Random(uuid.uuid4().int).randint(10_000_000, 99_999_999)
    token = f"{bot_no}:BENCH"
    users = [7_000_000 + i for i in range(opts.members)]
    results: list[Measured] = []
    log_dir = Path(tempfile.mkdtemp(prefix="brygada-latency-"))
    setup: dict[str, Any] = {"log_dir": str(log_dir)}
    try:
        usernames, slack_team = await setup_database(db.url, bot_no, users)
        async with LatencyFake() as api, FakeSlackAPI() as slack_api:
            api.disable_limits()
            slack_api.disable_limits()
            for handle in SLACK_HANDLES:
                slack_api.add_user(handle, name=handle.lower())
            world = World(api, users, usernames)

            def cfg(mode: str, limited: bool) -> dict[str, Any]:
                return {
                    "mode": mode, "limited": limited, "api_url": api.base_url,
                    "token": ECHO_TOKEN if mode == "echo" else token,
                    "database_url": db.url, "slack_api_url": f"{slack_api.base_url}/api/",
                    "profile": str(log_dir / f"{mode}{'-limited' if limited else ''}.prof.txt")
                    if opts.profile else None,
                }  # fmt: skip

            for limited in (False, True):
                rates = opts.limited_rates if limited else opts.rates
                if limited:
                    if not rates:
                        break
                    api.enforce_limits()  # Telegram's: 1/s per chat, 30/s overall
                suffix = " limited" if limited else ""
                for mode in ("echo", "brygada"):
                    bot = await BotProcess.start(mode + suffix.replace(" ", "-"),
                                                 cfg(mode, limited), log_dir)  # fmt: skip
                    try:
                        if mode == "brygada" and not world.cards:
                            started = time.monotonic()
                            setup["members_without_card"] = await make_cards(world)
                            setup["cards_s"] = round(time.monotonic() - started, 1)
                        await warm_up(bot, world, poisson=opts.poisson)
                        for i, rate in enumerate(rates):
                            phase = Phase(f"{rate:g}/s{suffix}", rate, opts.seconds, seed=10 + i)
                            results.append(await measure(bot, world, phase, poisson=opts.poisson))
                        if not limited and opts.cpu_seconds > 0:
                            for name, share in (("cpu create", 1.0), ("cpu press", 0.0)):
                                phase = Phase(name, opts.cpu_rate, opts.cpu_seconds, share, 20)
                                results.append(
                                    await measure(bot, world, phase, poisson=opts.poisson)
                                )
                        path = sqlite_path(db.url)
                        if not limited and mode == "brygada" and path and opts.lock_seconds > 0:
                            url = f"http://127.0.0.1:{bot.http_port}/slack/events"

                            async def during(path: str = path, url: str = url) -> Any:
                                return await lock_and_slack(path, opts.lock_seconds, url,
                                                            slack_team)  # fmt: skip

                            phase = Phase("sqlite lock", opts.lock_rate, opts.lock_seconds + 2,
                                          seed=30)  # fmt: skip
                            results.append(
                                await measure(
                                    bot, world, phase, poisson=opts.poisson, during=during
                                )
                            )
                    finally:
                        await bot.stop()
            setup["stray_replies"] = api.stray
            setup["press_fallbacks"] = world.fallbacks
    finally:
        db.cleanup()
    return Report(db.kind, redact(db.url), machine(), asdict(opts), results, setup)


# == the report ===========================================================================


def _f(x: float) -> str:
    return "-" if x != x else f"{x:.1f}"  # NaN: no samples


def _target_free(rate: float, kind: str) -> float | None:
    return TARGET_P99_MS.get(kind.split("+")[0], {}).get(rate)


def print_report(rep: Report) -> bool:
    """The table; returns whether the self-checks passed (not the targets)."""
    print(f"bench_latency  [{rep.database}]  {rep.machine}")
    o = rep.options
    print(
        f"  setup   : {o['members']} members in private chats; "
        f"{'Poisson' if o['poisson'] else 'evenly spaced'} arrivals, {o['seconds']:g} s per "
        f"phase; 70 % new tasks, 30 % Start/Pause presses on the member's own card; "
        f"bot in its own OS process, fake Bot API in the driver's"
    )
    print("  latency : push into the fake's queue -> arrival of the reply at the fake (ms)")
    print()
    head = f"  {'phase':<16}{'kind':<8}{'Brygada p50 / p99':>20}{'echo p50 / p99':>18}"
    print(head + f"{'n':>7}  {'lag max ms B / echo':>20}  target")
    ok = True
    for r in rep.results:
        if r.bot.startswith("echo") or r.phase.startswith("cpu") or r.phase == "sqlite lock":
            continue
        echo = rep.find("echo" + r.bot.removeprefix("brygada"), r.phase)
        for kind in ("create", "press", "all"):
            b = r.stats(kind)
            e = echo.stats(kind) if echo else {"p50_ms": float("nan"), "p99_ms": float("nan")}
            target = ""
            if kind == "all":
                if "limited" in r.phase:
                    limit = e["p99_ms"] + TARGET_LIMITED_EXTRA_MS
                    verdict = "OK" if b["p99_ms"] <= limit else "MISS"
                    target = f"p99 <= echo + {TARGET_LIMITED_EXTRA_MS:g} = {limit:.0f}: {verdict}"
                elif (t := _target_free(r.rate, rep.database)) is not None:
                    target = f"p99 <= {t:g}: {'OK' if b['p99_ms'] <= t else 'MISS'}"
            lag = (
                f"{_f(r.lag_max_ms)} / {_f(echo.lag_max_ms if echo else float('nan'))}"
                if kind == "all"
                else ""
            )
            print(
                f"  {r.phase if kind == 'create' else '':<16}{kind:<8}"
                f"{_f(b['p50_ms']) + ' / ' + _f(b['p99_ms']):>20}"
                f"{_f(e['p50_ms']) + ' / ' + _f(e['p99_ms']):>18}{b['n']:>7}  {lag:>20}  {target}"
            )
        if r.answer_ms:
            print(
                f"  {'':<16}{'(press answerCallbackQuery p50 / p99: '}"
                f"{_f(percentile(r.answer_ms, 50))} / {_f(percentile(r.answer_ms, 99))} ms)"
            )
        bad = r.unanswered or r.alerts or r.not_task
        if bad or (echo and echo.unanswered):
            print(
                f"  {'':<16}check: {r.unanswered} unanswered, {r.alerts} alerts, "
                f"{r.not_task} creates without a task card"
                + (f"; echo: {echo.unanswered} unanswered" if echo else "")
            )
            ok = False
        achieved = r.offered / r.seconds if r.seconds else 0
        limited = ""
        if "limited" in r.phase:
            echo_429 = echo.rejected_429 if echo else "-"
            limited = f"; 429s from the fake: {r.rejected_429} (echo {echo_429})"
        print(f"  {'':<16}offered {r.offered} updates in {r.seconds:g} s ({achieved:.1f}/s incl. "
              f"waiting for the last replies){limited}")  # fmt: skip

    lock = rep.find("brygada", "sqlite lock")
    print()
    if lock is not None:
        s = lock.stats()
        echo25 = rep.find("echo", f"{o['lock_rate']:g}/s")
        slack_max = max(lock.slack_s) if lock.slack_s else float("nan")
        print(
            f"  SQLite write lock held {o['lock_seconds']:g} s by another process, Telegram at "
            f"{o['lock_rate']:g}/s, a Slack /task every 100 ms:"
        )
        lag_ok = lock.lag_max_ms <= TARGET_LAG_MS
        slack_ok = slack_max <= TARGET_SLACK_S and not lock.slack_failed
        print(
            f"    loop lag max {_f(lock.lag_max_ms)} ms (echo at that rate, no lock: "
            f"{_f(echo25.lag_max_ms) if echo25 else '-'} ms)  target <= {TARGET_LAG_MS:g}: "
            f"{'OK' if lag_ok else 'MISS'}"
        )
        print(
            f"    Slack: {len(lock.slack_s)} requests, slowest HTTP response "
            f"{_f(slack_max * 1000)} ms, {lock.slack_failed} failed  target <= "
            f"{TARGET_SLACK_S:g} s: {'OK' if slack_ok else 'MISS'}"
        )
        print(
            f"    Telegram replies meanwhile: p50 {_f(s['p50_ms'])}, p99 {_f(s['p99_ms'])}, max "
            f"{_f(s['max_ms'])} ms; {lock.unanswered} unanswered"
        )
    elif rep.database != "sqlite":
        print("  SQLite write-lock phase: not run (PostgreSQL)")

    cpu = [(k, rep.find("brygada", f"cpu {k}"), rep.find("echo", f"cpu {k}"))
           for k in ("create", "press")]  # fmt: skip
    if any(b for _, b, _ in cpu):
        print(f"\n  CPU per update (bot process, {o['cpu_rate']:g} updates/s for "
              f"{o['cpu_seconds']:g} s each; report only):")  # fmt: skip
        for kind, b, e in cpu:
            if b is None or e is None:
                continue
            ratio = b.cpu_ms_per_update() / e.cpu_ms_per_update()
            print(
                f"    {kind:<7}: Brygada {b.cpu_ms_per_update():.2f} ms, echo "
                f"{e.cpu_ms_per_update():.2f} ms -> {ratio:.1f} x echo  (lag max "
                f"{_f(b.lag_max_ms)} / {_f(e.lag_max_ms)} ms)"
            )
            if b.unanswered or b.alerts or b.not_task:
                ok = False
    s = rep.setup
    print(
        f"\n  check   : {s.get('members_without_card', '-')} members without a card "
        f"(cards made in {s.get('cards_s', '-')} s), {s.get('press_fallbacks', 0)} presses "
        f"sent as messages, {s.get('stray_replies', 0)} replies matched to no update"
    )
    if s.get("members_without_card"):
        ok = False
    return ok


def options(argv: list[str] | None) -> tuple[Options, bool]:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=None, help="seconds per phase (60)")
    p.add_argument("--rates", default="25,100", help="updates/s, limiter off (25,100)")
    p.add_argument("--limited-rates", default="10,25", help="updates/s, limiter on ('' skips)")
    p.add_argument("--cpu-seconds", type=float, default=None, help="per CPU phase (20; 0 skips)")
    p.add_argument("--lock-seconds", type=float, default=5.0, help="SQLite lock held (0 skips)")
    p.add_argument("--members", type=int, default=200, help="members / private chats (200)")
    p.add_argument("--even", action="store_true", help="evenly spaced arrivals, not Poisson")
    p.add_argument("--json", action="store_true", help="print the result as JSON at the end")
    args = p.parse_args(argv)

    def rates(text: str) -> tuple[float, ...]:
        return tuple(float(x) for x in text.split(",") if x.strip())

    quick = bool(args.quick)
    opts = Options(
        database_url=args.database_url,
        seconds=args.seconds if args.seconds is not None else (3.0 if quick else 60.0),
        rates=rates(args.rates),
        limited_rates=rates(args.limited_rates),
        cpu_seconds=args.cpu_seconds if args.cpu_seconds is not None else (3.0 if quick else 20.0),
        lock_seconds=args.lock_seconds,
        members=args.members,
        poisson=not args.even,
        quick=quick,
        profile=bool(args.profile),
    )
    return opts, bool(args.json)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return asyncio.run(child_main(json.loads(argv[1])))
    logging.basicConfig(level=logging.ERROR)
    opts, as_json = options(argv)
    rep = asyncio.run(run(opts))
    ok = print_report(rep)
    if opts.profile:
        for path in sorted(Path(rep.setup["log_dir"]).glob("brygada*.prof.txt")):
            print(f"\n=== cProfile of the Brygada process, measured phases: {path.name} ===")
            print(path.read_text(encoding="utf-8"))
    if as_json:
        print(json.dumps(asdict(rep)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
