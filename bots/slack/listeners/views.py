"""Modal submissions. ``brygada_answer``: a one-field modal whose text is the answer to
the conversation's pending question (the same as typing it in the DM)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.deps import SlackDeps
from bots.slack.inbound import from_view_submission
from bots.slack.outbound import open_dm

ANSWER_VIEW = "brygada_answer"
ANSWER_BLOCK, ANSWER_INPUT = "answer", "text"


def submitted_text(view: dict[str, Any]) -> str:
    values = (view.get("state") or {}).get("values") or {}
    field = (values.get(ANSWER_BLOCK) or {}).get(ANSWER_INPUT) or {}
    return str(field.get("value") or "").strip()


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.view(ANSWER_VIEW)
    async def on_answer(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        text = submitted_text(view)
        if not text:
            await ack(response_action="errors", errors={ANSWER_BLOCK: "…"})
            return
        await ack()
        user_id = str(body["user"]["id"])
        dm = await open_dm(client, user_id)
        replies = await deps.conversation.handle(from_view_submission(body, text, dm))
        await deps.replies.deliver(client, replies, user_id=user_id, channel=dm)
