"""Time tracking: timesheet reports over a million time entries, and timers per second.

Bootstraps the real app (migrations included), makes a company of ``--members`` members
(default 200) with five tasks each (tagged ``client``, ``client`` and ``urgent``,
``internal``, nothing, and ``no``: not billable), bulk-loads ``--entries`` time entries
(default 1,000,000, spread over the last 90 days) with SQLAlchemy Core, then:

* times the timesheet read model (``domain.services.timereports.timesheet``: one SQL
  GROUP BY per report) for one member's week and month and for the whole company's
  month (the admin's ``/timesheet month team``);
* times the time reports (``domain.services.timereports``) for the whole company's month:
  by member, project, tag, client (three of each member's five tasks link a CRM company,
  contact or lead) and day, plan vs fact (a fixed daily plan per member and working
  day) and attendance (``/day`` start and end per member and working day, reports on
  most days), and one member's month by client;
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
from domain.services import timereports, timetracking
from domain.timereports import parse_report
from handlers.types import Inbound
from storage.models.crm import CrmCompanyRow, CrmContactRow, CrmLeadRow
from storage.models.time import DailyPlanRow, DailyReportRow, TimeEntryRow, WorkDayEventRow

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


async def load_crm(app: Any, company_id: int, count: int = 50) -> list[str]:
    """``count`` client companies, a contact of each and an unconverted lead of each;
    returns the CRM links the tasks take (``company:N``, ``contact:N``, ``lead:N``)."""
    now = app.clock.now()
    async with app.engine.begin() as conn:
        ids = []
        for n in range(count):
            result = await conn.execute(
                insert(CrmCompanyRow).values(
                    company_id=company_id,
                    name=f"Client {n:02d}",
                    name_key=f"client {n:02d}",
                    created_at=now,
                )
            )
            ids.append(int(result.inserted_primary_key[0]))
        contacts, leads = [], []
        for n, client in enumerate(ids):
            result = await conn.execute(
                insert(CrmContactRow).values(
                    company_id=company_id,
                    name=f"Person {n:02d}",
                    client_company_id=client,
                    created_at=now,
                )
            )
            contacts.append(int(result.inserted_primary_key[0]))
            result = await conn.execute(
                insert(CrmLeadRow).values(
                    company_id=company_id,
                    name=f"Lead {n:02d}",
                    company_name=f"Prospect {n:02d}",
                    status="new",
                    created_at=now,
                )
            )
            leads.append(int(result.inserted_primary_key[0]))
    return [
        *(f"company:{i}" for i in ids),
        *(f"contact:{i}" for i in contacts),
        *(f"lead:{i}" for i in leads),
    ]


async def load_days(
    app: Any, company_id: int, members: list[int], tasks: dict[int, list[int]]
) -> float:
    """Per member and working day of the last 90: /day start (8:40-9:40) and end
    (16:30-18:30), a fixed plan of three tasks, and a daily report on nine days of ten."""
    rnd = random.Random(13)
    zone = ZoneInfo(TZ)
    today = app.clock.now().astimezone(zone).date()
    events: list[dict[str, Any]] = []
    plans: list[dict[str, Any]] = []
    reports: list[dict[str, Any]] = []
    started = time.perf_counter()
    for member in members:
        for back in range(90):
            day = today - timedelta(days=back)
            if day.weekday() >= 5:
                continue
            base = datetime.combine(day, datetime.min.time(), tzinfo=zone)
            start = base + timedelta(minutes=8 * 60 + 40 + rnd.randrange(60))
            end = base + timedelta(minutes=16 * 60 + 30 + rnd.randrange(120))
            for at, kind in ((start, "start"), (end, "end")):
                events.append(
                    {
                        "company_id": company_id,
                        "member_id": member,
                        "day": day,
                        "at": at.astimezone(UTC),
                        "kind": kind,
                    }
                )
            items = [
                {"task_id": t, "minutes": 60 + 30 * rnd.randrange(6)} for t in tasks[member][:3]
            ]
            plans.append(
                {
                    "member_id": member,
                    "day": day,
                    "company_id": company_id,
                    "items": items,
                    "fixed_at": start.astimezone(UTC),
                }
            )
            if rnd.random() < 0.9:
                reports.append(
                    {
                        "company_id": company_id,
                        "member_id": member,
                        "day": day,
                        "comment": "done",
                        "summary": {},
                        "submitted_at": end.astimezone(UTC),
                    }
                )
    async with app.engine.begin() as conn:
        for table, rows in (
            (WorkDayEventRow.__table__, events),
            (DailyPlanRow.__table__, plans),
            (DailyReportRow.__table__, reports),
        ):
            for chunk in range(0, len(rows), 5_000):
                await conn.execute(insert(table), rows[chunk : chunk + 5_000])
    return time.perf_counter() - started


async def new_report(app: Any, member: Any, kind: str, args: str, repeat: int) -> dict[str, Any]:
    """A ``domain.services.timereports`` read model, timed like ``time_report``."""
    samples = []
    size = 0
    for _ in range(repeat):
        async with app.uow() as uow:
            now = app.clock.now()
            query = parse_report(args, timetracking.today_of(member, now))
            t0 = time.perf_counter()
            if kind == "plan":
                view: Any = await timereports.plan_fact(uow, member, query)
                size = len(view.lines)
            elif kind == "attendance":
                view = await timereports.attendance(uow, member, query, now)
                size = sum(len(m.days) for m in view.members)
            else:
                view = await timereports.time_report(uow, member, query)
                size = len(view.groups)
            samples.append(time.perf_counter() - t0)
    return {**latency_summary(samples), "groups": size}


async def time_report(
    app: Any, member: Any, period: str, team: bool, repeat: int
) -> dict[str, Any]:
    samples = []
    rows = minutes = 0
    for _ in range(repeat):
        async with app.uow() as uow:
            today = timetracking.today_of(member, app.clock.now())
            query = parse_report(f"{period} team" if team else period, today).for_timesheet()
            t0 = time.perf_counter()
            sheet = await timereports.timesheet(uow, member, query)
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
        links = await load_crm(app, team.company.id)
        async with app.uow() as uow:
            projects = {p.name: p.id for p in await uow.projects.list(team.company.id)}
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
                        tags=(("client",), ("client", "urgent"), ("internal",), (), ("no",))[k],
                        planned_minutes=60 * 40,
                        crm_links=(links[(n + k * 50) % len(links)],) if k < 3 else (),
                    )
                    task = await task_service.create_task(uow, boss, cmd, clock.now())
                    ids.append(task.id)
                tasks[member.id] = ids
            await uow.commit()
        setup_s = time.perf_counter() - t0
        load_s = await load_entries(app, team.company.id, list(tasks), tasks, args.entries)
        days_s = await load_days(app, team.company.id, list(tasks), tasks)
        member = team[handles[1]]
        boss = team["boss"]
        reports = {
            "member_week": await time_report(app, member, "week", False, 20),
            "member_month": await time_report(app, member, "month", False, 20),
            "company_month_team": await time_report(app, boss, "month", True, 5),
            "member_month_by_client": await new_report(app, member, "by", "month by client", 20),
            **{
                f"company_month_by_{by}": await new_report(
                    app, boss, "by", f"month team by {by}", 5
                )
                for by in ("member", "project", "tag", "client", "day")
            },
            "company_month_plan_vs_fact": await new_report(app, boss, "plan", "month team", 5),
            "company_month_attendance": await new_report(app, boss, "attendance", "month team", 5),
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
            "days_plans_reports_load_s": round(days_s, 2),
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
