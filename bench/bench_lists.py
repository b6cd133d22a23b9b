"""List and search latency with 100,000 tasks and 50 members.

Bulk-loads tasks (with participants, tags and search terms) straight into the tables
with SQLAlchemy Core, then measures, over fresh units of work and random members:

* ``list_tasks(uow, member, ListView.TODAY, now)`` ("my tasks today"),
* ``search_tasks(uow, member, "pracy")`` and ``search_tasks(uow, member, "работа")``.

Each sample is one whole request: ``async with app.uow() as uow:`` + the service call.
Target (Foundation issue): p95 under 20 ms. The query plans are printed after the figures.

    .venv/bin/python bench/bench_lists.py                 # SQLite temp file, 100k tasks
    .venv/bin/python bench/bench_lists.py --quick         # 5k tasks, 60 calls each
    .venv/bin/python bench/bench_lists.py --database-url postgresql+asyncpg://u:p@host/db
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

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
from sqlalchemy import event, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from brygada.bootstrap import App
from domain.company import Member, NewProject
from domain.ports import ListView
from domain.search import index_terms
from domain.services.tasks import list_tasks, search_tasks
from domain.tasks import TaskStatus
from storage.models import TaskParticipantRow, TaskRow, TaskTagRow, TaskTermRow

TARGET_P95_MS = 20.0
BATCH = 5000
PROJECT_NAMES = ["Sales", "Website", "Office", "Warehouse", "Marketing", "HR", "Finance", "IT"]

# Title vocabulary, three languages; word forms vary so that stemming matters.
EN_VERBS = ["Call", "Email", "Prepare", "Review", "Send", "Fix", "Check", "Order", "Plan", "Update"]
EN_OBJECTS = [
    "client", "invoice", "contract", "report", "offer", "supplier", "meeting notes",
    "landing page", "printer", "onboarding", "budget", "work schedule", "working hours",
]  # fmt: skip
PL_VERBS = ["Zadzwonić do", "Przygotować", "Sprawdzić", "Wysłać", "Zamówić", "Omówić", "Poprawić"]
PL_OBJECTS = [
    "klienta", "faktury", "umowę", "raport", "ofertę", "dostawcy", "harmonogram pracy",
    "plan pracy", "praca zdalna", "pracę magisterską", "ocena pracy", "budżet", "spotkanie",
]  # fmt: skip
RU_VERBS = ["Позвонить", "Подготовить", "Проверить", "Отправить", "Заказать", "Обсудить"]
RU_OBJECTS = [
    "клиенту", "счёт", "договор", "отчёт", "предложение", "поставщику", "работа с клиентом",
    "план работы", "работу склада", "график работ", "бюджет", "встречу",
]  # fmt: skip
TAGS = ["client", "finance", "ops", "q4", "urgent", "hr", "it", "sales", "praca", "работа"]


def title_for(rnd: random.Random, n: int) -> str:
    lang = rnd.random()
    if lang < 0.5:
        return f"{rnd.choice(EN_VERBS)} {rnd.choice(EN_OBJECTS)} {n % 997}"
    if lang < 0.8:
        return f"{rnd.choice(PL_VERBS)} {rnd.choice(PL_OBJECTS)} {n % 997}"
    return f"{rnd.choice(RU_VERBS)} {rnd.choice(RU_OBJECTS)} {n % 997}"


async def _setup_company(app: App, members_count: int) -> tuple[list[Member], dict[int, list[int]]]:
    """50 members joined through invites; 8 projects with random member subsets."""
    handles = ["boss"] + [f"m{i:02d}" for i in range(1, members_count)]
    team = await make_team(app, handles, projects=())
    people = list(team.people.values())
    rnd = random.Random(11)
    projects: dict[int, list[int]] = {}
    async with app.uow() as uow:
        for name in PROJECT_NAMES:
            ids = frozenset(m.id for m in rnd.sample(people, rnd.randint(8, 20)))
            project = await uow.projects.add(NewProject(team.company.id, name, ids))
            projects[project.id] = sorted(ids)
        await uow.commit()
    return people, projects


async def _next_id(conn: AsyncConnection) -> int:
    return int(await conn.scalar(select(func.coalesce(func.max(TaskRow.id), 0))) or 0) + 1


async def bulk_load(
    app: App, people: list[Member], projects: dict[int, list[int]], count: int, seed: int = 3
) -> dict[str, int]:
    """Insert ``count`` tasks with Core in batches; returns row counts per table."""
    rnd = random.Random(seed)
    now = app.clock.now()
    company_id = people[0].company_id
    member_ids = [m.id for m in people]
    project_ids = list(projects)
    closed = [TaskStatus.COMPLETED.value] * 9 + [TaskStatus.AWAITING_ACCEPTANCE.value]
    open_ = (
        [TaskStatus.NEW.value] * 3
        + [TaskStatus.IN_PROGRESS.value] * 4
        + [
            TaskStatus.PAUSED.value,
            TaskStatus.DEFERRED.value,
        ]
    )
    totals = {"tasks": 0, "task_participants": 0, "task_tags": 0, "task_terms": 0}
    async with app.engine.begin() as conn:
        first_id = await _next_id(conn)
        for start in range(0, count, BATCH):
            tasks, people_rows, tag_rows, term_rows = [], [], [], []
            for n in range(start, min(start + BATCH, count)):
                task_id = first_id + n
                responsible = rnd.choice(member_ids)
                creator = responsible if rnd.random() < 0.3 else rnd.choice(member_ids)
                is_open = rnd.random() >= 0.7
                deadline = (
                    now + timedelta(minutes=rnd.randint(-30 * 24 * 60, 60 * 24 * 60))
                    if rnd.random() < 0.95
                    else None
                )
                created = now - timedelta(days=rnd.randint(0, 120), minutes=rnd.randint(0, 1440))
                title = title_for(rnd, n)
                description = (
                    f"{title_for(rnd, n + 1)}. {title_for(rnd, n + 2)}"
                    if rnd.random() < 0.3
                    else None
                )
                project_id = rnd.choice(project_ids) if rnd.random() < 0.6 else None
                tags = sorted(set(rnd.sample(TAGS, rnd.choice((0, 0, 1, 1, 2)))))
                tasks.append(
                    {
                        "id": task_id,
                        "company_id": company_id,
                        "title": title,
                        "description": description,
                        "creator_id": creator,
                        "responsible_id": responsible,
                        "project_id": project_id,
                        "priority": rnd.choice(("high", "medium", "medium", "medium", "low")),
                        "deadline": deadline,
                        "deadline_hard": rnd.random() < 0.1,
                        "planned_minutes": rnd.choice((None, None, 15, 30, 60, 120)),
                        "time_tracking": True,
                        "accept_after_completion": True,
                        "parent_id": None,
                        "kind": "regular",
                        "crm_links": [],
                        "status": rnd.choice(open_ if is_open else closed),
                        "is_open": is_open,
                        "result": None if is_open else "done",
                        "rating": None,
                        "rating_reason": None,
                        "created_at": created,
                        "updated_at": created,
                        "completed_at": None if is_open else created + timedelta(days=1),
                        "previous_part_id": None,
                        "part_number": 1,
                        "source_ref": None,
                        "attachments": [],
                        "version": 0,
                    }
                )
                others = [m for m in member_ids if m != responsible]
                if rnd.random() < 0.15:
                    people_rows.append(
                        {"task_id": task_id, "member_id": rnd.choice(others), "role": "co_executor"}
                    )
                if rnd.random() < 0.2:
                    people_rows.append(
                        {"task_id": task_id, "member_id": rnd.choice(others), "role": "observer"}
                    )
                tag_rows += [{"task_id": task_id, "tag": t} for t in tags]
                term_rows += [
                    {"task_id": task_id, "term": t[:64], "source": "t"}
                    for t in sorted(index_terms(title, description, " ".join(tags)))
                ]
            await conn.execute(insert(TaskRow.__table__), tasks)
            if people_rows:
                await conn.execute(insert(TaskParticipantRow.__table__), people_rows)
            if tag_rows:
                await conn.execute(insert(TaskTagRow.__table__), tag_rows)
            await conn.execute(insert(TaskTermRow.__table__), term_rows)
            totals["tasks"] += len(tasks)
            totals["task_participants"] += len(people_rows)
            totals["task_tags"] += len(tag_rows)
            totals["task_terms"] += len(term_rows)
        if conn.dialect.name == "postgresql":
            # Explicit ids bypassed the sequence; move it past them for later inserts.
            await conn.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('tasks', 'id'),"
                    " (SELECT max(id) FROM tasks))"
                )
            )
    async with app.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            await conn.execute(text("ANALYZE"))
        else:
            for table in ("tasks", "task_participants", "task_tags", "task_terms"):
                await conn.execute(text(f"ANALYZE {table}"))
    return totals


async def measure(
    app: App, calls: int, pick: Callable[[], Member], op: Callable[[Any, Member], Awaitable[Any]]
) -> tuple[dict[str, float], float]:
    samples: list[float] = []
    found = 0
    for _ in range(calls):
        member = pick()
        start = time.perf_counter()
        async with app.uow() as uow:
            page = await op(uow, member)
        samples.append(time.perf_counter() - start)
        found += page.total
    return latency_summary(samples), found / max(calls, 1)


async def query_plans(app: App, member: Member) -> dict[str, list[str]]:
    """EXPLAIN the SQL the list and search calls emit (captured from the engine)."""
    now = app.clock.now()
    captured: list[tuple[str, Any]] = []

    def grab(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM tasks" in statement:
            captured.append((statement, params))

    plans: dict[str, list[str]] = {}
    for label, op in (
        ("today", lambda uow: list_tasks(uow, member, ListView.TODAY, now)),
        ("search pracy", lambda uow: search_tasks(uow, member, "pracy")),
    ):
        captured.clear()
        event.listen(app.engine.sync_engine, "before_cursor_execute", grab)
        try:
            async with app.uow() as uow:
                await op(uow)
        finally:
            event.remove(app.engine.sync_engine, "before_cursor_execute", grab)
        async with app.engine.connect() as conn:
            # The captured SQL and parameters are the driver's: run them as they are.
            for i, (statement, params) in enumerate(captured):
                name = f"{label} [{'count' if 'count(' in statement else 'page'}#{i}]"
                if conn.dialect.name == "sqlite":
                    result = await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
                    plans[name] = [row[3] for row in result]
                else:
                    result = await conn.exec_driver_sql(f"EXPLAIN {statement}", params)
                    plans[name] = [row[0] for row in result]
    return plans


async def run(args: Any) -> dict[str, Any]:
    db = database(args.database_url)
    clock = FakeClock()
    app = await make_app(db.url, clock)
    try:
        count = 5000 if args.quick else args.tasks
        calls = 60 if args.quick else args.calls
        people, projects = await _setup_company(app, args.members)
        start = time.perf_counter()
        totals = await bulk_load(app, people, projects, count)
        load_s = time.perf_counter() - start
        print(f"bench_lists  [{db.kind}]  {machine()}")
        print(
            f"  loaded     : {totals['tasks']} tasks, {totals['task_participants']} participants, "
            f"{totals['task_tags']} tags, {totals['task_terms']} terms in {load_s:.1f} s"
        )
        rnd = random.Random(5)
        now = clock.now()

        def pick() -> Member:
            return rnd.choice(people)

        cases: dict[str, Callable[[Any, Member], Awaitable[Any]]] = {
            "today": lambda uow, m: list_tasks(uow, m, ListView.TODAY, now),
            "search 'pracy'": lambda uow, m: search_tasks(uow, m, "pracy"),
            "search 'работа'": lambda uow, m: search_tasks(uow, m, "работа"),
        }
        # Warm-up: compiled caches, the page cache.
        for op in cases.values():
            await measure(app, 10, pick, op)
        results: dict[str, Any] = {}
        for name, op in cases.items():
            stats, avg_total = await measure(app, calls, pick, op)
            stats["avg_matches"] = round(avg_total, 1)
            results[name] = stats
            ok = "OK" if stats["p95_ms"] < TARGET_P95_MS else "ABOVE TARGET"
            print(
                f"  {name:<16}: p50 {stats['p50_ms']:6.2f} ms  p95 {stats['p95_ms']:6.2f} ms  "
                f"p99 {stats['p99_ms']:6.2f} ms  (n={stats['n']}, avg matches "
                f"{stats['avg_matches']}) -> {ok}"
            )
        employee = next(m for m in people if not m.is_admin)
        plans = await query_plans(app, employee)
        print("  query plans (an employee's 'today' and 'pracy'):")
        for name, lines in plans.items():
            print(f"    {name}:")
            for line in lines:
                print(f"      {line}")
        return {
            "benchmark": "lists",
            "database": db.kind,
            "url": redact(db.url),
            "machine": machine(),
            "loaded": totals,
            "load_seconds": round(load_s, 1),
            "results": results,
            "target_p95_ms": TARGET_P95_MS,
            "meets_target": all(r["p95_ms"] < TARGET_P95_MS for r in results.values()),
            "plans": plans,
        }
    finally:
        await app.close()
        db.cleanup()


def main(argv: list[str] | None = None) -> int:
    p = parser((__doc__ or "").splitlines()[0])
    p.add_argument("--tasks", type=int, default=100_000, help="tasks to load (default 100000)")
    p.add_argument("--members", type=int, default=50, help="members (default 50)")
    p.add_argument("--calls", type=int, default=300, help="calls per case (default 300)")
    p.add_argument("--json", action="store_true", help="print the result as JSON at the end")
    args = p.parse_args(argv)
    result = asyncio.run(run(args))
    if args.json:
        print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
