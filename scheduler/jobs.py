"""APScheduler drives the sweep and the outbox; the database is the source of truth.

Jobs are thin: each run opens one unit of work, calls the domain with an injected
``now`` and commits. APScheduler's cron triggers also compute the occurrences of
recurring task templates (in each template's own timezone).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from domain.ports import Clock, UnitOfWork
from domain.services.reminders import SweepConfig, SweepReport, sweep
from scheduler.dispatcher import OutboxDispatcher
from scheduler.housekeeping import Housekeeping

log = logging.getLogger(__name__)

_TINY = timedelta(microseconds=1)
MAX_OCCURRENCES = 500  # per template and sweep: a bad "* * * * *" after a week's downtime


def validate_cron(expression: str, tz: str) -> None:
    """Raise ValueError when APScheduler cannot read the expression."""
    CronTrigger.from_crontab(expression, timezone=tz)


def cron_occurrences(start: datetime, end: datetime, expression: str, tz: str) -> list[datetime]:
    """Fire times of a crontab expression in (start, end], computed in ``tz``."""
    try:
        trigger = CronTrigger.from_crontab(expression, timezone=tz)
    except ValueError:
        log.warning("unreadable cron expression %r skipped", expression)
        return []
    found: list[datetime] = []
    moment = trigger.get_next_fire_time(None, start + _TINY)
    while moment is not None and moment <= end and len(found) < MAX_OCCURRENCES:
        found.append(moment)
        moment = trigger.get_next_fire_time(moment, moment + _TINY)
    return found


class Leader(Protocol):
    """Who sweeps among replicas (``brygada.lease.Leadership``)."""

    @property
    def leading(self) -> bool: ...

    async def fence(self, uow: UnitOfWork) -> bool:
        """True (in ``uow``'s transaction) while this replica still leads."""
        ...


class Sweeper:
    """One sweep per call, over everything since the last one."""

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock, config: SweepConfig) -> None:
        self._uow = uow
        self._clock = clock
        self._config = config

    async def run_once(self) -> SweepReport:
        report = await self._run(None)
        assert report is not None
        return report

    async def run_if_leading(self, leader: Leader) -> SweepReport | None:
        """The sweep, when this replica leads: the lease is renewed in the sweep's own
        transaction, so a deposed leader's sweep is never committed (fencing)."""
        if not leader.leading:
            return None
        return await self._run(leader)

    async def _run(self, leader: Leader | None) -> SweepReport | None:
        async with self._uow() as uow:
            if leader is not None and not await leader.fence(uow):
                return None
            companies = await uow.companies.all()
            report = await sweep(
                uow,
                self._clock.now(),
                companies,
                self._config,
                occurrences=cron_occurrences,
            )
            await uow.commit()
        if any(report.enqueued.values()) or report.skipped_stale:
            log.info(
                "sweep %s..%s enqueued %s, skipped %d stale",
                *report.window,
                report.enqueued,
                report.skipped_stale,
            )
        return report


class Background:
    """The sweep on an APScheduler interval job and the outbox dispatcher's workers."""

    def __init__(
        self, scheduler: AsyncIOScheduler, stop: asyncio.Event, sending: asyncio.Task[None]
    ) -> None:
        self._scheduler = scheduler
        self._stop = stop
        self._sending = sending

    async def shutdown(self) -> None:
        self._scheduler.shutdown(wait=False)
        self._stop.set()
        await self._sending


def start_scheduler(
    sweeper: Sweeper,
    dispatcher: OutboxDispatcher,
    *,
    sweep_seconds: float,
    outbox_seconds: float,
    statistics: Callable[[], Awaitable[None]] | None = None,
    housekeeping: Housekeeping | None = None,
    leader: Leader | None = None,
) -> Background:
    """Start the sweep (never overlapping itself), the planner-statistics refresh
    (``statistics``, hourly: the storage's own upkeep, e.g. ANALYZE on SQLite), the
    housekeeping (hourly: old reply-outbox rows) and the outbox on the running loop.

    With a ``leader`` (replicas) the sweep and the hourly jobs run only while this replica
    leads; the outbox runs in every replica (its rows are claimed with SKIP LOCKED)."""
    scheduler = AsyncIOScheduler()

    def gated(job: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        if leader is None:
            return job

        async def when_leading(*args: Any) -> Any:
            return await job(*args) if leader.leading else None

        return when_leading

    if housekeeping is not None:
        scheduler.add_job(
            gated(housekeeping.run_once),
            IntervalTrigger(hours=1),
            id="housekeeping",
            next_run_time=datetime.now().astimezone(),
            max_instances=1,
            coalesce=True,
        )
    if statistics is not None:
        scheduler.add_job(
            gated(statistics),
            IntervalTrigger(hours=1),
            id="statistics",
            next_run_time=datetime.now().astimezone(),
            max_instances=1,
            coalesce=True,
        )
    scheduler.add_job(
        sweeper.run_once if leader is None else sweeper.run_if_leading,
        IntervalTrigger(seconds=sweep_seconds),
        args=[] if leader is None else [leader],
        id="sweep",
        next_run_time=datetime.now().astimezone(),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    scheduler.start()
    stop = asyncio.Event()
    sending = asyncio.create_task(dispatcher.run_forever(outbox_seconds, stop))
    return Background(scheduler, stop, sending)
