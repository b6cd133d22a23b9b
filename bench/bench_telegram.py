"""Telegram adapter end to end: updates/s through the real aiogram Bot, long polling.

Fake Bot API (tests/fakes/telegram_api.py, loopback) -> the real aiogram ``Bot`` and
``Dispatcher`` polling it -> Brygada's ``TelegramAdapter`` -> conversation -> database ->
the reply recorded by the fake. Three phases in one run, on ONE fake server (one after
the other, so two bots never poll the same queue):

* (c) echo: a bare aiogram bot (one message handler, ``message.answer(message.text)``);
  the ceiling the transport, aiogram and the fake allow on this machine;
* (a) create: private text messages, each becoming a task (reply: ``sendMessage``);
* (b) buttons: callback updates pressing Start / Pause alternately on task cards (reply:
  the card edited in place, ``editMessageText``; the query is answered first).

For (a) and (c) all N updates are pushed at once; time runs from the first push until
the fake recorded the Nth reply. For (b) a card can only be pressed again once the
previous press was handled (Pause needs the task started), so presses go in waves of one
press per card (``--cards`` cards, N / cards waves); the time covers all waves.

The adapter's client-side rate limiter (1 msg/s per private chat, 28 msg in any second overall)
is replaced by a no-op limiter: the global cap alone would otherwise pin every figure at
~28/s whatever the chats. The fake enforces no limits. Senders rotate over ``--members``
members (default 30: one card each, a member has one running timer), each in their own
private chat. The fake runs in the same process and event
loop as the bots, so its cost (HTTP server, JSON, HTML parsing) is in every figure.

Target: Brygada >= half of the echo bot's rate.

    .venv/bin/python bench/bench_telegram.py                # SQLite temp file, N = 1000
    .venv/bin/python bench/bench_telegram.py --quick        # N = 100
    .venv/bin/python bench/bench_telegram.py --database-url postgresql+asyncpg://u:p@host/db
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import html
import io
import json
import logging
import pstats
import random
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import ROOT, FakeClock, database, machine, make_app, parser, redact
from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from bench_create import capture_texts
from pydantic import SecretStr
from sqlalchemy import func, select

from bots.telegram import TelegramAdapter
from bots.telegram.middlewares import RateLimiter
from brygada.server import settle_heap
from brygada.telegram import telegram_config
from domain.company import NewProject, Role
from domain.services import members
from storage.models import TaskRow
from tests.fakes import Call
from tests.fakes.telegram_api import FakeTelegramAPI

TARGET_RATIO = 0.5
NAMES = ["Boss", "Anna", "Ivan", "Olga", "Piotr", "Marta", "Kasia", "Dmitry", "Tom", "Ewa"]


class NoLimit(RateLimiter):
    """The adapter's limiter switched off (see the module docstring)."""

    @contextlib.asynccontextmanager
    async def slot(self, chat_id: int | str | None) -> AsyncIterator[None]:
        yield


class CountingFake(FakeTelegramAPI):
    """Counts successful calls of the watched methods as they are recorded and notes the
    moment the target count is reached (no scans of the call log)."""

    def __init__(self) -> None:
        super().__init__()
        self.watched: frozenset[str] = frozenset()
        self.counted = 0
        self.target = 0
        self.reached_at = 0.0
        self.reached = asyncio.Event()

    def arm(self, methods: Iterable[str], target: int) -> None:
        self.watched = frozenset(methods)
        self.counted = 0
        self.target = target
        self.reached_at = 0.0
        self.reached = asyncio.Event()

    def _record(self, method: str, params: dict[str, Any], response: dict[str, Any], *,
                status: int, arrived: float) -> Call:  # fmt: skip
        call = super()._record(method, params, response, status=status, arrived=arrived)
        if method in self.watched and call.ok:
            self.counted += 1
            if self.counted == self.target:
                self.reached_at = time.perf_counter()
                self.reached.set()
        return call

    async def wait_reached(self, timeout: float) -> None:
        try:
            await asyncio.wait_for(self.reached.wait(), timeout)
        except TimeoutError:
            raise AssertionError(
                f"only {self.counted} of {self.target} replies within {timeout:.0f} s"
            ) from None

    async def drained(self, timeout: float = 10.0) -> None:
        """Wait until the poller confirmed every update (nothing left for the next bot)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.pending_updates and loop.time() < deadline:
            await asyncio.sleep(0.01)


async def _polling(dispatcher: Dispatcher, bot: Bot, **kw: Any) -> asyncio.Task[None]:
    task = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False, **kw)
    )
    await asyncio.sleep(0.05)  # the first getUpdates is waiting
    return task


async def _stop(dispatcher: Dispatcher, task: asyncio.Task[None]) -> None:
    with contextlib.suppress(RuntimeError):
        await asyncio.wait_for(dispatcher.stop_polling(), 5)
    with contextlib.suppress(asyncio.CancelledError, TimeoutError):
        await asyncio.wait_for(task, 5)


def _rate(count: int, seconds: float) -> dict[str, float]:
    return {"updates": count, "seconds": round(seconds, 3), "per_s": round(count / seconds, 1)}


async def _timed_burst(
    api: CountingFake, updates: list[dict[str, Any]], methods: Iterable[str], timeout: float
) -> float:
    """Push every update at once; seconds from the first push to the last reply."""
    api.arm(methods, len(updates))
    start = time.perf_counter()
    for update in updates:
        api.push_update(update)
    await api.wait_reached(timeout)
    return api.reached_at - start


# -- (c) the echo bot ------------------------------------------------------------------


def _confirmation_like_keyboard(n: int) -> InlineKeyboardMarkup:
    """The shape of Brygada's confirmation card: nine buttons in four rows, ~30-byte data."""
    labels = ["Today", "Tomorrow", "Week", "Deadline", "Delegate", "Priority", "Project",
              "Tags", "Planned"]  # fmt: skip
    buttons = [
        InlineKeyboardButton(text=label, callback_data=f"op:{n}:{i}:AbCdEfGhIjK")
        for i, label in enumerate(labels)
    ]
    rows = [buttons[0:3], buttons[3:6], buttons[6:9]]
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def echo_phase(api: CountingFake, token: str, texts: list[str], users: list[int],
                     warmup: int, timeout: float, *,
                     keyboard: bool = False) -> dict[str, Any]:  # fmt: skip
    """The bare echo bot; with ``keyboard`` it answers in the confirmation card's shape
    (HTML-escaped text in bold, nine inline buttons): aiogram's cost of such a reply."""
    router = Router(name="echo")

    @router.message()
    async def echo(message: Message) -> None:
        if keyboard:
            text = f"<b>{html.escape(message.text or '')}</b>"
            await message.answer(
                text,
                parse_mode="HTML",
                reply_markup=_confirmation_like_keyboard(message.message_id),
            )
        else:
            await message.answer(message.text or "")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))

    def updates(batch: list[str], offset: int) -> list[dict[str, Any]]:
        chats = [users[(offset + i) % len(users)] for i in range(len(batch))]
        pairs = zip(chats, batch, strict=True)
        return [api.message_update(chat, chat, text) for chat, text in pairs]

    polling = await _polling(dispatcher, bot)
    try:
        await _timed_burst(api, updates(texts[:warmup], 0), ["sendMessage"], timeout)
        seconds = await _timed_burst(api, updates(texts, warmup), ["sendMessage"], timeout)
        await api.drained()
    finally:
        await _stop(dispatcher, polling)
        await bot.session.close()
    return _rate(len(texts), seconds)


# -- Brygada: the team, (a) create, (b) buttons ----------------------------------------


async def make_members(app: Any, bot_id: str, users: list[int]) -> tuple[int, dict[int, str]]:
    """A company whose members joined on Telegram: (company id, user id -> @username)."""
    now = app.clock.now()
    usernames: dict[int, str] = {}
    async with app.uow() as uow:
        company = await members.create_company(uow, "Bench Co", timezone="Europe/Warsaw")
        joined = []
        for i, uid in enumerate(users):
            role = Role.ADMIN if i == 0 else Role.EMPLOYEE
            invite = await members.create_invite(uow, company.id, role, now)
            name = NAMES[i % len(NAMES)] + ("" if i < len(NAMES) else str(i))
            member = await members.join(
                uow, code=invite.code, platform="telegram", workspace=bot_id, user_id=str(uid),
                chat_id=str(uid), name=name, username=name.lower(), language="en", now=now,
            )  # fmt: skip
            if member.role is not role:
                member.role = role
                await uow.members.save(member)
            joined.append(member)
            usernames[uid] = name.lower()
        for project in ("Sales", "Website", "Office"):
            await uow.projects.add(NewProject(company.id, project, frozenset(m.id for m in joined)))
        await uow.commit()
    return company.id, usernames


def _button(message: dict[str, Any], action: str) -> str:
    markup = message.get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        for b in row:
            data = str(b.get("callback_data") or "")
            if data.split(":", 1)[0] == action:
                return data
    raise AssertionError(f"no {action!r} button on {message.get('text', '')[:60]!r}")


async def brygada_phases(app: Any, api: CountingFake, token: str, texts: list[str],
                         users: list[int], usernames: dict[int, str], company_id: int,
                         n: int, cards: int,
                         warmup: int, timeout: float,
                         profiler: cProfile.Profile | None) -> dict[str, Any]:  # fmt: skip
    settings = app.settings.model_copy(
        update={"telegram_bot_token": SecretStr(token), "telegram_api_url": api.base_url}
    )
    adapter = TelegramAdapter(telegram_config(settings), app.conversation, limiter=NoLimit())
    await adapter.start()
    stop = asyncio.Event()
    polling = asyncio.create_task(adapter.run_polling(stop))
    await asyncio.sleep(0.05)

    def msg(offset: int) -> Callable[[int, str], dict[str, Any]]:
        def build(i: int, text: str) -> dict[str, Any]:
            uid = users[(offset + i) % len(users)]
            name = usernames[uid]
            return api.message_update(uid, uid, text, first_name=name.title(), username=name)

        return build

    try:
        # warm-up: caches, the connection pool, aiogram's handler resolution
        warm = [msg(0)(i, t) for i, t in enumerate(texts[:warmup])]
        await _timed_burst(api, warm, ["sendMessage"], timeout)

        # (a) create: all N at once
        mark = len(api.calls)
        build = msg(warmup)
        burst = [build(i, t) for i, t in enumerate(texts[:n])]
        if profiler:
            profiler.enable()
        create_s = await _timed_burst(api, burst, ["sendMessage"], timeout)
        if profiler:
            profiler.disable()
        created = [c for c in api.calls[mark:] if c.method == "sendMessage" and c.ok]
        not_created = sum(1 for c in created if not _has_button(c.response["result"], "op"))
        await api.drained()

        # (b) buttons: one self-assigned task and its card per card slot (not timed)
        owners = [users[i % len(users)] for i in range(cards)]
        setup = [
            api.message_update(uid, uid, f"Bench card {i} tomorrow 10:00",
                               first_name=usernames[uid].title(), username=usernames[uid])
            for i, uid in enumerate(owners)
        ]  # fmt: skip
        mark = len(api.calls)
        await _timed_burst(api, setup, ["sendMessage"], timeout)
        confirmations = [
            c.response["result"] for c in api.calls[mark:] if c.method == "sendMessage" and c.ok
        ]
        task_ids: dict[int, list[int]] = {}  # chat -> its task ids (several when cards > members)
        for m in confirmations:
            task_ids.setdefault(m["chat"]["id"], []).append(int(_button(m, "op").split(":")[1]))
        opens = [
            api.message_update(uid, uid, f"/start task_{tid}", first_name=usernames[uid].title(),
                               username=usernames[uid])
            for uid, tids in task_ids.items() for tid in tids
        ]  # fmt: skip
        mark = len(api.calls)
        await _timed_burst(api, opens, ["sendMessage"], timeout)
        card_keys = [
            (c.response["result"]["chat"]["id"], c.response["result"]["message_id"])
            for c in api.calls[mark:] if c.method == "sendMessage" and c.ok
        ]  # fmt: skip
        assert len(card_keys) == cards, (len(card_keys), cards)
        await api.drained()

        waves = max(1, n // cards)
        mark = len(api.calls)
        total = 0.0
        for wave in range(waves):
            action = "ts" if wave % 2 == 0 else "tp"
            presses = []
            for chat_id, message_id in card_keys:
                card = api.messages[(chat_id, message_id)]
                presses.append(
                    api.callback_update(chat_id, chat_id, _button(card, action),
                                        message_id=message_id)
                )  # fmt: skip
            total += await _timed_burst(api, presses, ["editMessageText"], timeout)
        calls = api.calls[mark:]
        alerts = sum(
            1 for c in calls if c.method == "answerCallbackQuery" and c.params.get("show_alert")
        )
        unanswered = waves * cards - sum(
            1 for c in calls if c.method == "answerCallbackQuery" and c.ok
        )
        await api.drained()
        async with app.uow() as uow:
            stored = int(
                await uow.session.scalar(
                    select(func.count())
                    .select_from(TaskRow)
                    .where(TaskRow.company_id == company_id)
                )
                or 0
            )
    finally:
        stop.set()
        await asyncio.wait_for(polling, timeout=10)
        await adapter.close()
    return {
        "create": {**_rate(n, create_s), "not_task_created": not_created},
        "buttons": {
            **_rate(waves * cards, total),
            "cards": cards,
            "waves": waves,
            "alerts": alerts,
            "unanswered": unanswered,
        },
        "stored_tasks": stored,
        "expected_tasks": warmup + n + cards,
    }


def _has_button(message: dict[str, Any], action: str) -> bool:
    try:
        _button(message, action)
    except AssertionError:
        return False
    return True


async def run(args: Any) -> dict[str, Any]:
    logging.basicConfig(level=logging.ERROR)
    n = 100 if args.quick else args.count
    cards = min(args.cards, max(1, n // 2))  # at least two waves: Start, then Pause
    warmup = 20
    timeout = 120.0
    rnd = random.Random(11)
    bot_no = rnd.randint(10_000_000, 99_999_999) if args.database_url else 123456
    brygada_token = f"{bot_no}:BENCH"
    echo_token = "654321:ECHO"
    if cards > args.members:
        # A member has one running timer: starting a second card pauses the first, and
        # the Pause press on it would be refused, not edit the card.
        raise SystemExit("--cards must not exceed --members (one running timer per member)")
    users = [7_000_000 + i for i in range(args.members)]

    db = database(args.database_url)
    app = await make_app(db.url, FakeClock())
    profiler = cProfile.Profile() if args.profile else None
    try:
        company_id, usernames = await make_members(app, str(bot_no), users)
        texts = capture_texts(sorted(usernames.values()), n + warmup)
        settle_heap()  # as `brygada run` does once it is up
        async with CountingFake() as api:
            api.disable_limits()
            echo = await echo_phase(api, echo_token, texts[warmup : warmup + n], users, warmup,
                                    timeout)  # fmt: skip
            echo_kb = await echo_phase(api, "654322:ECHOKB", texts[warmup : warmup + n], users,
                                       warmup, timeout, keyboard=True)  # fmt: skip
            brygada = await brygada_phases(
                app, api, brygada_token, texts, users, usernames, company_id, n, cards, warmup,
                timeout,
                profiler,
            )  # fmt: skip
    finally:
        await app.close()
        db.cleanup()

    create, buttons = brygada["create"], brygada["buttons"]
    ratio_create = create["per_s"] / echo["per_s"]
    ratio_buttons = buttons["per_s"] / echo["per_s"]
    result: dict[str, Any] = {
        "benchmark": "telegram",
        "database": db.kind,
        "url": redact(db.url),
        "machine": machine(),
        "n": n,
        "members": len(users),
        "echo": echo,
        "echo_keyboard": echo_kb,
        **brygada,
        "ratio_create": round(ratio_create, 3),
        "ratio_buttons": round(ratio_buttons, 3),
        "target_ratio": TARGET_RATIO,
        "limiter": "disabled (no-op RateLimiter); fake enforces no limits",
    }
    print(f"bench_telegram  [{db.kind}]  {machine()}")
    print(
        f"  setup      : fake Bot API on 127.0.0.1 -> aiogram long polling; N = {n}; "
        f"{len(users)} members, each in their own private chat"
    )
    print(
        "  limiter    : the adapter's RateLimiter replaced by a no-op one (its 1/s per chat "
        "and 29-per-second overall caps would be measured otherwise); the fake enforces no limits"
    )
    print(f"  (c) echo   : {n} messages in {echo['seconds']} s -> {echo['per_s']} updates/s")
    print(
        f"  (d) echo answering like a confirmation card (HTML, 9 buttons): {n} messages in "
        f"{echo_kb['seconds']} s -> {echo_kb['per_s']} updates/s "
        f"({echo_kb['per_s'] / echo['per_s']:.2f} x echo); Brygada's create is "
        f"{create['per_s'] / echo_kb['per_s']:.2f} x this one"
    )
    print(
        f"  (a) create : {n} messages -> tasks in {create['seconds']} s -> "
        f"{create['per_s']} updates/s  ({ratio_create:.2f} x echo)"
    )
    print(
        f"  (b) buttons: {buttons['updates']} presses (Start/Pause, {cards} cards x "
        f"{buttons['waves']} waves) in {buttons['seconds']} s -> {buttons['per_s']} updates/s  "
        f"({ratio_buttons:.2f} x echo)"
    )
    ok = min(ratio_create, ratio_buttons) >= TARGET_RATIO
    print(f"  target     : Brygada >= {TARGET_RATIO} x echo -> {'OK' if ok else 'BELOW TARGET'}")
    print(
        f"  check      : {brygada['stored_tasks']} tasks stored, {brygada['expected_tasks']} "
        f"expected; {create['not_task_created']} non-task replies; {buttons['alerts']} alerts, "
        f"{buttons['unanswered']} unanswered presses"
    )
    if (
        brygada["stored_tasks"] != brygada["expected_tasks"]
        or create["not_task_created"]
        or buttons["alerts"]
        or buttons["unanswered"]
    ):
        result["error"] = "self-check failed"
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print("\n--- cProfile, create phase, top 30 by cumulative ---")
        print(out.getvalue().replace(str(ROOT) + "/", ""))
    return result


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--count", type=int, default=1000, help="updates per phase (default 1000)")
    p.add_argument("--cards", type=int, default=30, help="task cards pressed (default 30)")
    p.add_argument("--members", type=int, default=30, help="members / private chats (30)")
    p.add_argument("--json", action="store_true", help="print the result as JSON at the end")
    args = p.parse_args(argv)
    result = asyncio.run(run(args))
    if args.json:
        print(json.dumps(result))
    return 1 if "error" in result else 0


if __name__ == "__main__":
    sys.exit(main())
