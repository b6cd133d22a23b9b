"""Bolt listeners, one module per kind of Slack request; each has ``register(app, deps)``."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bots.slack.deps import SlackDeps
from bots.slack.listeners import actions, commands, events, shortcuts, views


def register_all(app: AsyncApp, deps: SlackDeps) -> None:
    for module in (commands, actions, views, events, shortcuts):
        module.register(app, deps)
