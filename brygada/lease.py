"""One running instance per database: the lease ``brygada run`` holds while it serves.

Two processes on one database would each poll Telegram, sweep and send the outbox:
users would get everything twice. ``serve()`` therefore takes the "all-in-one" lease
first (a row in ``instance_leases``: holder host, pid, start, heartbeat), renews it every
``lease_heartbeat_seconds`` and gives it up on shutdown. A second ``brygada run`` finds
the lease held and refuses to start, naming the holder. A holder that was killed stops
renewing; once its heartbeat is older than ``lease_stale_seconds`` the next start takes
the lease over — at once when the holder ran on the same host and its process is gone
(a restart right after kill -9 need not wait). A holder that finds its lease taken over
(it was frozen for longer than the stale time) stops, so that two never run at once.

The scale-out roles (``--role web|worker``, PostgreSQL only) do not take that lease: any
number of replicas run side by side. What must happen once campaigns for a lease of its
own (``Leadership``): the worker that holds "sweep" sweeps (and polls Telegram when there
is no webhook); the web replica that holds "telegram-webhook" sets the webhook. A standby
tries again every heartbeat and takes over a killed leader's lease once it is stale.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path

from domain.ports import Clock, LeaseHolder, UnitOfWork

log = logging.getLogger(__name__)

ALL_IN_ONE = "all-in-one"
SWEEP = "sweep"
TELEGRAM_WEBHOOK = "telegram-webhook"


class LeaseHeld(Exception):
    """Someone else holds the lease and is alive."""

    def __init__(self, name: str, holder: LeaseHolder, now: datetime, stale_after: timedelta):
        self.name = name
        self.holder = holder
        seen = max(0, round((now - holder.heartbeat_at).total_seconds()))
        super().__init__(
            f"Another Brygada is already running on this database: pid {holder.pid} on host "
            f"{holder.host}, started {holder.started_at:%Y-%m-%d %H:%M:%S} UTC, last heartbeat "
            f"{seen} s ago (lease {name!r}). Stop it before starting another one; if it was "
            f"killed, its lease is free {round(stale_after.total_seconds())} s after its "
            "last heartbeat."
        )


class InstanceLease:
    def __init__(
        self,
        units_of_work: Callable[[], UnitOfWork],
        clock: Clock,
        *,
        name: str = ALL_IN_ONE,
        heartbeat_seconds: float = 10.0,
        stale_seconds: float = 60.0,
    ) -> None:
        self._uow = units_of_work
        self._clock = clock
        self.name = name
        self._heartbeat = heartbeat_seconds
        self._stale_after = timedelta(seconds=stale_seconds)
        now = clock.now()
        self.me = LeaseHolder(
            token=uuid.uuid4().hex,
            host=socket.gethostname(),
            pid=os.getpid(),
            started_at=now,
            heartbeat_at=now,
        )
        self.lost = False

    async def acquire(self) -> None:
        """Take the lease or raise ``LeaseHeld`` naming its living holder."""
        now = self._clock.now()
        self.me = dataclasses.replace(self.me, heartbeat_at=now)
        holder = await self._take(now - self._stale_after)
        if holder.token != self.me.token and self._died_here(holder):
            # Killed on this very host (kill -9, OOM) and restarted at once: no need to
            # wait out the stale time. Taken over only if that dead holder still has it.
            log.warning(
                "lease %r: its holder (pid %s on this host) is gone; taking it over",
                self.name,
                holder.pid,
            )
            holder = await self._take(holder.heartbeat_at + timedelta(microseconds=1))
        if holder.token != self.me.token:
            raise LeaseHeld(self.name, holder, now, self._stale_after)
        log.info("lease %r taken: pid %s on %s", self.name, self.me.pid, self.me.host)

    async def _take(self, stale_before: datetime) -> LeaseHolder:
        async with self._uow() as uow:
            holder = await uow.leases.acquire(self.name, self.me, stale_before)
            await uow.commit()
        return holder

    def _died_here(self, holder: LeaseHolder) -> bool:
        """The holder ran on this host and its process no longer exists."""
        if holder.host != self.me.host or holder.pid == self.me.pid:
            return False
        try:
            os.kill(holder.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # alive, another user's
            return False
        return _zombie(holder.pid)

    async def keep(self, stop: asyncio.Event) -> None:
        """Renew until ``stop``; a lease taken over by another process sets ``stop``."""
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), self._heartbeat)
                return
            except TimeoutError:
                pass
            try:
                async with self._uow() as uow:
                    still_ours = await uow.leases.renew(self.name, self.me.token, self._clock.now())
                    await uow.commit()
            except Exception:  # the database is away for a moment: try at the next beat
                log.warning("lease %r heartbeat failed", self.name, exc_info=True)
                continue
            if not still_ours:
                log.error(
                    "lease %r was taken over by another process (this one missed its "
                    "heartbeats for over %s s): stopping",
                    self.name,
                    round(self._stale_after.total_seconds()),
                )
                self.lost = True
                stop.set()

    async def renew(self, uow: UnitOfWork) -> bool:
        """Renew in the caller's unit of work: True while the lease is still ours."""
        return await uow.leases.renew(self.name, self.me.token, self._clock.now())

    async def release(self) -> None:
        try:
            async with self._uow() as uow:
                await uow.leases.release(self.name, self.me.token)
                await uow.commit()
        except Exception:  # it goes stale by itself
            log.warning("lease %r not released", self.name, exc_info=True)


class Leadership:
    """Campaigns for a named lease among replicas: ``leading`` while it holds it.

    Whatever must run once (the sweep, Telegram polling, setting the webhook) runs only
    in the leader. A killed leader stops renewing; a standby takes the lease over once
    it is stale (at once when the leader ran on the same host), so the work moves within
    ``stale_seconds + heartbeat_seconds``. A leader that froze for longer than the stale
    time finds its lease taken at its next renewal and steps down. Work done in the
    database can be fenced: ``fence(uow)`` renews in the work's own transaction, so a
    deposed leader's work is rolled back (on PostgreSQL the renewal's row lock also makes
    two fenced transactions take turns).
    """

    def __init__(
        self,
        units_of_work: Callable[[], UnitOfWork],
        clock: Clock,
        name: str,
        *,
        heartbeat_seconds: float = 5.0,
        stale_seconds: float = 30.0,
    ) -> None:
        self._lease = InstanceLease(
            units_of_work,
            clock,
            name=name,
            heartbeat_seconds=heartbeat_seconds,
            stale_seconds=stale_seconds,
        )
        self._uow = units_of_work
        self._clock = clock
        self._heartbeat = heartbeat_seconds
        self.name = name
        self._gained = asyncio.Event()  # set while leading
        self._term_over = asyncio.Event()  # a new one for each term, set at its end

    @property
    def leading(self) -> bool:
        return self._gained.is_set()

    async def fence(self, uow: UnitOfWork) -> bool:
        """In ``uow``: True when this replica still leads (its lease renewed there)."""
        if not self.leading:
            return False
        if await self._lease.renew(uow):
            return True
        self._step_down("its lease was taken over")
        return False

    async def run(self, stop: asyncio.Event) -> None:
        """Campaign, lead, renew, until ``stop``; the lease is given back at the end."""
        try:
            while not stop.is_set():
                await self._beat()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._heartbeat)
        finally:
            if self.leading:
                self._step_down("stopping")
                await self._lease.release()

    async def _beat(self) -> None:
        if not self.leading:
            try:
                await self._lease.acquire()
            except LeaseHeld:
                return
            except Exception:
                log.warning("lease %r: campaign failed", self.name, exc_info=True)
                return
            log.info("leading %r (pid %s)", self.name, self._lease.me.pid)
            self._term_over = asyncio.Event()
            self._gained.set()
            return
        try:
            async with self._uow() as uow:
                ours = await self._lease.renew(uow)
                await uow.commit()
        except Exception:  # the database is away for a moment: try at the next beat
            log.warning("lease %r heartbeat failed", self.name, exc_info=True)
            return
        if not ours:
            self._step_down("its lease was taken over (missed heartbeats)")

    def _step_down(self, why: str) -> None:
        if self.leading:
            log.warning("no longer leading %r: %s", self.name, why)
            self._gained.clear()
            self._term_over.set()

    async def while_leading(
        self, stop: asyncio.Event, work: Callable[[asyncio.Event], Awaitable[None]]
    ) -> None:
        """Run ``work(term_over)`` during each term of leadership; ``term_over`` is set
        when the term ends (lost, or ``stop``), and the work is awaited before the next."""
        while not stop.is_set():
            await _first(stop, self._gained)
            if stop.is_set():
                return
            ended = self._term_over
            term_over = asyncio.Event()
            watcher = asyncio.create_task(_first(stop, ended))
            watcher.add_done_callback(functools.partial(_set, term_over))
            try:
                await work(term_over)
            finally:
                term_over.set()
            await _first(stop, ended)  # the work ended by itself: wait for the term's end
            watcher.cancel()


def _set(event: asyncio.Event, _done: object) -> None:
    event.set()


async def _first(*events: asyncio.Event) -> None:
    waits = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()


def _zombie(pid: int) -> bool:
    """A killed process its parent has not reaped yet still answers signals (Linux)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]
