"""Running for real: one HTTP server, the chat adapters, the scheduler and the outbox.

The HTTP server (BRYGADA_HTTP_HOST/PORT) serves /healthz, the website lead intake
(/api/leads/<token>), Slack's /slack/events in HTTP mode (with OAuth also
/slack/install and /slack/oauth_redirect) and Telegram's webhook in webhook mode.
Telegram long-polls by default; Slack uses Socket Mode when SLACK_APP_TOKEN is set.

``brygada run --role web|worker`` runs one part of it as one of N replicas on PostgreSQL
(README "Deployment", docs/scaling.md); with BRYGADA_REDIS_URL their rate limits are
shared (``bots.ratelimit_redis``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from aiohttp import web

from bots.ratelimit_redis import connect as connect_redis
from brygada.board import mount_board
from brygada.bootstrap import App
from brygada.leads import setup_lead_routes
from brygada.lease import (
    ALL_IN_ONE,
    SWEEP,
    TELEGRAM_WEBHOOK,
    InstanceLease,
    Leadership,
    LeaseHeld,
)
from scheduler.jobs import start_scheduler
from storage.maintenance import refresh_statistics

log = logging.getLogger(__name__)


async def _healthz(_request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def build_web_app(app: App) -> web.Application:
    web_app = web.Application(client_max_size=1024 * 1024)
    web_app.router.add_get("/healthz", _healthz)
    setup_lead_routes(web_app, app, cors_origins=app.settings.crm_cors_origins)
    mount_board(web_app, app)
    return web_app


def settle_heap() -> None:
    """Move everything built at start-up out of the garbage collector's way.

    Modules, templates, locale data and the app live as long as the process, yet every
    full collection walks them again: ~200 ms with the loop stopped, which holds up
    every send due meanwhile (the Telegram limiter then has to catch up in bursts).
    Frozen objects are skipped by all later collections.
    """
    gc.collect()
    gc.freeze()


WEB, WORKER = "web", "worker"
ROLES = frozenset({WEB, WORKER})


def parse_roles(text: str) -> frozenset[str]:
    """``web``, ``worker`` or both (``web,worker``); ``all-in-one``: the default."""
    parts = frozenset(p.strip() for p in text.split(",") if p.strip())
    if parts == {ALL_IN_ONE}:
        return parts
    unknown = parts - ROLES
    if unknown or not parts:
        raise ValueError(
            f"unknown role(s) {', '.join(sorted(unknown)) or '(none)'}: "
            "use web, worker, web,worker or all-in-one"
        )
    return parts


async def serve(
    app: App, stop: asyncio.Event | None = None, roles: frozenset[str] | None = None
) -> int:
    """Run until ``stop`` is set (or SIGINT/SIGTERM).

    All-in-one (the default): everything, in the one process the database's lease allows
    (``brygada.lease``); 1 when another instance holds it, or took it over while this one
    was frozen. With ``roles`` (PostgreSQL only; any number of replicas): ``web`` serves
    HTTP, ``worker`` the sweep (one leader among the workers), the outbox and Telegram
    polling (the sweep leader, when there is no webhook)."""
    stop = stop or asyncio.Event()
    settings = app.settings
    if roles is not None and roles != {ALL_IN_ONE}:
        if app.engine.dialect.name != "postgresql":
            log.error(
                "--role %s needs PostgreSQL (BRYGADA_DATABASE_URL=postgresql+asyncpg://...): "
                "replicas share its locks. On SQLite run `brygada run` (all-in-one).",
                ",".join(sorted(roles)),
            )
            return 2
        return await _serve(app, stop, Roles(web=WEB in roles, worker=WORKER in roles))
    lease = InstanceLease(
        app.uow,
        app.clock,
        heartbeat_seconds=settings.lease_heartbeat_seconds,
        stale_seconds=settings.lease_stale_seconds,
    )
    try:
        await lease.acquire()
    except LeaseHeld as held:
        log.error("%s", held)
        return 1
    keeper = asyncio.create_task(lease.keep(stop))
    try:
        code = await _serve(app, stop, Roles(web=True, worker=True, alone=True))
    finally:
        stop.set()
        await keeper
        await lease.release()
    return 1 if lease.lost else code


@dataclass(frozen=True)
class Roles:
    web: bool
    worker: bool
    alone: bool = False  # all-in-one: the only process, leading everything

    def describe(self) -> str:
        if self.alone:
            return ALL_IN_ONE
        return ",".join(r for r, on in ((WEB, self.web), (WORKER, self.worker)) if on)


def _leadership(app: App, name: str) -> Leadership:
    s = app.settings
    return Leadership(
        app.uow,
        app.clock,
        name,
        heartbeat_seconds=s.leader_heartbeat_seconds,
        stale_seconds=s.leader_stale_seconds,
    )


async def _serve(app: App, stop: asyncio.Event, roles: Roles) -> int:
    settings = app.settings
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    web_app = build_web_app(app)
    background: list[asyncio.Task[None]] = []
    closers: list[Callable[[], Awaitable[None]]] = []
    starters = []
    redis = connect_redis(settings.redis_url) if settings.redis_url else None
    if redis is not None:
        closers.append(redis.aclose)
    webhook = bool(settings.telegram_webhook_url)
    # Replicas: one worker sweeps (and polls Telegram), one web replica sets the webhook.
    sweep_leader = _leadership(app, SWEEP) if roles.worker and not roles.alone else None
    webhook_leader = (
        _leadership(app, TELEGRAM_WEBHOOK) if roles.web and webhook and not roles.alone else None
    )

    # First the adapters and their routes, without a word to the platforms; then the
    # port: a second copy started with the same settings stops here, before it polls
    # Telegram (and takes updates away from the first) or moves its webhook.
    telegram = None
    if "telegram" in settings.chat_platforms and (roles.worker or webhook):
        from bots.telegram import setup_webhook_routes
        from brygada.telegram import build_telegram

        limiter = None
        if redis is not None:
            from bots.ratelimit_redis import RedisRateLimiter
            from brygada.telegram import bot_id_of

            limiter = RedisRateLimiter(redis, bot_id_of(settings))
        telegram = build_telegram(app, limiter=limiter)
        app.notifiers["telegram"] = telegram.notifier
        if webhook and roles.web:
            setup_webhook_routes(web_app, telegram)
        closers.append(telegram.close)
        starters.append(telegram)
    slack = None
    if "slack" in settings.chat_platforms:
        from bots.slack import setup_slack_routes
        from brygada.slack import build_slack

        pacer = None
        if redis is not None:
            from bots.ratelimit_redis import RedisChannelPacer

            pacer = RedisChannelPacer(
                redis, per_second=settings.slack_messages_per_channel_per_second
            )
        slack = build_slack(app, pacer=pacer)
        app.notifiers["slack"] = slack.notifier
        if roles.web and (not settings.slack_app_token or slack.oauth is not None):
            # With OAuth the install pages are HTTP even in Socket Mode.
            setup_slack_routes(web_app, slack)
        closers.append(slack.close)

    runner = web.AppRunner(web_app)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.http_host, settings.http_port).start()
    except OSError as error:
        log.error(
            "cannot listen on %s:%s (%s): is another Brygada running with these settings? "
            "Nothing was started.",
            settings.http_host,
            settings.http_port,
            error.strerror or error,
        )
        await runner.cleanup()
        for close in closers:
            await close()
        return 1
    log.info(
        "%s: HTTP on %s:%s; chats: %s",
        roles.describe(),
        settings.http_host,
        settings.http_port,
        ", ".join(settings.chat_platforms) or "none",
    )
    scheduler = None
    try:
        for leader in (sweep_leader, webhook_leader):
            if leader is not None:
                background.append(asyncio.create_task(leader.run(stop)))
        for adapter in starters:
            await adapter.start(configure=roles.alone)
            if roles.alone and not webhook:
                background.append(asyncio.create_task(adapter.run_polling(stop)))
            elif sweep_leader is not None and not webhook:
                # Polling is one consumer by nature: the sweep leader polls.
                background.append(
                    asyncio.create_task(
                        sweep_leader.while_leading(stop, _configure_and_poll(adapter))
                    )
                )
            elif webhook_leader is not None:
                background.append(
                    asyncio.create_task(
                        webhook_leader.while_leading(stop, _configure_and_wait(adapter))
                    )
                )
        if slack is not None and roles.web:
            # What a process that died left unhandled, then every few seconds.
            background.append(asyncio.create_task(slack.run_inbox(stop)))
            if settings.slack_app_token:
                await slack.start_socket_mode()
        if roles.worker:
            scheduler = start_scheduler(
                app.sweeper(),
                app.dispatcher(),
                sweep_seconds=settings.sweep_interval_seconds,
                outbox_seconds=settings.outbox_interval_seconds,
                statistics=partial(refresh_statistics, app.uow),
                housekeeping=app.housekeeping(),
                leader=sweep_leader,
            )
        settle_heap()
        await stop.wait()
    finally:
        if scheduler is not None:
            await scheduler.shutdown()
        stop.set()
        await asyncio.gather(*background, return_exceptions=True)
        for close in closers:
            await close()
        await runner.cleanup()
    return 0


class _Configurable(Protocol):
    async def configure(self) -> None: ...
    async def run_polling(self, stop: asyncio.Event) -> None: ...


def _configure_and_poll(
    adapter: _Configurable,
) -> Callable[[asyncio.Event], Awaitable[None]]:
    async def term(over: asyncio.Event) -> None:
        await adapter.configure()
        await adapter.run_polling(over)

    return term


def _configure_and_wait(
    adapter: _Configurable,
) -> Callable[[asyncio.Event], Awaitable[None]]:
    async def term(_over: asyncio.Event) -> None:
        # Once per term: the webhook, set by the replica that won the lease.
        await adapter.configure()

    return term
