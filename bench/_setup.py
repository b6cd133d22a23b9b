"""Shared helpers for the benchmark scripts: the app, a team, a clock, timing and arguments.

The benchmarks are plain scripts (not pytest). Each accepts ``--database-url`` (default:
a fresh SQLite file in a temporary directory) and ``--quick`` (a small smoke run for CI).
Against a shared database (PostgreSQL) every run makes its own company and a unique
chat workspace, so runs never collide with each other or with real data.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/x.py` puts bench/, not the repo, on the path
    sys.path.insert(0, str(ROOT))

from brygada.bootstrap import App, bootstrap  # noqa: E402
from brygada.settings import Settings  # noqa: E402
from domain.company import Company, Member, NewProject, Role  # noqa: E402
from domain.services import members  # noqa: E402

SECRET = "bench-secret-0123456789abcdef"


class FakeClock:
    """A fixed, hand-moved clock (as tests/conftest.py): Wednesday 2026-11-25 09:30 UTC."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 25, 9, 30, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current

    def set(self, moment: datetime) -> None:
        self.current = moment


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy async URL (e.g. postgresql+asyncpg://...); default: a temp SQLite file",
    )
    p.add_argument("--quick", action="store_true", help="small smoke run (for CI)")
    p.add_argument("--profile", action="store_true", help="run under cProfile, print hot spots")
    return p


@dataclass
class Database:
    url: str
    tmpdir: tempfile.TemporaryDirectory[str] | None

    @property
    def kind(self) -> str:
        return "sqlite" if self.url.startswith("sqlite") else self.url.split(":", 1)[0]

    def cleanup(self) -> None:
        if self.tmpdir is not None:
            self.tmpdir.cleanup()


def database(url: str | None) -> Database:
    if url:
        return Database(url, None)
    tmp = tempfile.TemporaryDirectory(prefix="brygada-bench-")
    return Database(f"sqlite+aiosqlite:///{tmp.name}/bench.db", tmp)


async def make_app(url: str, clock: FakeClock) -> App:
    settings = Settings(database_url=url, secret=SECRET, _env_file=None)  # type: ignore[call-arg]
    return await bootstrap(settings, clock=clock, migrate=True)


@dataclass
class Team:
    company: Company
    people: dict[str, Member]
    workspace: str

    def __getitem__(self, handle: str) -> Member:
        return self.people[handle]


async def make_team(
    app: App,
    handles: Sequence[str],
    *,
    platform_name: str = "console",
    workspace: str | None = None,
    projects: Sequence[str] = ("Sales",),
    timezone: str = "Europe/Warsaw",
) -> Team:
    """A company whose members joined through invites, as production does (tests/factories.py).

    The first handle is the admin, the rest employees. ``workspace`` defaults to a
    unique one so that repeated runs against the same database do not collide.
    """
    workspace = workspace or f"bench-{uuid.uuid4().hex[:12]}"
    now = app.clock.now()
    async with app.uow() as uow:
        company = await members.create_company(uow, "Bench Co", timezone=timezone)
        found: dict[str, Member] = {}
        for i, handle in enumerate(handles):
            role = Role.ADMIN if i == 0 else Role.EMPLOYEE
            invite = await members.create_invite(uow, company.id, role, now)
            found[handle] = await members.join(
                uow,
                code=invite.code,
                platform=platform_name,
                workspace=workspace,
                user_id=handle,
                chat_id=handle,
                name=handle.capitalize(),
                username=handle,
                language="en",
                now=now,
            )
            if found[handle].role is not role:
                found[handle].role = role
                await uow.members.save(found[handle])
        for name in projects:
            await uow.projects.add(
                NewProject(company.id, name, frozenset(m.id for m in found.values()))
            )
        await uow.commit()
    return Team(company, found, workspace)


def percentile(samples: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100)."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def latency_summary(samples_s: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    return {
        "n": len(ms),
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "mean_ms": statistics.fmean(ms) if ms else float("nan"),
        "max_ms": max(ms) if ms else float("nan"),
    }


def machine() -> str:
    import os

    return (
        f"{os.cpu_count()} CPU(s), Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}"
    )


def redact(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
