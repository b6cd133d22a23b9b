"""The board's pages under load: the Team view of a company of 200 members with 10,000
open tasks (seen by its admin, who sees everyone), and My board of a member with 300
open tasks.

Tasks are bulk-loaded with SQLAlchemy Core (as bench_lists.py does); the pages are asked
for over HTTP from the server's own aiohttp application (``build_web_app``) in this
process, signed in with a board session cookie. Server time is measured by a middleware
around the handler (the whole request: session, unit of work, queries, rendering);
page weight is the HTML's size (the pages load no images but the Time view's chart, and
one small CSS and JS file each, shown apart). Targets (issue 20): p95 ≤ 150 ms on SQLite
and PostgreSQL, page ≤ 200 KB.

    .venv/bin/python bench/bench_board.py                  # SQLite temp file, full size
    .venv/bin/python bench/bench_board.py --quick          # 20 members, 500 tasks
    .venv/bin/python bench/bench_board.py --database-url postgresql+asyncpg://u:p@host/db
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
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, insert, select

from bots.web.app import COOKIE, STATIC
from brygada.bootstrap import App
from brygada.server import build_web_app
from domain.company import Member
from domain.tasks import TaskStatus
from handlers.board import open_session
from storage.models import TaskRow, TaskTagRow

TARGET_P95_MS = 150.0
TARGET_PAGE_KB = 200.0
BATCH = 5000
TAGS = ["client", "finance", "ops", "q4", "urgent"]


async def bulk_tasks(
    app: App, people: list[Member], per_member: dict[int, int], seed: int = 7
) -> int:
    """Open tasks (and a few awaiting acceptance) for each member, straight into the tables."""
    rnd = random.Random(seed)
    now = app.clock.now()
    company_id = people[0].company_id
    creator = people[0].id
    statuses = (
        [TaskStatus.NEW.value] * 3
        + [TaskStatus.IN_PROGRESS.value] * 4
        + [
            TaskStatus.PAUSED.value,
            TaskStatus.AWAITING_ACCEPTANCE.value,
        ]
    )
    rows: list[dict[str, Any]] = []
    tags: list[dict[str, Any]] = []
    async with app.engine.begin() as conn:
        next_id = int(await conn.scalar(select(func.coalesce(func.max(TaskRow.id), 0))) or 0) + 1
        for member_id, count in per_member.items():
            for n in range(count):
                status = rnd.choice(statuses)
                created = now - timedelta(days=rnd.randint(0, 60))
                rows.append(
                    {
                        "id": next_id,
                        "company_id": company_id,
                        "title": f"Sales: Call client {n} about the offer",
                        "description": None,
                        "creator_id": creator,
                        "responsible_id": member_id,
                        "project_id": None,
                        "priority": "medium",
                        "deadline": now + timedelta(hours=rnd.randint(-24 * 10, 24 * 20)),
                        "deadline_hard": False,
                        "planned_minutes": None,
                        "time_tracking": True,
                        "accept_after_completion": True,
                        "parent_id": None,
                        "kind": "regular",
                        "crm_links": [],
                        "status": status,
                        "is_open": status != TaskStatus.AWAITING_ACCEPTANCE.value,
                        "result": "done"
                        if status == TaskStatus.AWAITING_ACCEPTANCE.value
                        else None,
                        "rating": None,
                        "rating_reason": None,
                        "created_at": created,
                        "updated_at": created,
                        "completed_at": None,
                        "previous_part_id": None,
                        "part_number": 1,
                        "source_ref": None,
                        "attachments": [],
                        "version": 0,
                    }
                )
                if rnd.random() < 0.3:
                    tags.append({"task_id": next_id, "tag": rnd.choice(TAGS)})
                next_id += 1
                if len(rows) >= BATCH:
                    await conn.execute(insert(TaskRow.__table__), rows)
                    rows = []
        if rows:
            await conn.execute(insert(TaskRow.__table__), rows)
        if tags:
            await conn.execute(insert(TaskTagRow.__table__), tags)
    return sum(per_member.values())


def timing_middleware(samples: dict[str, list[float]]) -> Any:
    @web.middleware
    async def timed(request: web.Request, handler: Callable[[web.Request], Awaitable[Any]]) -> Any:
        started = time.perf_counter()
        try:
            return await handler(request)
        finally:
            samples.setdefault(request.path, []).append(time.perf_counter() - started)

    return timed


async def measure(
    client: TestClient, app: App, member: Member, path: str, calls: int
) -> tuple[int, int]:
    """``calls`` GETs of ``path`` as ``member``; returns (status, page bytes) of the last."""
    assert member.id is not None
    cookie = open_session(app.signer, member.id, app.clock.now(), timedelta(hours=1), "link")
    status, size = 0, 0
    for _ in range(calls):
        response = await client.get(path, headers={"Cookie": f"{COOKIE}={cookie}"})
        body = await response.read()
        status, size = response.status, len(body)
    return status, size


async def run(args: Any) -> int:
    db = database(args.database_url)
    members_count, tasks_total, mine, calls = (
        (20, 500, 30, 20) if args.quick else (200, 10_000, 300, 60)
    )
    clock = FakeClock()
    app = await make_app(db.url, clock)
    try:
        handles = [f"m{n:03d}" for n in range(members_count)]
        team = await make_team(app, handles)
        people = [team[h] for h in handles]
        me = people[1]
        assert me.id is not None
        others = [m.id for m in people if m.id is not None and m.id != me.id]
        per_member = {me.id: mine}
        rest = tasks_total - mine
        for n, member_id in enumerate(others):
            per_member[member_id] = rest // len(others) + (1 if n < rest % len(others) else 0)
        loaded = await bulk_tasks(app, people, per_member)

        samples: dict[str, list[float]] = {}
        web_app = build_web_app(app)
        web_app.middlewares.append(timing_middleware(samples))
        async with TestClient(TestServer(web_app)) as client:
            await measure(client, app, people[0], "/app/team", 2)  # warm-up
            await measure(client, app, me, "/app/board", 2)
            samples.clear()
            team_status, team_size = await measure(client, app, people[0], "/app/team", calls)
            board_status, board_size = await measure(client, app, me, "/app/board", calls)
            assets = {p.name: p.stat().st_size for p in STATIC.iterdir() if p.is_file()}
        team_ms = latency_summary(samples["/app/team"])
        board_ms = latency_summary(samples["/app/board"])
        result = {
            "benchmark": "board",
            "database": db.kind,
            "url": redact(db.url),
            "machine": machine(),
            "members": members_count,
            "open_tasks": loaded,
            "my_tasks": mine,
            "team_view": {"status": team_status, "page_kb": round(team_size / 1024, 1), **team_ms},
            "my_board": {
                "status": board_status,
                "page_kb": round(board_size / 1024, 1),
                **board_ms,
            },
            "static_kb": {k: round(v / 1024, 1) for k, v in sorted(assets.items())},
            "target": {"p95_ms": TARGET_P95_MS, "page_kb": TARGET_PAGE_KB},
        }
        print(json.dumps(result, indent=2, ensure_ascii=False))
        ok = team_status == 200 and board_status == 200
        return 0 if ok else 1
    finally:
        await app.close()
        db.cleanup()


def main() -> int:
    args = parser("The board's pages: p95 server time and page weight.").parse_args()
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
