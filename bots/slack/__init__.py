"""The Slack adapter (slack-bolt async): Slack requests -> Inbound, Replies -> Block Kit."""

from bots.slack.app import SlackAdapter, SlackConfig, setup_slack_routes, slack_adapter

__all__ = ["SlackAdapter", "SlackConfig", "setup_slack_routes", "slack_adapter"]
