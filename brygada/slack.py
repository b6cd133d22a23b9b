"""The Slack adapter of a composed app: what it needs of the settings, and itself."""

from __future__ import annotations

from datetime import timedelta

from bots.slack.app import SlackAdapter, SlackConfig, build_client, slack_adapter
from bots.slack.oauth import SlackOAuth, build_oauth
from bots.slack.outbound import Pacer
from brygada.bootstrap import App
from handlers.conversation import Conversation
from handlers.inbox import Inbox


def build_slack(
    app: App, *, conversation: Conversation | None = None, pacer: Pacer | None = None
) -> SlackAdapter:
    """The Slack adapter from the composed app's settings: one bot token, or OAuth
    (each workspace's installed token); HTTP, or Socket Mode with an app token. ``pacer``:
    shared by the replicas (``bots.ratelimit_redis``), else this process's own."""
    settings = app.settings
    if settings.slack_bot_token is None and not settings.slack_oauth:
        raise RuntimeError("SLACK_BOT_TOKEN is not set (or SLACK_CLIENT_ID and _SECRET)")
    # With OAuth every request's token comes from its workspace's installation.
    token = (
        settings.slack_bot_token.get_secret_value()
        if settings.slack_bot_token and not settings.slack_oauth
        else None
    )
    app_token = settings.slack_app_token.get_secret_value() if settings.slack_app_token else None
    if settings.slack_signing_secret is None and app_token is None:
        raise RuntimeError("SLACK_SIGNING_SECRET is needed in HTTP mode (or set SLACK_APP_TOKEN)")
    secret = (
        settings.slack_signing_secret.get_secret_value()
        if settings.slack_signing_secret
        else "socket-mode-unused"
    )
    client = build_client(token, settings.slack_api_url)
    oauth: SlackOAuth | None = None
    if settings.slack_oauth:
        assert settings.slack_client_id and settings.slack_client_secret
        oauth = build_oauth(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret.get_secret_value(),
            scopes=settings.slack_scope_list,
            redirect_uri=settings.slack_oauth_redirect_uri,
            engine=app.engine,
            client=client,
            turn=app.uow,
        )
    grace = timedelta(seconds=settings.slack_inbox_retry_seconds)
    return slack_adapter(
        SlackConfig(
            signing_secret=secret,
            app_token=app_token,
            messages_per_channel_per_second=settings.slack_messages_per_channel_per_second,
            inbox_retry_seconds=settings.slack_inbox_retry_seconds,
        ),
        conversation or app.conversation,
        Inbox(app.uow, app.clock, grace=grace),
        client,
        oauth,
        pacer,
    )
