"""Time tracking: timesheet reports over a million time entries, and timers per second.

Bootstraps the real app (migrations included), makes a company of ``--members`` members
(default 200) with tasks (some tagged ``no``: not billable), bulk-loads ``--entries`` time
entries (default 1,000,000, spread over the last 90 days) with SQLAlchemy Core, then:

* times the timesheet read model (``domain.services.timetracking.timesheet``: one SQL
  GROUP BY per report) for one member's week and month and for the whole company's
  month (the admin's ``/timesheet month team``);
* sends ``/timer <task>`` and ``/timer stop`` through ``app.conversation.handle`` and
  reports timer operations per second end to end (each stop writes a time entry).

Target (Time tracking issue): a report under 1 s on SQLite with 1,000,000 entries.

    .venv/bin/python bench/bench_time.py                 # SQLite temp file
    .venv/bin/python bench/bench_time.py --quick         # smoke run (20k entries)
    .venv/bin/python bench/bench_time.py --database-url postgresql+asyncpg://u:p@host/db
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import (
    FakeClock,
    database,
    latency_summary,
    machine,
    make_app,
    make_team,
    parser,
    redact,
)
from sqlalchemy import insert, text

from domain.services import tasks as task_service
from domain.services import timetracking
from handlers.types import Inbound
from storage.models_time import TimeEntryRow

TARGET_S = 1.0
TZ = "Europe/Warsaw"


async def load_entries(
    app: Any, company_id: int, members: list[int], tasks: dict[int, list[int]], count: int
) -> float:
    """Bulk insert ``count`` entries with Core, in batches; returns seconds taken."""
    rnd = random.Random(11)
    zone = ZoneInfo(TZ)
    today = app.clock.now().astimezone(zone).date()
    table = TimeEntryRow.__table__
    batch: list[dict[str, Any]] = []
    started = time.perf_counter()
    async with app.engine.begin() as conn:
        for i in range(count):
            member = members[i % len(members)]
            day = today - timedelta(days=rnd.randrange(90))
            start = datetime.combine(day, datetime.min.time(), tzinfo=zone) + timedelta(
                minutes=8 * 60 + rnd.randrange(9 * 60)
            )
            seconds = 60 * rnd.randrange(5, 120)
            start_utc = start.astimezone(UTC)
            batch.append(
                {
                    "company_id": company_id,
                    "member_id": member,
                    "task_id": rnd.choice(tasks[member]),
                    "started_at": start_utc,
                    "ended_at": start_utc + timedelta(seconds=seconds),
                    "seconds": seconds,
                    "day": day,
                    "source": "timer",
                    "comment": None,
                    "deleted": False,
                    "version": 0,
                }
            )
            if len(batch) == 20_000:
                await conn.execute(insert(table), batch)
                batch = []
        if batch:
            await conn.execute(insert(table), batch)
        if conn.dialect.name == "sqlite":
            await conn.execute(text("ANALYZE"))
        else:
            await conn.execute(text("ANALYZE time_entries"))
    return time.perf_counter() - started


async def time_report(
    app: Any, member: Any, period: str, team: bool, repeat: int
) -> dict[str, Any]:
    samples = []
    rows = minutes = 0
    for _ in range(repeat):
        async with app.uow() as uow:
            t0 = time.perf_counter()
            sheet = await timetracking.timesheet(uow, member, period, app.clock.now(), team=team)
            samples.append(time.perf_counter() - t0)
            rows = len(sheet.rows)
            minutes = sheet.total_minutes
    return {**latency_summary(samples), "groups": rows, "minutes": minutes}


async def timers(
    app: Any, team: Any, handles: list[str], tasks: dict[int, list[int]], seconds: float
) -> dict[str, Any]:
    """Alternate /timer <task> and /timer stop across members, through the conversation."""
    ops, samples = 0, []
    deadline = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < deadline:
        handle = handles[i % len(handles)]
        member = team[handle]
        task_id = tasks[member.id][0]
        for args in (str(task_id), "stop"):
            app.clock.advance(minutes=1)
            inbound = Inbound(
                platform="console",
                workspace=team.workspace,
                user_id=handle,
                chat_id=handle,
                command="timer",
                args=args,
            )
            t0 = time.perf_counter()
            replies = await app.conversation.handle(inbound)
            samples.append(time.perf_counter() - t0)
            assert replies and replies[0].template == "time_timer", replies
            ops += 1
        i += 1
    total = sum(samples)
    return {"ops": ops, "ops_per_s": ops / total if total else 0.0, **latency_summary(samples)}


async def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--members", type=int, default=200)
    p.add_argument("--entries", type=int, default=1_000_000)
    p.add_argument("--seconds", type=float, default=5.0, help="timer loop duration")
    p.add_argument(
        "--no-index",
        action="store_true",
        help="drop ix_time_entries_member_day first, to see what the index buys",
    )
    args = p.parse_args()
    if args.quick:
        args.members, args.entries, args.seconds = 20, 20_000, 1.0
    db = database(args.database_url)
    clock = FakeClock()
    app = await make_app(db.url, clock)
    try:
        if args.no_index:
            async with app.engine.begin() as conn:
                await conn.execute(text("DROP INDEX ix_time_entries_member_day"))
        handles = ["boss", *(f"m{i:03d}" for i in range(1, args.members))]
        t0 = time.perf_counter()
        team = await make_team(app, handles, projects=("Sales", "Website", "Office"))
        tasks: dict[int, list[int]] = {}
        async with app.uow() as uow:
            projects = {p.name: p.id for p in await uow.projects.list(team.company.id or 0)}
            boss = team["boss"]
            for n, handle in enumerate(handles):
                member = team[handle]
                ids = []
                for k in range(5):
                    project = list(projects.values())[k % 3]
                    cmd = task_service.CreateTask(
                        title=f"Work item {n}-{k}",
                        responsible_id=member.id,
                        project_id=project,
                        tags=("no",) if k == 4 else (),
                        planned_minutes=60 * 40,
                    )
                    task = await task_service.create_task(uow, boss, cmd, clock.now())
                    ids.append(task.id or 0)
                assert member.id is not None
                tasks[member.id] = ids
            await uow.commit()
        setup_s = time.perf_counter() - t0
        load_s = await load_entries(app, team.company.id or 0, list(tasks), tasks, args.entries)
        member = team[handles[1]]
        reports = {
            "member_week": await time_report(app, member, "week", False, 20),
            "member_month": await time_report(app, member, "month", False, 20),
            "company_month_team": await time_report(app, team["boss"], "month", True, 5),
        }
        worst = max(r["p95_ms"] for r in reports.values())
        timer_run = await timers(app, team, handles[1:51], tasks, args.seconds)
        result = {
            "benchmark": "time",
            "database": db.kind,
            "url": redact(db.url),
            "machine": machine(),
            "members": args.members,
            "entries": args.entries,
            "member_day_index": not args.no_index,
            "setup_s": round(setup_s, 2),
            "bulk_load_s": round(load_s, 2),
            "bulk_load_rows_per_s": round(args.entries / load_s) if load_s else None,
            "reports": reports,
            "report_worst_p95_ms": worst,
            "report_target_met": worst < TARGET_S * 1000,
            "timers": timer_run,
        }
        print(json.dumps(result, indent=2, default=str))
    finally:
        await app.close()
        db.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
