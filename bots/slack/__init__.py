"""The Slack adapter (slack-bolt async): Slack requests -> Inbound, Replies -> Block Kit."""

from bots.slack.app import SlackAdapter, build_slack, setup_slack_routes

__all__ = ["SlackAdapter", "build_slack", "setup_slack_routes"]
