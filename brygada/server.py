"""Running for real: one HTTP server, the chat adapters, the scheduler and the outbox.

The HTTP server (BRYGADA_HTTP_HOST/PORT) serves /healthz, the website lead intake
(/api/leads/<token>), Slack's /slack/events in HTTP mode (with OAuth also
/slack/install and /slack/oauth_redirect) and Telegram's webhook in webhook mode.
Telegram long-polls by default; Slack uses Socket Mode when SLACK_APP_TOKEN is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from functools import partial

from aiohttp import web

from brygada.board import mount_board
from brygada.bootstrap import App
from brygada.leads import setup_lead_routes
from brygada.lease import InstanceLease, LeaseHeld
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


async def serve(app: App, stop: asyncio.Event | None = None) -> int:
    """Run until ``stop`` is set (or SIGINT/SIGTERM); 1 when another instance holds the
    database's lease (``brygada.lease``), or took it over while this one was frozen."""
    stop = stop or asyncio.Event()
    settings = app.settings
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
        code = await _serve(app, stop)
    finally:
        stop.set()
        await keeper
        await lease.release()
    return 1 if lease.lost else code


async def _serve(app: App, stop: asyncio.Event) -> int:
    settings = app.settings
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    web_app = build_web_app(app)
    background: list[asyncio.Task[None]] = []
    closers = []
    starters = []

    # First the adapters and their routes, without a word to the platforms; then the
    # port: a second copy started with the same settings stops here, before it polls
    # Telegram (and takes updates away from the first) or moves its webhook.
    if "telegram" in settings.chat_platforms:
        from bots.telegram import setup_webhook_routes
        from brygada.telegram import build_telegram

        telegram = build_telegram(app)
        app.notifiers["telegram"] = telegram.notifier
        if settings.telegram_webhook_url:
            setup_webhook_routes(web_app, telegram)
        closers.append(telegram.close)
        starters.append(telegram)
    slack = None
    if "slack" in settings.chat_platforms:
        from bots.slack import setup_slack_routes
        from brygada.slack import build_slack

        slack = build_slack(app)
        app.notifiers["slack"] = slack.notifier
        if not settings.slack_app_token or slack.oauth is not None:
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
        "HTTP on %s:%s; chats: %s",
        settings.http_host,
        settings.http_port,
        ", ".join(settings.chat_platforms) or "none",
    )
    scheduler = None
    try:
        for telegram in starters:
            await telegram.start()
            if not settings.telegram_webhook_url:
                background.append(asyncio.create_task(telegram.run_polling(stop)))
        if slack is not None:
            # What a process that died left unhandled, then every few seconds.
            background.append(asyncio.create_task(slack.run_inbox(stop)))
            if settings.slack_app_token:
                await slack.start_socket_mode()
        scheduler = start_scheduler(
            app.sweeper(),
            app.dispatcher(),
            sweep_seconds=settings.sweep_interval_seconds,
            outbox_seconds=settings.outbox_interval_seconds,
            statistics=partial(refresh_statistics, app.uow),
            housekeeping=app.housekeeping(),
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
