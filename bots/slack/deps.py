"""What the Slack listeners need, passed explicitly to each ``register(app, deps)``."""

from __future__ import annotations

from dataclasses import dataclass

from bots.slack.home import AppHome
from bots.slack.inbox import SlackInbox
from bots.slack.outbound import SlackReplies
from bots.slack.replies import DurableReplies
from handlers.conversation import Conversation


@dataclass(frozen=True)
class SlackDeps:
    conversation: Conversation
    replies: SlackReplies
    home: AppHome
    durable: DurableReplies  # replies kept with the request's change
    inbox: SlackInbox  # requests kept before the ack
