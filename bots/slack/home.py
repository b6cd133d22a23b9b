"""App Home: a member's tab shows their timer (with Pause/Stop), today's tasks, tasks
awaiting their acceptance, requests awaiting their decision and overdue ones, built by
asking the conversation the read-only list commands.

It is published when the tab is opened, when Refresh is pressed and after any turn
of the member that ended without a question. While a question is open (a modal or a
DM question waiting for its answer) nothing is published: the conversation abandons
a pending question whenever a command arrives, and the list commands are commands.
Which members have an open question is kept in this process only — enough to not
break a question in flight; a missed refresh is corrected by the next one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.blocks import home_view
from bots.slack.errors import error_code
from bots.slack.inbound import home_request
from bots.slack.modals import chrome
from bots.slack.outbound import is_refusal
from handlers.conversation import Conversation
from handlers.rendering import Renderer
from handlers.types import Inbound, Reply

log = logging.getLogger(__name__)

# The home tab's sections, in order: conversation list commands (with their arguments).
HOME_SECTIONS: tuple[str, ...] = ("timer", "today", "awaiting", "approvals requests", "overdue")

Member = tuple[str, str]  # (workspace, user id)


class AppHome:
    def __init__(self, conversation: Conversation, renderer: Renderer) -> None:
        self._conversation = conversation
        self._renderer = renderer
        self._asking: set[Member] = set()

    def is_asking(self, workspace: str, user_id: str) -> bool:
        return (workspace, user_id) in self._asking

    async def publish(self, client: AsyncWebClient, workspace: str, user_id: str) -> bool:
        """Render and publish the member's home tab; False when a question is open."""
        if self.is_asking(workspace, user_id):
            log.debug("home of %s not refreshed: a question is open", user_id)
            return False
        replies = await self._sections(workspace, user_id)
        lang = replies[0].lang if replies else "en"
        view = home_view((self._renderer.render(r) for r in replies), chrome(lang, "refresh"))
        try:
            await client.views_publish(user_id=user_id, view=view)
        except SlackApiError as error:
            log.warning("views.publish for %s: %s", user_id, error_code(error))
            return False
        return True

    async def after_turn(
        self, client: AsyncWebClient, inbound: Inbound, replies: Sequence[Reply]
    ) -> None:
        """Keep track of open questions and refresh the home tab after a finished turn."""
        if not replies:  # a repeated update, or nothing to say: nothing changed
            return
        member = (inbound.workspace, inbound.user_id)
        if any(r.ask and r.to_member is None for r in replies):
            self._asking.add(member)
            return
        if member in self._asking:
            if not _answers_question(inbound, replies):
                return
            self._asking.discard(member)
        await self.publish(client, inbound.workspace, inbound.user_id)

    async def question_dropped(self, client: AsyncWebClient, workspace: str, user_id: str) -> None:
        """The member closed a question's modal: the question is over, refresh the tab
        (whose list commands also abandon the pending question)."""
        self._asking.discard((workspace, user_id))
        await self.publish(client, workspace, user_id)

    async def _sections(self, workspace: str, user_id: str) -> list[Reply]:
        replies: list[Reply] = []
        for entry in HOME_SECTIONS:
            command, _, args = entry.partition(" ")
            inbound = replace(home_request(workspace, user_id, command), args=args)
            turn = await self._conversation.handle(inbound)
            shown = [r for r in turn if r.to_member is None and not r.ask]
            if any(is_refusal(r) for r in shown):
                # Not a member yet, or something failed: say it once, not per section.
                return shown
            replies.extend(shown)
        return replies


def _answers_question(inbound: Inbound, replies: Iterable[Reply]) -> bool:
    """Typed text answers a pending question and a command abandons it — unless the
    conversation refused it, which keeps the question for another try. A button press
    may leave it pending, so it does not count."""
    typed = inbound.action is None and (inbound.command is not None or bool(inbound.text))
    return typed and not any(is_refusal(r) for r in replies)
