"""Builds the Bolt ``AsyncApp`` and the adapter the CLI mounts: HTTP or Socket Mode.

HTTP mode: ``setup_slack_routes(web_app, adapter)`` adds ``POST /slack/events`` to the
shared aiohttp server; Bolt verifies the signature and timestamp (401 otherwise),
keeps a request that carries user input (``bots.slack.inbox``), acks, and runs the
listener after the response. Socket Mode is used when ``SLACK_APP_TOKEN`` is set
(``await adapter.start_socket_mode()``). ``run_inbox`` handles again what a process that
died left unhandled.

One bot token (``SLACK_BOT_TOKEN``) serves one workspace. With ``SLACK_CLIENT_ID`` and
``SLACK_CLIENT_SECRET`` the app is distributed over OAuth (``bots.slack.oauth``):
``GET /slack/install`` and ``GET /slack/oauth_redirect`` are mounted too, and each
request and each notification uses the bot token installed in its workspace.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.deps import SlackDeps
from bots.slack.home import AppHome
from bots.slack.inbox import SlackInbox
from bots.slack.listeners import register_all
from bots.slack.notifier import SlackNotifier
from bots.slack.oauth import SlackOAuth
from bots.slack.outbound import ChannelPacer, Pacer, SlackReplies
from bots.slack.replies import DurableReplies
from handlers.conversation import Conversation
from handlers.inbox import Inbox
from handlers.rendering import SLACK_MRKDWN, Renderer

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


def build_client(token: str | None, base_url: str) -> AsyncWebClient:
    client = AsyncWebClient(token=token, base_url=base_url)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
    return client


def build_bolt_app(
    client: AsyncWebClient,
    signing_secret: str,
    deps: SlackDeps,
    oauth: SlackOAuth | None = None,
) -> AsyncApp:
    if oauth is None:
        bolt = AsyncApp(client=client, signing_secret=signing_secret)
    else:
        bolt = AsyncApp(client=client, signing_secret=signing_secret, oauth_settings=oauth.settings)
        # app_uninstalled / tokens_revoked remove the workspace's saved tokens.
        bolt.enable_token_revocation_listeners()

    @bolt.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("slack listener failed (%s): %r", body.get("type"), error, exc_info=error)

    register_all(bolt, deps)
    return bolt


@dataclass
class SlackAdapter:
    bolt_app: AsyncApp
    notifier: SlackNotifier
    inbox: SlackInbox
    inbox_interval: float = 10.0
    app_token: str | None = None
    oauth: SlackOAuth | None = None
    _socket: AsyncSocketModeHandler | None = field(default=None, repr=False)

    @property
    def client(self) -> AsyncWebClient:
        return self.bolt_app.client

    def setup_slack_routes(self, web_app: web.Application) -> None:
        setup_slack_routes(web_app, self)

    async def handle_http(self, request: web.Request) -> web.Response:
        bolt_request = await to_bolt_request(request)
        bolt_response = await self.bolt_app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    async def handle_oauth(self, request: web.Request) -> web.Response:
        """``GET /slack/install`` and ``GET /slack/oauth_redirect``, run by Bolt's flow."""
        flow = self.bolt_app.oauth_flow
        if flow is None:
            raise web.HTTPNotFound()
        bolt_request = await to_bolt_request(request)
        if request.path == flow.install_path:
            bolt_response = await flow.handle_installation(bolt_request)
        else:
            bolt_response = await flow.handle_callback(bolt_request)
        return await to_aiohttp_response(bolt_response)

    async def run_inbox(self, stop: asyncio.Event) -> None:
        """Until ``stop``: handle the requests kept but left unhandled by a process that
        died (at once, then every ``inbox_interval`` seconds)."""
        await self.inbox.run(stop, self.inbox_interval)

    async def start_socket_mode(self) -> None:
        """Connect over Socket Mode (needs SLACK_APP_TOKEN); returns once connected."""
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        if not self.app_token:
            raise RuntimeError("Socket Mode needs SLACK_APP_TOKEN")
        self._socket = AsyncSocketModeHandler(self.bolt_app, self.app_token)
        await self._socket.connect_async()  # type: ignore[no-untyped-call]

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None


def setup_slack_routes(web_app: web.Application, adapter: SlackAdapter) -> None:
    """Mount ``POST /slack/events`` (events, commands, interactivity) on ``web_app``, and
    with OAuth the install and redirect pages."""
    web_app.router.add_post(EVENTS_PATH, adapter.handle_http)
    flow = adapter.bolt_app.oauth_flow
    if flow is not None:
        web_app.router.add_get(flow.install_path, adapter.handle_oauth)
        web_app.router.add_get(flow.redirect_uri_path, adapter.handle_oauth)


@dataclass(frozen=True)
class SlackConfig:
    """What the adapter needs to know of the install (``brygada.slack`` reads it from
    the settings)."""

    signing_secret: str
    app_token: str | None = None  # set: Socket Mode
    messages_per_channel_per_second: float = 1.0
    inbox_retry_seconds: float = 10.0  # a kept request left unhandled is tried again


def slack_adapter(
    config: SlackConfig,
    conversation: Conversation,
    inbox: Inbox,
    client: AsyncWebClient,
    oauth: SlackOAuth | None = None,
    pacer: Pacer | None = None,
) -> SlackAdapter:
    """The adapter around one Web API client (with OAuth, each workspace's installed
    token is used instead of the client's own). ``pacer``: shared by the replicas
    (``bots.ratelimit_redis``), else this process's own."""
    replies = SlackReplies(
        Renderer(SLACK_MRKDWN), pacer or ChannelPacer(config.messages_per_channel_per_second)
    )
    home = AppHome(conversation, replies.renderer)
    notifier = SlackNotifier(
        client, replies, bot_token=oauth.bot_token if oauth else None, home=home
    )
    kept = SlackInbox(inbox, notifier.clients)
    deps = SlackDeps(
        conversation=conversation,
        replies=replies,
        home=home,
        durable=DurableReplies(conversation, replies),
        inbox=kept,
    )
    bolt = build_bolt_app(client, config.signing_secret, deps, oauth)
    return SlackAdapter(
        bolt_app=bolt,
        notifier=notifier,
        inbox=kept,
        inbox_interval=config.inbox_retry_seconds,
        app_token=config.app_token,
        oauth=oauth,
    )
