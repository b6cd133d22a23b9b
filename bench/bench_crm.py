"""CRM benchmarks: the funnel over 100,000 deals, and website-form leads accepted per second.

* Funnel: 100,000 deals bulk-loaded with SQLAlchemy Core into the default pipeline (random
  stages, reached positions, amounts in two currencies, 20 owners, created over a year),
  then ``domain.services.crm.funnel`` is timed per whole request (``async with app.uow()``
  + the service: scope, pipelines and the two GROUP BY queries) for the admin (every
  deal) and for a department head (owner IN (...)), for "all time" and "this year".
  Target: under 200 ms.
* Intake: ``POST /api/leads/<token>`` through the real aiohttp handler on a loopback
  server (``aiohttp.test_utils``), sequentially and with 10 concurrent clients. Each
  accepted lead is a full request: validation, duplicate check, round-robin owner,
  the "call the lead" task and the outbox row, in one transaction.

    .venv/bin/python bench/bench_crm.py                 # SQLite temp file, 100k deals
    .venv/bin/python bench/bench_crm.py --quick         # 5k deals, 100 leads
    .venv/bin/python bench/bench_crm.py --database-url postgresql+asyncpg://u:p@host/db
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

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
from sqlalchemy import insert

from brygada.bootstrap import App
from brygada.leads import setup_lead_routes
from domain.company import Member, NewDepartment, Role
from domain.services import crm
from storage.models.crm import CrmDealRow

TARGET_MS = 200.0
BATCH = 5000


async def load_deals(app: App, team_members: list[Member], company_id: int, count: int) -> None:
    async with app.uow() as uow:
        pipeline = await crm.ensure_pipeline(uow, company_id)
        await uow.commit()
    stages = sorted(pipeline.stages, key=lambda s: s.position)
    open_stages = [s for s in stages if s.kind.value == "open"]
    won = next(s for s in stages if s.kind.value == "won")
    lost = next(s for s in stages if s.kind.value == "lost")
    rnd = random.Random(7)
    now = app.clock.now()
    owners = [m.id for m in team_members]
    rows = []
    for n in range(count):
        roll = rnd.random()
        if roll < 0.15:
            stage, kind, reached = won, "won", pipeline.won_position
        elif roll < 0.35:
            stage, kind = lost, "lost"
            reached = rnd.choice(open_stages).position
        else:
            stage = rnd.choice(open_stages)
            kind, reached = "open", stage.position
        created = now - timedelta(minutes=rnd.randrange(365 * 24 * 60))
        rows.append(
            {
                "company_id": company_id,
                "title": f"Deal {n}",
                "amount": Decimal(rnd.randrange(100, 100_000)),
                "currency": "PLN" if rnd.random() < 0.8 else "EUR",
                "pipeline_id": pipeline.id,
                "stage_id": stage.id,
                "stage_kind": kind,
                "reached_position": reached,
                "owner_id": rnd.choice(owners),
                "created_at": created,
                "last_activity_at": created,
            }
        )
        if len(rows) == BATCH:
            await _flush(app, rows)
    await _flush(app, rows)


async def _flush(app: App, rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    async with app.uow() as uow:
        await uow.session.execute(insert(CrmDealRow), rows)
        await uow.commit()
    rows.clear()


async def time_funnel(app: App, who: Member, since_year: bool, runs: int) -> dict[str, float]:
    samples = []
    total = 0
    for _ in range(runs):
        now = app.clock.now()
        started = time.perf_counter()
        async with app.uow() as uow:
            since = crm.period_start("year", now, who.timezone) if since_year else None
            funnels = await crm.funnel(uow, who, since, now)
        samples.append(time.perf_counter() - started)
        total = funnels[0].total
    summary = latency_summary(samples)
    summary["deals"] = total
    return summary


async def intake(app: App, leads: int, concurrency: int) -> float:
    token = await crm_form(app)
    web_app = web.Application()
    setup_lead_routes(web_app, app, cors_origins=[], rate_limit_per_minute=10**9)
    async with TestClient(TestServer(web_app)) as client:
        counter = iter(range(leads))

        async def worker() -> None:
            for n in counter:
                response = await client.post(
                    f"/api/leads/{token}",
                    json={
                        "name": f"Web Client {n}",
                        "phone": f"+48 6{n % 100:02d} {n // 100 % 1000:03d} {n % 997:03d}",
                        "email": f"client{n}-{concurrency}@example.com",
                        "company": f"Firm {n % 500}",
                        "comment": "Quote please",
                    },
                )
                assert response.status == 201, await response.text()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return leads / (time.perf_counter() - started)


async def crm_form(app: App) -> str:
    async with app.uow() as uow:
        company = await uow.companies.first()
        assert company is not None
        form = await crm.create_form(uow, company.id, "Bench", app.clock.now())
        await uow.commit()
    return form.token


async def main() -> int:
    args = parser(__doc__ or "").parse_args()
    count = 5_000 if args.quick else 100_000
    leads = 100 if args.quick else 1_000
    runs = 10 if args.quick else 30
    db = database(args.database_url)
    app = await make_app(db.url, FakeClock())
    try:
        handles = ["boss", "head"] + [f"s{i:02d}" for i in range(1, 19)]
        team = await make_team(app, handles, projects=())
        company_id = team.company.id
        async with app.uow() as uow:
            dept = await uow.departments.add(
                NewDepartment(company_id, "Sales", head_id=team["head"].id)
            )
            for handle in handles[1:8]:  # the head and six salespeople
                member = team[handle]
                member.department_id = dept.id
                if handle == "head":
                    member.role = Role.MANAGER
                await uow.members.save(member)
            await uow.commit()
        print(f"Brygada CRM benchmark — {machine()} — {redact(db.url)}")
        started = time.perf_counter()
        await load_deals(app, list(team.people.values()), company_id, count)
        print(f"loaded {count:,} deals in {time.perf_counter() - started:.1f} s")
        for who, label in ((team["boss"], "admin"), (team["head"], "department head")):
            for since_year in (False, True):
                s = await time_funnel(app, who, since_year, runs)
                period = "this year" if since_year else "all time"
                verdict = "OK" if s["p95_ms"] < TARGET_MS else "OVER TARGET"
                print(
                    f"funnel {label:<15} {period:<9} over {int(s['deals']):>7,} deals: "
                    f"p50 {s['p50_ms']:.1f} ms, p95 {s['p95_ms']:.1f} ms, "
                    f"max {s['max_ms']:.1f} ms  [{verdict}, target < {TARGET_MS:.0f} ms]"
                )
        for concurrency in (1, 10):
            rate = await intake(app, leads, concurrency)
            print(
                f"web-form intake, {concurrency:>2} client(s): {rate:,.0f} leads/s "
                f"({leads:,} leads, each with its call task and outbox row)"
            )
    finally:
        await app.close()
        db.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
