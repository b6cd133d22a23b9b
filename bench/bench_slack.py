"""Slack adapter end to end: signed ``/task`` slash commands per second.

The real Bolt ``AsyncApp`` (``brygada.slack.build_slack``) served over aiohttp on 127.0.0.1
(as tests/e2e/slack/conftest.py does); each request is a ``/task <text>`` slash command
signed like Slack signs it (tests/fakes/slack_requests.py). Bolt verifies the signature,
acks, and runs the listener after the response: ``conversations.open`` -> conversation ->
database -> ``chat.postMessage`` into the loopback FakeSlackAPI. A command counts as
handled when the fake recorded its ``chat.postMessage``.

* sequential: one sender; each command is sent once the previous one was answered
  (its chat.postMessage arrived), so this is the turn-around rate;
* concurrent: ``--senders`` members (default 8) do the same at once.

Time runs from the first POST until the fake recorded the Nth chat.postMessage. The fake
enforces no rate limits; it runs in the same process and event loop as the app.

    .venv/bin/python bench/bench_slack.py                 # SQLite temp file, N = 1000
    .venv/bin/python bench/bench_slack.py --quick         # N = 100
    .venv/bin/python bench/bench_slack.py --database-url postgresql+asyncpg://u:p@host/db
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import sys
import time
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
from bench_create import capture_texts
from pydantic import SecretStr
from sqlalchemy import func, select

from brygada.slack import build_slack
from storage.models import TaskRow
from tests.fakes import Call
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.slack_requests import signed_headers, slash_command

SIGNING_SECRET = "bench-signing-secret"
HANDLES = ["UBOSS", "UANNA", "UIVAN", "UOLGA", "UPIOTR", "UMARTA", "UKASIA", "UDMITRY", "UTOM"]


class CountingSlack(FakeSlackAPI):
    """Counts successful chat.postMessage calls per channel as they are recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.posted = 0
        self.per_channel: dict[str, int] = {}
        self._waiters: dict[str, tuple[int, asyncio.Future[float]]] = {}

    def _record(self, method: str, params: dict[str, Any], response: dict[str, Any], *,
                status: int, arrived: float) -> Call:  # fmt: skip
        call = super()._record(method, params, response, status=status, arrived=arrived)
        if method == "chat.postMessage" and call.ok:
            self.posted += 1
            channel = str(response.get("channel"))
            count = self.per_channel[channel] = self.per_channel.get(channel, 0) + 1
            waiter = self._waiters.get(channel)
            if waiter is not None and count >= waiter[0] and not waiter[1].done():
                waiter[1].set_result(time.perf_counter())
        return call

    async def until(self, channel: str, count: int, timeout: float = 30.0) -> float:
        """perf_counter() when ``channel`` had ``count`` posts."""
        if self.per_channel.get(channel, 0) >= count:
            return time.perf_counter()
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiters[channel] = (count, future)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self._waiters.pop(channel, None)


async def run(args: Any) -> dict[str, Any]:
    logging.basicConfig(level=logging.ERROR)
    n = 100 if args.quick else args.count
    warmup = 20
    db = database(args.database_url)
    app = await make_app(db.url, FakeClock())
    try:
        projects = ("Sales", "Website", "Office")
        team = await make_team(app, HANDLES, platform_name="slack", projects=projects)
        company_id = team.company.id
        texts = capture_texts([h.lower() for h in HANDLES], warmup + 2 * n)
        async with CountingSlack() as api:
            api.disable_limits()
            for handle in HANDLES:
                api.add_user(handle, name=handle.lower())
            settings = app.settings.model_copy(
                update={
                    "slack_bot_token": SecretStr("xoxb-bench"),
                    "slack_signing_secret": SecretStr(SIGNING_SECRET),
                    "slack_api_url": f"{api.base_url}/api/",
                    # The pacing is measured in its own test; here it would only add waiting.
                    "slack_messages_per_channel_per_second": 1000.0,
                }
            )
            adapter = build_slack(dataclasses.replace(app, settings=settings))
            web_app = web.Application()
            adapter.setup_slack_routes(web_app)
            async with TestClient(TestServer(web_app, host="127.0.0.1")) as http:
                failures: list[str] = []
                done: dict[str, int] = {}

                async def command(user: str, text: str) -> float:
                    """POST one signed /task; seconds until its chat.postMessage."""
                    body, content_type = slash_command(
                        "/task", text, user_id=user, team_id=team.workspace
                    )
                    start = time.perf_counter()
                    response = await http.post(
                        "/slack/events",
                        data=body,
                        headers=signed_headers(body, content_type, SIGNING_SECRET),
                    )
                    if response.status != 200:
                        failures.append(f"{response.status}: {await response.text()}")
                    await response.release()
                    done[user] = done.get(user, 0) + 1
                    answered = await api.until(f"D{user}", done[user])
                    return answered - start

                async def sender(user: str, batch: list[str]) -> list[float]:
                    return [await command(user, text) for text in batch]

                await sender(HANDLES[0], texts[:warmup])

                start = time.perf_counter()
                seq_latency = await sender(HANDLES[0], texts[warmup : warmup + n])
                seq_s = time.perf_counter() - start

                senders = HANDLES[1 : 1 + args.senders]
                chunk = texts[warmup + n : warmup + 2 * n]
                batches = [chunk[i :: len(senders)] for i in range(len(senders))]
                start = time.perf_counter()
                conc = await asyncio.gather(
                    *(sender(u, b) for u, b in zip(senders, batches, strict=True))
                )
                conc_s = time.perf_counter() - start
                conc_latency = [x for part in conc for x in part]
                await asyncio.sleep(0.05)  # listeners finish before the database closes
            await adapter.close()
            posted = api.posted
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
        await app.close()
        db.cleanup()

    expected = warmup + 2 * n
    seq = {"commands": n, "seconds": round(seq_s, 3), "per_s": round(n / seq_s, 1)}
    seq["latency"] = latency_summary(seq_latency)
    con = {
        "senders": len(senders),
        "commands": len(conc_latency),
        "seconds": round(conc_s, 3),
        "per_s": round(len(conc_latency) / conc_s, 1),
        "latency": latency_summary(conc_latency),
    }
    result: dict[str, Any] = {
        "benchmark": "slack",
        "database": db.kind,
        "url": redact(db.url),
        "machine": machine(),
        "sequential": seq,
        "concurrent": con,
        "stored_tasks": stored,
        "posted": posted,
        "expected": expected,
        "failures": len(failures),
    }
    print(f"bench_slack  [{db.kind}]  {machine()}")
    print("  setup      : Bolt AsyncApp over aiohttp on 127.0.0.1, signed /task slash commands,")
    print("               until FakeSlackAPI recorded the chat.postMessage; no rate limits")
    for name, r, count in (("sequential", seq, n), ("concurrent", con, con["commands"])):
        lat = r["latency"]
        who = "1 sender" if name == "sequential" else f"{con['senders']} senders"
        print(
            f"  {name:<11}: {who}, {count} commands in {r['seconds']} s -> {r['per_s']} "
            f"commands/s (command -> reply p50 {lat['p50_ms']:.1f} ms, p95 {lat['p95_ms']:.1f} ms)"
        )
    print(
        f"  check      : {stored} tasks stored, {posted} replies posted, {expected} expected, "
        f"{len(failures)} failed requests"
    )
    for f in failures[:5]:
        print(f"    failure: {f}")
    if stored != expected or posted != expected or failures:
        result["error"] = "self-check failed"
    return result


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--count", type=int, default=1000, help="commands per phase (default 1000)")
    p.add_argument("--senders", type=int, default=8, help="concurrent senders (default 8)")
    p.add_argument("--json", action="store_true", help="print the result as JSON at the end")
    args = p.parse_args(argv)
    if not 1 <= args.senders < len(HANDLES):
        p.error(f"--senders must be 1..{len(HANDLES) - 1}")
    result = asyncio.run(run(args))
    if args.json:
        print(json.dumps(result))
    return 1 if "error" in result else 0


if __name__ == "__main__":
    sys.exit(main())
