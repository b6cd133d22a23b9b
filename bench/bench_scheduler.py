"""Scheduler benchmarks.

1. One sweep over 1,000,000 tasks and 10,000 members (target: under 200 ms), for an
   ordinary 30-second window and for the window in which a timezone's morning
   prompts fall due (bulk enqueue).
2. 10,000 morning prompts delivered through the loopback Telegram server that
   enforces Telegram's limits (30/s overall, 1/s per chat): total time against the
   theoretical minimum (10,000 / 30 s), and the number of 429s received (target 0).

    .venv/bin/python bench/bench_scheduler.py [--quick] [--database-url URL]
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from _setup import FakeClock, database, latency_summary, machine, make_app, make_team, parser
from pydantic import SecretStr
from sqlalchemy import delete, insert, select

from bots.telegram.adapter import build_bot
from bots.telegram.notifier import TelegramNotifier
from brygada.bootstrap import App
from brygada.server import settle_heap
from brygada.telegram import telegram_config
from domain.notifications import Notification
from storage.maintenance import refresh_statistics
from storage.models import ChatIdentityRow, MemberRow, OutboxRow, TaskRow
from tests.fakes.telegram_api import FakeTelegramAPI

ZONES = [
    "Europe/Warsaw",
    "Europe/Moscow",
    "Europe/London",
    "America/New_York",
    "Asia/Tokyo",
    "Asia/Almaty",
    "Europe/Berlin",
    "America/Los_Angeles",
]
BATCH = 10_000


async def load(app: App, members: int, tasks: int) -> list[int]:
    """Members with Telegram identities and tasks, inserted in bulk with Core."""
    team = await make_team(app, ["boss"])
    company_id = team.company.id
    rnd = random.Random(7)
    now = app.clock.now()
    async with app.engine.begin() as conn:
        await conn.execute(
            insert(MemberRow),
            [
                {
                    "company_id": company_id,
                    "name": f"Member {i}",
                    "handle": f"m{i}",
                    "role": "employee",
                    "language": "en",
                    "timezone": ZONES[i % len(ZONES)],
                    "active": True,
                }
                for i in range(members)
            ],
        )
        ids = list(
            (
                await conn.execute(
                    select(MemberRow.id).where(
                        MemberRow.company_id == company_id, MemberRow.handle.like("m%")
                    )
                )
            ).scalars()
        )
        await conn.execute(
            insert(ChatIdentityRow),
            [
                {
                    "platform": "telegram",
                    "workspace": "bench",
                    "user_id": str(10_000 + n),
                    "member_id": member_id,
                    "chat_id": str(10_000 + n),
                    "unreachable": False,
                }
                for n, member_id in enumerate(ids)
            ],
        )
        for start in range(0, tasks, BATCH):
            rows = []
            for _ in range(start, min(start + BATCH, tasks)):
                who = rnd.choice(ids)
                is_open = rnd.random() < 0.3
                rows.append(
                    {
                        "company_id": company_id,
                        "title": "Bench task",
                        "creator_id": who,
                        "responsible_id": who,
                        "priority": "medium",
                        "deadline": now + timedelta(minutes=rnd.randint(-86_400, 86_400)),
                        "kind": "regular",
                        "status": "in_progress" if is_open else "completed",
                        "is_open": is_open,
                        "created_at": now,
                        "updated_at": now,
                        "crm_links": [],
                        "attachments": [],
                    }
                )
            await conn.execute(insert(TaskRow), rows)
    return ids


async def sweeps(app: App, clock: FakeClock, rounds: int) -> dict[str, Any]:
    sweeper = app.sweeper()
    async with app.uow() as uow:
        await uow.scheduler.set_watermark("sweep", clock.now())
        await uow.commit()
    ordinary = []
    for _ in range(rounds):
        clock.advance(seconds=30)
        started = time.perf_counter()
        await sweeper.run_once()
        ordinary.append(time.perf_counter() - started)
    # The window holding 09:00 in Warsaw and Berlin: ~2,500 morning prompts enqueued.
    clock.set(datetime(2026, 11, 26, 7, 59, 45, tzinfo=UTC))
    async with app.uow() as uow:
        await uow.scheduler.set_watermark("sweep", clock.now())
        await uow.commit()
    clock.set(datetime(2026, 11, 26, 8, 0, 15, tzinfo=UTC))
    started = time.perf_counter()
    report = await sweeper.run_once()
    morning = time.perf_counter() - started
    return {
        "ordinary": latency_summary(ordinary),
        "morning_ms": morning * 1000,
        "morning_enqueued": report.enqueued.get("plan.morning", 0),
    }


async def deliver(app: App, ids: list[int], count: int) -> dict[str, Any]:
    """Real morning prompts (each rendered with the member's lists), sent by the
    dispatcher's pipelined workers through the rate-limited Bot API."""
    async with app.uow() as uow:  # start from an empty outbox: only these prompts
        await uow.session.execute(delete(OutboxRow))
        await uow.outbox.add_many(
            [
                Notification(
                    member_id=m,
                    kind="plan.morning",
                    data={"date": "2026-11-26"},
                    dedup_key=f"bench:{m}",
                )
                for m in ids[:count]
            ]
        )
        await uow.commit()
    async with FakeTelegramAPI() as api:
        api.enforce_limits(per_chat_per_second=1, global_per_second=30)
        settings = app.settings.model_copy(
            update={
                "telegram_bot_token": SecretStr("123456:BENCH"),
                "telegram_api_url": api.base_url,
            }
        )
        bot = build_bot(telegram_config(settings))
        dispatcher = app.dispatcher({"telegram": TelegramNotifier(bot)})
        settle_heap()  # as `brygada run` does once it is up
        stop = asyncio.Event()
        started = time.perf_counter()
        workers = asyncio.create_task(dispatcher.run_forever(0.05, stop))
        while len([c for c in api.calls_to("sendMessage") if c.ok]) < count:
            await asyncio.sleep(0.1)
        elapsed = time.perf_counter() - started
        stop.set()
        await workers
        await bot.session.close()
        minimum = count / 30
        return {
            "count": count,
            "seconds": elapsed,
            "minimum_s": minimum,
            "over_minimum_pct": (elapsed / minimum - 1) * 100,
            "rejected_429": api.rejected_429,
        }


async def run(args: Any) -> dict[str, Any]:
    members, tasks, prompts, rounds = (
        (2_000, 100_000, 600, 10) if args.quick else (10_000, 1_000_000, 10_000, 20)
    )
    db = database(args.database_url)
    clock = FakeClock(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    app = await make_app(db.url, clock)
    try:
        started = time.perf_counter()
        ids = await load(app, members, tasks)
        await refresh_statistics(app.uow)  # the hourly job would have run by now
        load_s = time.perf_counter() - started
        sweep = await sweeps(app, clock, rounds)
        delivery = await deliver(app, ids, prompts)
    finally:
        await app.close()
        db.cleanup()
    return {
        "db": db.kind,
        "members": members,
        "tasks": tasks,
        "load_s": load_s,
        "sweep": sweep,
        "delivery": delivery,
    }


def main() -> int:
    args = parser(__doc__ or "").parse_args()
    result = asyncio.run(run(args))
    s, d = result["sweep"], result["delivery"]
    print(f"bench_scheduler  [{result['db']}]  {machine()}")
    print(
        f"  data      : {result['tasks']:,} tasks, {result['members']:,} members "
        f"(loaded in {result['load_s']:.1f} s)"
    )
    print(
        f"  sweep     : 30 s window p50 {s['ordinary']['p50_ms']:.1f} ms, "
        f"p95 {s['ordinary']['p95_ms']:.1f} ms (target < 200 ms)"
    )
    print(
        f"  sweep     : morning window {s['morning_ms']:.1f} ms, "
        f"{s['morning_enqueued']:,} prompts enqueued"
    )
    print(
        f"  delivery  : {d['count']:,} prompts in {d['seconds']:.1f} s; minimum "
        f"{d['minimum_s']:.1f} s (+{d['over_minimum_pct']:.1f}%, target <= 10%); "
        f"429s received: {d['rejected_429']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
