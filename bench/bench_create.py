"""Task creation end to end: chat text -> Conversation -> capture -> services -> storage.

Bootstraps the real app (migrations included), makes a company with a few members,
then sends free-text messages through ``app.conversation.handle`` and reports tasks/s:

* sequentially (one sender), for ``--seconds`` or ``--count`` messages, whichever ends first;
* concurrently (``--senders`` members sending at once with ``asyncio.gather``).

Target (Foundation issue): at least 1,000 tasks/s on the 2-core reference machine.

    .venv/bin/python bench/bench_create.py                # SQLite temp file
    .venv/bin/python bench/bench_create.py --quick        # smoke run
    .venv/bin/python bench/bench_create.py --profile      # + cProfile hot spots
    .venv/bin/python bench/bench_create.py --database-url postgresql+asyncpg://u:p@host/db
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import json
import pstats
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import ROOT, FakeClock, database, machine, make_app, make_team, parser, redact
from sqlalchemy import func, select

from handlers.types import Inbound
from storage.models import TaskRow

TARGET_PER_S = 1000
HANDLES = ["boss", "anna", "ivan", "olga", "piotr", "marta", "kasia", "dmitry", "tom", "ewa"]
PROJECTS = ("Sales", "Website", "Office")

_VERBS = ["Call", "Email", "Prepare", "Review", "Send", "Fix", "Check", "Order", "Plan", "Update"]
_OBJECTS = [
    "client {n}", "the offer for client {n}", "invoice {n}", "the contract draft",
    "report for Q{q}", "landing page copy", "supplier quote {n}", "the team meeting notes",
    "printer in room {n}", "onboarding checklist",
]  # fmt: skip
_WHEN = [
    "tomorrow 10:00", "today 17:00", "on friday", "next week", "in 2 hours", "tomorrow at 9",
    "", "monday 14:30", "in 3 days", "",
]  # fmt: skip
_EXTRAS = ["!high", "!low", "", "#client", "#finance #q4", "~30m", "~2h", "#ops ~15m", ""]


def capture_texts(handles: list[str], count: int, seed: int = 7) -> list[str]:
    """Realistic capture messages: project prefix, verb, object, deadline, @, !, #, ~."""
    rnd = random.Random(seed)
    texts = []
    for i in range(count):
        parts = []
        if rnd.random() < 0.6:
            parts.append(f"{rnd.choice(PROJECTS)}:")
        obj = rnd.choice(_OBJECTS).format(n=rnd.randint(1, 500), q=rnd.randint(1, 4))
        parts.append(f"{rnd.choice(_VERBS)} {obj}")
        if when := rnd.choice(_WHEN):
            parts.append(when)
        if rnd.random() < 0.7:
            parts.append(f"@{rnd.choice(handles)}")
        parts += [e for e in (rnd.choice(_EXTRAS), rnd.choice(_EXTRAS)) if e]
        if i % 10 == 0:
            parts.append("// details: see the thread, keep the client in the loop")
        texts.append(" ".join(parts))
    return texts


def _inbound(team_ws: str, sender: str, text: str, key: str) -> Inbound:
    return Inbound(
        platform="console",
        workspace=team_ws,
        user_id=sender,
        chat_id=sender,
        text=text,
        update_key=key,
    )


async def _count_tasks(app, company_id: int) -> int:  # type: ignore[no-untyped-def]
    async with app.uow() as uow:
        return int(
            await uow.session.scalar(
                select(func.count()).select_from(TaskRow).where(TaskRow.company_id == company_id)
            )
            or 0
        )


async def run(args) -> dict:  # type: ignore[no-untyped-def]
    db = database(args.database_url)
    clock = FakeClock()
    app = await make_app(db.url, clock)
    run_id = uuid.uuid4().hex[:8]
    try:
        team = await make_team(app, HANDLES, projects=PROJECTS)
        ws = team.workspace
        count = 150 if args.quick else args.count
        seconds = 2.0 if args.quick else args.seconds
        texts = capture_texts(HANDLES, max(count, 1000))
        failures: list[str] = []

        async def send(sender: str, text: str, key: str) -> None:
            replies = await app.conversation.handle(_inbound(ws, sender, text, key))
            if not replies or replies[0].template != "task_created":
                failures.append(f"{text!r} -> {[r.template for r in replies]}")

        # Warm-up: compiled-statement caches, lru caches, the connection pool.
        for i in range(min(50, count)):
            await send("boss", texts[i], f"{run_id}-w{i}")

        # 1) Sequential: one sender, one message after another.
        profiler = cProfile.Profile() if args.profile else None
        sent = 0
        start = time.perf_counter()
        deadline = start + seconds
        if profiler:
            profiler.enable()
        while sent < count and time.perf_counter() < deadline:
            await send("boss", texts[sent % len(texts)], f"{run_id}-s{sent}")
            sent += 1
        elapsed = time.perf_counter() - start
        if profiler:
            profiler.disable()
        seq = {"tasks": sent, "seconds": round(elapsed, 3), "per_s": round(sent / elapsed, 1)}

        # 2) Concurrent: N senders (different members) at once, same total budget.
        senders = HANDLES[: args.senders]
        per_sender = max(1, count // len(senders))
        conc_deadline = time.perf_counter() + seconds
        done = [0] * len(senders)

        async def sender_loop(idx: int, handle: str) -> None:
            for j in range(per_sender):
                if time.perf_counter() >= conc_deadline:
                    return
                await send(
                    handle, texts[(idx * per_sender + j) % len(texts)], f"{run_id}-c{idx}-{j}"
                )
                done[idx] += 1

        start = time.perf_counter()
        await asyncio.gather(*(sender_loop(i, h) for i, h in enumerate(senders)))
        elapsed = time.perf_counter() - start
        conc = {
            "senders": len(senders),
            "tasks": sum(done),
            "seconds": round(elapsed, 3),
            "per_s": round(sum(done) / elapsed, 1),
        }

        stored = await _count_tasks(app, team.company.id)
        expected = min(50, count) + sent + sum(done)
        result = {
            "benchmark": "create",
            "database": db.kind,
            "url": redact(db.url),
            "machine": machine(),
            "sequential": seq,
            "concurrent": conc,
            "stored_tasks": stored,
            "expected_tasks": expected,
            "failures": len(failures),
            "target_per_s": TARGET_PER_S,
            "meets_target": seq["per_s"] >= TARGET_PER_S,
        }
        print(f"bench_create  [{db.kind}]  {machine()}")
        print(f"  sequential : {sent} tasks in {seq['seconds']} s -> {seq['per_s']} tasks/s")
        print(
            f"  concurrent : {conc['senders']} senders, {conc['tasks']} tasks in "
            f"{conc['seconds']} s -> {conc['per_s']} tasks/s"
        )
        print(
            f"  target     : >= {TARGET_PER_S}/s -> "
            f"{'OK' if result['meets_target'] else 'BELOW TARGET'}"
        )
        print(
            f"  check      : {stored} tasks stored, {expected} expected, {len(failures)} failures"
        )
        for f in failures[:5]:
            print(f"    failure: {f}")
        if stored != expected or failures:
            result["error"] = "stored task count or replies do not match"
        if profiler:
            _print_profile(profiler)
        return result
    finally:
        await app.close()
        db.cleanup()


def _print_profile(profiler: cProfile.Profile, limit: int = 30) -> None:
    for sort in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(sort).print_stats(limit)
        print(f"\n--- cProfile (sequential phase), top {limit} by {sort} ---")
        text = out.getvalue().replace(str(ROOT) + "/", "")
        print("\n".join(line for line in text.splitlines() if line.strip())[:12000])
    # Own code only: where the project's time goes (by cumulative time).
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(rf"^{ROOT}/(?!\.venv)", limit)
    print(f"\n--- cProfile, project code only, top {limit} by cumulative ---")
    print(out.getvalue().replace(str(ROOT) + "/", ""))


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--count", type=int, default=3000, help="messages per phase (default 3000)")
    p.add_argument("--seconds", type=float, default=5.0, help="time cap per phase (default 5)")
    p.add_argument("--senders", type=int, default=8, help="concurrent senders (default 8)")
    p.add_argument("--json", action="store_true", help="print the result as JSON at the end")
    args = p.parse_args(argv)
    result = asyncio.run(run(args))
    if args.json:
        print(json.dumps(result))
    return 1 if "error" in result else 0


if __name__ == "__main__":
    sys.exit(main())
