"""Slack requests that carry user input are kept before they are acked.

Slack never sends an acked request again (a slash command or a button press is not
retried at all), so a process that dies after the ack and before the turn's commit
would lose what the user wrote. A listener's middleware (``keeping``) writes the
request to the inbox (``handlers.inbox``) in its own short transaction; only then does
the listener ack (an insert that fails leaves it unacked: 500, and Slack retries an
event). The listener handles the request and marks it handled (``handle``).

Slack wants its ack within 3 seconds. When the database is busy for longer (another
process holds SQLite's write lock: a backup, a CLI command) the write goes on, but the
request is acked after ``ACK_WITHIN_S`` all the same and handled once the write is done:
for those seconds only, the request lives in memory alone. Not acking would cost more:
Slack shows the user an error for a command it may yet carry out, and the user types it
again.

A request left unhandled (the process died meanwhile) is handled again after the
inbox's grace, at start and then periodically (``run``), by the same function that
handles it live, with a no-op ack and no usable trigger (``live=False``: no modal). The
conversation's update keys make that a no-op when the turn was committed, apart from
resending its stored replies that never went out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.clients import WorkspaceClients
from bots.slack.inbound import team_of
from handlers.delivery import DeliveryError
from handlers.inbox import Inbox

log = logging.getLogger(__name__)

# Bolt context keys: the request's inbox row; its event; "the same event is in hand".
ENTRY, EVENT, ECHO = "brygada_inbox_entry", "brygada_inbox_event", "brygada_inbox_echo"
PRUNE_EVERY_S = 3600.0
ACK_WITHIN_S = 2.0  # Slack's 3 s, less the way back
MAX_ATTEMPTS = 5  # a request whose handling keeps failing is given up (and logged)

Payload = dict[str, Any]
# Handles one kept request again: (client of its workspace, body as Slack sent it).
Replay = Callable[[AsyncWebClient, Payload], Awaitable[None]]
Next = Callable[[], Awaitable[None]]


async def no_ack(*_args: Any, **_kwargs: Any) -> None:
    """The ack of a request handled again: Slack had its answer long ago."""


async def _entry(kept: int | asyncio.Future[int] | None) -> int | None:
    """The inbox row of a request, once its write is done (it may still be under way)."""
    if not isinstance(kept, asyncio.Future):
        return kept
    try:
        return await kept
    except Exception:
        log.exception("a slack request acked while the database was busy was never kept")
        return None


def _event_key(body: Payload) -> tuple[str, str] | None:
    event_id = body.get("event_id")
    return (team_of(body), str(event_id)) if event_id else None


class SlackInbox:
    def __init__(self, inbox: Inbox, clients: WorkspaceClients) -> None:
        self._inbox = inbox
        self._clients = clients
        self._routes: dict[str, Replay] = {}
        # Rows being handled in this process: a replay never takes them meanwhile.
        self._busy: set[int] = set()
        # Events (team, event_id) being handled here: Slack's retry of one of them (our
        # ack came late) is acked and dropped, so its stored replies are not resent
        # while the first delivery sends them. Were this process to die, the first
        # one's row is handled again.
        self._events: set[tuple[str, str]] = set()

    def route(self, kind: str, replay: Replay) -> None:
        self._routes[kind] = replay

    def keeping(
        self, kind: str, only: Callable[[Payload], bool] | None = None
    ) -> Callable[[Payload, AsyncBoltContext, Next], Awaitable[None]]:
        """A Bolt listener middleware that keeps the request (``only`` those it accepts)
        before the listener runs and acks."""

        async def keep(body: Payload, context: AsyncBoltContext, next_: Next) -> None:
            if only is None or only(body):
                event = _event_key(body)
                if event is not None and event in self._events:
                    log.info("slack event %s is being handled: its retry is dropped", event[1])
                    context[ECHO] = True
                else:
                    keeping = asyncio.ensure_future(self._inbox.keep(kind, team_of(body), body))
                    try:
                        # A write that fails in time leaves the request unacked (a 500).
                        entry = await asyncio.wait_for(asyncio.shield(keeping), ACK_WITHIN_S)
                    except TimeoutError:
                        log.warning("slack %s: the database is busy; acked before it is kept", kind)
                        context[ENTRY] = keeping  # ``handle`` waits for it
                    else:
                        self._busy.add(entry)
                        context[ENTRY] = entry
                    if event is not None:
                        self._events.add(event)
                        context[EVENT] = event
            await next_()

        return keep

    async def handle(self, context: Mapping[str, Any], work: Coroutine[Any, Any, None]) -> None:
        """Run a listener's ``work``; its inbox row is handled once the work is done
        (the turn committed, its replies sent or stored). If the work fails the row
        stays: it is handled again later."""
        if context.get(ECHO):
            work.close()  # never started: the same event is in hand
            return
        try:
            await self._finish(context.get(ENTRY), work)
        finally:
            if EVENT in context:
                self._events.discard(context[EVENT])

    async def _finish(self, kept: int | asyncio.Future[int] | None, work: Awaitable[None]) -> None:
        entry: int | None = None
        try:
            await work
        finally:
            entry = await _entry(kept)
            if entry is not None:
                self._busy.discard(entry)
        if entry is not None:
            await self._inbox.handled(entry)

    async def replay_once(self, limit: int = 50) -> int:
        """Handle the requests kept but left unhandled; returns how many were tried."""
        entries = await self._inbox.due(limit)
        tried = 0
        for entry in entries:  # one at a time, oldest first: a user's requests in order
            if entry.id in self._busy:
                continue
            replay = self._routes.get(entry.kind)
            if replay is None or entry.attempts > MAX_ATTEMPTS:
                log.error("slack request %s (%s) given up", entry.id, entry.kind)
                await self._inbox.handled(entry.id, error="given up")
                continue
            try:
                client = await self._clients(entry.team)
            except DeliveryError as error:  # the app is not installed there any more
                await self._inbox.handled(entry.id, error=error.reason)
                continue
            log.warning("slack request %s (%s) not handled yet: handling it", entry.id, entry.kind)
            self._busy.add(entry.id)
            tried += 1
            try:
                await self._finish(entry.id, replay(client, dict(entry.body)))
            except Exception:
                log.exception("handling kept slack request %s failed; tried again later", entry.id)
        return tried

    async def run(self, stop: asyncio.Event, interval: float) -> None:
        """At start and every ``interval`` seconds until ``stop``: ``replay_once``."""
        pruned = -math.inf
        while not stop.is_set():
            try:
                await self.replay_once()
                if time.monotonic() - pruned >= PRUNE_EVERY_S:
                    await self._inbox.prune()
                    pruned = time.monotonic()
            except Exception:
                log.exception("slack inbox round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
