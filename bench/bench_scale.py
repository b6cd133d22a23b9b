"""Replicas on PostgreSQL and Redis (issue 19): 1 vs 2 web replicas, 10,000 morning prompts
with 2 workers, kill -9 of the sweep leader and of a web replica. Figures go to
docs/benchmarks.md; docs/scaling.md carries them to bigger machines.

The script starts its own PostgreSQL and Redis (Debian packages, like .ci/run) unless
given --database-url / --redis-url, and a loopback fake Bot API in webhook mode. Updates
are posted round-robin to the web replicas' webhooks by the script itself (the "proxy";
an update whose replica is gone is posted to the next one, as Telegram redelivers).

    .venv/bin/python bench/bench_scale.py                       # the full run (minutes)
    .venv/bin/python bench/bench_scale.py --updates 200 --prompts 300 --rate-seconds 4

Measured, per scenario: updates/s with limits off (closed loop), CPU seconds per 1,000
updates summed over all Brygada processes, p99 latency at 25 updates/s with Telegram's
limits on, the CPU each other party took (PostgreSQL, Redis, this script: fake + load);
prompts: seconds vs the limit's minimum (n / 30 s), 429s, prompts per member; kills: lost
and duplicated tasks, cards and prompts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/x.py` puts bench/, not the repo, on the path
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select, text  # noqa: E402

from brygada.bootstrap import bootstrap  # noqa: E402
from brygada.settings import Settings  # noqa: E402
from domain.company import Role, WorkSchedule  # noqa: E402
from domain.services import members  # noqa: E402
from storage.engine import create_engine, session_factory  # noqa: E402
from storage.models import Base, TaskRow  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramAPI  # noqa: E402

TOKEN = "424242:SCALE"
BOT_ID = "424242"
SECRET = "scale-bench-secret-0123456789"
FIRST_USER = 8_000_001
TICK = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_of(pids: Iterable[int]) -> float:
    """User + system CPU seconds of these processes so far (Linux /proc)."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def _pids_matching(needle: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if needle in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode():
                    found.append(int(entry.name))
    return found


def _with_children(pids: list[int]) -> list[int]:
    """These processes and their children: PostgreSQL's postmaster and its backends
    (a backend's command line names its user and database, not the data directory)."""
    parents = set(pids)
    found = list(pids)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError):
                ppid = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
                if ppid in parents:
                    found.append(int(entry.name))
    return found


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- infrastructure ---------------------------------------------------------------------


@dataclass
class Infra:
    database_url: str
    redis_url: str
    pg_needle: str = ""  # what identifies this PostgreSQL's processes
    redis_pid: int | None = None
    cleanup: list[Any] = field(default_factory=list)

    def cpu(self) -> dict[str, float]:
        pg = _cpu_of(_with_children(_pids_matching(self.pg_needle))) if self.pg_needle else 0.0
        redis = _cpu_of([self.redis_pid]) if self.redis_pid else 0.0
        return {"postgresql": pg, "redis": redis, "bench_fake_and_load": _self_cpu()}


def _as_postgres(command: str) -> None:
    if os.getuid() == 0:
        subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", command], check=True)
    else:
        subprocess.run(["sh", "-c", command], check=True)


@contextlib.contextmanager
def infrastructure(args: argparse.Namespace) -> Any:
    with tempfile.TemporaryDirectory(prefix="brygada-scale-") as tmp:
        infra = Infra(args.database_url or "", args.redis_url or "")
        try:
            if not args.database_url:
                pgbin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
                # Its own directory: the postgres user cannot enter this script's one.
                data, port = Path(tempfile.mkdtemp(prefix="brygada-scale-pg-")), _free_port()
                infra.cleanup.append(lambda: shutil.rmtree(data, ignore_errors=True))
                if os.getuid() == 0:
                    shutil.chown(data, "postgres")
                _as_postgres(f"{pgbin}/initdb -D {data} -A trust -U postgres --no-sync >/dev/null")
                _as_postgres(
                    f"{pgbin}/pg_ctl -D {data} -o '-p {port} -k /tmp -c listen_addresses="
                    f"127.0.0.1 -c fsync=off -c max_connections=300' -w -l {data}/log "
                    "start >/dev/null"
                )
                infra.cleanup.append(
                    lambda: _as_postgres(f"{pgbin}/pg_ctl -D {data} -m immediate stop >/dev/null")
                )
                _as_postgres(f"{pgbin}/createdb -h 127.0.0.1 -p {port} -U postgres scale")
                infra.database_url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/scale"
                infra.pg_needle = str(data)
            if not args.redis_url:
                port = _free_port()
                server = subprocess.Popen(
                    ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                     "--appendonly", "no", "--dir", tmp],
                    stdout=subprocess.DEVNULL,
                )  # fmt: skip
                infra.cleanup.append(server.wait)  # undone in reverse: killed, then reaped
                infra.cleanup.append(server.kill)
                infra.redis_url, infra.redis_pid = f"redis://127.0.0.1:{port}/0", server.pid
                time.sleep(0.5)
            yield infra, Path(tmp)
        finally:
            for undo in reversed(infra.cleanup):
                with contextlib.suppress(Exception):
                    undo()


async def fresh_company(url: str, chats: int, schedule: WorkSchedule | None = None) -> None:
    """Empty the database, then one company with ``chats`` Telegram members."""
    settings = Settings(database_url=url, secret=SECRET, _env_file=None)  # type: ignore[call-arg,arg-type]
    app = await bootstrap(settings)
    try:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        async with app.engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        async with app.uow() as uow:
            company = await members.create_company(uow, "Acme", timezone="UTC")
            if schedule is not None:
                company.schedule = schedule
                await uow.companies.save(company)
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
                if index % 500 == 499:
                    await uow.commit()
            await uow.commit()
    finally:
        await app.close()


# -- replicas -----------------------------------------------------------------------------


class Replica:
    def __init__(self, role: str, infra: Infra, api: FakeTelegramAPI, workdir: Path) -> None:
        self.role, self.infra, self.api, self.workdir = role, infra, api, workdir
        self.port = _free_port()
        self.process: asyncio.subprocess.Process | None = None
        self.webhook = ""

    @property
    def hook(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram/webhook"

    async def start(self, extra: dict[str, str] | None = None) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BRYGADA_", "SLACK_"))}
        env.update(
            {
                "BRYGADA_DATABASE_URL": self.infra.database_url,
                "BRYGADA_REDIS_URL": self.infra.redis_url,
                "BRYGADA_SECRET": SECRET,
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_URL": self.api.base_url,
                "BRYGADA_TELEGRAM_WEBHOOK_URL": self.webhook,
                "BRYGADA_HTTP_PORT": str(self.port),
                "BRYGADA_OUTBOX_INTERVAL_SECONDS": "0.5",
                "BRYGADA_LEADER_HEARTBEAT_SECONDS": "1",
                "BRYGADA_LEADER_STALE_SECONDS": "10",
                "BRYGADA_SWEEP_INTERVAL_SECONDS": "5",
                "BRYGADA_LOG_LEVEL": "WARNING",
                **(extra or {}),
            }
        )
        log = (self.workdir / f"{self.role}-{self.port}.log").open("ab")
        try:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                f"import sys; from brygada.cli import main; "
                f"sys.exit(main(['run', '--role', '{self.role}']))",
                env=env,
                cwd=self.workdir,
                stdout=log,
                stderr=log,
            )
        finally:
            log.close()
        async with aiohttp.ClientSession() as http:
            for _ in range(600):
                assert self.process.returncode is None, f"{self.role} exited: see {self.workdir}"
                with contextlib.suppress(aiohttp.ClientConnectionError):
                    async with http.get(f"http://127.0.0.1:{self.port}/healthz") as r:
                        if r.status == 200:
                            return
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.role} did not come up")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def cpu(self) -> float:
        return _cpu_of([self.pid]) if self.alive else 0.0

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def kill(self) -> None:
        if self.alive:
            assert self.process is not None
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def stop(self) -> None:
        if self.alive:
            assert self.process is not None
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                await self.kill()


@contextlib.asynccontextmanager
async def cluster(
    infra: Infra, workdir: Path, api: FakeTelegramAPI, webs: int, workers: int
) -> AsyncIterator[list[Replica]]:
    replicas = [Replica("web", infra, api, workdir) for _ in range(webs)]
    replicas += [Replica("worker", infra, api, workdir) for _ in range(workers)]
    hook = replicas[0].hook if webs else "http://127.0.0.1:9/telegram/webhook"
    for replica in replicas:
        replica.webhook = hook
    try:
        await asyncio.gather(*(r.start() for r in replicas))
        yield replicas
    finally:
        await asyncio.gather(*(r.stop() for r in replicas))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


class RoundRobin:
    """The script's own proxy: update i to web replica i mod n; a gone replica's update
    goes to the next one (Telegram sends an unanswered update again)."""

    def __init__(self, api: FakeTelegramAPI, webs: list[Replica]) -> None:
        self.api, self.webs = api, webs
        self._next = itertools.count()

    async def post(self, update: dict[str, Any]) -> float:
        started = time.monotonic()
        first = next(self._next)
        problems: list[str] = []
        for attempt in range(len(self.webs) * 20):
            web = self.webs[(first + attempt) % len(self.webs)]
            if not web.alive:
                continue
            try:
                result = await self.api.post_webhook(web.hook, update, timeout=60)
            except (aiohttp.ClientError, TimeoutError) as error:
                problems.append(repr(error))
                await asyncio.sleep(0.2)
                continue
            if result.status == 200:
                return time.monotonic() - started
            problems.append(f"HTTP {result.status}: {result.body[:200]!r}")
            await asyncio.sleep(0.2)
        raise RuntimeError(f"no web replica took update {update['update_id']}: {problems[-3:]}")


def _message(api: FakeTelegramAPI, chats: int, n: int) -> dict[str, Any]:
    user = FIRST_USER + n % chats
    update = api.message_update(user, user, f"Prepare offer {n:05d} today")
    update["update_id"] = 500_000_000 + n
    return update


async def _task_numbers(url: str) -> Counter[int]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            titles = await session.scalars(select(TaskRow.title))
            return Counter(int(t.split()[2]) for t in titles if t.startswith("Prepare offer"))
    finally:
        await engine.dispose()


def _cards(api: FakeTelegramAPI) -> Counter[int]:
    found: Counter[int] = Counter()
    for t in api.sent_texts():
        if "Prepare offer " in t:
            digits = t.split("Prepare offer ", 1)[1][:5]
            if digits.isdigit():
                found[int(digits)] += 1
    return found


async def web_scenario(
    infra: Infra, workdir: Path, webs: int, args: argparse.Namespace
) -> dict[str, Any]:
    chats = args.chats
    await fresh_company(infra.database_url, chats)
    async with FakeTelegramAPI(token=TOKEN) as api, cluster(infra, workdir, api, webs, 1) as rs:
        proxy = RoundRobin(api, [r for r in rs if r.role == "web"])
        # 1) throughput with the limits off: a closed loop of 32 posts in flight.
        api.disable_limits()
        numbers = iter(range(args.updates))
        cpu_before = sum(r.cpu() for r in rs)
        infra_before = infra.cpu()

        async def loop() -> None:
            for n in numbers:
                await proxy.post(_message(api, chats, n))

        started = time.monotonic()
        await asyncio.gather(*(loop() for _ in range(32)))
        elapsed = time.monotonic() - started
        cpu = sum(r.cpu() for r in rs) - cpu_before
        others = {k: round(v - infra_before[k], 2) for k, v in infra.cpu().items()}
        # 2) latency at a steady rate with Telegram's limits on.
        api.enforce_limits()
        latencies: list[float] = []
        base = args.updates

        async def one(i: int) -> None:
            latencies.append(await proxy.post(_message(api, chats, base + i)))

        count = int(args.rate * args.rate_seconds)
        tasks = []
        t0 = time.monotonic()
        for i in range(count):
            await asyncio.sleep(max(0.0, t0 + i / args.rate - time.monotonic()))
            tasks.append(asyncio.create_task(one(i)))
        await asyncio.gather(*tasks)
        tasks_made = await _task_numbers(infra.database_url)
    return {
        "web_replicas": webs,
        "updates": args.updates,
        "updates_per_s_limits_off": round(args.updates / elapsed, 1),
        "brygada_cpu_s_per_1000_updates": round(cpu * 1000 / args.updates, 2),
        "others_cpu_s_during_throughput": others,
        "wall_s": round(elapsed, 2),
        f"p50_ms_at_{args.rate}_per_s": round(_pct(latencies, 0.5) * 1000, 1),
        f"p99_ms_at_{args.rate}_per_s": round(_pct(latencies, 0.99) * 1000, 1),
        "429s": api.rejected_429,
        "tasks_not_exactly_once": sum(1 for n in range(base + count) if tasks_made[n] != 1),
    }


async def prompts_scenario(
    infra: Infra, workdir: Path, args: argparse.Namespace, *, kill_leader: bool
) -> dict[str, Any]:
    """``args.prompts`` members whose morning begins in a minute; 2 workers send them."""
    now = datetime.now(UTC)
    start = (now + timedelta(seconds=75)).astimezone(ZoneInfo("UTC"))
    schedule = WorkSchedule(
        working_days=frozenset(range(7)),
        start=start.time().replace(second=0, microsecond=0),
        end=(start + timedelta(hours=8)).time().replace(second=0, microsecond=0),
        country="",
    )
    await fresh_company(infra.database_url, args.prompts, schedule)
    async with FakeTelegramAPI(token=TOKEN) as api:
        api.enforce_limits()
        async with cluster(infra, workdir, api, 0, 2) as workers:
            extra_kill: dict[str, Any] = {}
            deadline = time.monotonic() + 120 + args.prompts / 20
            while len(api.calls_to("sendMessage")) < args.prompts and time.monotonic() < deadline:
                if (
                    kill_leader
                    and not extra_kill
                    and len(api.calls_to("sendMessage")) > 0.3 * (args.prompts)
                ):
                    leader = await _sweep_leader(infra.database_url)
                    victim = next(w for w in workers if w.pid == leader)
                    sent_at_kill = len(api.calls_to("sendMessage"))
                    await victim.kill()
                    extra_kill = {"killed_pid": leader, "sent_at_kill": sent_at_kill}
                    await victim.start()  # a supervisor restarts it
                await asyncio.sleep(0.2)
            await asyncio.sleep(3)  # anything late
        sends = [c for c in api.calls_to("sendMessage") if c.ok]
        per_chat = Counter(int(c.params["chat_id"]) for c in sends)
        repeated = Counter((int(c.params["chat_id"]), c.params["text"]) for c in sends)
        seconds = (sends[-1].at - sends[0].at) if len(sends) > 1 else 0.0
    minimum = args.prompts / 30
    return {
        "prompts": args.prompts,
        "workers": 2,
        "seconds_first_to_last": round(seconds, 1),
        "limit_minimum_s": round(minimum, 1),
        "over_minimum_pct": round((seconds / minimum - 1) * 100, 1) if minimum else None,
        "429s": api.rejected_429,
        "busiest_second": api.busiest_second(),
        "members_without_prompt": sum(
            1 for i in range(args.prompts) if per_chat[FIRST_USER + i] == 0
        ),
        "members_prompted_twice": len({chat for (chat, _), n in repeated.items() if n > 1}),
        **extra_kill,
    }


async def _sweep_leader(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            row = await conn.execute(text("SELECT pid FROM instance_leases WHERE name = 'sweep'"))
            return int(row.scalar_one())
    finally:
        await engine.dispose()


async def web_kill_scenario(
    infra: Infra, workdir: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """Updates at a steady rate to 2 web replicas; one is killed a third of the way in."""
    chats = args.chats
    await fresh_company(infra.database_url, chats)
    async with FakeTelegramAPI(token=TOKEN) as api, cluster(infra, workdir, api, 2, 1) as rs:
        api.enforce_limits()
        proxy = RoundRobin(api, [r for r in rs if r.role == "web"])
        count = args.updates
        tasks = []
        t0 = time.monotonic()
        for i in range(count):
            if i == count // 3:
                await rs[1].kill()
            await asyncio.sleep(max(0.0, t0 + i / args.rate - time.monotonic()))
            tasks.append(asyncio.create_task(proxy.post(_message(api, chats, i))))
        await asyncio.gather(*tasks)
        await asyncio.sleep(5)  # the outbox sends what the killed one owed
        tasks_made = await _task_numbers(infra.database_url)
        cards = _cards(api)
    return {
        "updates": count,
        "killed_web_replica_at": count // 3,
        "tasks_lost": sum(1 for n in range(count) if tasks_made[n] == 0),
        "tasks_duplicated": sum(1 for n in range(count) if tasks_made[n] > 1),
        "cards_lost": sum(1 for n in range(count) if cards[n] == 0),
        "cards_duplicated": sum(1 for n in range(count) if cards[n] > 1),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {"cores": os.cpu_count()}
    with infrastructure(args) as (infra, tmp):
        if args.keep_logs:
            tmp = Path(tempfile.mkdtemp(prefix="brygada-scale-logs-"))
            results["logs"] = str(tmp)
        for webs in args.webs if "web" in args.scenarios else []:
            results[f"web_x{webs}"] = await web_scenario(infra, tmp, webs, args)
        if {"web_x1", "web_x2"} <= results.keys():
            one, two = results["web_x1"], results["web_x2"]
            per_1, per_2 = (
                one["brygada_cpu_s_per_1000_updates"],
                two["brygada_cpu_s_per_1000_updates"],
            )
            results["cpu_per_update_2_vs_1_pct"] = round((per_2 / per_1 - 1) * 100, 1)
        if "prompts" in args.scenarios:
            results["prompts_2_workers"] = await prompts_scenario(
                infra, tmp, args, kill_leader=False
            )
        if "kill" in args.scenarios:
            results["prompts_leader_killed"] = await prompts_scenario(
                infra, tmp, args, kill_leader=True
            )
            results["web_replica_killed"] = await web_kill_scenario(infra, tmp, args)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL to use (else one is started)")
    parser.add_argument("--redis-url", help="Redis to use (else one is started)")
    parser.add_argument("--webs", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2])
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--chats", type=int, default=300)
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--rate-seconds", type=float, default=60.0)
    parser.add_argument("--prompts", type=int, default=10_000)
    parser.add_argument("--scenarios", default="web,prompts,kill", help="which to run")
    parser.add_argument("--keep-logs", action="store_true", help="keep the replicas' logs")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
